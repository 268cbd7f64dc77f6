"""The code the rings blink for Wi-Fi cameras during the optical scans, place by place.

The optical scan's own code switches the IR rings every camera frame (~30 Hz); a Wi-Fi
camera's encoder sees that as steady flicker and its bitrate rises once, not in a pattern. So
over each place's scan the rings' *envelope* follows a slow pseudo-random code of
``CHIP_S`` chips: blinking (level 1) or resting dark (level 0). The visible red ring follows the
same envelope, so a camera with an IR-cut filter (blind to 850 nm) sees it too.

The code is balanced in pairs (each pair of chips holds one 1 and one 0, in random order), so
no place's window is all on or all off, runs are at most two chips long (the encoder's
auto-exposure settles in ~0.5 s, so each switch is a fresh change to encode) and codes of
different places are uncorrelated. ``PLACE_SCAN_S`` x ``len(places)`` seconds of code make
the lock-in's decision at the end of the stall's optical step: 8 places of 6 s hold 96 chips.
"""

from collections.abc import Sequence

import numpy as np

from rf.wifi.lockin import PlaceWindow

CHIP_S = 0.5
PLACE_SCAN_S = 6.0


def place_code(rng: np.random.Generator, n_chips: int) -> np.ndarray:
    """A balanced-in-pairs 0/1 code of ``n_chips`` chips."""
    pairs = rng.integers(0, 2, (n_chips + 1) // 2)
    code = np.stack([pairs, 1 - pairs], axis=1).reshape(-1)
    return code[:n_chips].astype(float)


def stall_stimulus(places: Sequence[str], start_s: float, rng: np.random.Generator,
                   place_scan_s: float = PLACE_SCAN_S, chip_s: float = CHIP_S
                   ) -> tuple[list[tuple[float, float]], list[PlaceWindow]]:
    """The switch-log steps for scanning ``places`` one after another from ``start_s``, ending
    dark, and each place's window."""
    n_chips = int(round(place_scan_s / chip_s))
    steps, windows = [], []
    for k, place in enumerate(places):
        t0 = start_s + k * place_scan_s
        steps += [(t0 + i * chip_s, float(v)) for i, v in enumerate(place_code(rng, n_chips))]
        windows.append(PlaceWindow(place, t0, t0 + place_scan_s))
    steps.append((start_s + len(places) * place_scan_s, 0.0))
    return steps, windows
