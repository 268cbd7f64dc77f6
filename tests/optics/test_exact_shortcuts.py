"""The pipeline's faster ways to the same numbers give the same numbers: the registration's
downsample by halvings is OpenCV's INTER_AREA resize, the medians taken without ``np.median``
are its values, the max-pooling by rows and split columns is the dilation sampled every block,
a point's measures do not depend on the points measured with it (so one gather serves several
steps), the match's best score is ``np.nan_to_num``'s, and the lock-in map's byte counts and
OpenCV masking give the plain computation's SNR. A NumPy or OpenCV release that rounds
differently fails here rather than moving the registration, the noise estimate, a track's
measures or the lock-in's peaks unnoticed."""

import cv2
import numpy as np
import pytest

from optics.candidates import max_pool, measure_points, measure_points_across, median_float
from optics.cats_eye import _border_median
from optics.cats_eye_align import _best
from optics.lockin_map import MIN_FRAMES, LockInMap
from optics.registration import area_mean


@pytest.mark.parametrize("shape, size", [((720, 1280), (320, 180)), ((1440, 2560), (320, 180)),
                                         ((480, 640), (320, 240)), ((1080, 1920), (320, 180))])
def test_area_mean_is_opencvs_area_resize(shape, size):
    rng = np.random.default_rng(1)
    for _ in range(5):
        # Whole-range noise and a dim, smooth scene: ties (a block's mean at half a level)
        # are frequent in both, and must round as OpenCV rounds them.
        noise = rng.integers(0, 256, shape).astype(np.uint8)
        dim = cv2.GaussianBlur(rng.integers(0, 6, shape).astype(np.uint8), (0, 0), 2.0)
        for gray in (noise, dim):
            expected = cv2.resize(gray, size, interpolation=cv2.INTER_AREA).astype(np.float32)
            got = area_mean(gray, size)
            assert got.dtype == np.float32
            assert np.array_equal(got, expected)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 3679, 3680])
def test_median_float_is_numpys_median(n):
    rng = np.random.default_rng(n)
    for _ in range(200):
        values = (rng.normal(size=n) * rng.uniform(0.1, 100.0)).astype(np.float32)
        if rng.random() < 0.5:
            values = np.round(values)  # ties between the middle two
        got, expected = median_float(values), np.median(values)
        assert got.dtype == expected.dtype and got == expected


@pytest.mark.parametrize("side", [3, 4, 13])
def test_border_median_is_numpys_median_of_the_border(side):
    rng = np.random.default_rng(side)
    for _ in range(500):
        box = rng.integers(0, 256, (side, side)).astype(np.uint8)
        border = np.concatenate([box[0], box[-1], box[1:-1, 0], box[1:-1, -1]])
        assert _border_median(box) == float(np.median(border))


def _dilated_max_pool(gray8, factor):
    """Each block's brightest pixel as a dilation sampled every block (the plain way)."""
    height, width = gray8.shape
    h, w = height // factor * factor, width // factor * factor
    block_max = cv2.dilate(gray8[:h, :w], np.ones((factor, factor), np.uint8), anchor=(0, 0),
                           borderType=cv2.BORDER_REPLICATE)
    return block_max[::factor, ::factor]


@pytest.mark.parametrize("shape", [(720, 1280), (721, 1283), (1080, 1920), (1440, 2560), (7, 9)])
def test_max_pool_is_a_dilation_sampled_every_block(shape):
    rng = np.random.default_rng(shape[1])
    gray8 = rng.integers(0, 256, shape).astype(np.uint8)
    for factor in (1, 2, 3, 4):
        got = max_pool(gray8, factor)
        assert got.dtype == np.uint8 and np.array_equal(got, _dilated_max_pool(gray8, factor))


