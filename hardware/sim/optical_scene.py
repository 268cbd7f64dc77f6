"""The optical side of the default stall: the hidden camera's pinhole lens, if any, and the
things that glint like one (chrome, glossy tiles, droplets, screws, a mirror, an indicator LED).

A lens sits behind a small hole, its axis pointing roughly at where people stand (the
middle of the stall), so the handheld sees it inside its retro-reflection cone from the
inspection path.
"""

import numpy as np

from hardware.sim.scene import OpticalSurface

_WALL_NORMALS = {  # outward normal of the surface each zone's target lies on
    "door_hook": (0.0, 0.0, -1.0),
    "paper_holder": (-1.0, 0.0, 0.0),
    "toilet_flush": (0.0, 0.0, 1.0),
    "bin": (0.0, 1.0, 0.0),
    "vent": (0.0, 0.0, 1.0),
    "ceiling_light": (0.0, -1.0, 0.0),
    "screws_holes": (1.0, 0.0, 0.0),
    "hinges": (0.0, 0.0, -1.0),
}


def default_surfaces(rng, zone_targets_m, *, hidden_camera_zone=None, path=()):
    """Surfaces of the default stall; ``hidden_camera_zone=None`` leaves the lens out."""
    surfaces = []
    for zone, target in zone_targets_m.items():
        target_m = np.asarray(target, dtype=float)
        normal = np.asarray(_WALL_NORMALS[zone])
        surfaces += _zone_distractors(rng, zone, target_m, normal)
        if zone == hidden_camera_zone:
            surfaces.append(_pinhole_lens(rng, zone, target_m, path))
    return surfaces


def _pinhole_lens(rng, zone, target_m, path) -> OpticalSurface:
    zone_positions = [w.pose.position_m for w in path if w.zone == zone]
    looks_at_m = np.mean(zone_positions, axis=0) if zone_positions else target_m + [0, 0, 0.5]
    axis = looks_at_m - target_m + rng.normal(0, 0.05, 3)
    axis /= np.linalg.norm(axis)
    aperture_radius_m = rng.uniform(0.5e-3, 1.5e-3)  # 1-3 mm apertures
    return OpticalSurface("lens", target_m.copy(), axis, aperture_radius_m, zone,
                          cone_half_angle_deg=20.0, reflectance=1.0, is_hidden_camera=True)


def _zone_distractors(rng, zone, target_m, normal) -> list[OpticalSurface]:
    tangent = np.cross(normal, [0.0, 1.0, 0.0])
    if np.linalg.norm(tangent) < 1e-6:
        tangent = np.array([1.0, 0.0, 0.0])
    tangent /= np.linalg.norm(tangent)

    def near(dx_m, dy_m=0.0):
        bitangent = np.cross(normal, tangent)
        return target_m + dx_m * tangent + dy_m * bitangent

    out = [
        OpticalSurface("screw", near(rng.uniform(0.04, 0.08)), normal, 2.5e-3, zone,
                       reflectance=0.6),
        OpticalSurface("screw", near(-rng.uniform(0.04, 0.08)), normal, 2.5e-3, zone,
                       reflectance=0.6),
    ]
    if zone in ("toilet_flush", "paper_holder", "door_hook"):
        out.append(OpticalSurface("chrome", near(rng.uniform(-0.12, 0.12), -0.05), normal, 0.012,
                                  zone, reflectance=0.9))
    if zone in ("toilet_flush", "vent"):
        out.append(OpticalSurface("tile", target_m.copy(), normal, 0.15, zone, reflectance=0.3))
    if zone == "toilet_flush":
        for _ in range(4):
            out.append(OpticalSurface("droplet", near(rng.uniform(-0.1, 0.1),
                                                      rng.uniform(-0.1, 0.05)),
                                      normal, rng.uniform(0.5e-3, 2e-3), zone, reflectance=0.05))
        out.append(OpticalSurface("indicator_led", near(0.09, 0.04), normal, 1.5e-3, zone,
                                  emission=0.8))
    if zone == "paper_holder":
        out.append(OpticalSurface("mirror", near(0.0, 0.35), normal, 0.1, zone, reflectance=0.9))
    if zone == "ceiling_light":
        out.append(OpticalSurface("chrome", target_m.copy(), normal, 0.05, zone, reflectance=0.5,
                                  emission=0.6, flicker_hz=100.0))
    return out
