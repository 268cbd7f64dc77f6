"""The local registration and the small dark spots it shows beside a grout line
(optics.change_fine), on synthetic tiled walls in ratio units."""

import cv2
import numpy as np
import pytest

from optics.change_fine import fine_dark_spots, local_flow

GROUT_X_PX = 40  # a vertical grout line 3 px wide at x = 40-42
THRESHOLD = 0.12
MIN_DARK = 0.12


def tiled_wall(shift_px=(0.0, 0.0), size=(120, 120)) -> np.ndarray:
    """Tiles (1.0) with grout lines (0.6, 3 px) every 40 px and a faint texture, seen
    ``shift_px`` further on (sub-pixel, by interpolation), lightly blurred like a camera."""
    h, w = size
    rng = np.random.default_rng(7)
    big = np.ones((h * 4, w * 4), np.float32)
    big += cv2.GaussianBlur(rng.normal(0, 0.02, big.shape).astype(np.float32), (0, 0), 6)
    for c in range(0, w, 40):
        big[:, 4 * c: 4 * (c + 3)] = 0.6
    for r in range(20, h, 40):
        big[4 * r: 4 * (r + 3), :] = 0.6
    small = cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA)
    grid_x, grid_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    moved = cv2.remap(small, grid_x + shift_px[0], grid_y + shift_px[1], cv2.INTER_CUBIC,
                      borderMode=cv2.BORDER_REPLICATE)
    return cv2.GaussianBlur(moved, (0, 0), 0.7)


def paint_spot(image, x, y, depth=0.2, sigma_px=1.2) -> np.ndarray:
    """A screw head: a soft dark dome ``depth`` below what lies there."""
    out = image.copy()
    yy, xx = np.mgrid[:image.shape[0], :image.shape[1]]
    out *= 1 - depth * np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * sigma_px ** 2))
    return out.astype(np.float32)


def test_the_local_flow_finds_a_sub_pixel_shift_and_no_spot_steers_it():
    reference = tiled_wall()
    today = paint_spot(tiled_wall((0.6, -0.4)), GROUT_X_PX + 5, 42)
    flow = local_flow(reference, today, np.ones(today.shape, bool))
    inner = flow[30:90, 30:90]
    assert np.allclose(inner[..., 0], 0.6, atol=0.15) and \
        np.allclose(inner[..., 1], -0.4, atol=0.15), (inner[..., 0].mean(), inner[..., 1].mean())


def spots(reference, today):
    valid = np.zeros(today.shape, bool)
    valid[10:-10, 10:-10] = True
    return fine_dark_spots(reference, today, valid, np.zeros(today.shape, bool), THRESHOLD,
                           MIN_DARK)


@pytest.mark.parametrize("today_holds_it", [True, False])
@pytest.mark.parametrize("y", [42, 56])  # beside a grout line / in the corner of a crossing
def test_a_spot_touching_a_grout_line_is_found_as_new_or_removed(today_holds_it, y):
    # the head's middle 3 px right of the grout's edge (and 3 px above the crossing line at
    # y = 60-62), within the 2 px tolerance's reach
    reference, today = tiled_wall(), tiled_wall((0.5, 0.3))
    x = GROUT_X_PX + 5
    if today_holds_it:
        today = paint_spot(today, x, y)
    else:
        reference = paint_spot(reference, x, y)
    found = spots(reference, today)
    assert [(k, round(sx), round(sy)) for k, sx, sy, *_ in found] == \
        [("new" if today_holds_it else "removed", x, y)], found


def test_nothing_changed_on_a_tiled_wall_shows_no_spot():
    assert spots(tiled_wall(), tiled_wall((0.7, -0.5))) == []


def test_a_spot_beside_a_fixtures_outline_is_left_to_the_other_rules():
    # the same head beside a fixture's bright face (a step the grout closing keeps): the
    # difference there may be the fixture's parallax, which this pass cannot tell
    reference, today = tiled_wall(), tiled_wall((0.5, 0.3))
    for image in (reference, today):
        image[:, GROUT_X_PX + 9:] += 0.35
    assert spots(reference, paint_spot(today, GROUT_X_PX + 5, 42)) == []


def test_a_dark_thing_that_moved_is_no_spot():
    # an existing dark dot seen 3 px further today (a second plane's parallax): the local
    # fit does not explain the wall around it, where the dot was
    reference = paint_spot(tiled_wall(), 30, 75, depth=0.3)
    today = paint_spot(tiled_wall(), 33, 75, depth=0.3)
    assert spots(reference, today) == []
