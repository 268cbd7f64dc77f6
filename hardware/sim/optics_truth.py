"""Scoring findings against the simulated scene's truth (its surfaces, projected)."""

from pathlib import Path

import numpy as np

from hardware.camera import sprites

REPO_ROOT = Path(__file__).resolve().parents[2]


MATCH_RADIUS_PX = 4.0  # at 640 px width
EMITTERS = ("ir_led", "indicator_led")


def project(surface_m, pose, camera) -> tuple[float, float] | None:
    projector = sprites.RollingProjector(lambda t: pose, 0.0, 0.0, camera.focal_px,
                                         camera.width, camera.height)
    where = projector.with_pose(pose, surface_m)
    return None if where is None else (where[0], where[1])


def off_axis_deg(surface, pose) -> float:
    to_camera = pose.position_m - surface.position_m
    cosine = to_camera @ surface.normal / np.linalg.norm(to_camera)
    return float(np.degrees(np.arccos(np.clip(cosine, -1, 1))))


def in_view(xy, camera, margin_px=20) -> bool:
    return xy is not None and margin_px <= xy[0] < camera.width - margin_px and \
        margin_px <= xy[1] < camera.height - margin_px


def lens_truth(scene, poses, camera) -> list[dict]:
    """Each lens: whether it was in view and inside its cone for most of the scan."""
    out = []
    for lens in scene.hidden_camera_lenses():
        seen = [in_view(project(lens.position_m, pose, camera), camera) for pose in poses]
        cone = [off_axis_deg(lens, pose) <= lens.cone_half_angle_deg - 1.0 for pose in poses]
        out.append({"surface": lens, "in_cone": bool(np.mean(np.logical_and(seen, cone)) >= 0.5),
                    "in_view": bool(np.mean(seen) >= 0.5)})
    return out


def surfaces_at(finding, scene, poses, camera) -> set[str]:
    """The kinds of the scene's surfaces within matching distance of a finding."""
    pose = poses[finding.frame]
    radius = MATCH_RADIUS_PX * camera.width / 640
    kinds = set()
    for surface in scene.surfaces:
        xy = project(surface.position_m, pose, camera)
        if xy is not None and np.hypot(xy[0] - finding.x, xy[1] - finding.y) <= radius:
            kinds.add(surface.kind)
    return kinds


def classify_finding(finding, scene, poses, camera) -> str:
    """'lens', 'emitter' (a true steady emitter) or 'false' for one finding."""
    kinds = surfaces_at(finding, scene, poses, camera)
    if finding.kind == "lens" and "lens" in kinds:
        return "lens"
    if finding.kind == "ir_emitter" and kinds & set(EMITTERS):
        return "emitter"
    return "false"
