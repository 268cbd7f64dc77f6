"""POV-Ray scene text for a visit of ``bench.raytrace.change_scenes``, and rendering it with
the optics captures' camera (``bench.raytrace.place.camera_text``) and runner
(``bench.raytrace.povray.run_povray``: linear HDR frames, one POV-Ray process for many).

Every object is modelled at its real size (metres) with a plausible finish: the tiles are
glossy with speckle and recessed grout lines, a laminate panel has a faint mottle, fixtures are
brushed metal or plastic, a hole is a real hole through the wall (its side lit by the lamp,
dark behind), a droplet is a refracting water cap. The lamp is an area light above and in front
of the wall; the handheld adds nothing (its rings are off when the reference picture is kept).
The wall and its things are written in metres and scaled to the camera's millimetres.
"""

import tempfile
from pathlib import Path

import cv2
import numpy as np

from bench.raytrace.camera import HEIGHT_PX, WIDTH_PX
from bench.raytrace.change_scenes import Item, Visit, Wall
from bench.raytrace.place import camera_text
from bench.raytrace.povray import run_povray

WALL_THICKNESS_M = 0.03

_MACROS = """
#declare Metal = finish { diffuse 0.6 specular 0.5 roughness 0.02 metallic reflection 0.05 }
#declare Plastic = finish { diffuse 0.8 specular 0.25 roughness 0.03 }
#macro Hook(G) union {
  box { <-0.012,-0.025,-0.006>, <0.012,0.025,0> }
  cylinder { <0,-0.012,-0.006>, <0,-0.012,-0.035>, 0.005 }
  sphere { <0,-0.004,-0.037>, 0.008 scale <1,1.6,1> }
  pigment { rgb G } finish { Metal } } #end
#macro SmokePuck() union {
  cylinder { <0,0,0>, <0,0,-0.025>, 0.055 }
  torus { 0.048, 0.007 rotate 90*x translate <0,0,-0.025> }
  cylinder { <0,0,-0.031>, <0,0,-0.0315>, 0.048 pigment { rgb 0.8 } }
  cylinder { <0.03,0.0,-0.032>, <0.03,0,-0.033>, 0.003 pigment { rgb 0.1 } }
  pigment { rgb 0.88 } finish { Plastic } } #end
#macro Screw() union {
  difference {
    sphere { 0, 0.0035 scale <1,1,0.4> }
    box { <-0.004,-0.0005,-0.003>, <0.004,0.0005,-0.0008> }
  }
  pigment { rgb 0.55 } finish { Metal } } #end
#macro Sticker(Seed) box { <-0.03,-0.02,-0.0004>, <0.03,0.02,0>
  pigment { bozo color_map { [0 rgb <0.9,0.2,0.1>][0.45 rgb 0.95][0.55 rgb 0.1][1 rgb 0.9] }
            scale 0.006 translate Seed } finish { Plastic } } #end
#macro AirFreshener() union {
  difference {
    box { <-0.032,-0.05,-0.04>, <0.032,0.05,0> }
    #for (k, 0, 4) box { <-0.022,-0.03+0.013*k,-0.05>, <0.022,-0.025+0.013*k,-0.035> } #end
  }
  pigment { rgb <0.85,0.9,0.95> } finish { Plastic } } #end
#macro Charger() union {
  box { <-0.023,-0.023,-0.028>, <0.023,0.023,0> }
  box { <-0.006,-0.003,-0.0285>, <0.006,0.003,-0.027> pigment { rgb 0.05 } }
  pigment { rgb 0.9 } finish { Plastic } } #end
#macro Latch() union {
  box { <-0.02,-0.04,-0.003>, <0.02,0.04,0> }
  cylinder { <0,0.01,-0.003>, <0,0.01,-0.025>, 0.009 }
  box { <-0.004,-0.03,-0.0035>, <0.004,-0.015,-0.0025> pigment { rgb <0.7,0.1,0.1> } }
  pigment { rgb 0.6 } finish { Metal } } #end
#macro PaperHolder() union {
  difference {
    box { <-0.07,-0.065,-0.08>, <0.07,0.065,0> }
    box { <-0.06,-0.075,-0.07>, <0.06,-0.03,-0.01> }
  }
  pigment { rgb 0.75 } finish { Plastic } } #end
#macro Vent() union {
  difference {
    box { <-0.1,-0.05,-0.008>, <0.1,0.05,0> }
    #for (k, 0, 6) box { <-0.09,-0.042+0.0125*k,-0.01>, <0.09,-0.036+0.0125*k,-0.002> } #end
  }
  box { <-0.095,-0.045,0.001>, <0.095,0.045,0.002> pigment { rgb 0.05 } }
  pigment { rgb 0.8 } finish { Plastic } } #end
#macro Sign(Seed) box { <-0.05,-0.05,-0.002>, <0.05,0.05,0>
  pigment { radial frequency 6 color_map { [0 rgb 0.15][0.5 rgb 0.15][0.5 rgb 0.95][1 rgb 0.95] }
            rotate 90*x rotate Seed*x } finish { Plastic } } #end
#macro Droplet(R) sphere { 0, R scale <1,1,0.5>
  material { texture { pigment { rgbf <1,1,1,0.96> }
                       finish { specular 0.9 roughness 0.001 reflection 0.04 } }
             interior { ior 1.33 } } } #end
"""


