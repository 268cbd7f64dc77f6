"""The optical scan of one zone: blink the rings in a known code, film, and find lenses.

``run_scan`` switches the rings before each frame (on-axis only, off-axis only, or dark), reads
the frame, and feeds it to the live glint pipeline. What the pipeline is told about each frame's
lighting comes from the frame's own metadata (the fraction of its exposure each ring was lit),
never from what was asked of the rings: a late switch or a long exposure shows up there.

The code is pseudo-random in blocks of three (each block holds every state once, in a shuffled
order), so every state recurs within three frames for the live view, and the lamps' mains
flicker (which repeats every three frames at 100 Hz and 30 fps) cannot line up with it.

``save_evidence`` writes the findings' annotated crops (never whole frames) as PNG files.
Each scan also keeps its place's keyframe (``optics.keyframe``: a small grey picture of the wall
and fixtures the scan filmed, from its first code block), the reference picture a later
inspection compares with.
"""

import re
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from optics.findings import Finding
from optics.keyframe import FRAMES_MERGED, Keyframe, keyframe_from_images
from optics.pipeline import GlintPipeline

STATES = {"on_axis": (True, False), "off_axis": (False, True), "dark": (False, False)}
CODE_SEED = 20240917


def blink_code(n_frames: int) -> tuple[str, ...]:
    """The ring state for each frame: shuffled blocks of (on_axis, off_axis, dark)."""
    rng = np.random.default_rng(CODE_SEED)
    names = list(STATES)
    code = []
    while len(code) < n_frames:
        code.extend(names[i] for i in rng.permutation(3))
    return tuple(code[:n_frames])


@dataclass(frozen=True)
class ScanOutcome:
    findings: list[Finding]
    n_frames: int
    code: tuple[str, ...]
    keyframe: Keyframe | None = None

    def to_dict(self) -> dict:
        return {"n_frames": self.n_frames, "code": list(self.code),
                "findings": [f.to_dict() for f in self.findings]}


def run_scan(camera, illuminator, *, n_frames: int = 48, on_frame=None,
             pipeline: GlintPipeline | None = None) -> ScanOutcome:
    """Film ``n_frames`` under the blink code and return what the pipeline found.

    ``on_frame(frame, live_state)`` is called after each frame (for a live preview).
    ``pipeline`` (default: a new one) is the glint pipeline fed, for callers that look
    at its tracks afterwards. The rings are left dark afterwards.
    """
    if n_frames < 6:
        raise ValueError(f"a scan needs at least 6 frames to tell the rings apart, not {n_frames}")
    code = blink_code(n_frames)
    pipeline = pipeline if pipeline is not None else GlintPipeline()
    first_images = []
    try:
        for state in code:
            illuminator.set_rings(*STATES[state])
            frame = camera.read_frame()
            if len(first_images) < FRAMES_MERGED:
                first_images.append(frame.image)
            live = pipeline.push(frame.index, frame.image, frame.exposure_us, frame.on_axis,
                                 frame.off_axis)
            if on_frame is not None:
                on_frame(frame, live)
    finally:
        illuminator.set_rings(False, False)
    return ScanOutcome(pipeline.findings(), n_frames, code, keyframe_from_images(first_images))


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
