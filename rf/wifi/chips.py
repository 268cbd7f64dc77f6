"""What the lock-in compares: the code's chips, and a stream's video frames per chip.

**Chips.** A stimulus log is a list of steps; inside the places' windows each step is one chip
of the code (``rf.wifi.stimulus`` draws them: random lengths, then each place's levels in a
random balanced order). The lock-in's null hypothesis rests on that randomisation, so it
permutes chip levels only *within* a window, as the code was drawn. Steps outside every window
(the optical scan's own blinking, logged at level 1) are fixed, not drawn, and left out. A log
without places is one window.

**Frames.** An encoder hands each picture to the network at once, so its packets leave back to
back (sub-millisecond gaps at any 802.11n rate) while pictures of a 10-30 fps stream are 33-100
ms apart: a *burst* of uplink frames closer than ``BURST_GAP_S`` is one encoded picture, and its
bytes are that picture's size. Bursts under ``MIN_BURST_BYTES`` are audio, acknowledgements and
keep-alives, never a picture. The light changes the picture, and a P-frame's size is what the
change cost the encoder, so the per-chip statistic is the mean **log** size of the chip's
pictures (a ratio: the response is a share of the stream's rate whatever its bitrate), less
the chip's largest picture: a GOP's I-frame (5-10 times a P-frame) lands in some chip whatever
the light does, while the light enlarges every P-frame of a chip. Log sizes per burst rather
than bytes per time bin also hold up when a motion-triggered camera stops sending: its chips
without pictures carry no evidence either way and are set to their window's mean.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Packets of one video frame leave back to back (sub-millisecond gaps at any 802.11n rate);
#: frames of a 10-30 fps stream are 33-100 ms apart.
BURST_GAP_S = 0.015
#: A 20-40 ms audio frame (G.711/AAC, 160 bytes) with RTP/UDP/IP/LLC and the 802.11 header is
#: ~250 bytes; the smallest P-frame of a still 720p picture at 0.5 Mbit/s is ~2 kB.
MIN_BURST_BYTES = 300.0


@dataclass(frozen=True)
class Chips:
    """The code's chips: ``start_s``/``end_s``/``level`` per chip, ``window`` the index of the
    place window it was drawn in, ``names`` the windows' places."""

    start_s: np.ndarray
    end_s: np.ndarray
    level: np.ndarray
    window: np.ndarray
    names: tuple[str, ...]


def code_chips(times_s: np.ndarray, levels: np.ndarray,
               windows: Sequence[tuple[str, float, float]]) -> Chips:
    """The log's steps that lie in ``windows`` (``(place, start_s, end_s)``), clipped to them;
    windows whose levels never change are left out (they cannot be permuted)."""
    starts, ends, chip_levels, owners, names = [], [], [], [], []
    for name, lo, hi in windows:
        step_start = np.maximum(times_s[:-1], lo)
        step_end = np.minimum(times_s[1:], hi)
        inside = step_end - step_start > 1e-6
        if inside.sum() < 2 or np.ptp(levels[:-1][inside]) == 0:
            continue
        starts.append(step_start[inside])
        ends.append(step_end[inside])
        chip_levels.append(levels[:-1][inside])
        owners.append(np.full(int(inside.sum()), len(names)))
        names.append(name)
    if not names:
        empty = np.zeros(0)
        return Chips(empty, empty, empty, np.zeros(0, np.int64), ())
    return Chips(np.concatenate(starts), np.concatenate(ends), np.concatenate(chip_levels),
                 np.concatenate(owners), tuple(names))


def picture_bytes(time_s: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One transmitter's uplink frames grouped into pictures: (start time, bytes) of each
    burst of at least ``MIN_BURST_BYTES``, bursts parted by more than ``BURST_GAP_S``."""
    order = np.argsort(time_s, kind="stable")
    t, n = time_s[order], length[order]
    if len(t) == 0:
        return t, n
    starts = np.concatenate([[True], np.diff(t) > BURST_GAP_S])
    size = np.bincount(np.cumsum(starts) - 1, weights=n)
    keep = size >= MIN_BURST_BYTES
    return t[starts][keep], size[keep]

def chip_means(picture_s: np.ndarray, log_size: np.ndarray, chips: Chips,
               lags_s: np.ndarray) -> np.ndarray:
    """Per chip (rows) and lag (columns): the mean log size of the pictures sent ``lag``
    after the chip's span, less the chip's largest; a chip without pictures gets its
    window's mean. Returned centred within each window."""
    n = len(chips.level)
    out = np.zeros((n, len(lags_s)))
    for j, lag in enumerate(lags_s):
        k = np.searchsorted(chips.start_s, picture_s - lag, side="right") - 1
        inside = (k >= 0) & (picture_s - lag < chips.end_s[np.clip(k, 0, None)])
        k, y = k[inside], log_size[inside]
        count = np.bincount(k, minlength=n)
        total = np.bincount(k, weights=y, minlength=n)
        largest = np.full(n, -np.inf)
        np.maximum.at(largest, k, y)
        trimmed = count >= 3
        total = np.where(trimmed, total - np.where(trimmed, largest, 0.0), total)
        count = np.where(trimmed, count - 1, count)
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        out[:, j] = _fill_and_centre(mean, chips.window)
    return out


def _fill_and_centre(values: np.ndarray, window: np.ndarray) -> np.ndarray:
    out = np.zeros_like(values)
    for w in np.unique(window):
        members = window == w
        v = values[members]
        seen = np.isfinite(v)
        if seen.any():
            v = np.where(seen, v, v[seen].mean())
            out[members] = v - v.mean()
    return out
