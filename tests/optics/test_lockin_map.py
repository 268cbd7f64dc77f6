"""The lock-in map's peaks are those inside the frame asked about, at 1280x720 as at 640x360."""

import numpy as np

from optics.lockin_map import MAX_PEAKS, LockInMap

FACTOR = 2  # a 1280x720 frame is searched at 640x360 detection px


def _translation(dx_px: float) -> np.ndarray:
    transform = np.eye(3)
    transform[0, 2] = dx_px
    return transform


def test_peaks_outside_the_frame_do_not_crowd_out_one_inside():
    """More strong glints than the peak cap lie on the canvas to the right of the frame now in
    view; a weaker one inside it must still be returned, and nothing outside it."""
    height, width = 360, 640  # detection px
    contrast = np.zeros((height, width), np.float32)
    contrast[180, 100] = 20.0  # weaker, inside the later view
    for k in range(MAX_PEAKS + 1):  # stronger, right of it
        contrast[60 + 30 * k, 420 + 20 * k] = 50.0
    lockin_map = LockInMap((height, width), FACTOR, margin_px=7)
    for ring, level in (("on", 1.0), ("off", 0.0)) * 3:
        lockin_map.add(contrast * level, 1.0, 1.0, np.eye(3), ring)
    # A frame 1000 full-resolution px to the left: canvas x -1000..279 (detection x up to 139).
    xs, ys, _ = lockin_map.peaks(_translation(-1000.0), (2 * height, 2 * width))
    assert len(xs) and np.all((xs >= 0) & (xs < 2 * width) & (ys >= 0) & (ys < 2 * height))
    inside_x_px, inside_y_px = 1000 + 2 * 100 + 0.5, 2 * 180 + 0.5  # the block's centre
    assert np.min(np.hypot(xs - inside_x_px, ys - inside_y_px)) < 2.0
