"""``build_restroom``: a seeded, reproducible toilet stall with one hidden camera in it.

The inspector first stands in the doorway for the RF sweep, then works through the places
people hide cameras, sweeping the handheld sideways and a little closer at each (about
3 s a zone), as the inspection checklist asks. The hidden camera (by default a pinhole lens in
the door hook, with a 1.2 GHz PAL FM video transmitter) and the distractors come from
``rf_scene`` and ``optical_scene``.
"""

import numpy as np

from hardware.sim import optical_scene, rf_scene
from hardware.sim.scene import Pose, Scene, StallGeometry, Waypoint

#: The zones of the inspection checklist, with the point the handheld aims at (metres).
ZONE_TARGETS_M = {
    "door_hook": (0.20, 1.65, 1.50),
    "paper_holder": (0.90, 0.75, 0.55),
    "toilet_flush": (0.45, 0.95, 0.00),
    "bin": (0.10, 0.25, 0.35),
    "vent": (0.45, 2.20, 0.00),
    "ceiling_light": (0.45, 2.40, 0.75),
    "screws_holes": (0.00, 1.20, 0.80),
    "hinges": (0.85, 1.20, 1.50),
}

RF_SWEEP_ZONE = "rf_sweep"
ZONE_DURATION_S = 3.0
WAYPOINTS_PER_ZONE = 7


def build_restroom(
    seed: int = 0,
    *,
    hidden_camera: bool = True,
    camera_zone: str = "door_hook",
    video_standard: str = "PAL",
    camera_freq_hz: float = 1_200_000_000,
    zones: tuple[str, ...] | None = None,
) -> Scene:
    """Return the default stall for ``seed``: its path, emitters and surfaces.

    ``hidden_camera=False`` gives the same stall with no camera (for false-alarm tests);
    ``camera_zone`` says where the camera is hidden.
    """
    rng = np.random.default_rng(seed)
    geometry = StallGeometry()
    zones = tuple(zones or ZONE_TARGETS_M)
    if camera_zone not in ZONE_TARGETS_M:
        raise ValueError(f"unknown zone {camera_zone!r}; zones are {sorted(ZONE_TARGETS_M)}")
    path = _inspection_path(rng, geometry, zones)
    camera_target_m = np.array(ZONE_TARGETS_M[camera_zone])
    emitters = rf_scene.default_emitters(
        rng,
        hidden_camera_at_m=camera_target_m if hidden_camera else None,
        camera_freq_hz=camera_freq_hz,
        video_standard=video_standard,
    )
    surfaces = optical_scene.default_surfaces(
        rng,
        ZONE_TARGETS_M,
        hidden_camera_zone=camera_zone if hidden_camera else None,
        path=path,
    )
    return Scene(seed=seed, geometry=geometry, path=path, emitters=emitters, surfaces=surfaces)


def _inspection_path(rng, geometry: StallGeometry, zones) -> list[Waypoint]:
    doorway_m = np.array([geometry.width_m / 2, 1.3, geometry.depth_m - 0.1])
    centre_m = np.array([geometry.width_m / 2, 1.3, geometry.depth_m / 2])
    path = [
        Waypoint(0.0, Pose.looking_at(doorway_m, centre_m), RF_SWEEP_ZONE),
        Waypoint(ZONE_DURATION_S, Pose.looking_at(doorway_m, centre_m), RF_SWEEP_ZONE),
    ]
    t_s = ZONE_DURATION_S
    for zone in zones:
        path.extend(_zone_sweep(rng, geometry, zone, t_s))
        t_s += ZONE_DURATION_S
    return path


def _zone_sweep(rng, geometry, zone, start_s) -> list[Waypoint]:
    """Waypoints for one zone: start 0.6-1.0 m off the target, slide ~20 cm, close in ~10 cm."""
    target_m = np.array(ZONE_TARGETS_M[zone])
    inside_m = np.array([geometry.width_m / 2, 1.2, geometry.depth_m / 2])
    approach = inside_m - target_m
    approach /= np.linalg.norm(approach)
    sideways = np.cross(approach, [0.0, 1.0, 0.0])
    if np.linalg.norm(sideways) < 1e-6:
        sideways = np.array([1.0, 0.0, 0.0])
    sideways /= np.linalg.norm(sideways)
    start_distance_m = rng.uniform(0.6, 1.0)
    slide_m = rng.uniform(0.15, 0.25)
    waypoints = []
    for k in range(WAYPOINTS_PER_ZONE):
        f = k / (WAYPOINTS_PER_ZONE - 1)
        distance_m = start_distance_m - 0.1 * f
        offset_m = (f - 0.5) * slide_m * sideways
        wobble_m = rng.normal(0, 0.003, 3)
        position_m = target_m + distance_m * approach + offset_m + wobble_m
        aim_m = target_m + rng.normal(0, 0.01, 3)
        pose = Pose.looking_at(position_m, aim_m, roll_deg=rng.normal(0, 1.0))
        waypoints.append(Waypoint(start_s + f * ZONE_DURATION_S, pose, zone))
    return waypoints
