"""Global motion between frames: where each frame's pixels lie in a common "canvas".

The handheld sweeps sideways, wobbles and rolls while it films, so the same wall point lands on
different pixels from frame to frame. Tracks live in canvas coordinates, where a point fixed on
the wall stays put and a highlight that slides over a curved or flat shiny surface does not.

Two stages, both on a downsampled, high-passed image (cheap at 320 px width, blind to the
global brightness changes the rings and the mains flicker cause):
1. whole-frame phase correlation for the bulk shift, and the roll: the frame is turned by a
   few degrees either way while the correlation's peak rises (``bulk_motion``: the hand
   rolls the handheld between frames, and a correlation of unturned frames then peaks low
   and wrong); the roll is searched at half that resolution, its shift then read at 320 px.
   Restrooms are tiled and a tile grid is periodic, so the correlation peak is
   searched only near a few predicted shifts (the last step, the recent mean, none: a hand's
   sweep is smooth but its jitter is not), never over the whole surface;
2. a homography refinement by enhanced-correlation alignment (ECC) started from that shift:
   a wall seen through a wide lens while the hand pans, rolls and closes in does not move as
   one shift (a pan alone moves the edges of a 62 degree view a third faster than its centre),
   and a correlation peak's sub-pixel vertex is biased toward whole pixels, which adds up.
   A refinement that moves the frame's corners far from the bulk shift has slid into a wrong
   optimum (low texture, or shadows that moved with the lit ring) and is dropped.
Each frame is aligned against the current keyframe, not chained to the frame before it
(chained steps add up their errors and the canvas drifts by pixels over a scan); its
frame-to-canvas transform is the keyframe's own canvas transform after that alignment. A new
keyframe is taken once the view has moved a fifth of its width (``KEYFRAME_MOVE``).
"""

from collections import deque
from dataclasses import dataclass, field

import cv2
import numpy as np

REGISTRATION_WIDTH_PX = 320
SEARCH_RADIUS_PX = 12  # registration px the view may move beyond a predicted shift
RECENT_STEPS = 3  # steps averaged into the sweep's prediction
ECC_CRITERIA = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 3, 1e-3)


@dataclass(frozen=True)
class RegistrationImage:
    """A frame reduced for registration: high-passed texture and its Fourier transform."""

    texture: np.ndarray
    spectrum: np.ndarray
    scale: float  # full-resolution pixels per registration pixel
    coarse: np.ndarray  # the texture at half that resolution, for the homography refinement
    coarse_spectrum: np.ndarray  # ... and its Fourier transform, for the roll search


_WINDOWS: dict = {}


def _window(size) -> np.ndarray:
    if size not in _WINDOWS:
        _WINDOWS[size] = cv2.createHanningWindow(size, cv2.CV_32F)
    return _WINDOWS[size]


