"""The registration's bulk motion follows the hand's roll: a frame turned by a few degrees
against the one before is turned back before its shift is read (``bulk_motion``)."""

import cv2
import numpy as np
import pytest

from optics.registration import apply, bulk_motion, registration_image

VIEW = (1280, 720)


def wall(seed: int = 3) -> np.ndarray:
    """A textured wall larger than the view: blurred noise (grout, speckle, dirt)."""
    rng = np.random.default_rng(seed)
    texture = cv2.GaussianBlur(rng.normal(0.0, 1.0, (1400, 2000)).astype(np.float32), (0, 0), 3)
    return cv2.normalize(texture, None, 40, 220, cv2.NORM_MINMAX).astype(np.uint8)


def view(surface: np.ndarray, roll_deg: float, shift_px) -> tuple[np.ndarray, np.ndarray]:
    """The 1280x720 view of ``surface`` turned by ``roll_deg`` about its centre and moved by
    ``shift_px``, and the affine map from its pixels to the unturned, unmoved view's."""
    width, height = VIEW
    centre = np.array([width / 2, height / 2])
    to_first = cv2.getRotationMatrix2D(tuple(centre), roll_deg, 1.0)
    to_first[:, 2] += shift_px
    offset = (np.array(surface.shape[::-1]) - VIEW) / 2
    to_surface = to_first.copy()
    to_surface[:, 2] += offset
    image = cv2.warpAffine(surface, to_surface, VIEW, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    return image, to_first


@pytest.mark.parametrize("seed", [1, 3])
@pytest.mark.parametrize("roll_deg", [-6.0, -5.0, -3.0, 0.0, 1.0, 3.0, 5.0, 6.0])
def test_a_frame_rolled_by_a_few_degrees_is_registered_to_a_pixel(roll_deg, seed):
    """The bulk motion alone (no refinement) takes a frame rolled by up to 6 degrees (the
    search's limit) and moved 27 px back onto the one before within a registration pixel
    everywhere in view, on two walls."""
    surface = wall(seed)
    first, _ = view(surface, 0.0, (0.0, 0.0))
    rolled, to_first = view(surface, roll_deg, (24.0, -12.0))
    previous, current = registration_image(first), registration_image(rolled)
    transform, _ = bulk_motion(previous, current, [np.zeros(2)])
    scale = current.scale
    errors = []
    for x in np.linspace(200, 1080, 5):
        for y in np.linspace(150, 570, 4):
            truth = to_first @ np.array([x, y, 1.0])
            found = np.array(apply(transform, x / scale, y / scale)) * scale
            errors.append(np.hypot(*(found - truth)))
    assert max(errors) <= 4.0, max(errors)  # a registration pixel at 1280 px
