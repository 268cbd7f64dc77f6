"""The pipeline's faster ways to the same numbers give the same numbers: the registration's
downsample by halvings is OpenCV's INTER_AREA resize, and the medians taken without
``np.median`` are its values. A NumPy or OpenCV release that rounds differently fails here
rather than moving the registration or the noise estimate unnoticed."""

import cv2
import numpy as np
import pytest

from optics.candidates import median_float
from optics.cats_eye import _border_median
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
