"""Whether an always-on LED is in the camera's line of sight in a frame, not merely projected
inside it: a chrome pipe, a tap or a housing's body between the camera and the LED hides it
(train1119's red LED sits behind a chrome pipe in every frame, yet projects inside them all).

The renderer itself answers, on the scene the frame was rendered from: a small window of rays
around the LED's projection (``WINDOW_PX`` wide at ``SUPERSAMPLE`` rays per pixel), with every
light out but that LED (lamp off, rings dark, no ambient light, the other LEDs dark), once in
the whole place and once with the LED alone in it. A ray that reads the LED's own light at
``DIRECT_SHARE`` of its radiance or more sees its die (straight, or through glass or water,
which lose a few per cent at their surfaces; a reflection in chrome keeps 0.65 of it at most,
in steel 0.35). The share of the lone LED's such rays that still see it in the place is the
share of the die in sight; the LED is in view in that frame when it is ``MIN_SIGHT_SHARE`` or
more. Partly hidden LEDs stay in view: the truth drops a frame only when the LED is clearly
hidden, never when it is merely hard to see.

Needs Debian's ``povray`` (3.7), as the renderer does; the truth files it writes are read
without it.
"""

from dataclasses import replace

import numpy as np

from bench.raytrace.camera import Pose, in_frame, project
from bench.raytrace.objects import Emitter, Housing
from bench.raytrace.place import Place, scene_text
from bench.raytrace.povray import run_povray
from bench.raytrace.sensor import CAMERA_RGB

#: The window around the LED's projection (px at 640 px width): its die is under 3 px across
#: at 0.3 m (5 mm), and the projection is exact, so 8 px hold it with room.
WINDOW_PX = 8
#: Rays per pixel along each side: a 2 mm die at 2.3 m is 0.7 px across, 6 rays at 8 per px.
SUPERSAMPLE = 8
#: A ray reads the LED's die when it carries this share of its radiance (in its strongest
#: channel) or more: through a glass pane or a droplet it keeps about 0.92, its reflection in
#: chrome (0.65 reflection of a 0.85 pigment) about 0.55, in steel or tile far less.
DIRECT_SHARE = 0.75
#: An LED counts as in view in a frame when at least this share of its die is in sight: a
#: quarter of a die still clips the camera for every LED the generator draws (3-60x full
#: scale), so only a frame in which the LED is (nearly) wholly hidden is dropped.
MIN_SIGHT_SHARE = 0.25


def window_of(xy: tuple[float, float]) -> tuple[int, int, int, int]:
    """The (x0, y0, w, h) pixel window centred on a projection (it may reach past the frame's
    edge: the rays are defined there all the same)."""
    return (int(round(xy[0])) - WINDOW_PX // 2, int(round(xy[1])) - WINDOW_PX // 2,
            WINDOW_PX, WINDOW_PX)


def lit_by(place: Place, led: Emitter) -> Place:
    """The place with every LED but ``led`` dark (the lamp and rings are put out by the scene's
    own arguments)."""
    objects = [replace(o, radiance=0.0) if isinstance(o, Emitter) and o.id != led.id else o
               for o in place.objects]
    return replace(place, objects=objects)


def alone(place: Place, led: Emitter) -> Place:
    """The LED by itself: no surface, housing or distractor around it."""
    empty_wall = Housing(place.wall.id, "wall", "", place.wall.face_mm)
    return replace(place, wall=empty_wall, objects=[led])


def die_rays(image: np.ndarray, led: Emitter) -> int:
    """How many of a window's rays read the LED's die (``DIRECT_SHARE`` of its radiance)."""
    peak = led.radiance * max(CAMERA_RGB[led.colour])
    return int(np.count_nonzero(image.max(axis=2) >= DIRECT_SHARE * peak))


def sight_shares(place: Place, poses: list[Pose], workdir) -> dict:
    """{(LED id, frame): share of its die in sight} for each LED and frame where the LED
    projects inside the frame (two POV-Ray runs for the whole capture)."""
    cases = [(led, k, pose) for led in place.emitters for k, pose in enumerate(poses)
             if in_frame(project(led.position_mm, pose))]
    if not cases:
        return {}
    size = WINDOW_PX * SUPERSAMPLE
    scenes, lone = [], []
    for led, _, pose in cases:
        window = window_of(project(led.position_mm, pose))
        scenes.append(scene_text(lit_by(place, led), pose, "dark", 0.0, window))
        lone.append(scene_text(alone(place, led), pose, "dark", 0.0, window))
    (workdir / "place").mkdir()
    (workdir / "alone").mkdir()
    seen = run_povray(scenes, size, size, workdir / "place", antialias=False)
    free = run_povray(lone, size, size, workdir / "alone", antialias=False)
    shares = {}
    for (led, k, _), in_place, by_itself in zip(cases, seen, free):
        total = die_rays(by_itself, led)
        shares[(led.id, k)] = die_rays(in_place, led) / total if total else 1.0
    return shares


def in_sight(shares: dict, led: Emitter, frame: int) -> bool:
    """Whether ``led`` is in view in ``frame`` (``MIN_SIGHT_SHARE`` of its die in sight)."""
    return shares.get((led.id, frame), 0.0) >= MIN_SIGHT_SHARE