def scene_text(visit: Visit) -> str:
    lamp = visit.lamp_level
    parts = ["global_settings { assumed_gamma 1.0 max_trace_level 6 }", camera_text(visit.pose),
             f"light_source {{ <400, 2600, -1600> color rgb {1.0 * lamp:.3f} "
             "area_light <300,0,0>, <0,0,300>, 3, 3 adaptive 1 jitter "
             "fade_distance 2500 fade_power 2 }",
             f"light_source {{ <-1000, 2000, -2500> color rgb {0.2 * lamp:.3f} shadowless }}",
             _MACROS, "union {", _wall(visit.wall, [i for i in visit.items if i.kind == "hole"])]
    for item in visit.items:
        if item.kind != "hole":
            parts.append(_item(item))
    parts += [f"object {{ Droplet({d.size_m / 2:.5f}) translate <{d.x_m:.5f},{d.y_m:.5f},0> }}"
              for d in visit.droplets]
    parts.append("scale 1000 }")
    return "\n".join(parts) + "\n"


def _v(vector) -> str:
    return "<" + ",".join(f"{float(c):.6f}" for c in vector) + ">"


def _wall(wall: Wall, holes: list[Item]) -> str:
    if wall.kind == "tiles":
        grout = 0.006 / wall.tile_m
        texture = (
            f"texture {{ pigment {{ granite color_map {{ [0 rgb {wall.grey * 0.93:.3f}]"
            f"[0.5 rgb {wall.grey:.3f}][1 rgb {wall.grey * 0.88:.3f}] }} "
            f"scale {wall.speckle_scale_m:.4f} translate <{wall.seed % 97},0,0> }} "
            "finish { diffuse 0.75 specular 0.35 roughness 0.01 } }\n"
            f"texture {{ pigment {{ gradient x color_map {{ [0 rgb {wall.grout_grey:.3f}]"
            f"[{grout:.4f} rgb {wall.grout_grey:.3f}][{grout:.4f} rgbt 1][1 rgbt 1] }} "
            f"scale {wall.tile_m:.3f} }} }}\n"
            f"texture {{ pigment {{ gradient y color_map {{ [0 rgb {wall.grout_grey:.3f}]"
            f"[{grout:.4f} rgb {wall.grout_grey:.3f}][{grout:.4f} rgbt 1][1 rgbt 1] }} "
            f"scale {wall.tile_m:.3f} }} }}")
    else:
        texture = (
            f"texture {{ pigment {{ bozo color_map {{ [0 rgb {wall.grey * 0.95:.3f}]"
            f"[1 rgb {wall.grey * 1.04:.3f}] }} scale {wall.speckle_scale_m * 2:.4f} "
            f"translate <{wall.seed % 89},0,0> }} "
            "finish { diffuse 0.8 specular 0.15 roughness 0.05 } }")
    box = f"box {{ <-4,-1,0>, <4,4,{WALL_THICKNESS_M}> {texture} }}"
    backing = f"box {{ <-4,-1,{WALL_THICKNESS_M + 0.01}>, <4,4,{WALL_THICKNESS_M + 0.02}> " \
              "pigment { rgb 0.02 } }"
    if not holes:
        return box + "\n" + backing
    cuts = " ".join(f"cylinder {{ <{h.x_m:.5f},{h.y_m:.5f},-0.01>, "
                    f"<{h.x_m:.5f},{h.y_m:.5f},{WALL_THICKNESS_M + 0.01}>, {h.size_m / 2:.5f} }}"
                    for h in holes)
    return f"difference {{ {box} {cuts} }}\n{backing}"


def _item(item: Item) -> str:
    call = {"hook": "Hook(0.6)", "smoke_puck": "SmokePuck()", "screw": "Screw()",
            "sticker": f"Sticker(<{item.x_m * 100:.2f},{item.y_m * 100:.2f},0>)",
            "air_freshener": "AirFreshener()", "charger": "Charger()", "latch": "Latch()",
            "paper_holder": "PaperHolder()", "vent": "Vent()",
            "sign": f"Sign({item.x_m * 1000 % 60:.1f})"}[item.kind]
    return (f"object {{ {call} rotate {item.turn_deg:.2f}*z "
            f"translate <{item.x_m:.5f},{item.y_m:.5f},0> }}")


def render(visits: list[Visit]) -> list[np.ndarray]:
    """Each visit as the camera's 8-bit grey picture (luma in linear light, encoded with a 2.2
    gamma, as ``change_scenes.as_captured`` reads it back); needs ``povray``."""
    with tempfile.TemporaryDirectory(prefix="ansim-change-") as tmp:
        frames = run_povray([scene_text(v) for v in visits], WIDTH_PX, HEIGHT_PX, Path(tmp),
                            antialias=True)
    out = []
    for bgr in frames:
        linear = bgr @ np.array([0.114, 0.587, 0.299], np.float32)
        out.append(np.round(255.0 * np.clip(linear, 0, 1) ** (1 / 2.2)).astype(np.uint8))
    return out


def write_png(grey: np.ndarray, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), grey, [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        raise OSError(f"{path}: could not write the render")
