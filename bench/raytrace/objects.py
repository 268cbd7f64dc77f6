"""The things a restroom place holds, each written as POV-Ray scene language (millimetres).

Every object is real geometry with a physically meant material; nothing is drawn as a glint:
- ``SpyLens``: a cat's eye. A glass ball lens (ior 1.5) with its aperture stop at its centre and,
  behind it, a concentric mirror-like slightly rough sensor cap just inside the ball's focus
  (focal length n D / 4 (n - 1) = 0.75 D from the centre), spanning +-``acceptance_deg`` about
  the axis, all inside a black barrel. Light entering within the acceptance cone focuses on the
  cap and is sent back through the ball toward where it came from; outside it the focus falls
  on black. The housing in front has a small hole (a 0.5 mm skin with a cavity behind it).
- ``Emitter``: an LED die under a small dome, an emitter of the colour the NoIR camera sees for
  its wavelength (``bench.raytrace.sensor.CAMERA_RGB``).
- ``Prop``: chrome balls, pipes, taps and knobs, domed screws, water droplets (ior 1.33 caps),
  mirror and glass panes.
- ``Housing``: the body the lens hides in (hook, smoke detector, charger...), cut by its lenses.

``points()`` gives the small objects' truth entries (kind, position, radius); ``patches()``
the world points whose neighbourhood is supersampled (sub-pixel glints are integrated over the
pixel, as a sensor does).
"""

from dataclasses import dataclass, field

import numpy as np

from bench.raytrace.camera import unit
from bench.raytrace.sensor import CAMERA_RGB

SKIN_MM = 0.5  # the housing's skin around a lens hole; the cavity behind it is black

MATERIALS = """
#declare T_Black = texture { pigment { rgb 0.025 } finish { ambient 1 diffuse 0.6 specular 0.15 roughness 0.02 } }
#declare T_Chrome = texture { pigment { rgb 0.85 } finish { ambient 0 diffuse 0.02 reflection { 0.65 } metallic } }
#declare T_Steel = texture { pigment { rgb 0.7 } finish { ambient 0.3 diffuse 0.25 reflection { 0.35 } metallic } }
#declare T_White = texture { pigment { rgb 0.82 } finish { ambient 1 diffuse 0.8 specular 0.15 roughness 0.03 reflection { 0.01, 0.2 falloff 5 } } }
#declare T_Paint = texture { pigment { rgb 0.72 } finish { ambient 1 diffuse 0.8 } }
#declare T_Room = texture { pigment { rgb 0.55 } finish { ambient 1 diffuse 0.7 } }
#declare T_Mirror = texture { pigment { rgb 0.9 } finish { ambient 0 diffuse 0.01 reflection { 0.9 } } }
#declare M_Glass = material { texture { pigment { rgbf <1, 1, 1, 1> } finish { ambient 0 diffuse 0 reflection { 0.04, 1 fresnel on } conserve_energy } } interior { ior 1.5 } }
#declare M_Water = material { texture { pigment { rgbf <1, 1, 1, 1> } finish { ambient 0 diffuse 0 reflection { 0.02, 1 fresnel on } conserve_energy } } interior { ior 1.33 } }
"""


def vec(v) -> str:
    return "<" + ", ".join(f"{float(x):.4f}" for x in v) + ">"


def orient(axis) -> str:
    """A POV transform taking local -z (the outward axis of a lens or LED) onto ``axis``."""
    a = unit(axis)
    z = -a  # local +z points into the housing
    helper = np.array([0.0, 1.0, 0.0]) if abs(z[1]) < 0.9 else np.array([1.0, 0.0, 0.0])
    x = unit(np.cross(helper, z))
    y = np.cross(z, x)
    m = list(x) + list(y) + list(z) + [0, 0, 0]
    return "matrix <" + ", ".join(f"{v:.6f}" for v in m) + ">"


