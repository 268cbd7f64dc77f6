"""What the pipeline reports: a lens, an infrared emitter or a visible indicator LED, where and
how sure, with its evidence."""

from dataclasses import dataclass, field

import numpy as np

#: ``visible_led``: a steady glow whose colour says it is a visible indicator LED, not the
#: 850/940 nm light of a night-vision camera (``optics.colour``): information, not an alert.
KINDS = ("lens", "ir_emitter", "visible_led")


@dataclass(frozen=True)
class Finding:
    """A suspected camera lens or IR emitter, or a visible LED.

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
