"""Simulated inspections' worth of Wi-Fi devices, for the Wi-Fi benchmark and the classifier fit.

One scenario per seed: the simulated restroom's Wi-Fi world (``hardware.sim.wifi_world``: the
hidden camera, continuous or motion-triggered, seeing the stall or facing away, or absent; the
building's AP; passers' phones; a laptop; a smart plug; cameras in two other rooms) captured while
the handheld first surveys for ``LEAD_S`` (beside the RF sweep, no stimulus) and then scans
the stall's places one after another, the rings flickering to each place's code
(``rf.wifi.stimulus``: visible and IR rings on the same drive); the lock-in is given the
code's envelope and the rings' switch log, as the engine gives them. When the stall's code
leaves a transmitter responding, the handheld then runs the place check over the places that
transmitter's answer leaves (``rf.wifi.place_check``, ``rf.wifi.stimulus.check_stimulus``:
the rings dimmed, one place at a time: every place of the stall, then rounds on the leading
places until the best is surely ahead or the cap is reached), as the engine does at the end
of a stall, and the capture goes on through it.

``material`` picks the encoder traces the cameras' frame sizes come from: ``"training"`` for
fitting (``bench.fit_wifi_classifier``), ``"benchmark"`` for ``ansim bench wifi`` only, and
the two use separate seed blocks (``TRAINING_SEEDS``, ``BENCHMARK_FIRST_SEED``).
"""

from dataclasses import dataclass

import numpy as np

from hardware.sim.restroom import ZONE_TARGETS_M
from hardware.sim.wifi_world import WifiWorld
from rf.wifi.analysis import analyze
from rf.wifi.lockin import MAX_LAG_S, StimulusLog
from rf.wifi.place import PlaceWindow
from rf.wifi.stimulus import PLACE_SCAN_S, check_stimulus, ring_drive, stall_stimulus

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
    check: list[PlaceWindow]
    #: Per MAC, the place the stall's code alone named (before the place check).
    stall_code_places: dict[str, str]
    #: The place check's rounds (0 when it did not run).
    check_rounds: int = 0

    @property
    def check_s(self) -> float:
        """Seconds the place check added to the stall."""
        return sum(w.end_s - w.start_s for w in self.check)


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
    world = WifiWorld(seed, hidden_camera=hidden, camera_sees=sees, camera_zone=camera_zone,
                      material=material, other_room_cameras=OTHER_ROOM_CAMERAS)
    epoch = world.epoch_s
    place_log = [(w.start_s, w.place) for w in windows]
    packets = world.advance_to(duration_s, stimulus_log=drive, ir_stimulus_log=drive,
                               place_log=place_log)
    stimulus = _epoch_log(envelope, epoch)
    epoch_windows = _epoch_windows(windows, epoch)

    def survey(check_windows=()):  # the lock-in over what has been captured so far
        return analyze([t for t, _ in packets], [p for _, p in packets], stimulus=stimulus,
                       places=epoch_windows, drive=_epoch_log(drive, epoch),
                       check=_epoch_windows(check_windows, epoch))

    first = survey()
    stall_code_places = {r.transmitter.mac: r.stimulus.place for r in first.transmitters
                         if r.stimulus.responds}
    to_check = first.places_to_check()
    check, check_rng, end_s, rounds = [], np.random.default_rng([seed, 1213]), duration_s, 0
    while to_check:  # round after round until ``next_round`` leaves nothing (sure, or cap)
        _, check_drive, windows = check_stimulus(to_check, end_s, check_rng)
        drive = drive + check_drive
        check += windows
        place_log += [(w.start_s, w.place) for w in windows]
        end_s = check_drive[-1][0] + MAX_LAG_S + 1.0
        packets += world.advance_to(end_s, stimulus_log=drive, ir_stimulus_log=drive,
                                    place_log=place_log)
        rounds += 1
        to_check = survey(check).places_to_check()
    return Scenario(seed, [t for t, _ in packets], [p for _, p in packets], world.truth,
                    stimulus, epoch_windows, _epoch_log(drive, epoch), epoch, hidden,
                    _epoch_windows(check, epoch), stall_code_places, rounds)


def _epoch_log(steps, epoch_s: float) -> StimulusLog:
    return StimulusLog.from_steps([(t + epoch_s, v) for t, v in steps])


def _epoch_windows(windows, epoch_s: float) -> list[PlaceWindow]:
    return [PlaceWindow(w.place, w.start_s + epoch_s, w.end_s + epoch_s) for w in windows]


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
