"""What a phone sees of a step while it runs: the spectrum swept so far, and the optical scan's
status frame by frame.

Both go on the event bus, whose short history (256 events) lets a reconnecting phone catch up,
so they are kept small: a spectrum is thinned to at most ``SCREEN_POINTS`` points (the strongest
reading of each group of bins, so no emitter's peak is lost) and sent ``SPECTRUM_UPDATES`` times
a sweep; an optics status carries the suspects' positions in the frame, never its pixels (these
are pictures from inside restrooms).

Example::

    view = SweepView()
    payload = view.add(hop, done=12, total=190)   # None, or a dict to publish as "spectrum"
    status = optics_status(frame, live, n_frames=48)
"""

import math

import numpy as np

from rf.spectrum import estimate_noise_floor_db, stitch

SCREEN_POINTS = 1024
SPECTRUM_UPDATES = 16
MAX_SUSPECTS = 20


def screen_spectrum(freqs_hz, power_db, noise_floor_db=None, *, group: int | None = None,
                    max_points: int = SCREEN_POINTS) -> dict:
    """A spectrum thinned for a phone's screen: consecutive groups of ``group`` bins (by default
    as few as keep it within ``max_points``), each shown by its strongest reading at the
    group's middle frequency, and the noise floor by its mean over the group."""
    freqs_hz, power_db = np.asarray(freqs_hz), np.asarray(power_db)
    n = len(power_db)
    group = max(group or 1, math.ceil(n / max_points), 1)
    starts = np.arange(0, n, group)
    middles = np.minimum(starts + group // 2, n - 1)
    thinned = {"freqs_hz": np.round(freqs_hz[middles]).astype(np.int64).tolist(),
               "power_db": np.round(np.maximum.reduceat(power_db, starts), 1).tolist()}
    if noise_floor_db is not None:
        sizes = np.diff(np.append(starts, n))
        floor = np.add.reduceat(np.asarray(noise_floor_db, dtype=np.float64), starts) / sizes
        thinned["noise_floor_db"] = np.round(floor, 1).tolist()
    return thinned


class SweepView:
    """Collects one sweep's hops and says when to show the part swept so far.

    The grouping of bins is fixed at the first hop from the sweep's expected size, so every
    update (and the final spectrum thinned the same way) puts a frequency at the same point:
    ``points_total`` is how many points the whole sweep will have.
    """

    def __init__(self, updates: int = SPECTRUM_UPDATES, max_points: int = SCREEN_POINTS):
        self.updates = updates
        self.max_points = max_points
        self._hops = []
        self._group: int | None = None
        self._next_update = 1

    def add(self, hop, done: int, total: int) -> dict | None:
        """Take one hop; return the payload of a ``spectrum`` event when one is due."""
        self._hops.append(hop)
        swept = done
        if self._group is None:
            expected_bins = len(hop.freqs_hz) * total
            self._group = max(math.ceil(expected_bins / self.max_points), 1)
        due = swept * self.updates >= self._next_update * total or swept == total
        if not due:
            return None
        self._next_update = swept * self.updates // total + 1
        return self._payload(swept, total)

    def _payload(self, swept: int, total: int) -> dict:
        freqs_hz, power_db, _, gain_db = stitch(self._hops)
        floor_db, _ = estimate_noise_floor_db(freqs_hz, power_db, gain_db)
        per_hop = len(freqs_hz) / swept
        points_total = math.ceil(max(per_hop * total, len(freqs_hz)) / self._group)
        thinned = screen_spectrum(freqs_hz, power_db, floor_db, group=self._group,
                                  max_points=self.max_points)
        return {**thinned, "points_total": min(points_total, self.max_points),
                "hops_done": swept, "hops_total": total}


def optics_status(frame, live, n_frames: int) -> dict:
    """One scanned frame as the live view shows it: where the suspects are, never the image."""
    height, width = np.shape(frame.image)[:2]
    suspects = [[round(float(x), 1), round(float(y), 1)] for x, y in live.suspects]
    return {"frame": int(live.frame), "n_frames": int(n_frames), "width": int(width),
            "height": int(height), "n_candidates": int(live.n_candidates),
            "n_tracks": int(live.n_tracks), "suspects": suspects[:MAX_SUSPECTS]}