@dataclass
class SpyLens:
    """A pinhole camera's lens behind a hole: the cat's eye (see the module's docstring)."""

    id: int
    housing: str
    front_mm: np.ndarray  # the housing face's hole centre
    axis: np.ndarray  # outward unit vector
    ball_mm: float
    aperture_mm: float
    hole_mm: float
    acceptance_deg: float
    cap_focus_fraction: float  # cap radius / focal length (just under 1: slightly defocused)
    cap_reflectance: float
    cap_roughness: float
    kind: str = "lens"

    @property
    def centre_mm(self) -> np.ndarray:
        return self.front_mm - unit(self.axis) * (SKIN_MM + 0.05 + self.ball_mm / 2)

    @property
    def ball_front_mm(self) -> np.ndarray:
        return self.centre_mm + unit(self.axis) * self.ball_mm / 2

    def cut(self) -> str:
        """The hole and cavity this lens needs in its housing (face normal = -z)."""
        r_cav = 0.75 * self.ball_mm * 1.1 + 2.5
        f = self.front_mm
        return (f"cylinder {{ {vec(f - [0, 0, 1])}, {vec(f + [0, 0, SKIN_MM + 0.01])}, "
                f"{self.hole_mm / 2:.4f} texture {{ T_Black }} }}\n"
                f"cylinder {{ {vec(f + [0, 0, SKIN_MM])}, {vec(f + [0, 0, 2 * r_cav + 4])}, "
                f"{r_cav:.4f} texture {{ T_Black }} }}")

    def pov(self) -> str:
        r = self.ball_mm / 2
        rc = 0.75 * self.ball_mm * self.cap_focus_fraction
        tan_acc = np.tan(np.radians(self.acceptance_deg))
        barrel = rc + 1.0
        return f"""union {{
  sphere {{ 0, {r:.4f} material {{ M_Glass }} }}
  difference {{ cylinder {{ <0,0,-0.004>, <0,0,0.004>, {r * 0.999:.4f} }}
               cylinder {{ <0,0,-1>, <0,0,1>, {self.aperture_mm / 2:.4f} }} texture {{ T_Black }} }}
  intersection {{ difference {{ sphere {{ 0, {rc + 0.03:.4f} }} sphere {{ 0, {rc:.4f} }} }}
                 cone {{ 0, 0, <0,0,{2 * rc:.4f}>, {2 * rc * tan_acc:.4f} }}
                 texture {{ pigment {{ rgb 1 }} finish {{ ambient 0 diffuse 0.01
                   reflection {{ {self.cap_reflectance:.3f} }} }}
                   normal {{ bumps {self.cap_roughness:.3f} scale 0.004 }} }} }}
  difference {{ cylinder {{ <0,0,{-r * 0.2:.4f}>, <0,0,{rc + 0.6:.4f}>, {barrel + 0.3:.4f} }}
               cylinder {{ <0,0,-1>, <0,0,{rc + 0.3:.4f}>, {barrel:.4f} }} texture {{ T_Black }} }}
  {orient(self.axis)} translate {vec(self.centre_mm)}
}}"""

    def points(self) -> list[dict]:
        return []

    def patches(self) -> list[np.ndarray]:
        return [self.ball_front_mm]


@dataclass
class Emitter:
    """An always-on LED: ``colour`` one of ``CAMERA_RGB``'s LED keys; ``radiance`` in units of
    full scale (the emitter's own brightness as the camera sees it at the chosen exposure)."""

    id: int
    position_mm: np.ndarray
    axis: np.ndarray
    colour: str
    radiance: float
    radius_mm: float = 1.5
    kind: str = "indicator_led"

    @property
    def is_ir(self) -> bool:
        return self.colour.startswith("ir_")

    def pov(self) -> str:
        rgb = np.asarray(CAMERA_RGB[self.colour]) * self.radiance
        r = self.radius_mm
        return f"""union {{
  intersection {{ sphere {{ 0, {r:.3f} }} plane {{ z, 0 }}
    texture {{ pigment {{ rgb {vec(rgb)} }} finish {{ ambient 0 diffuse 0 emission 1 }} }} }}
  cylinder {{ <0,0,0>, <0,0,1.5>, {r * 1.6:.3f} texture {{ T_Black }} }}
  {orient(self.axis)} translate {vec(self.position_mm)}
}}"""

    def points(self) -> list[dict]:
        return [{"kind": "indicator_led", "position_mm": self.position_mm,
                 "radius_mm": self.radius_mm}]

    def patches(self) -> list[np.ndarray]:
        return [self.position_mm]


