"""Tracks: one spot on the scene (canvas coordinates), followed through the frames.

A candidate joins the track whose canvas position it falls near, or starts a new one. A track
is then measured in every frame it is in view, detected there or not, so its lock-in sees the
dark and off-axis frames too. A lens glint keeps landing on its track (it is anchored to the
wall); a highlight sliding over chrome or a tile's mirror image of the ring lands somewhere new
each frame and leaves a trail of short tracks that are never confirmed.
"""

from dataclasses import dataclass, field

import numpy as np

#: How close (px at 640 px width, scaled with the frame) a detection must be to join a track.
JOIN_RADIUS_PX = 5.0
#: Canvas position follows detections this fast: registration drifts slowly over a scan.
FOLLOW_RATE = 0.4
#: Stop measuring a track after this many frames without a detection (the code lights the
#: on-axis ring at least every fifth frame).
RETIRE_AFTER_FRAMES = 6


@dataclass
class Observation:
    """One frame's measurement of a track (frame pixel coordinates)."""

    frame: int
    on_axis: float
    off_axis: float
    exposure_ms: float
    contrast_dn: float  # the peak near it over its ring (picks the strongest detection)
    level_dn: float  # the weighted level at the track's point over its ring (the lock-in's input)
    background_dn: float  # the level of the surface around it
    x: float
    y: float
    detected: bool


@dataclass
class Track:
    track_id: int
    canvas_x: float
    canvas_y: float
    observations: list[Observation] = field(default_factory=list)
    detected_canvas: list[tuple[float, float]] = field(default_factory=list)
    last_detected_frame: int = -1
    best: Observation | None = None
    best_crop: np.ndarray | None = None

    def observe(self, observation: Observation, canvas_xy=None) -> bool:
        """Record a measurement; returns True when it is the strongest so far."""
        self.observations.append(observation)
        if observation.detected:
            self.last_detected_frame = observation.frame
            self.detected_canvas.append(canvas_xy)
            self.canvas_x += FOLLOW_RATE * (canvas_xy[0] - self.canvas_x)
            self.canvas_y += FOLLOW_RATE * (canvas_xy[1] - self.canvas_y)
        if observation.detected and (self.best is None
                                     or observation.contrast_dn > self.best.contrast_dn):
            self.best = observation
            return True
        return False

    @property
    def n_detections(self) -> int:
        return len(self.detected_canvas)

    def columns(self):
        """The observations as arrays: level, background, exposure, on, off, detected."""
        obs = self.observations
        return (np.array([o.level_dn for o in obs]), np.array([o.background_dn for o in obs]),
                np.array([o.exposure_ms for o in obs]), np.array([o.on_axis for o in obs]),
                np.array([o.off_axis for o in obs]), np.array([o.detected for o in obs]))


def nearest_track(tracks: list[Track], canvas_x: float, canvas_y: float, radius_px: float):
    """The track whose canvas position is nearest, if within ``radius_px``."""
    if not tracks:
        return None
    positions = np.array([(t.canvas_x, t.canvas_y) for t in tracks])
    distances = np.hypot(positions[:, 0] - canvas_x, positions[:, 1] - canvas_y)
    i = int(np.argmin(distances))
    return tracks[i] if distances[i] <= radius_px else None
