"""The housings a spy lens hides in, the surface and room around them, and the distractors and
LEDs placed near a lens. Sizes are those of real fittings (mm); each housing's face is parallel
to the surface (normal -z) and deep enough for the lens's barrel behind its hole.
"""

from dataclasses import dataclass, replace

import numpy as np

from bench.raytrace.camera import rotate, unit
from bench.raytrace.objects import Emitter, Housing, Prop, SpyLens, vec


@dataclass(frozen=True)
class LedFace:
    """The flat front where a housing's indicator LED sits (a smoke detector's, a charger's):
    the plane z = ``centre_mm[2]``, a disc (``round``, radius ``half_mm[0]``) or a rectangle
    (half-widths ``half_mm``) about ``centre_mm``; ``rows_y`` the only heights it may take (a
    vent's slats); ``keep_out`` discs (x, y, radius) it must stay clear of (a hook's arm)."""

    centre_mm: np.ndarray
    half_mm: tuple
    round: bool = False
    rows_y: tuple = ()
    keep_out: tuple = ()


@dataclass(frozen=True)
class LensSite:
    """Where a housing puts its lens: the hole's centre on its face; ``max_ball_mm`` the largest
    ball the housing's depth holds; ``footprint_mm`` the housing's radius on the surface;
    ``led_face`` where an indicator LED beside the lens can sit (on the housing's front, or on
    the surface around a bare hole: never inside a body, where no camera could see it)."""

    face_mm: np.ndarray
    max_ball_mm: float
    footprint_mm: float
    led_face: LedFace


def wall_solid(surface: str, tile_mm: float, tile_grey: float, anchor, rng) -> str:
    """The surface: glazed tiles (glossy or matte) with grout joints 2-4 mm wide, or painted
    plaster. The joints are a texture pattern on one slab (a recess of a millimetre would not
    change what the camera sees at these distances, and one slab renders in a tenth of the time
    of a few hundred tile boxes)."""
    if surface == "paint":
        return "box { <-4000, -4000, 0>, <4000, 4000, 30> texture { T_Paint } }"
    gloss = ("specular 0.5 roughness 0.002 reflection { 0.03, 0.6 falloff 5 }"
             if surface == "glossy_tile" else "specular 0.05 roughness 0.05")
    half_grout = float(rng.uniform(2.0, 4.0)) / 2
    # the grid is laid from a random origin, so the lens may sit anywhere on a tile or by a joint
    ox, oy = anchor[0] + rng.uniform(0, tile_mm), anchor[1] + rng.uniform(0, tile_mm)
    t = tile_mm

    def joint(c, o):
        m = f"mod(mod({c} - ({o:.3f}), {t:.1f}) + {t:.1f}, {t:.1f})"
        return f"min({m}, {t:.1f} - {m})"

    pattern = f"select(min({joint('x', ox)}, {joint('y', oy)}) - {half_grout:.3f}, 0, 1)"
    return (f"box {{ <-4000, -4000, 0>, <4000, 4000, 30> texture {{ function {{ {pattern} }} "
            f"texture_map {{ [0 pigment {{ rgb 0.42 }} finish {{ ambient 1 diffuse 0.8 }}] "
            f"[0.5 pigment {{ rgb 0.42 }} finish {{ ambient 1 diffuse 0.8 }}] "
            f"[0.5 pigment {{ rgb {tile_grey:.3f} }} finish {{ ambient 1 diffuse 0.75 {gloss} }}] "
            f"[1 pigment {{ rgb {tile_grey:.3f} }} finish {{ ambient 1 diffuse 0.75 {gloss} }}] }} }} }}")


def room_solid(on_ceiling: bool) -> str:
    """The rest of the small room (side walls, floor or ceiling, the wall behind the handheld)."""
    return "box { <-1600, -1500, -2600>, <1600, 1500, 40> texture { T_Room } hollow }"


