"""Which place a responding camera is watching, and whether the evidence can tell.

Once the stall-level lock-in has said a stream responds (``rf.wifi.lockin``), the place is
named as a second step that spends none of the false-alarm budget. Per place window, the
slope of the chips' mean picture size (bytes, less each chip's largest: the GOP's I-frame) on
the chip's level says how much the pictures grew per unit of light the rings shone there. The
rings shine into the lens of a camera hidden at the place being scanned (flare, auto-exposure
pumping: every picture of a lit chip grows); from a place it merely sees, a patch of the
picture lights. So the camera's own place has the steepest slope, but not by much: an encoder
spends about as much on a lit patch's changes as on a flared picture's once its rate cap
binds, and a camera sees its neighbours at a fifth to a third of the light. On the
simulator's TRAINING seeds the wrongly named places were almost all such neighbours in view
(rarely the place scanned just before or after), with slopes within a tenth of the own
place's.

Bytes, not their logarithm: a capped encoder's response in ratio saturates sooner than in
bytes. The statistics read per picture that the flicker test uses (size against the light
change of its own exposure, or against its brightness) named worse on those seeds: a
neighbour's patch changes a picture as much as flare does once the encoder saturates, and
the flare's own-place cost is spread over a lit chip's every picture, which the envelope
reads.

Honest output: the slope's standard error comes from the chips' scatter about the fitted
line, and when the runner-up's slope is within ``SEPARATION_Z`` standard errors of the best
(the difference over the root sum of their squared errors), the answer is the two places,
best first, rather than a name the evidence does not support. ``SEPARATION_Z`` = 1 was
chosen on TRAINING seeds (``bench.wifi_scenes.TRAINING_SEEDS`` 0-299, never the benchmark's):
there, 0.92 of the places named alone were right, and the right place was among the two
candidates in 0.85 of all answers.
"""

from dataclasses import dataclass

import numpy as np

from rf.wifi.chips import Chips, chip_means

#: The runner-up is a candidate unless the best place's slope exceeds it by this many
#: standard errors of their difference (TRAINING seeds, see the module docstring).
SEPARATION_Z = 1.0


@dataclass(frozen=True)
class PlaceWindow:
    """The stretch of a code during which the illuminator lit one place (the stall's code
    place by place, or the place check's, round by round)."""

    place: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class PlaceAnswer:
    """``candidates``: the place named alone, or the two places the evidence does not
    separate, best first (empty when no window could be read); ``slopes_bytes`` per place:
    bytes per picture added per unit of light, with ``errors_bytes`` their standard errors."""

    candidates: tuple[str, ...]
    slopes_bytes: dict[str, float]
    errors_bytes: dict[str, float]

    @property
    def place(self) -> str | None:
        """The best place (the evidence's likeliest, even when a second is a candidate)."""
        return self.candidates[0] if self.candidates else None


def place_slopes(picture_s: np.ndarray, size_bytes: np.ndarray, chips: Chips, lag_s: float
                 ) -> tuple[dict[str, float], dict[str, float]]:
    """Per place window: the slope of the chips' mean picture size (bytes, ``lag_s`` later)
    on the chip's level, and its standard error from the chips' scatter about the line."""
    sizes = chip_means(picture_s, size_bytes, chips, np.array([lag_s]))[:, 0]
    slopes, errors = {}, {}
    for w, name in enumerate(chips.names):
        members = chips.window == w
        level = chips.level[members] - chips.level[members].mean()
        spread = float(level @ level)
        slope = float(level @ sizes[members]) / spread
        if slopes.get(name, -np.inf) >= slope:
            continue  # a place scanned twice: its stronger answer
        residual = sizes[members] - sizes[members].mean() - slope * level
        dof = max(int(members.sum()) - 2, 1)
        slopes[name] = slope
        errors[name] = float(np.sqrt(residual @ residual / dof / spread))
    return slopes, errors


def name_place(picture_s: np.ndarray, size_bytes: np.ndarray, chips: Chips, lag_s: float
               ) -> PlaceAnswer:
    """The place whose light raised the pictures most, or the two the evidence does not
    separate (see the module docstring)."""
    slopes, errors = place_slopes(picture_s, size_bytes, chips, lag_s)
    ranked = sorted(slopes, key=slopes.get, reverse=True)
    if len(ranked) < 2:
        return PlaceAnswer(tuple(ranked), slopes, errors)
    best, second = ranked[:2]
    error = float(np.hypot(errors[best], errors[second]))
    separated = slopes[best] - slopes[second] > SEPARATION_Z * error
    return PlaceAnswer((best,) if separated else (best, second), slopes, errors)
