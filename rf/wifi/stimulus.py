"""The code the rings blink for Wi-Fi cameras during the optical scans, place by place.

A camera's encoder spends bits on change: a picture that flickers from frame to frame costs
large P-frames, a steady one (bright or dark, once auto-exposure has settled) costs little.
So over each place's scan the rings alternate, chip by chip (``CHIP_S``), between
**flickering** (switched on and off at random every ``FLICKER_S``, so each of a 15 fps
camera's exposures catches a different share of light) and **resting** dark. The envelope
(1 = flickering, 0 = resting) is the stimulus ``level`` the lock-in correlates with: how
strongly the scene in front of a camera was being changed; the random switches themselves
(``ring_drive``), logged as switched, are what the lock-in's flicker test reads each picture
against. The visible red ring follows the same drive as the IR rings, so a camera with an
IR-cut filter sees it too.

Each place's chips are balanced (as many flickering as resting, in random order), so no
place's window is all one level and the codes of different places are uncorrelated; there is
no fixed period for a camera's own GOP rhythm to line up with. ``PLACE_SCAN_S`` x the stall's
places is the code the decision accumulates by the end of the stall's optical step.
"""

from collections.abc import Sequence

import numpy as np

from rf.wifi.place import PlaceWindow
from rf.wifi.place_check import CHECK_DRIVE, CHECK_PLACE_S

CHIP_S = 1.0
CHIP_JITTER = 0.4
#: Faster than a spy camera's frame interval (1/15 s = 0.067 s is the fastest; 0.1 s leaves
#: exposures that straddle a switch), slow enough for the rings' MOSFETs and the log.
FLICKER_S = 0.1
PLACE_SCAN_S = 15.0


def place_code(rng: np.random.Generator, n_chips: int) -> np.ndarray:
    """``n_chips`` chips, half of them 1 (flickering), in random order."""
    return rng.permutation(np.arange(n_chips) % 2).astype(float)


def stall_stimulus(places: Sequence[str], start_s: float, rng: np.random.Generator,
                   place_scan_s: float = PLACE_SCAN_S, chip_s: float = CHIP_S
                   ) -> tuple[list[tuple[float, float]], list[PlaceWindow]]:
    """The envelope's steps (``(time_s, level)``) for scanning ``places`` one after another
    from ``start_s``, ending at rest, and each place's window. Chip lengths vary at random
    by +-``CHIP_JITTER`` so that no GOP (1-4 s, whole seconds on most cameras) keeps its
    I-frames at the same point of every chip."""
    n_chips = int(round(place_scan_s / chip_s))
    steps, windows = [], []
    for k, place in enumerate(places):
        t0 = start_s + k * place_scan_s
        lengths = chip_s * (1.0 + rng.uniform(-CHIP_JITTER, CHIP_JITTER, n_chips))
        starts = t0 + place_scan_s * np.concatenate([[0.0], np.cumsum(lengths)[:-1]]) / lengths.sum()
        steps += [(float(t), float(v)) for t, v in zip(starts, place_code(rng, n_chips))]
        windows.append(PlaceWindow(place, t0, t0 + place_scan_s))
    steps.append((start_s + len(places) * place_scan_s, 0.0))
    return steps, windows


def ring_drive(envelope: Sequence[tuple[float, float]], rng: np.random.Generator,
               flicker_s: float = FLICKER_S) -> list[tuple[float, float]]:
    """The rings' switch steps for an envelope: random on/off every ``flicker_s`` while the
    envelope is 1, dark while it is 0."""
    drive = []
    for (t0, level), (t1, _) in zip(envelope, envelope[1:]):
        if level > 0:
            n = max(int(round((t1 - t0) / flicker_s)), 1)
            drive += [(t0 + j * flicker_s, float(v)) for j, v in enumerate(rng.integers(0, 2, n))]
        else:
            drive.append((t0, 0.0))
    drive.append((envelope[-1][0], 0.0))
    return drive


def check_stimulus(places: Sequence[str], start_s: float, rng: np.random.Generator,
                   drive: float = CHECK_DRIVE, place_s: float = CHECK_PLACE_S
                   ) -> tuple[list[tuple[float, float]], list[tuple[float, float]],
                              list[PlaceWindow]]:
    """The place check's code (``rf.wifi.place_check``) over ``places`` one after another
    from ``start_s``: its envelope, the rings' switch steps at ``drive`` brightness, and
    each place's window. The same kind of code as the stall's (balanced chips of flicker and
    rest, random switches), shorter per place and dimmed."""
    envelope, windows = stall_stimulus(places, start_s, rng, place_scan_s=place_s)
    switched = [(t, level * drive) for t, level in ring_drive(envelope, rng)]
    return envelope, switched, windows
