"""Wiring for optical scans on the command line: the simulated handheld session, and where
evidence crops are written."""

import re
import time
from pathlib import Path

import cv2

from hardware.camera.simulated import SimulatedCamera
from hardware.clock import SimulatedClock
from hardware.gpio.illuminator import Illuminator
from hardware.gpio.pins import make_pin_factory
from hardware.sim.handheld import SimulatedHandheld
from hardware.sim.restroom import build_restroom


def simulated_session(profile, zone: str, seed: int = 0):
    """A simulated stall with the handheld at ``zone``: (camera, illuminator, scene)."""
    scene = build_restroom(seed=seed)
    if zone not in scene.zones:
        raise ValueError(f"unknown zone {zone!r}; zones are {', '.join(scene.zones)}")
    clock = SimulatedClock()
    handheld = SimulatedHandheld(scene, clock)
    handheld.move_to(zone)
    illuminator = Illuminator(profile.pins.on_axis_ring, profile.pins.off_axis_ring,
                              pin_factory=make_pin_factory(True), clock=clock)
    camera = SimulatedCamera(handheld, illuminator, width=profile.camera.width,
                             height=profile.camera.height, fps=profile.camera.fps,
                             exposure_us=profile.camera.exposure_us, seed=seed)
    return camera, illuminator, scene


def save_evidence(findings, evidence_dir: Path, label: str) -> list[str]:
    """Write each finding's annotated crop as PNG; returns the paths, in findings' order."""
    evidence_dir.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("_") or "scan"
    stamp = time.strftime("%Y%m%dT%H%M%S")
    paths = []
    for k, finding in enumerate(findings):
        path = evidence_dir / f"{stem}-{stamp}-{k:02d}-{finding.kind}.png"
        if not cv2.imwrite(str(path), finding.crop):
            raise OSError(f"{path}: could not write the evidence crop")
        paths.append(str(path))
    return paths
