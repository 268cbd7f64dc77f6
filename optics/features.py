"""What a track looks like, as numbers the scoring weighs: lock-in gains, how reliably it
reappears, whether it stays put, and its size and shape at its strongest."""

from dataclasses import dataclass

import cv2
import numpy as np

from optics.colour import led_balance
from optics.lockin import LockIn, fit_lockin
from optics.tracks import Track, rings_dark

SHAPE_HALF_PX = 12


@dataclass(frozen=True)
class Shape:
    """Size and roundness of a glint: the connected pixels above half its peak contrast."""

    radius_px: float  # the larger of the equal-area radius and twice the RMS radius
    roundness: float  # minor / major axis, 1 for a disc
    hollow: bool  # its centre is below half its peak: a ring (a tile's mirror image of the ring)
    faint: bool = False  # no brighter than the noise around it here: no outline to measure


def median(values: np.ndarray) -> float:
    """``np.median`` of a short 1-D array without NaNs (the same middle value, or the same mean
    of the two middle values, in the array's own precision): a track is scored with a handful
    of medians, and ``np.median``'s generality (axes, NaN checks) costs ten times its sort."""
    ordered = np.sort(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return float((ordered[middle - 1] + ordered[middle]) / 2)


def glint_shape(patch: np.ndarray) -> Shape:
    """The shape of the glint at the centre of a grey ``patch`` (odd-sized, uint8)."""
    half = patch.shape[0] // 2
    level = patch.astype(np.float32)
    border = np.concatenate([level[:2].ravel(), level[-2:].ravel(),
                             level[:, :2].ravel(), level[:, -2:].ravel()])
    surface = median(border)
    contrast = level - surface
    noise = 1.4826 * median(np.abs(border - surface))
    window = contrast[half - SHAPE_HALF_PX:half + SHAPE_HALF_PX + 1,
                      half - SHAPE_HALF_PX:half + SHAPE_HALF_PX + 1]
    centre = window[SHAPE_HALF_PX - 1:SHAPE_HALF_PX + 2, SHAPE_HALF_PX - 1:SHAPE_HALF_PX + 2]
    iy, ix = np.unravel_index(int(np.argmax(centre)), centre.shape)
    py, px = SHAPE_HALF_PX - 1 + iy, SHAPE_HALF_PX - 1 + ix
    peak = float(window[py, px])
    if peak <= 4.0 * noise:  # e.g. a glint in a dark hole, no brighter than the wall
        return Shape(0.0, 1.0, False, faint=True)
    mask = (window >= 0.5 * peak).astype(np.uint8)
    _, labels = cv2.connectedComponents(mask, connectivity=8)
    component = labels == labels[py, px]
    ys, xs = np.nonzero(component)
    area = len(xs)
    if area < 3:
        return Shape(float(np.sqrt(area / np.pi)), 1.0, False)
    eigen = np.linalg.eigvalsh(np.cov(np.vstack([xs, ys])) + 1e-6 * np.eye(2))
    cy, cx = int(round(ys.mean())), int(round(xs.mean()))
    hollow = not component[cy, cx]
    radius_px = max(np.sqrt(area / np.pi), 2.0 * np.sqrt(eigen.max()))
    return Shape(float(radius_px), float(np.sqrt(eigen.min() / eigen.max())), bool(hollow))


@dataclass(frozen=True)
class TrackFeatures:
    lockin: LockIn
    on_detect_fraction: float  # of the frames lit by the on-axis ring only
    unlit_detect_fraction: float  # of the frames with the on-axis ring dark
    dark_detect_fraction: float  # of the frames with both rings dark (``rings_dark``)
    n_on_detections: int
    spread_px: float  # median distance of its detections from their median (canvas px)
    slide_px: float  # how far its detections move, start to end, along a straight line
    unlit_background: float  # the surroundings' level with the on-axis ring dark (DN/ms)
    follows_lamp: float  # correlation of its level with its surroundings' in dark frames
    shape: Shape
    glow_balance: float = float("nan")  # its colour (``optics.colour.led_balance``)


def track_features(track: Track, shape: Shape) -> TrackFeatures | None:
    contrast, background, exposure_ms, on, off, detected = track.columns()
    lockin = fit_lockin(contrast, exposure_ms, on, off)
    if lockin is None:
        return None
    on_only = (on > 0.5) & (off < 0.5)
    unlit = on < 0.5
    dark = rings_dark(on, off)
    points = np.array(track.detected_canvas)
    centre = [median(points[:, 0]), median(points[:, 1])]
    spread_px = median(np.hypot(*(points - centre).T))
    frames = np.array([o.frame for o in track.observations if o.detected], dtype=float)
    return TrackFeatures(
        lockin=lockin,
        on_detect_fraction=float(detected[on_only].mean()) if on_only.any() else 0.0,
        unlit_detect_fraction=float(detected[unlit].mean()) if unlit.any() else 0.0,
        dark_detect_fraction=float(detected[dark].mean()) if dark.any() else 0.0,
        n_on_detections=int(detected[on_only].sum()),
        spread_px=spread_px,
        slide_px=_slide(frames, points),
        unlit_background=median(background[unlit] / exposure_ms[unlit])
        if unlit.any() else float("nan"),
        follows_lamp=_lamp_correlation(contrast, background, exposure_ms, on, off),
        shape=shape,
        glow_balance=led_balance(track.glow_colours(), track.core_colours()),
    )


def _slide(frames: np.ndarray, points: np.ndarray) -> float:
    """Distance (canvas px) its detections move over the scan, from a straight-line fit of
    position against frame: a highlight slides steadily over a curved surface as the hand
    moves, where a lens stays put (its detections only scatter)."""
    span = frames.max() - frames.min()
    if len(frames) < 3 or span == 0:
        return 0.0
    # The least-squares slope in closed form (np.polyfit's general solver costs more than the
    # rest of a track's features).
    frame_offsets = frames - frames.mean()
    slopes = frame_offsets @ (points - points.mean(axis=0)) / (frame_offsets @ frame_offsets)
    return float(np.hypot(*slopes) * span)


def _lamp_correlation(contrast, background, exposure_ms, on, off) -> float:
    """How closely a point's level follows the room light in the frames with both rings dark.

    Mains lamps flicker at 100/120 Hz, so the room light differs from frame to frame; a
    reflection of the lamp (a highlight on chrome) rises and falls with the wall around it, a
    self-powered LED does not.
    """
    dark = rings_dark(on, off)
    if dark.sum() < 4:
        return 0.0
    level = contrast[dark] / exposure_ms[dark]
    surroundings = background[dark] / exposure_ms[dark]
    # Pearson's correlation in closed form (np.corrcoef's generality costs ten times this).
    level = level - level.mean()
    surroundings = surroundings - surroundings.mean()
    spread = (level @ level) * (surroundings @ surroundings)
    if spread == 0:
        return 0.0
    return float(np.clip((level @ surroundings) / np.sqrt(spread), -1.0, 1.0))