@dataclass
class Prop:
    """A distractor: ``kind`` names it (chrome_ball, chrome_pipe, chrome_tap, chrome_knob,
    screw, droplet, mirror, glass_pane); ``size_mm`` is its radius (balls, screws, droplets,
    knobs, pipes) or its half-width (panes)."""

    id: int
    kind: str
    position_mm: np.ndarray
    size_mm: float
    extent_mm: float = 0.0  # a pipe's length, a pane's half-height
    small: bool = True  # a point-like glint source (listed in distractor_points)

    def pov(self) -> str:
        p, s = self.position_mm, self.size_mm
        if self.kind in ("chrome_ball", "chrome_knob"):
            return f"sphere {{ {vec(p)}, {s:.3f} texture {{ T_Chrome }} }}"
        if self.kind == "screw":
            return (f"intersection {{ sphere {{ {vec(p + [0, 0, s * 0.6])}, {s:.3f} }} "
                    f"plane {{ z, {p[2]:.3f} }} texture {{ T_Chrome }} }}")
        if self.kind == "droplet":
            return (f"intersection {{ sphere {{ {vec(p + [0, 0, s * 0.45])}, {s:.3f} }} "
                    f"plane {{ z, {p[2]:.3f} }} material {{ M_Water }} }}")
        if self.kind == "chrome_pipe":
            a, b = p - [self.extent_mm / 2, 0, 0], p + [self.extent_mm / 2, 0, 0]
            return f"cylinder {{ {vec(a)}, {vec(b)}, {s:.3f} texture {{ T_Chrome }} }}"
        if self.kind == "chrome_tap":
            wall = p.copy()
            wall[2] = 0.0
            spout = p + [0, -s * 4, 0]
            return (f"union {{ cylinder {{ {vec(wall)}, {vec(p)}, {s:.3f} }} "
                    f"sphere {{ {vec(p)}, {s:.3f} }} cylinder {{ {vec(p)}, {vec(spout)}, "
                    f"{s * 0.8:.3f} }} sphere {{ {vec(p + [0, s * 1.2, 0])}, {s * 1.1:.3f} }} "
                    f"texture {{ T_Chrome }} }}")
        if self.kind == "mirror":
            lo = p - [s, self.extent_mm, 0]
            hi = p + [s, self.extent_mm, 4]
            return (f"union {{ box {{ {vec(lo)}, {vec(hi)} texture {{ T_Mirror }} }} "
                    f"box {{ {vec(lo - [8, 8, -1])}, {vec(hi + [8, 8, 0])} "
                    f"texture {{ T_Steel }} }} }}")
        if self.kind == "glass_pane":
            lo = p - [s, self.extent_mm, 3]
            hi = p + [s, self.extent_mm, 3]
            return f"box {{ {vec(lo)}, {vec(hi)} material {{ M_Glass }} }}"
        raise ValueError(f"unknown prop kind {self.kind!r}")

    def points(self) -> list[dict]:
        if not self.small:
            return []
        return [{"kind": self.kind, "position_mm": self.position_mm, "radius_mm": self.size_mm}]

    def patches(self) -> list[np.ndarray]:
        return [self.position_mm] if self.small and self.size_mm <= 12 else []


@dataclass
class Housing:
    """The body a lens may hide in, as a CSG solid whose face (normal -z) holds the lens hole.
    ``solid`` is POV text; ``lenses`` are cut into it when written."""

    id: int
    kind: str
    solid: str
    face_mm: np.ndarray
    lenses: list = field(default_factory=list)

    def pov(self) -> str:
        if not self.lenses:
            return self.solid
        cuts = "\n".join(lens.cut() for lens in self.lenses)
        return f"difference {{ {self.solid}\n {cuts} }}"

    def points(self) -> list[dict]:
        return []

    def patches(self) -> list[np.ndarray]:
        return []
