"""A simulated camera's encoder output, frame by frame, drawn from real libx264 traces.

Encoding 720p for every simulated inspection would take minutes each, so the traces made once
by ``hardware.sim.wifi_encoder`` (sizes and frame types libx264 produced for a rendered scene
under a known per-frame ring light) are reused. ``FrameSizeComposer`` gives the camera's next
frame for the light it sees now by walking a trace of its setting: it takes the trace's next
frame when that frame was encoded in the same situation, and otherwise jumps to a frame that
was. The situation of frame k (``_situation``) is what the encoder's output depends on:

- its place in the GOP (I-frame, first P-frame after it, early P, later P): rate control
  starves the frames after an I-frame;
- the light level (3 bins) and how much it changed since the previous frame (6 bins, finer
  for small changes): a changed picture costs a larger P-frame, a slightly changed one a
  slightly larger one;
- frames since the light last changed (3 bins): auto-exposure keeps changing the picture for
  ~0.5 s after a step.

Walking a trace in order keeps its rate-control dynamics (a burst followed by starved frames)
wherever the simulated stimulus follows the same course as the encoded one; a jump keeps the
frame sizes real but loses that memory. Situations never seen in a trace back off to coarser
ones (``_BACKOFF``).

Material: ``load_traces("training")`` for tests and for fitting the analysis,
``load_traces("benchmark")`` for the benchmark only (see ``wifi_encoder``).
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from hardware.sim.wifi_encoder import (
    BENCHMARK_SCENE_SEEDS,
    CACHE_PATH,
    FPS,
    SETTINGS,
    TRAINING_SCENE_SEEDS,
    EncoderSetting,
)

SPLITS = {"training": TRAINING_SCENE_SEEDS, "benchmark": BENCHMARK_SCENE_SEEDS}
_LEVEL_EDGES = (0.05, 0.5)
#: libx264 spends in proportion to how much the picture changed: small changes stay small.
_CHANGE_EDGES = (0.015, 0.05, 0.12, 0.25, 0.45)
_SINCE_EDGES = (1, 4)  # frames since the light last changed by more than _CHANGED
_CHANGED = 0.015
# How a situation (phase, level, change, since) is coarsened when a trace never saw it.
_BACKOFF = (
    lambda s: s,
    lambda s: s[:3],
    lambda s: (s[0], s[2]),
    lambda s: (s[0],),
)


@dataclass(frozen=True)
class EncoderTrace:
    """One libx264 run: per frame, the ring light the camera saw, the size and the type."""

    split: str
    scene_seed: int
    setting: EncoderSetting
    spot: np.ndarray
    size_bytes: np.ndarray
    keyframe: np.ndarray

    @property
    def bitrate_kbps(self) -> float:
        return float(self.size_bytes.sum()) * 8 / (len(self.size_bytes) / FPS) / 1000


@lru_cache(maxsize=2)
def load_traces(split: str) -> tuple[EncoderTrace, ...]:
    """Every cached trace of ``split`` ("training" or "benchmark")."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {sorted(SPLITS)}, not {split!r}")
    traces = []
    with np.load(CACHE_PATH) as cache:
        for seed in SPLITS[split]:
            spot = cache[f"{split}/{seed}/spot_u8"].astype(float) / 255
            for setting in SETTINGS:
                key = f"{split}/{seed}/{setting.name}"
                traces.append(EncoderTrace(split, seed, setting, spot,
                                           cache[f"{key}/size_bytes"].astype(np.int64),
                                           cache[f"{key}/keyframe"]))
    return tuple(traces)


def setting_named(name: str) -> EncoderSetting:
    for setting in SETTINGS:
        if setting.name == name:
            return setting
    raise ValueError(f"no encoder setting {name!r}; settings are {[s.name for s in SETTINGS]}")


class FrameSizeComposer:
    """The next encoded frame (size, keyframe) of a camera, for the light it sees now."""

    def __init__(self, setting: EncoderSetting, split: str, rng: np.random.Generator):
        traces = [t for t in load_traces(split) if t.setting == setting]
        self.setting = setting
        self.rng = rng
        self._sizes = np.concatenate([t.size_bytes for t in traces])
        self._keyframe = np.concatenate([t.keyframe for t in traces])
        situations = []
        for t in traces:
            situations.extend(_trace_situations(t.spot, setting.gop_frames))
        self._situations = situations
        self._index = [{} for _ in _BACKOFF]
        for i, s in enumerate(situations):
            for level, coarsen in enumerate(_BACKOFF):
                self._index[level].setdefault(coarsen(s), []).append(i)
        self._pointer = int(rng.integers(len(situations)))
        self._frame_index = 0
        self._previous_spot = 0.0
        self._since_change = _SINCE_EDGES[-1]

    def restart_gop(self) -> None:
        """The next frame opens a new GOP (a camera that starts recording on motion)."""
        self._frame_index = 0

    def next_frame(self, spot: float) -> tuple[int, bool]:
        change = abs(spot - self._previous_spot)
        self._since_change = 0 if change > _CHANGED else self._since_change + 1
        self._previous_spot = spot
        phase = _gop_phase(self._frame_index, self.setting.gop_frames)
        situation = _situation(phase, spot, change, self._since_change)
        self._frame_index += 1
        follower = self._pointer + 1
        if follower < len(self._situations) and self._situations[follower] == situation:
            self._pointer = follower
        else:
            self._pointer = self._match(situation)
        return int(self._sizes[self._pointer]), bool(self._keyframe[self._pointer])

    def _match(self, situation) -> int:
        for level, coarsen in enumerate(_BACKOFF):
            candidates = self._index[level].get(coarsen(situation))
            if candidates:
                return candidates[int(self.rng.integers(len(candidates)))]
        raise RuntimeError(f"no trace of {self.setting.name} has a frame of GOP phase "
                           f"{situation[0]}")


def _gop_phase(frame_index: int, gop_frames: int) -> int:
    position = frame_index % gop_frames
    return 0 if position == 0 else 1 if position == 1 else 2 if position < 5 else 3


def _situation(phase, spot, change, since) -> tuple:
    if phase == 0:  # an I-frame's size depends on the picture, not on the last one
        return (0, int(np.searchsorted(_LEVEL_EDGES, spot)), 0, 0)
    return (phase, int(np.searchsorted(_LEVEL_EDGES, spot)),
            int(np.searchsorted(_CHANGE_EDGES, change)),
            int(np.searchsorted(_SINCE_EDGES, since, side="right")))


def _trace_situations(spot: np.ndarray, gop_frames: int) -> list[tuple]:
    out, since, previous = [], _SINCE_EDGES[-1], 0.0
    for k, level in enumerate(spot):
        change = abs(level - previous)
        since = 0 if change > _CHANGED else since + 1
        previous = level
        out.append(_situation(_gop_phase(k, gop_frames), level, change, since))
    return out