def registration_image(gray: np.ndarray) -> RegistrationImage:
    """Downsample ``gray`` to ~320 px wide, keep only its texture, and transform it."""
    height, width = gray.shape
    scale = max(width / REGISTRATION_WIDTH_PX, 1.0)
    size = (round(width / scale), round(height / scale))
    small = area_mean(gray, size)
    # A band-pass: the wall's texture, without the slow lighting gradients (3 px and up) or the
    # sensor noise (below 1 px) that phase correlation would otherwise weigh like signal.
    texture = cv2.GaussianBlur(small, (0, 0), 1.0) - cv2.GaussianBlur(small, (0, 0), 4.0)
    # Clip bright points (glints, LEDs) so the wall's texture, not what blinks, sets the shift.
    spread = 3.0 * float(cv2.meanStdDev(texture)[1][0, 0]) + 1e-3
    np.clip(texture, -spread, spread, out=texture)
    coarse = cv2.resize(texture, (size[0] // 2, size[1] // 2), interpolation=cv2.INTER_AREA)
    return RegistrationImage(texture, _spectrum(texture), scale, coarse, _spectrum(coarse))


def _spectrum(texture: np.ndarray) -> np.ndarray:
    """The windowed Fourier transform of a registration texture (what the correlation reads)."""
    height, width = texture.shape
    return cv2.dft(texture * _window((width, height)), flags=cv2.DFT_COMPLEX_OUTPUT)


def area_mean(gray: np.ndarray, size) -> np.ndarray:
    """``cv2.resize(gray, size, interpolation=cv2.INTER_AREA)`` as float32: each block's mean
    rounded to a whole level. When the frame halves to ``size`` a whole number of times (a
    1280x720 frame to 320x180), by halvings in float32, rounded at the end: a mean of whole
    levels over 2^k x 2^k pixels is exact in float32 at every halving, so the result is the
    same, and OpenCV's fast path halves where its general whole-factor path cost about twice
    as much (a quarter of a millisecond or more per frame, on every frame, single-threaded).
    A single halving is OpenCV's fast path
    already (which rounds ties up, not to even): it is left to ``cv2.resize``."""
    height, width = gray.shape
    halvings = (width // size[0]).bit_length() - 1
    if width != size[0] << halvings or height != size[1] << halvings or halvings < 2:
        return cv2.resize(gray, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    level = gray.astype(np.float32)
    for _ in range(halvings):
        level = cv2.resize(level, (level.shape[1] // 2, level.shape[0] // 2),
                           interpolation=cv2.INTER_AREA)
    return np.rint(level)  # to the nearest level, ties to even, as OpenCV rounds


#: The hand rolls the handheld by a few degrees between frames (the ray-traced TRAINING block's
#: walks: 2-5 degrees, each frame's roll about 1.5 degrees sd on its own); a correlation of
#: unturned frames then peaks low, at a wrong shift, the refinement started there slides past
#: ``MAX_REFINE_PX`` and is dropped, and the canvas jumps. So the current frame is also turned
#: by rolls in steps of ``ROLL_STEP_DEG``, climbing while the correlation's peak rises, up to
#: ``MAX_ROLL_DEG`` either way, and the roll between the best step and its neighbours is
#: taken at the vertex of a parabola through their peaks.
#: The search runs on the half-resolution texture (``RegistrationImage.coarse``, 160x90 for a
#: 1280x720 frame): a quarter of the pixels, and a 2 degree roll still moves its edges by
#: 2.8 px, more than its texture's grain (1-2 px there), so the peak still falls with a wrong
#: roll. Only the shift at the roll found is read at the registration resolution, where its
#: vertex is twice as fine. The search's correlations were most of the registration's cost
#: (four a frame on average, each a turn, a transform and its inverse at 320x180).
ROLL_STEP_DEG = 2.0
MAX_ROLL_DEG = 6.0


def bulk_motion(previous: RegistrationImage, current: RegistrationImage, predictions):
    """The roll about the frame's centre and shift (a homography, registration px) taking
    ``current`` onto ``previous``, and the shift alone (the sweep's step, for the next
    predictions): the roll whose turned frame correlates best at half resolution
    (``ROLL_STEP_DEG``), then the shift at that roll found near the predictions
    (``_correlation_peak``)."""
    coarse_predictions = [0.5 * np.asarray(predicted, float) for predicted in predictions]
    peaks: dict = {}

    def peak(roll: float) -> float:
        if roll not in peaks:
            turned = _turned_spectrum(current.coarse, current.coarse_spectrum, roll)
            peaks[roll] = _correlation_peak(previous.coarse_spectrum, turned,
                                            coarse_predictions, SEARCH_RADIUS_PX // 2)[1]
        return peaks[roll]

    # Climb the way whose first step rises more: at half resolution a roll of 5 degrees
    # leaves both first steps low, and the first one tried may rise by noise alone.
    best = 0.0
    direction = 1.0 if peak(ROLL_STEP_DEG) >= peak(-ROLL_STEP_DEG) else -1.0
    while abs(best) < MAX_ROLL_DEG and peak(best + direction * ROLL_STEP_DEG) > peak(best):
        best += direction * ROLL_STEP_DEG
    a, b, c = (peak(best + k * ROLL_STEP_DEG) for k in (-1, 0, 1))
    if a - 2 * b + c < 0:  # a step past the limit is read too, for the vertex alone
        best += ROLL_STEP_DEG * float(np.clip(0.5 * (a - c) / (a - 2 * b + c), -1.0, 1.0))
    shift, _ = _correlation_peak(previous.spectrum,
                                 _turned_spectrum(current.texture, current.spectrum, best),
                                 predictions)
    return translation(shift) @ rotation(best, current.texture.shape), shift


def _turned_spectrum(texture: np.ndarray, spectrum: np.ndarray, roll_deg: float) -> np.ndarray:
    """The spectrum of ``texture`` (whose own is ``spectrum``) turned by ``roll_deg`` about
    its centre."""
    if roll_deg == 0:
        return spectrum
    height, width = texture.shape
    return _spectrum(cv2.warpAffine(texture, rotation(roll_deg, (height, width))[:2],
                                    (width, height), flags=cv2.INTER_LINEAR))


def rotation(roll_deg: float, shape) -> np.ndarray:
    """The homography turning a frame of ``shape`` by ``roll_deg`` about its centre (as
    ``cv2.getRotationMatrix2D`` turns one: counter-clockwise on the screen for a positive
    angle)."""
    height, width = shape
    transform = np.eye(3)
    transform[:2] = cv2.getRotationMatrix2D((width / 2, height / 2), roll_deg, 1.0)
    return transform


def _correlation_peak(previous_spectrum: np.ndarray, current_spectrum: np.ndarray,
                      predictions, radius_px: int = SEARCH_RADIUS_PX):
    """Shift (pixels of the spectra's images) taking the frame of ``current_spectrum`` onto
    that of ``previous_spectrum`` and the height of its peak: the highest correlation peak
    within ``radius_px`` of any of the ``predictions``.

    A hand's sweep is smooth but its jitter is not: a frame can move opposite to the last
    one, twice the jitter away from a prediction made from the last step alone. Searching
    near a few predictions (the last step, the recent mean, no motion) covers that, while
    each search stays local, away from a tile grid's periodic peaks."""
    cross = cv2.mulSpectrums(previous_spectrum, current_spectrum, 0, conjB=True)
    # Half-way to phase-only correlation: sharp enough to pick the right peak, smooth enough
    # for its sub-pixel vertex not to be pulled toward whole pixels.
    # (Divided by OpenCV, the root magnitude given to both parts: NumPy's division of the
    # two-part spectrum by a broadcast root cost twice as much.)
    root = np.sqrt(cv2.magnitude(cross[..., 0], cross[..., 1])) + 1e-6
    cross = cv2.divide(cross, cv2.merge([root, root]))
    surface = cv2.idft(cross, flags=cv2.DFT_REAL_OUTPUT | cv2.DFT_SCALE)
    return max((_peak_near(surface, predicted, radius_px) for predicted in predictions),
               key=lambda found: found[1])


def _peak_near(surface: np.ndarray, predicted, radius_px: int):
    """(shift, height) of the correlation surface's highest point within ``radius_px`` of
    ``predicted``."""
    height, width = surface.shape
    px, py = round(predicted[0]), round(predicted[1])
    offsets = np.arange(-radius_px, radius_px + 1)
    local = surface[np.ix_((py + offsets) % height, (px + offsets) % width)]
    iy, ix = np.unravel_index(int(np.argmax(local)), local.shape)
    dy, dx = _subpixel(local, iy, ix)
    return np.array([px + offsets[ix] + dx, py + offsets[iy] + dy]), float(local[iy, ix])


def _subpixel(local: np.ndarray, iy: int, ix: int) -> tuple[float, float]:
    """Parabolic refinement of a peak along each axis (none at the border)."""
    def vertex(a, b, c):
        denominator = a - 2 * b + c
        return 0.5 * (a - c) / denominator if denominator < 0 else 0.0

    h, w = local.shape
    dy = vertex(local[iy - 1, ix], local[iy, ix], local[iy + 1, ix]) if 0 < iy < h - 1 else 0.0
    dx = vertex(local[iy, ix - 1], local[iy, ix], local[iy, ix + 1]) if 0 < ix < w - 1 else 0.0
    return dy, dx


def translation(shift) -> np.ndarray:
    """The homography moving points by ``shift``."""
    transform = np.eye(3)
    transform[:2, 2] = shift
    return transform


#: An ECC refinement that moves a corner of the frame further than this (registration px)
#: from where the bulk shift put it has slid into a wrong optimum (over low-texture paint,
#: or texture that changed with the lighting: a fixture's shadow from the on-axis ring is not
#: where the lamp's is); the bulk shift then stands. A hand's roll between a frame and its
#: keyframe (a few degrees) moves the corners of a 320 px frame by well under this.
MAX_REFINE_PX = 12.0


def align(template: RegistrationImage, current: RegistrationImage, initial: np.ndarray):
    """Homography (registration px) taking ``current`` points onto ``template`` points.

    Enhanced-correlation (ECC) alignment, started from ``initial``: continuous, so its
    sub-pixel estimate is not pulled toward whole pixels as a correlation peak's vertex is,
    and blind to gain and offset changes. If it does not converge, or moves a corner more
    than ``MAX_REFINE_PX`` from ``initial``, ``initial`` stands.
    """
    # ECC runs at half the registration resolution (its cost is per pixel and per iteration);
    # being continuous, it stays sub-pixel there.
    half = np.diag([0.5, 0.5, 1.0])
    # ECC's warp maps template coordinates to input (current) coordinates.
    warp = (half @ np.linalg.inv(initial) @ np.linalg.inv(half)).astype(np.float32)
    try:
        _, warp = cv2.findTransformECC(template.coarse, current.coarse, warp,
                                       cv2.MOTION_HOMOGRAPHY, ECC_CRITERIA, None, 1)
    except cv2.error:
        return initial
    refined = np.linalg.inv(half) @ np.linalg.inv(warp.astype(float)) @ half
    return refined if _corner_move(initial, refined, current.texture.shape) <= MAX_REFINE_PX \
        else initial


def _corner_move(a: np.ndarray, b: np.ndarray, shape) -> float:
    """The largest distance between where homographies ``a`` and ``b`` put a frame corner."""
    height, width = shape
    xs, ys = np.array([0.0, width, 0.0, width]), np.array([0.0, 0.0, height, height])
    ax, ay = apply(a, xs, ys)
    bx, by = apply(b, xs, ys)
    return float(np.max(np.hypot(ax - bx, ay - by)))


#: A new keyframe once the view has moved this fraction of its width from the current one
#: (or zoomed by this fraction): registering against a keyframe rather than chaining
#: frame-to-frame steps keeps the canvas from drifting, which matters because a distant lens's
#: glint is one pixel and its lock-in is measured at a fixed scene point.
KEYFRAME_MOVE = 0.2


def _moved_far(to_key: np.ndarray, shape) -> bool:
    height, width = shape
    cx, cy = apply(to_key, width / 2, height / 2)
    zoom = abs(np.linalg.det(to_key[:2, :2])) ** 0.5
    return (np.hypot(cx - width / 2, cy - height / 2) > KEYFRAME_MOVE * width
            or abs(zoom - 1.0) > KEYFRAME_MOVE / 2)


@dataclass
class Registrar:
    """Follows the view frame by frame and gives each frame its frame-to-canvas transform.

    The canvas is the first frame's pixel grid (full resolution); ``to_canvas`` is a 3x3
    matrix acting on (x, y, 1). Each frame is aligned to the current keyframe, started from
    the previous frame's alignment moved by the bulk shift between the two frames.
    """

    previous: RegistrationImage | None = None
    keyframe: RegistrationImage | None = None
    key_to_canvas: np.ndarray = field(default_factory=lambda: np.eye(3))
    to_key: np.ndarray = field(default_factory=lambda: np.eye(3))  # registration px
    to_canvas: np.ndarray = field(default_factory=lambda: np.eye(3))
    steps: deque = field(default_factory=lambda: deque(maxlen=RECENT_STEPS))  # last bulk shifts

    def register(self, image: RegistrationImage) -> np.ndarray:
        if self.previous is None:
            self.keyframe = image
        else:
            step, shift = bulk_motion(self.previous, image, self.predictions())
            self.steps.append(shift)
            self.to_key = align(self.keyframe, image, self.to_key @ step)
            scale = np.diag([image.scale, image.scale, 1.0])
            self.to_canvas = self.key_to_canvas @ scale @ self.to_key @ np.linalg.inv(scale)
            if _moved_far(self.to_key, image.texture.shape):
                self.keyframe, self.key_to_canvas = image, self.to_canvas
                self.to_key = np.eye(3)
        self.previous = image
        return self.to_canvas

    def predictions(self) -> list:
        """Where the next bulk shift may lie: the last step, the mean of the last
        ``RECENT_STEPS`` (the sweep without its jitter), and no motion."""
        if not self.steps:
            return [np.zeros(2)]
        return [self.steps[-1], np.mean(self.steps, axis=0), np.zeros(2)]


def apply(transform: np.ndarray, x, y):
    """Map pixel coordinates through a 3x3 homography."""
    w = transform[2, 0] * x + transform[2, 1] * y + transform[2, 2]
    return ((transform[0, 0] * x + transform[0, 1] * y + transform[0, 2]) / w,
            (transform[1, 0] * x + transform[1, 1] * y + transform[1, 2]) / w)
