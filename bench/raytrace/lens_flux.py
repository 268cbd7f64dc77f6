"""``python -m bench.raytrace.lens_flux [--jobs 2]``: how bright POV-Ray renders our cat's eyes.

For each lens of the TRAINING block (``bench.raytrace.seeds``) in its cone, in the image and
at least 2 degrees inside the cone's edge in an on-axis frame, that frame is rendered again
twice, linear and unclipped: lit by the on-axis ring alone and with both rings dark (the lamp
off in both). Their difference is the ring's light; around the lens's image (a 13x13 window)
its **peak** (grey DN at the capture's 8 ms exposure, 255 = full scale) and its **flux** over
the window's border (DN px) are what the camera would collect before clipping. Printed as one
JSON object: every lens's row, and a fit of log flux on log distance and log aperture over the
lenses whose flux is positive and peak at least ``MIN_PEAK_DN`` (a lens deep in its hole can
show less light than the hole's darkness takes away), with the constant the simulator's
``hardware.sim.optical_physics.retro_flux`` (``LENS_FLUX_DN_PX``, 2 mm at 1.3 m) would need
to give these lenses' light under a distance^-2 law: how far the two models of one cat's eye
stand apart (docs/optics.md, known limits; measured in docs/optics-log.md, "How bright a lens
is").

Needs Debian's ``povray``; the benchmark's block is not measured.
"""

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from bench.raytrace.capture import scene_of
from bench.raytrace.povray import povray_available, render_frames
from bench.raytrace.seeds import TRAIN_BLOCKS, spec_for
from bench.optics import DATA_DIR
from bench.optics_raytraced import read_block
from hardware.sim import optical_physics
from optics.colour import LUMA_BGR

WINDOW_HALF_PX = 6
EDGE_MARGIN_PX = 20  # the lens's image this far inside the frame
CONE_MARGIN_DEG = 2.0  # and this far inside its cone
MIN_PEAK_DN = 300.0
REFERENCE_DISTANCE_M, REFERENCE_APERTURE_MM = 1.3, 2.0


def measured_frame(entry: dict) -> int | None:
    """The first on-axis frame where the capture's lens is well inside its cone and frame."""
    if not entry["lenses"]:
        return None
    lens = entry["lenses"][0]
    for f in lens["frames"]:
        if (entry["states"][f["index"]] == "on" and f["in_cone"]
                and f["off_axis_angle_deg"] <= lens["acceptance_half_angle_deg"] - CONE_MARGIN_DEG
                and EDGE_MARGIN_PX <= f["x"] < entry["camera"]["width"] - EDGE_MARGIN_PX
                and EDGE_MARGIN_PX <= f["y"] < entry["camera"]["height"] - EDGE_MARGIN_PX):
            return f["index"]
    return None


def lens_row(seed: int, entry: dict, index: int) -> dict:
    """One lens's peak and flux in frame ``index``, rendered linear."""
    place, poses, _ = scene_of(spec_for(seed))
    lens, pose = place.lens, poses[index]
    lit, dark = render_frames([(place, pose, "on", 0.0), (place, pose, "dark", 0.0)])
    light = ((lit - dark) @ LUMA_BGR) * 255.0
    where = next(f for f in entry["lenses"][0]["frames"] if f["index"] == index)
    x, y, h = round(where["x"]), round(where["y"]), WINDOW_HALF_PX
    window = light[y - h:y + h + 1, x - h:x + h + 1]
    border = np.concatenate([window[0], window[-1], window[1:-1, 0], window[1:-1, -1]])
    distance_m = float(np.linalg.norm(lens.front_mm - pose.location)) / 1000.0
    return {"name": entry["name"], "frame": index, "distance_m": round(distance_m, 3),
            "aperture_mm": round(lens.aperture_mm, 3),
            "off_axis_deg": where["off_axis_angle_deg"],
            "sensor_reflectance": round(lens.cap_reflectance, 3),
            "peak_dn": round(float(window.max()), 1),
            "flux_dn_px": round(float((window - np.median(border)).sum()), 1)}


def law(rows: list[dict]) -> dict:
    """The fit of log flux on log distance and log aperture, and the simulator's constant:
    each lens's flux over (aperture / 2 mm)^2 (1.3 m / d)^2, the beam and cone factors of
    ``optical_physics``, its median and quartiles."""
    kept = [r for r in rows if r["flux_dn_px"] > 0 and r["peak_dn"] >= MIN_PEAK_DN]
    if len(kept) < 3:
        return {"lenses": len(kept)}
    d = np.array([r["distance_m"] for r in kept])
    a = np.array([r["aperture_mm"] for r in kept])
    flux = np.array([r["flux_dn_px"] for r in kept])
    design = np.column_stack([np.ones(len(kept)), np.log(d), np.log(a)])
    (_, distance_power, aperture_power), *_ = np.linalg.lstsq(design, np.log(flux), rcond=None)
    separation = optical_physics.ON_AXIS_RING_RADIUS_M / d
    beam = np.exp(-0.5 * (separation / optical_physics.RETRO_BEAM_SIGMA_RAD) ** 2)
    cone = np.cos(np.radians([r["off_axis_deg"] for r in kept]))
    constant = flux / ((a / REFERENCE_APERTURE_MM) ** 2 * (REFERENCE_DISTANCE_M / d) ** 2
                       * beam * cone)
    return {"lenses": len(kept), "distance_power": round(float(distance_power), 2),
            "aperture_power": round(float(aperture_power), 2),
            "flux_2mm_1_3m_dn_px": {"median": round(float(np.median(constant))),
                                    "quartiles": [round(float(q)) for q in
                                                  np.percentile(constant, [25, 75])]}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    args = parser.parse_args(argv)
    if not povray_available():
        print("lens_flux: Debian's povray (3.7) is needed to render the lenses again",
              file=sys.stderr)
        return 2
    entries = {e["seed"]: e for e in read_block(DATA_DIR / "train")}
    jobs = [(seed, entries[seed], measured_frame(entries[seed]))
            for block in TRAIN_BLOCKS for seed in block if seed in entries]
    jobs = [job for job in jobs if job[2] is not None]
    with ProcessPoolExecutor(max(1, args.jobs)) as pool:
        rows = list(pool.map(lens_row, *zip(*jobs)))
    print(json.dumps({"law": law(rows), "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