def test_a_points_measures_do_not_depend_on_the_others_measured_with_it():
    """Tracks measure the backfill, detected and undetected points in one gather, and the
    on-axis frame's candidates and lock-in peaks are measured once for two steps: each point
    must read what it reads alone, and its level (all the detected ones use) whatever the
    search reach."""
    rng = np.random.default_rng(7)
    grays = [cv2.GaussianBlur(rng.integers(0, 256, (720, 1280)).astype(np.uint8), (0, 0), 1.5)
             for _ in range(3)]
    fields = ("valid", "peak_dn", "x", "y", "ring_dn", "level_dn")
    for _ in range(20):
        n = int(rng.integers(1, 30))
        xs, ys = rng.uniform(-5, 1285, n), rng.uniform(-5, 725, n)  # some without an annulus
        which = rng.integers(0, 3, n)
        search_px = int(rng.integers(0, 5))
        together = measure_points_across(grays, which, xs, ys, search_px)
        for k in range(n):
            alone = measure_points(grays[which[k]], xs[k:k + 1], ys[k:k + 1], search_px)
            for name in fields:
                assert np.array_equal(getattr(alone, name)[0], getattr(together, name)[k],
                                      equal_nan=True), name
        no_search = measure_points_across(grays, which, xs, ys, 0)
        for name in ("valid", "ring_dn", "level_dn"):
            assert np.array_equal(getattr(no_search, name), getattr(together, name),
                                  equal_nan=True), name
        order = rng.permutation(n)
        taken = together.take(order)
        for name in fields:
            assert np.array_equal(getattr(taken, name), getattr(together, name)[order],
                                  equal_nan=True)


def test_best_match_counts_what_is_not_finite_as_minus_one():
    rng = np.random.default_rng(3)
    for _ in range(500):
        score = rng.normal(size=tuple(rng.integers(1, 30, 2))).astype(np.float32)
        draw = rng.random(score.shape)
        score[draw < 0.1] = np.nan
        score[(draw >= 0.1) & (draw < 0.12)] = np.inf
        score[(draw >= 0.12) & (draw < 0.14)] = -np.inf
        if rng.random() < 0.1:
            score[:] = np.nan  # a flat patch
        cleaned = np.nan_to_num(score, nan=-1.0, posinf=-1.0, neginf=-1.0)
        iy, ix = np.unravel_index(int(np.argmax(cleaned)), cleaned.shape)
        assert _best(score) == (int(ix), int(iy), float(cleaned[iy, ix]))


def _plain_peaks_snr(lockin_map, window):
    """The lock-in SNR over ``window`` with float frame counts and NumPy's boolean indexing
    (the plain way)."""
    w_on = np.maximum(lockin_map.weights["on"][window], np.float32(1e-12))
    w_off = np.maximum(lockin_map.weights["off"][window], np.float32(1e-12))
    lockin = lockin_map.sums["on"][window] / w_on - lockin_map.sums["off"][window] / w_off
    snr = lockin / np.sqrt(np.float32(1.0) / w_on + np.float32(1.0) / w_off)
    counts = np.minimum(lockin_map.counts["on"][window].astype(np.float32),
                        lockin_map.counts["off"][window].astype(np.float32))
    snr[~(counts >= MIN_FRAMES)] = 0.0
    return snr


def test_lockin_map_counts_saturate_and_its_peaks_are_the_plain_computations():
    """Frame counts are bytes, saturating (never wrapping) past 255: only their comparison with
    MIN_FRAMES is used. The peaks' SNR, thresholded and masked by OpenCV, is the plain
    computation's, and so are the peaks it yields."""
    rng = np.random.default_rng(11)
    height, width = 90, 160
    lockin_map = LockInMap((height, width), 2, margin_px=7)
    glint = np.zeros((height, width), np.float32)
    glint[40, 70] = 30.0
    for k in range(600):  # 300 frames of each ring
        ring = ("on", "off")[k % 2]
        contrast = (rng.normal(size=(height, width)) * 2).astype(np.float32)
        shift = np.eye(3)
        shift[:2, 2] = rng.uniform(-20, 20, 2) if k < 12 else 0.0
        lockin_map.add(contrast + (glint if ring == "on" else 0), float(rng.uniform(1, 3)),
                       float(rng.uniform(2, 12)), shift, ring)
    counts = lockin_map.counts["on"]
    assert counts.max() == 255 and counts.dtype == np.uint8
    xs, ys, snr = lockin_map.peaks(np.eye(3), (2 * height, 2 * width))
    window = np.s_[:, :]
    plain = _plain_peaks_snr(lockin_map, window)
    assert len(xs) and float(snr[0]) == float(plain.max())
    # the strongest peak is the glint's map pixel (its centre in full-resolution pixels)
    pad_x, pad_y = lockin_map.pad
    iy, ix = np.unravel_index(int(np.argmax(plain)), plain.shape)
    assert (ix - pad_x, iy - pad_y) == (70, 40)
    assert abs(xs[0] - (2 * 70 + 0.5)) < 1.0 and abs(ys[0] - (2 * 40 + 0.5)) < 1.0
