"""Fixtures for the optics tests: hand-built single-zone scenes filmed by the simulated camera,
and the ray-traced optics-dev captures kept in the repository (data/raytraced/optics-dev)."""

import json
from pathlib import Path

import numpy as np
import pytest

from hardware.camera.simulated import SimulatedCamera
from hardware.clock import SimulatedClock
from hardware.gpio.illuminator import Illuminator
from hardware.gpio.pins import make_pin_factory
from hardware.sim.handheld import SimulatedHandheld
from hardware.sim.scene import OpticalSurface, Pose, Scene, StallGeometry, Waypoint

ZONE = "wall"
WALL_NORMAL = np.array([0.0, 0.0, 1.0])
TARGET_M = np.array([0.45, 1.2, 0.0])
DEV_DIR = Path(__file__).resolve().parents[2] / "data" / "raytraced" / "optics-dev"


def surface(kind, offset_m=(0.0, 0.0), standoff_m=0.0, normal=WALL_NORMAL, radius_m=1e-3,
            **extra):
    position = TARGET_M + np.array([offset_m[0], offset_m[1], standoff_m])
    return OpticalSurface(kind, position, np.asarray(normal, float), radius_m, ZONE, **extra)


def wall_scene(surfaces, *, distance_m=0.8, slide_m=0.15, seed=0) -> Scene:
    """The handheld faces the wall square on from ``distance_m``, sliding ``slide_m`` sideways."""
    path = []
    for k in range(5):
        f = k / 4
        position = TARGET_M + WALL_NORMAL * distance_m + np.array([(f - 0.5) * slide_m, 0, 0])
        path.append(Waypoint(1.7 * f, Pose.looking_at(position, TARGET_M), ZONE))
    return Scene(seed=seed, geometry=StallGeometry(), path=path, surfaces=list(surfaces))


def film(scene, *, seed=0):
    """(camera, illuminator) for ``scene`` on a fresh simulated clock."""
    clock = SimulatedClock()
    handheld = SimulatedHandheld(scene, clock, zone=ZONE)
    illuminator = Illuminator(17, 27, pin_factory=make_pin_factory(True), clock=clock)
    return SimulatedCamera(handheld, illuminator, seed=seed), illuminator


@pytest.fixture(scope="session")
def dev_dir():
    assert (DEV_DIR / "truth.json").is_file(), f"the optics-dev captures are missing: {DEV_DIR}"
    return DEV_DIR


@pytest.fixture(scope="session")
def dev_truth(dev_dir):
    return {entry["name"]: entry for entry in json.loads((dev_dir / "truth.json").read_text())}
