"""Simulated inspections' worth of Wi-Fi devices, for the Wi-Fi benchmark and the classifier fit.

One scenario per seed: the simulated restroom's Wi-Fi world (``hardware.sim.wifi_world``: the
hidden camera, continuous or motion-triggered, seeing the stall or facing away, or absent; the
building's AP; passers' phones; a laptop; a smart plug; cameras in two other rooms) captured while
the handheld first surveys for ``LEAD_S`` (beside the RF sweep, no stimulus) and then scans
the stall's places one after another, the rings flickering to each place's code
(``rf.wifi.stimulus``: visible and IR rings on the same drive); the lock-in is given the
code's envelope and the rings' switch log, as the engine gives them.

``material`` picks the encoder traces the cameras' frame sizes come from: ``"training"`` for
fitting (``bench.fit_wifi_classifier``), ``"benchmark"`` for ``ansim bench wifi`` only, and
the two use separate seed blocks (``TRAINING_SEEDS``, ``BENCHMARK_FIRST_SEED``).
"""

from dataclasses import dataclass

import numpy as np

from hardware.sim.restroom import ZONE_TARGETS_M
from hardware.sim.wifi_world import simulate_wifi_scene
from rf.wifi.lockin import MAX_LAG_S, PlaceWindow, StimulusLog
from rf.wifi.stimulus import PLACE_SCAN_S, ring_drive, stall_stimulus

LEAD_S = 12.0
#: Places scanned per scene: the whole stall (the checklist's eight, the hidden camera's among
#: them), because the figure is the decision ready when the stall's optical step ends, and
#: the lock-in accumulates its evidence over every place the camera sees.
PLACES_PER_SCENE = len(ZONE_TARGETS_M)
PASSIVE_S = 10.0
TRAINING_SEEDS = range(0, 100_000)  # TRAINING: the classifier is fitted on these seeds only
BENCHMARK_FIRST_SEED = 500_000  # BENCHMARK: never used to fit or tune anything
HIDDEN_CAMERA = (("continuous", 0.65), ("motion", 0.25), ("none", 0.10))
SEES_STALL_PROBABILITY = 0.8
#: Cameras in other rooms per scene: with two (and the hidden cameras facing away), 220
#: scenes hold ~475 cameras that cannot see the stall, enough for a 95 % upper bound under
#: 0.01 on how often one is called responding when none is.
OTHER_ROOM_CAMERAS = 2


@dataclass
class Scenario:
    seed: int
    times_s: list[float]
    packets: list[bytes]
    truth: dict
    stimulus: StimulusLog
    places: list[PlaceWindow]
    drive: StimulusLog
    start_s: float
    hidden_camera: str


def scenario(seed: int, material: str) -> Scenario:
    rng = np.random.default_rng([seed, 1212])
    zones = [str(p) for p in rng.permutation(list(ZONE_TARGETS_M))]
    camera_zone = zones[0]
    places = [str(p) for p in rng.permutation(zones[:PLACES_PER_SCENE])]
    envelope, windows = stall_stimulus(places, LEAD_S, rng)
    drive = ring_drive(envelope, rng)
    kinds, weights = zip(*HIDDEN_CAMERA)
    hidden = str(rng.choice(kinds, p=weights))
    sees = bool(rng.random() < SEES_STALL_PROBABILITY)
    duration_s = LEAD_S + len(places) * PLACE_SCAN_S + MAX_LAG_S + 1.0
    scene = simulate_wifi_scene(seed, duration_s=duration_s, stimulus_log=drive,
                                ir_stimulus_log=drive,
                                place_log=[(w.start_s, w.place) for w in windows],
                                camera_sees=sees, hidden_camera=hidden, camera_zone=camera_zone,
                                material=material, other_room_cameras=OTHER_ROOM_CAMERAS)
    epoch = scene.epoch_s
    return Scenario(seed, [t for t, _ in scene.packets], [p for _, p in scene.packets],
                    scene.truth,
                    StimulusLog.from_steps([(t + epoch, v) for t, v in envelope]),
                    [PlaceWindow(w.place, w.start_s + epoch, w.end_s + epoch) for w in windows],
                    StimulusLog.from_steps([(t + epoch, v) for t, v in drive]), epoch, hidden)


def passive_part(s: Scenario) -> tuple[list[float], list[bytes]]:
    """The first ``PASSIVE_S`` of the capture (the survey before any stimulus)."""
    end = np.searchsorted(np.asarray(s.times_s), s.start_s + PASSIVE_S)
    return s.times_s[:end], s.packets[:end]


def training_label(truth) -> str:
    """The kind the classifier should say: the simulator's kind, with a phone's video call
    as ``video_stream`` (a sustained video stream upstream that is not a camera's)."""
    if truth.kind == "other" and truth.activity == "video_call":
        return "video_stream"
    return truth.kind
