"""Running POV-Ray 3.7 on one frame: the whole 640x360 frame with adaptive anti-aliasing, then
every small object's neighbourhood again at 8x8 rays per pixel, box-averaged in linear light
and pasted in (a sensor integrates a sub-pixel glint over its pixel; POV's own anti-aliasing
would clip each sample at full scale first). Renders are Radiance HDR (linear, unclipped).
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np

from bench.raytrace.camera import HEIGHT_PX, WIDTH_PX, in_frame, project, screen_size
from bench.raytrace.objects import SpyLens
from bench.raytrace.place import Place, scene_text

PATCH_PX = 12  # the supersampled window around each small object, at 8x8 rays per pixel
SUPERSAMPLE = 8
LENS_RAYS_PX = 256  # a lens window's width in rays: the cat's eye returns a beam a few degrees
# wide onto a 3 mm ring, so only a few per cent of the rays through the aperture come back lit;
# 32x32 rays per pixel keep that fraction's sampling error near 15 %


class RenderError(RuntimeError):
    """POV-Ray is missing or failed on a scene."""


def povray_available() -> bool:
    return shutil.which("povray") is not None


def run_povray(scenes: list[str], width: int, height: int, workdir: Path,
               antialias: bool) -> list[np.ndarray]:
    """Render ``scenes`` in one POV-Ray process (as an animation: one scene per frame number,
    which saves the renderer's start-up per image). A single scene is written as it is: POV-Ray
    renders a one-frame animation as a still, whose frame number (0) no case would match."""
    cases = "".join(f"#case ({k + 1})\n{text}\n#break\n" for k, text in enumerate(scenes))
    pov = workdir / "scenes.pov"
    pov.write_text(scenes[0] if len(scenes) == 1 else
                   f"#version 3.7;\n#switch (frame_number)\n{cases}#end\n", encoding="utf-8")
    out_dir = workdir / f"out{width}x{height}"
    out_dir.mkdir()
    command = ["povray", f"+I{pov}", f"+O{out_dir}/f", "+FH", f"+W{width}", f"+H{height}", "-D",
               "-V", "-GA", "+WT1", "-P", "+KFI1", f"+KFF{len(scenes)}"]
    command += ["+A0.05", "+AM2", "+R2"] if antialias else ["-A"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    files = sorted(out_dir.glob("f*.hdr"))
    if result.returncode != 0 or len(files) != len(scenes):
        raise RenderError(f"povray failed ({result.returncode}, {len(files)} of {len(scenes)} "
                          f"images): {result.stderr[-800:]}")
    images = [cv2.imread(str(f), cv2.IMREAD_UNCHANGED).astype(np.float32) for f in files]
    shutil.rmtree(out_dir)
    return images


def render_frames(views: list) -> list[np.ndarray]:
    """Linear BGR frames (HxWx3 float, 1.0 = full scale), one per view ``(place, pose, ring,
    lamp_level)``: the frames in one run, then every small object's window in another."""
    with tempfile.TemporaryDirectory(prefix="ansim-pov-") as tmp:
        workdir = Path(tmp)
        images = run_povray([scene_text(p, pose, ring, lamp) for p, pose, ring, lamp in views],
                          WIDTH_PX, HEIGHT_PX, workdir, antialias=True)
        jobs = [(k, window) for k, (place, pose, _, _) in enumerate(views)
                for window in _patch_windows(place, pose)]
        for size in sorted({w[2] for _, w in jobs}):
            group = [(k, w) for k, w in jobs if w[2] == size]
            ss = SUPERSAMPLE if size == PATCH_PX else max(SUPERSAMPLE, LENS_RAYS_PX // size)
            fine = run_povray([scene_text(*views[k], window) for k, window in group],
                            size * ss, size * ss, workdir, antialias=False)
            for (k, (x0, y0, w, h)), patch in zip(group, fine):
                images[k][y0:y0 + h, x0:x0 + w] = patch.reshape(h, ss, w, ss, 3).mean(axis=(1, 3))
    return images


def _patch_windows(place: Place, pose) -> list[tuple[int, int, int, int]]:
    """Square windows (x0, y0, size, size): small objects' first, the lens's last (so a lens
    window overlapping another keeps its finer sampling)."""
    windows = []
    for obj in place.objects:
        for point in obj.patches():
            xy = project(point, pose)
            size = PATCH_PX
            if isinstance(obj, SpyLens):
                hole_px = obj.hole_mm * WIDTH_PX / (screen_size()[0] * np.linalg.norm(
                    np.asarray(point) - pose.location))
                size = int(max(6, np.ceil(hole_px) + 4))
            if not in_frame(xy, margin_px=-size / 2):
                continue
            x0 = int(np.clip(round(xy[0]) - size // 2, 0, WIDTH_PX - size))
            y0 = int(np.clip(round(xy[1]) - size // 2, 0, HEIGHT_PX - size))
            windows.append((x0, y0, size, size))
    return sorted(windows, key=lambda w: w[2] != PATCH_PX)
