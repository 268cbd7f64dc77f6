"""Global motion between frames: where each frame's pixels lie in a common "canvas".

The handheld sweeps sideways, wobbles and rolls while it films, so the same wall point lands on
different pixels from frame to frame. Tracks live in canvas coordinates, where a point fixed on
the wall stays put and a highlight that slides over a curved or flat shiny surface does not.

Two stages, both on a downsampled, high-passed image (cheap at 256 px width, blind to the global brightness
changes the rings and the mains flicker cause):
1. whole-frame phase correlation for the bulk shift. Restrooms are tiled and a tile grid is
   periodic, so the correlation peak is searched only near the shift the previous frame
   predicts (a hand moves smoothly), never over the whole surface;
2. the same on a grid of blocks, each looking only a few pixels around the bulk shift, and an
   affine fit to the block shifts: roll, the change of perspective and the zoom as the
   inspector closes in are not a shift.
Frame-to-frame transforms are chained into each frame's frame-to-canvas transform.
"""

from dataclasses import dataclass, field

import cv2
import numpy as np

REGISTRATION_WIDTH_PX = 256
SEARCH_RADIUS_PX = 12  # registration px the view may move beyond the predicted shift
BLOCK_GRID = (4, 3)  # columns, rows
BLOCK_SEARCH_PX = 4
MIN_BLOCK_RESPONSE = 0.08  # phase-correlation peak below this: a blank block, no evidence


@dataclass(frozen=True)
class RegistrationImage:
    """A frame reduced for registration: high-passed texture and its Fourier transform."""

    texture: np.ndarray
    spectrum: np.ndarray
    scale: float  # full-resolution pixels per registration pixel


_WINDOWS: dict = {}


def _window(size) -> np.ndarray:
    if size not in _WINDOWS:
        _WINDOWS[size] = cv2.createHanningWindow(size, cv2.CV_32F)
    return _WINDOWS[size]


def registration_image(gray: np.ndarray) -> RegistrationImage:
    """Downsample ``gray`` to ~256 px wide, keep only its texture, and transform it."""
    height, width = gray.shape
    scale = max(width / REGISTRATION_WIDTH_PX, 1.0)
    size = (round(width / scale), round(height / scale))
    small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    texture = small - cv2.GaussianBlur(small, (0, 0), 3.0)
    # Clip bright points (glints, LEDs) so the wall's texture, not what blinks, sets the shift.
    spread = 3.0 * float(cv2.meanStdDev(texture)[1][0, 0]) + 1e-3
    np.clip(texture, -spread, spread, out=texture)
    spectrum = cv2.dft(texture * _window(size), flags=cv2.DFT_COMPLEX_OUTPUT)
    return RegistrationImage(texture, spectrum, scale)


def bulk_shift(previous: RegistrationImage, current: RegistrationImage, predicted):
    """Shift (registration px) taking ``current`` onto ``previous``, searched near ``predicted``."""
    cross = cv2.mulSpectrums(previous.spectrum, current.spectrum, 0, conjB=True)
    cross /= (cv2.magnitude(cross[..., 0], cross[..., 1]) + 1e-6)[..., None]
    surface = cv2.idft(cross, flags=cv2.DFT_REAL_OUTPUT | cv2.DFT_SCALE)
    height, width = surface.shape
    px, py = round(predicted[0]), round(predicted[1])
    offsets = np.arange(-SEARCH_RADIUS_PX, SEARCH_RADIUS_PX + 1)
    local = surface[np.ix_((py + offsets) % height, (px + offsets) % width)]
    iy, ix = np.unravel_index(int(np.argmax(local)), local.shape)
    dy, dx = _subpixel(local, iy, ix)
    return np.array([px + offsets[ix] + dx, py + offsets[iy] + dy])


def _subpixel(local: np.ndarray, iy: int, ix: int) -> tuple[float, float]:
    """Parabolic refinement of a peak along each axis (none at the border)."""
    def vertex(a, b, c):
        denominator = a - 2 * b + c
        return 0.5 * (a - c) / denominator if denominator < 0 else 0.0

    h, w = local.shape
    dy = vertex(local[iy - 1, ix], local[iy, ix], local[iy + 1, ix]) if 0 < iy < h - 1 else 0.0
    dx = vertex(local[iy, ix - 1], local[iy, ix], local[iy, ix + 1]) if 0 < ix < w - 1 else 0.0
    return dy, dx


def frame_to_previous(previous: RegistrationImage, current: RegistrationImage, shift):
    """Affine 3x3 (registration px) taking ``current`` points onto ``previous`` points.

    Blocks of ``current`` are matched against ``previous`` displaced by the bulk ``shift``;
    blank blocks are ignored; with fewer than three good blocks it stays a pure shift.
    """
    height, width = current.texture.shape
    cols, rows = BLOCK_GRID
    block_w, block_h = width // cols, height // rows
    shift_int = np.round(shift).astype(int)
    sources, targets = [], []
    for row in range(rows):
        for col in range(cols):
            x0, y0 = col * block_w, row * block_h
            px0, py0 = x0 + shift_int[0], y0 + shift_int[1]
            if px0 < 0 or py0 < 0 or px0 + block_w > width or py0 + block_h > height:
                continue
            (rx, ry), response = cv2.phaseCorrelate(
                current.texture[y0:y0 + block_h, x0:x0 + block_w],
                previous.texture[py0:py0 + block_h, px0:px0 + block_w],
                _window((block_w, block_h)))
            if response < MIN_BLOCK_RESPONSE or max(abs(rx), abs(ry)) > BLOCK_SEARCH_PX:
                continue
            centre = np.array([x0 + block_w / 2, y0 + block_h / 2])
            sources.append(centre)
            targets.append(centre + shift_int + (rx, ry))
    return _fit_affine(np.array(sources), np.array(targets), shift)


def _fit_affine(sources, targets, shift) -> np.ndarray:
    transform = np.eye(3)
    if len(sources) < 3:
        transform[:2, 2] = shift
        return transform
    keep = np.ones(len(sources), dtype=bool)
    for _ in range(2):  # one refit without the blocks the first fit explains worst
        design = np.column_stack([sources[keep], np.ones(keep.sum())])
        solution, *_ = np.linalg.lstsq(design, targets[keep], rcond=None)
        residual = np.linalg.norm(np.column_stack([sources, np.ones(len(sources))]) @ solution
                                  - targets, axis=1)
        keep = residual < max(1.0, 2.5 * np.median(residual))
        if keep.sum() < 3:
            break
    transform[:2, :] = solution.T
    return transform


@dataclass
class Registrar:
    """Follows the view frame by frame and gives each frame its frame-to-canvas transform.

    The canvas is the first frame's pixel grid (full resolution); ``to_canvas`` is a 3x3
    matrix acting on (x, y, 1).
    """

    previous: RegistrationImage | None = None
    to_canvas: np.ndarray = field(default_factory=lambda: np.eye(3))
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(2))

    def register(self, image: RegistrationImage) -> np.ndarray:
        if self.previous is not None:
            shift = bulk_shift(self.previous, image, self.velocity)
            self.velocity = shift
            step = frame_to_previous(self.previous, image, shift)
            scale = np.diag([image.scale, image.scale, 1.0])
            self.to_canvas = self.to_canvas @ scale @ step @ np.linalg.inv(scale)
        self.previous = image
        return self.to_canvas


def apply(transform: np.ndarray, x, y):
    """Map pixel coordinates through a 3x3 affine transform."""
    return (transform[0, 0] * x + transform[0, 1] * y + transform[0, 2],
            transform[1, 0] * x + transform[1, 1] * y + transform[1, 2])
