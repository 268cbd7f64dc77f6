"""What the pipeline reports: a lens or an IR emitter, where and how sure, with its evidence."""

from dataclasses import dataclass, field

import numpy as np

KINDS = ("lens", "ir_emitter")


@dataclass(frozen=True)
class Finding:
    """A suspected camera lens or IR emitter.

    ``x``/``y`` are pixels of ``frame`` (the frame where it was strongest), ``confidence`` is
    the calibrated probability that it is what ``kind`` says. ``crop`` is a small annotated
    uint8 BGR patch around it (never the whole frame: these are images from inside restrooms).
    ``features`` holds the measured cues behind the verdict, for review.
    """

    kind: str
    frame: int
    x: float
    y: float
    radius_px: float
    confidence: float
    crop: np.ndarray = field(repr=False, compare=False)
    features: dict = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict:
        """The finding as JSON-ready data, without the pixels."""
        return {
            "kind": self.kind,
            "frame": self.frame,
            "x": round(self.x, 2),
            "y": round(self.y, 2),
            "radius_px": round(self.radius_px, 2),
            "confidence": round(self.confidence, 3),
        }