def build(kind: str, rng, anchor, next_id: int) -> tuple[list, LensSite]:
    """The housing's objects (its body first) and where its lens would go."""
    a = np.asarray(anchor, float)
    if kind == "tile_hole":
        return [], LensSite(a.copy(), 4.2, 0.0, LedFace(a.copy(), (60.0, 60.0), round=True))
    if kind == "clothes_hook":
        r = rng.uniform(18, 25)
        depth = 12.0
        body = "T_Chrome" if rng.random() < 0.5 else "T_White"
        tip = a + [0, 32, -depth - 40]
        solid = (f"union {{ cylinder {{ {vec(a)}, {vec(a - [0, 0, depth])}, {r:.2f} "
                 f"texture {{ {body} }} }} cylinder {{ {vec(a - [0, 0, depth - 2])}, {vec(tip)}, 4 "
                 f"texture {{ T_Chrome }} }} }}")
        ball = Prop(next_id + 1, "chrome_ball", tip, float(rng.uniform(6, 9)))
        face = a + [0, -r * 0.5, -depth]
        # the base's face is crowded (lens, arm): its LED sits on the wall around the base,
        # clear enough of the 12 mm base to be seen from within 45 degrees of the normal
        led_face = LedFace(a.copy(), (r + 45, r + 45), round=True, keep_out=((a[0], a[1], r + 10),))
        return [Housing(next_id, kind, solid, face), ball], LensSite(face, 4.0, r, led_face)
    if kind == "smoke_detector":
        r, depth = rng.uniform(50, 60), 38.0
        solid = (f"union {{ cylinder {{ {vec(a)}, {vec(a - [0, 0, depth - 4])}, {r:.2f} }} "
                 f"cylinder {{ {vec(a - [0, 0, depth - 4])}, {vec(a - [0, 0, depth])}, {r - 6:.2f} }} "
                 f"torus {{ {r - 6:.2f}, 4 rotate x*90 translate {vec(a - [0, 0, depth - 4])} }} "
                 f"texture {{ T_White }} }}")
        face = a + [rng.uniform(-15, 15), rng.uniform(-15, 15), -depth]
        led_face = LedFace(a - [0, 0, depth], (r - 10, r - 10), round=True)
        return [Housing(next_id, kind, solid, face)], LensSite(face, 4.0, r, led_face)
    if kind == "screw_head":
        half, depth = rng.uniform(35, 45), 6.0
        solid_parts = [f"box {{ {vec(a - [half, half, depth])}, {vec(a + [half, half, 0])} "
                       f"texture {{ T_Steel }} }}"]
        corners = [a + [sx * (half - 9), sy * (half - 9), -depth]
                   for sx in (-1, 1) for sy in (-1, 1)]
        k = int(rng.integers(4))
        dome_r = 5.0
        c = corners[k]
        solid_parts.append(f"intersection {{ sphere {{ {vec(c + [0, 0, 3.0])}, {dome_r} }} "
                           f"plane {{ z, {c[2]:.3f} }} texture {{ T_Chrome }} }}")
        props = [Prop(next_id + 1 + i, "screw", p, dome_r)
                 for i, p in enumerate(corners) if i != k]
        face = c - [0, 0, dome_r - 3.0]
        return ([Housing(next_id, kind, "union { " + " ".join(solid_parts) + " }", face), *props],
                LensSite(face, 2.8, half, LedFace(a - [0, 0, depth], (half - 15, half - 15))))
    if kind == "air_freshener":
        w, h, depth = rng.uniform(34, 42), rng.uniform(50, 62), 45.0
        solid = f"box {{ {vec(a - [w, h, depth])}, {vec(a + [w, h, 0])} texture {{ T_White }} }}"
        face = a + [rng.uniform(-w + 8, w - 8), -h * 0.4, -depth]
        return ([Housing(next_id, kind, solid, face)],
                LensSite(face, 4.0, max(w, h), LedFace(a - [0, 0, depth], (w, h))))
    if kind == "usb_charger":
        solid = (f"union {{ box {{ {vec(a - [40, 40, 8])}, {vec(a + [40, 40, 0])} }} "
                 f"box {{ {vec(a - [22, 22, 34])}, {vec(a + [22, 22, -8])} }} texture {{ T_White }} }}")
        face = a + [rng.uniform(-10, 10), rng.uniform(2, 12), -34]
        return ([Housing(next_id, kind, solid, face)],
                LensSite(face, 3.6, 40, LedFace(a - [0, 0, 34], (22.0, 22.0))))
    if kind == "toilet_paper_holder":
        w, h, depth = 120.0, 130.0, 110.0
        solid = (f"union {{ box {{ {vec(a - [w, h, depth])}, {vec(a + [w, h, 0])} }} "
                 f"texture {{ T_Steel }} }}")
        face = a + [rng.uniform(-80, 80), rng.uniform(30, 100), -depth]
        return ([Housing(next_id, kind, solid, face)],
                LensSite(face, 4.0, w, LedFace(a - [0, 0, depth], (w, h))))
    if kind == "ceiling_vent":
        half = 120.0
        slats_y = np.arange(-half + 20, half - 10, 22.0)
        slats = " ".join(f"box {{ {vec(a + [-half + 12, y - 3, -22])}, {vec(a + [half - 12, y + 3, -10])} }}"
                         for y in slats_y)
        solid = (f"union {{ difference {{ box {{ {vec(a - [half, half, 22])}, {vec(a + [half, half, 0])} }} "
                 f"box {{ {vec(a - [half - 12, half - 12, 30])}, {vec(a + [half - 12, half - 12, 1])} }} }} "
                 f"union {{ {slats} }} texture {{ T_White }} }}\n"
                 f"box {{ {vec(a - [half - 12, half - 12, 10])}, {vec(a + [half - 12, half - 12, 0])} "
                 f"texture {{ T_Black }} }}")
        gap_y = -half + 20 + 11 + 22 * int(rng.integers(3, 7))
        face = a + [rng.uniform(-80, 80), gap_y, -10]
        # only the black plate behind the slats is cut, so the vent is two housings' worth of text
        led_face = LedFace(a - [0, 0, 22], (half - 12, half - 12), rows_y=tuple(a[1] + slats_y))
        return ([Housing(next_id, kind, f"union {{ {solid} }}", face)],
                LensSite(face, 4.0, half, led_face))
    raise ValueError(f"unknown housing {kind!r}")


