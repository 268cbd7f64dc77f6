"""Randomised single-zone scans for the optics benchmark, built from the scene model.

Each scan faces one wall (painted or glazed tiles) from 0.3-1.5 m and slides 5-30 cm sideways
while closing in a little, with a wobble and roll; the wall may hold a pinhole lens (1-3 mm
aperture, behind a hole or in a fixture, aimed so the handheld is inside or outside its cone)
and any mix of the things that glint like one. Seeded: scan ``k`` is always the same scan.
"""

import numpy as np

from hardware.sim.scene import OpticalSurface, Pose, Scene, StallGeometry, Waypoint

ZONE = "bench"
SCAN_DURATION_S = 1.7


def bench_scene(seed: int) -> tuple[Scene, dict]:
    """A one-zone scene and a description of what it holds."""
    rng = np.random.default_rng(seed)
    normal = np.array([0.0, 0.0, 1.0])  # the wall is z = 0, the room at z > 0
    target = np.array([0.45, 1.2, 0.0]) + np.array([rng.uniform(-0.05, 0.05),
                                                    rng.uniform(-0.05, 0.05), 0.0])
    distance_m = rng.uniform(0.3, 1.5)
    view_deg = rng.uniform(0.0, 25.0)  # the handheld's angle off the wall's normal
    azimuth = rng.uniform(0, 2 * np.pi)
    view_dir = _tilt(normal, view_deg, azimuth)
    has_lens = rng.random() < 0.6
    surfaces, info = [], {"distance_m": distance_m, "has_lens": has_lens}
    if has_lens:
        in_cone = rng.random() < 0.75
        off_deg = rng.uniform(0.0, 15.0) if in_cone else rng.uniform(26.0, 40.0)
        axis = _tilt(view_dir, off_deg, rng.uniform(0, 2 * np.pi))
        aperture_m = rng.uniform(1e-3, 3e-3)
        housing = "object" if rng.random() < 0.4 else "hole"
        lens_at = target + np.array([rng.uniform(-0.02, 0.02), rng.uniform(-0.02, 0.02), 0.0])
        if housing == "object":
            lens_at = lens_at + 0.02 * normal  # in a fixture standing off the wall
        surfaces.append(OpticalSurface("lens", lens_at, axis, aperture_m / 2, ZONE,
                                       is_hidden_camera=True, housing=housing))
        info.update(aperture_mm=aperture_m * 1000, housing=housing, intended_in_cone=in_cone)
    surfaces += _distractors(rng, target, normal, distance_m)
    path = _path(rng, target, view_dir, distance_m)
    scene = Scene(seed=seed, geometry=StallGeometry(), path=path, surfaces=surfaces,
                  ambient_light=rng.uniform(0.08, 0.25),
                  mains_flicker_hz=float(rng.choice([100.0, 120.0])))
    info["kinds"] = sorted({s.kind for s in surfaces})
    return scene, info


def _tilt(direction, angle_deg, azimuth):
    """``direction`` tilted by ``angle_deg`` toward ``azimuth``."""
    helper = np.array([0.0, 1.0, 0.0]) if abs(direction[1]) < 0.9 else np.array([1.0, 0, 0])
    u = np.cross(direction, helper)
    u /= np.linalg.norm(u)
    v = np.cross(direction, u)
    a = np.radians(angle_deg)
    out = np.cos(a) * direction + np.sin(a) * (np.cos(azimuth) * u + np.sin(azimuth) * v)
    return out / np.linalg.norm(out)


def _distractors(rng, target, normal, distance_m) -> list[OpticalSurface]:
    spread = 0.35 * distance_m  # keep them roughly in view
    def near():
        return target + np.array([rng.uniform(-spread, spread),
                                  rng.uniform(-0.6 * spread, 0.6 * spread), 0.0])
    out = []
    if rng.random() < 0.5:
        out.append(OpticalSurface("tile", target.copy(), normal, 1.0, ZONE, reflectance=0.3))
    for _ in range(rng.integers(0, 3)):
        radius = rng.uniform(0.005, 0.02)
        out.append(OpticalSurface("chrome", near() + radius * normal, normal, radius, ZONE,
                                  reflectance=0.9))
    for _ in range(rng.integers(0, 5)):
        out.append(OpticalSurface("screw", near() + 0.001 * normal, normal,
                                  rng.uniform(1.5e-3, 4e-3), ZONE, reflectance=0.6))
    for _ in range(rng.integers(0, 8)):
        out.append(OpticalSurface("droplet", near() + 0.001 * normal, normal,
                                  rng.uniform(0.5e-3, 2.5e-3), ZONE, reflectance=0.05))
    if rng.random() < 0.2:
        out.append(OpticalSurface("mirror", near(), normal, 0.15, ZONE, reflectance=0.9))
    if rng.random() < 0.25:
        out.append(OpticalSurface("indicator_led", near(), normal, 1.5e-3, ZONE,
                                  emission=rng.uniform(0.4, 1.0)))
    if rng.random() < 0.15:
        out.append(OpticalSurface("ir_led", near(), normal, 2.5e-3, ZONE,
                                  emission=rng.uniform(0.5, 1.0)))
    if rng.random() < 0.2:
        out.append(OpticalSurface("chrome", near() + 0.03 * normal, normal, 0.03, ZONE,
                                  reflectance=0.5, emission=0.6,
                                  flicker_hz=float(rng.choice([100.0, 120.0]))))
    return out


def _path(rng, target, view_dir, distance_m) -> list[Waypoint]:
    sideways = np.cross(view_dir, [0.0, 1.0, 0.0])
    sideways /= np.linalg.norm(sideways)
    slide_m = rng.uniform(0.05, 0.30) * min(distance_m / 0.8, 1.0)
    close_in_m = rng.uniform(0.0, 0.1) * distance_m
    waypoints = []
    for k in range(6):
        f = k / 5
        position = (target + (distance_m - close_in_m * f) * view_dir
                    + (f - 0.5) * slide_m * sideways + rng.normal(0, 0.003, 3))
        aim = target + rng.normal(0, 0.01, 3)
        pose = Pose.looking_at(position, aim, roll_deg=rng.normal(0, 1.5))
        waypoints.append(Waypoint(f * SCAN_DURATION_S, pose, ZONE))
    return waypoints
