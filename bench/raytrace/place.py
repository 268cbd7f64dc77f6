"""A restroom place to ray-trace: a surface (tiled or painted wall, or ceiling), its lamp, the
housing a lens may hide in, distractors around it, and the handheld's LED rings.

Build one, change it, film it::

    rng = np.random.default_rng(7)
    place = build_place(rng, "clothes_hook", with_lens=True)
    place = add_object(place, droplet_near(place, rng))        # a new thing appears
    place = remove_object(place, place.objects[-1].id)       # or goes away
    poses = walk(rng, place.lens.front_mm, look_from, start_px, end_px, 16)   # camera.walk
    text = scene_text(place, poses[0], ring="on", lamp_level=1.0)             # POV-Ray SDL

Places are plain data (dataclasses); ``add_object``/``remove_object`` return new places, so a
before/after pair shares everything else.
"""

from dataclasses import dataclass, field, replace

import numpy as np

from bench.raytrace import housings
from bench.raytrace.camera import (HEIGHT_PX, RING_INNER_MM, RING_OUTER_MM, WIDTH_PX, Pose,
                                   off_axis_ring_centre, screen_size)
from bench.raytrace.objects import MATERIALS, Emitter, Housing, SpyLens, vec
from bench.raytrace.sensor import CAMERA_RGB

HOUSINGS = ("clothes_hook", "smoke_detector", "screw_head", "tile_hole", "air_freshener",
            "usb_charger", "toilet_paper_holder", "ceiling_vent")
CEILING_HOUSINGS = ("smoke_detector", "ceiling_vent")
# The rings: a light (diffuse lighting, 1/r^2 with POV's fade) and a visible emitting annulus
# (what mirrors, chrome and the cat's eye send back). Radiance and intensity agree: a Lambertian
# annulus of area A and radiance L has intensity I = L A, and a white wall at d lit by it reads
# I / (pi d^2), which POV's fade gives as C * 2 fd^2 / d^2.
RING_FADE_MM = 100.0
RING_LIGHT = 6.0  # C: a 0.7-reflectance wall at 1 m reads ~ 21 DN from the on-axis ring
RING_AREA_MM2 = np.pi * (RING_OUTER_MM ** 2 - RING_INNER_MM ** 2)
RING_RADIANCE = np.pi * RING_LIGHT * 2 * RING_FADE_MM ** 2 / RING_AREA_MM2
LAMP_FADE_MM = 600.0


@dataclass
class Lamp:
    """The ceiling lamp: position, mean level (1 = a bright restroom) and its flicker at twice
    the mains frequency (100 or 120 Hz), ``depth`` the peak-to-mean modulation."""

    position_mm: np.ndarray
    level: float
    flicker_hz: float
    depth: float
    phase_rad: float

    def level_at(self, start_s: float, exposure_s: float) -> float:
        """The lamp's mean level over an exposure: 1 + depth * mean(cos) over [start, end]."""
        w = 2 * np.pi * self.flicker_hz
        mean_cos = (np.sin(w * (start_s + exposure_s) + self.phase_rad)
                    - np.sin(w * start_s + self.phase_rad)) / (w * exposure_s)
        return self.level * (1 + self.depth * mean_cos)


@dataclass
class Place:
    surface: str  # glossy_tile, matte_tile or paint
    on_ceiling: bool
    tile_mm: float
    tile_grey: float
    lamp: Lamp
    wall: Housing  # the surface itself (a tile-hole lens is cut into it)
    objects: list = field(default_factory=list)

    @property
    def lens(self) -> SpyLens | None:
        lenses = [o for o in self.objects if isinstance(o, SpyLens)]
        return lenses[0] if lenses else None

    @property
    def emitters(self) -> list[Emitter]:
        return [o for o in self.objects if isinstance(o, Emitter)]

    def next_id(self) -> int:
        return max([o.id for o in self.objects] + [self.wall.id]) + 1


def add_object(place: Place, obj) -> Place:
    """A new place holding ``obj`` too (give it ``place.next_id()``)."""
    return replace(place, objects=[*place.objects, obj])


def remove_object(place: Place, object_id: int) -> Place:
    """A new place without the object ``object_id`` (a lens leaves a bare hole behind)."""
    kept = [o for o in place.objects if o.id != object_id]
    if len(kept) == len(place.objects):
        raise KeyError(f"no object {object_id} in this place")
    for o in kept:
        if isinstance(o, Housing) and any(lens.id == object_id for lens in o.lenses):
            o.lenses = [lens for lens in o.lenses if lens.id != object_id]
    return replace(place, objects=kept)