def lens_in(site: LensSite, rng, lens_id: int, housing: str, tilt_deg: float) -> SpyLens:
    """A spy lens at ``site``: ball 1.8-4 mm (focal length 0.75 D: 1.4-3 mm, as pinhole camera
    lenses), aperture stop 0.3-0.45 D (f/1.7-f/2.5), hole a little smaller than the ball,
    acceptance cone 15-25 deg (the sensor's half-diagonal field), sensor reflectance 8-30 %
    (cover glass and microlenses at 850 nm), a slightly rough sensor 95-99 % of the way to the
    focus. Measured at 1 m, these return the on-axis ring's light 30-100x over the wall's and
    leave the off-axis ring (5 deg away) within a few DN of the wall."""
    ball = float(rng.uniform(1.8, site.max_ball_mm))
    tilt_axis = rotate(np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0]),
                       rng.uniform(0, 2 * np.pi))
    axis = unit(rotate(np.array([0.0, 0.0, -1.0]), tilt_axis, np.radians(tilt_deg)))
    return SpyLens(lens_id, housing, np.asarray(site.face_mm, float), axis, ball,
                   float(ball * rng.uniform(0.3, 0.45)), float(ball * rng.uniform(0.8, 0.95)),
                   float(rng.uniform(15.0, 25.0)), float(rng.uniform(0.95, 0.99)),
                   float(rng.uniform(0.08, 0.3)), float(rng.uniform(0.2, 0.6)))


DISTRACTOR_KINDS = ("chrome_ball", "chrome_knob", "screw", "screw", "droplet", "droplet",
                    "droplet", "chrome_pipe", "chrome_tap", "mirror", "glass_pane")


def _near(rng, anchor, footprint: float, lo: float, hi: float) -> np.ndarray:
    angle = rng.uniform(0, 2 * np.pi)
    radius = footprint + rng.uniform(lo, hi)
    return np.asarray(anchor, float) + [radius * np.cos(angle), radius * np.sin(angle), 0.0]


def distractor_near(place, rng, anchor, surface: str, kind: str | None = None) -> Prop:
    """A distractor a few cm to a few dm from the lens (``kind`` drawn when not given)."""
    kind = kind or str(rng.choice(DISTRACTOR_KINDS))
    footprint = _footprint(place)
    pid = place.next_id()
    if kind in ("chrome_ball", "chrome_knob"):
        r = float(rng.uniform(5, 12))
        where = _near(rng, anchor, footprint, 15, 120)  # drawn before the standoff
        return Prop(pid, kind, where - [0, 0, r + rng.uniform(0, 15)], r)
    if kind == "screw":
        return Prop(pid, kind, _near(rng, anchor, footprint, 10, 100), float(rng.uniform(3, 5)))
    if kind == "droplet":
        return Prop(pid, kind, _near(rng, anchor, footprint, 5, 90), float(rng.uniform(1.0, 3.0)))
    if kind == "chrome_pipe":
        p = _near(rng, anchor, footprint, 40, 200)
        r = float(rng.uniform(8, 16))
        return Prop(pid, kind, p - [0, 0, r + 25], r, float(rng.uniform(200, 600)), small=False)
    if kind == "chrome_tap":
        r = float(rng.uniform(8, 12))
        return Prop(pid, kind, _near(rng, anchor, footprint, 50, 200) - [0, 0, 60], r)
    if kind == "mirror":
        return Prop(pid, kind, _near(rng, anchor, footprint, 250, 450) - [0, 0, 6],
                    float(rng.uniform(150, 250)), float(rng.uniform(200, 300)), small=False)
    if kind == "glass_pane":
        return Prop(pid, kind, _near(rng, anchor, footprint, 180, 300) - [0, 0, 60],
                    float(rng.uniform(100, 160)), float(rng.uniform(60, 120)), small=False)
    raise ValueError(f"unknown distractor kind {kind!r}")


