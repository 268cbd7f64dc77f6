"""Composite video as a hidden camera's transmitter sends it, sampled at any times.

Levels: 0 is the sync tip, 0.3 blanking (black), 1 white. Each line starts with a 4.7 us sync
pulse; each field starts with the vertical interval: equalising pulses at half-line spacing,
broad (serrated) pulses, equalising pulses again, then blank lines, then the picture. The
picture is a seeded, smoothly varying image that is the same every frame, as a fixed camera
watching a still room sends.
"""

from dataclasses import dataclass

import numpy as np

SYNC, BLANK, WHITE = 0.0, 0.3, 1.0


@dataclass(frozen=True)
class VideoStandard:
    name: str
    line_rate_hz: float
    lines_per_frame: int
    active_start_s: float  # after sync and back porch
    active_stop_s: float  # before the front porch
    blank_lines: float  # vertical blanking lines per field, counted from the field's start


STANDARDS = {
    "PAL": VideoStandard("PAL", 15_625.0, 625, 10.5e-6, 62.5e-6, 25.0),
    "NTSC": VideoStandard("NTSC", 15_734.264, 525, 9.4e-6, 61.8e-6, 21.0),
}
_HSYNC_S = 4.7e-6
_EQUALISING_S = 2.35e-6
_SERRATION_S = 4.7e-6


def picture(seed: int, rows: int = 48, cols: int = 64) -> np.ndarray:
    """A seeded still scene: smooth shading, a bright lamp, a dark door edge (levels 0.3..1)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:rows, 0:cols] / np.array([rows, cols])[:, None, None]
    image = 0.55 + 0.2 * np.sin(2 * np.pi * (x * rng.uniform(0.5, 2) + y * rng.uniform(0.5, 2)))
    cy, cx = rng.uniform(0.2, 0.8, 2)
    image += 0.4 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 0.01)
    image[:, int(cols * rng.uniform(0.6, 0.9)):] -= 0.25
    return np.clip(image, 0.32, 1.0)


def composite(t_s: np.ndarray, standard: VideoStandard, image: np.ndarray) -> np.ndarray:
    """The composite video level at times ``t_s`` (float64 seconds), as float32."""
    lines = t_s * standard.line_rate_hz
    half_frame = standard.lines_per_frame / 2
    field_line = np.mod(lines, half_frame)  # interlace: fields start at half-line offsets
    within_s = np.mod(lines, 1.0) / standard.line_rate_hz
    half_line_s = 0.5 / standard.line_rate_hz
    within_half_s = np.mod(within_s, half_line_s)

    level = np.full(t_s.shape, BLANK, dtype=np.float32)
    active = (field_line >= standard.blank_lines) & (within_s >= standard.active_start_s) & (
        within_s < standard.active_stop_s)
    rows = ((field_line[active] - standard.blank_lines) / (half_frame - standard.blank_lines)
            * image.shape[0]).astype(int)
    cols = ((within_s[active] - standard.active_start_s)
            / (standard.active_stop_s - standard.active_start_s) * image.shape[1]).astype(int)
    level[active] = image[np.clip(rows, 0, image.shape[0] - 1),
                          np.clip(cols, 0, image.shape[1] - 1)]

    normal = field_line >= 7.5
    level[normal & (within_s < _HSYNC_S)] = SYNC
    equalising = ((field_line < 2.5) | ((field_line >= 5.0) & (field_line < 7.5)))
    level[equalising & (within_half_s < _EQUALISING_S)] = SYNC
    broad = (field_line >= 2.5) & (field_line < 5.0)
    level[broad & (within_half_s < half_line_s - _SERRATION_S)] = SYNC
    return level