def build_place(rng, housing: str, *, with_lens: bool, lens_tilt_deg: float = 0.0,
                anchor_mm=(0.0, 0.0), lamp_level: float = 1.0, flicker_hz: float = 100.0,
                n_distractors: int = 4, leds: tuple = ()) -> Place:
    """A place around ``housing`` at ``anchor_mm`` on the surface (see ``housings``), with a lens
    in it (``with_lens``) whose axis leans ``lens_tilt_deg`` from the surface normal, a few
    distractors beside it and the always-on LEDs ``leds`` on the housing's front beside the lens
    (colours, see ``CAMERA_RGB``)."""
    if housing not in HOUSINGS:
        raise ValueError(f"unknown housing {housing!r}; expected one of {HOUSINGS}")
    on_ceiling = housing in CEILING_HOUSINGS
    surface = "paint" if on_ceiling else str(rng.choice(["glossy_tile", "glossy_tile",
                                                          "matte_tile"]))
    tile_mm = float(rng.choice([100.0, 150.0, 200.0, 300.0]))
    tile_grey = float(rng.uniform(0.55, 0.85))
    lamp_pos = np.array([rng.uniform(-500, 500), rng.uniform(900, 1400), -rng.uniform(500, 1100)])
    if on_ceiling:
        lamp_pos = np.array([rng.uniform(-900, 900), rng.uniform(500, 900), -30.0])
    lamp = Lamp(lamp_pos, lamp_level, flicker_hz, float(rng.uniform(0.05, 0.6)),
                float(rng.uniform(0, 2 * np.pi)))
    anchor = np.array([anchor_mm[0], anchor_mm[1], 0.0])
    wall = Housing(0, "wall", housings.wall_solid(surface, tile_mm, tile_grey, anchor, rng),
                   anchor)
    objects, lens = housings.build(housing, rng, anchor, next_id=1)
    place = Place(surface, on_ceiling, tile_mm, tile_grey, lamp, wall, objects)
    if with_lens:
        lens_obj = housings.lens_in(lens, rng, place.next_id(), housing, lens_tilt_deg)
        host = next((o for o in place.objects if isinstance(o, Housing)), place.wall)
        host.lenses.append(lens_obj)
        place = add_object(place, lens_obj)
    for _ in range(n_distractors):
        place = add_object(place, housings.distractor_near(place, rng, anchor, surface))
    for colour in leds:
        place = add_object(place, housings.led_near(place, rng, lens, colour))
    return place


def _ring(centre, pose: Pose, lit: bool) -> str:
    radiance = RING_RADIANCE if lit else 0.0
    rgb = np.asarray(CAMERA_RGB["ir_850"]) * radiance
    d, r, u = pose.direction, pose.right, pose.up
    back = centre - d * 0.5  # just behind the camera's centre of projection: never in view
    m = list(r) + list(u) + list(d) + list(back)
    light = ""
    if lit:
        colour = np.asarray(CAMERA_RGB["ir_850"]) * RING_LIGHT
        light = (f"light_source {{ {vec(centre)} color rgb {vec(colour)} "
                 f"fade_distance {RING_FADE_MM} fade_power 2 }}\n")
    return (light + f"difference {{ cylinder {{ <0,0,-0.05>, <0,0,0.05>, {RING_OUTER_MM} }} "
            f"cylinder {{ <0,0,-1>, <0,0,1>, {RING_INNER_MM} }} "
            f"texture {{ pigment {{ rgb "
            f"{vec(rgb)} }} finish {{ ambient 0 diffuse 0 emission 1 }} }} no_shadow "
            f"matrix <{', '.join(f'{v:.6f}' for v in m)}> }}\n")


def _lamp(lamp: Lamp, level: float, on_ceiling: bool) -> str:
    rgb = np.asarray(CAMERA_RGB["lamp"]) * level
    p = lamp.position_mm
    panel = (f"box {{ {vec(p - [150, 10, 150])}, {vec(p + [150, 10, 150])} "
             if not on_ceiling else f"box {{ {vec(p - [150, 150, 10])}, {vec(p + [150, 150, 10])} ")
    # A 300 mm panel's radiance matching its light's intensity (I = L A, fade as for the rings).
    radiance = rgb * 3.0 * np.pi * 2 * LAMP_FADE_MM ** 2 / (300.0 * 300.0)
    return (f"light_source {{ {vec(p)} color rgb {vec(rgb * 3.0)} fade_distance {LAMP_FADE_MM} "
            f"fade_power 2 }}\n" + panel +
            f"texture {{ pigment {{ rgb "
            f"{vec(radiance)} }} finish {{ ambient 0 diffuse 0 emission 1 }} }} no_shadow }}\n")


def camera_text(pose: Pose, window=None) -> str:
    """The POV camera for ``pose``; ``window`` = (x0, y0, w, h) pixels renders only that part
    of the frame (same rays as the full frame's pixels there), for supersampled patches."""
    r_len, u_len = screen_size()
    d, right, up = pose.direction, pose.right * r_len, pose.up * u_len
    if window is not None:
        x0, y0, w, h = window
        sx = (x0 + w / 2) / WIDTH_PX - 0.5
        sy = 0.5 - (y0 + h / 2) / HEIGHT_PX
        d = d + sx * right + sy * up
        right, up = right * w / WIDTH_PX, up * h / HEIGHT_PX
    return (f"camera {{ perspective location {vec(pose.location)} direction {vec(d)} "
            f"right {vec(right)} up {vec(up)} }}\n")


def scene_text(place: Place, pose: Pose, ring: str, lamp_level: float, window=None) -> str:
    """The whole POV-Ray scene for one frame: ``ring`` is on, off_axis or dark."""
    ambient = 0.045 * lamp_level  # indirect light of a small tiled room, no radiosity
    parts = [
        "#version 3.7;\n",
        f"global_settings {{ assumed_gamma 1.0 max_trace_level 12 "
        f"ambient_light rgb {vec(np.asarray(CAMERA_RGB['lamp']) * ambient)} }}\n",
        "background { rgb 0 }\n",
        MATERIALS,
        camera_text(pose, window),
        _lamp(place.lamp, lamp_level, place.on_ceiling),
        _ring(pose.location, pose, ring == "on"),
        _ring(off_axis_ring_centre(pose), pose, ring == "off_axis"),
        housings.room_solid(place.on_ceiling),
        place.wall.pov(),
    ]
    parts += [o.pov() for o in place.objects]
    return "\n".join(parts)