LED_RADIANCE = {"ir_850": (8.0, 60.0), "ir_940": (4.0, 30.0), "green": (3.0, 30.0),
                "red": (3.0, 30.0), "blue": (3.0, 30.0)}
LED_FROM_LENS_MM = (12.0, 45.0)  # 12 mm: still 4 px apart at 2 m (2.9 mm per px at 640 px)


def led_near(place, rng, site: LensSite, colour: str) -> Emitter:
    """An always-on LED on the housing's front beside the lens (``site.led_face``), 12-45 mm
    from it where the face allows and 12 mm from another LED, facing out (a little tilted). On the face, not on the
    surface around the housing: an LED there sat inside the body of a deep housing (a vent,
    a toilet-paper holder), where no camera can see it."""
    lo, hi = LED_RADIANCE[colour]
    angle = rng.uniform(0, 2 * np.pi)
    distance = rng.uniform(*LED_FROM_LENS_MM)
    axis = unit(rotate(np.array([0.0, 0.0, -1.0]), np.array([1.0, 0.0, 0.0]),
                       np.radians(rng.uniform(-15, 15))))
    radiance = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))  # log-uniform
    radius = float(rng.uniform(1.0, 2.5))
    others = tuple((e.position_mm[0], e.position_mm[1], LED_FROM_LENS_MM[0])
                   for e in place.emitters)  # a second LED stays apart from the first
    face = replace(site.led_face, keep_out=site.led_face.keep_out + others)
    position = _on_face(replace(site, led_face=face), angle, distance, radius) - [0, 0, 1.0]
    return Emitter(place.next_id(), position, axis, colour, radiance, radius)


def _on_face(site: LensSite, angle: float, distance: float, radius: float) -> np.ndarray:
    """The point ``distance`` from the lens toward ``angle`` (or the opposite way, whichever
    lands farther from the lens) brought onto the LED face, clear of its edges by the LED's
    own housing (1.6 radii) and of its keep-out discs."""
    face, lens_xy = site.led_face, np.asarray(site.face_mm[:2], float)
    best = None
    for turn in (0.0, np.pi):
        step = distance * np.array([np.cos(angle + turn), np.sin(angle + turn)])
        xy = _clamp(face, lens_xy + step, 1.6 * radius + 1.0)
        if best is None or np.hypot(*(xy - lens_xy)) > np.hypot(*(best - lens_xy)) + 1e-9:
            best = xy
    return np.array([best[0], best[1], face.centre_mm[2]])


def _clamp(face: LedFace, xy: np.ndarray, margin: float) -> np.ndarray:
    """``xy`` moved onto the face and out of its keep-out discs (onto the face again last: on
    a small face crowded by keep-outs, the face wins)."""
    xy = _onto(face, xy, margin)
    for kx, ky, kr in face.keep_out:
        away = xy - [kx, ky]
        gap = np.hypot(*away)
        if gap < kr + margin:
            away = away / gap if gap > 0 else np.array([0.0, -1.0])
            xy = np.array([kx, ky]) + away * (kr + margin)
    return _onto(face, xy, margin)


def _onto(face: LedFace, xy: np.ndarray, margin: float) -> np.ndarray:
    centre = np.asarray(face.centre_mm[:2], float)
    offset = np.asarray(xy, float) - centre
    if face.round:
        reach = face.half_mm[0] - margin
        length = np.hypot(*offset)
        offset = offset * min(1.0, reach / length) if length > 0 else offset
    else:
        offset = np.clip(offset, -(np.asarray(face.half_mm) - margin),
                         np.asarray(face.half_mm) - margin)
    xy = centre + offset
    if face.rows_y:
        xy[1] = min(face.rows_y, key=lambda y: abs(y - xy[1]))
    return xy


def _footprint(place) -> float:
    bodies = [o for o in place.objects if isinstance(o, Housing)]
    if not bodies:
        return 0.0
    return float(max(np.max(np.abs(bodies[0].face_mm[:2] - place.wall.face_mm[:2])) + 25, 45))
