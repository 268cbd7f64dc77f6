"""``ansim bench wifi_site [--json] [--seeds N] [--jobs J]``: the site's Wi-Fi baseline and the
Wi-Fi proximity meter, on the simulated restroom's Wi-Fi world.

BENCHMARK material: seeds from ``FIRST_SEED`` (apart from the tests' and the fitting's), the
BENCHMARK encoder traces; nothing here is fitted. Every figure comes from the real code:
``detector.engine.wifi_survey.passive_survey`` (channel hopping, ``rf.wifi`` analysis),
``rf.wifi.baseline`` and ``detector.engine.proximity.follow_wifi``.

**Baseline.** Per seed, the building (AP, laptop, plug, the next room's camera, passers' phones
with made-up addresses) is surveyed on two clear visits with the handheld at different points
of its round of the stall (``VISIT_OFFSETS_S``), which make the baseline; a third visit adds the
hidden camera. Figures: ``new_camera_recall`` (the hidden camera called ``new``),
``false_new_known`` (the building's own transmitters called ``new`` or ``stronger`` on the
third visit), ``transient_phones`` (phones' made-up addresses, never judged).

**Proximity.** Per seed, the handheld walks straight from ``START_M`` metres away (the corridor
side) to ``END_M`` from the hidden camera over ``APPROACH_S``, following the camera's RSSI at
``UPDATES_PER_S``. Figures: ``proximity_updates_per_s`` (readings per second of the capture's
clock), ``proximity_analysis_updates_per_s_per_core`` (updates the analysis can make per second
of one core's CPU time, parsing and median; the simulator's own time is not counted),
``proximity_heard`` (updates with a frame of the camera in them), ``meter_rises`` (runs whose
level over the last ``EDGE_S`` beats the first ``EDGE_S`` by ``RISE_LEVEL``),
``level_distance_spearman`` (the median over runs of the rank correlation between distance
and level: -1 is a meter that only ever rises as the inspector closes in), and the mean levels
at the start and the end.

Rates carry 95% Wilson intervals (``bench.stats``).
"""

import json
import time
from multiprocessing import Pool

import numpy as np

from bench.stats import rate
from detector.engine.proximity import follow_wifi
from detector.engine.wifi_survey import passive_survey
from detector.i18n import t
from hardware.clock import SimulatedClock
from hardware.sim import wifi_devices
from hardware.sim.restroom import ZONE_TARGETS_M, build_restroom
from hardware.sim.wifi_world import WifiWorld
from hardware.wifi.simulated import SimulatedCapture
from rf.wifi.baseline import WifiBaseline, observations
from rf.wifi.frames import mac_int, parse_frames
from rf.wifi.proximity import level_from_rssi, window_rssi_dbm

FIRST_SEED = 700_000
DEFAULT_SEEDS = 40
VISIT_OFFSETS_S = (0.0, 41.0, 83.0)
APPROACH_S = 20.0
START_M, END_M = 4.0, 0.3
CORRIDOR_M = np.array([0.45, 1.3, 4.0])  # where the inspector comes from
UPDATES_PER_S = 10
EDGE_S = 2.0
RISE_LEVEL = 0.2


def add_arguments(parser):
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS,
                        help=t("bench.arg.wifi_site.seeds"))
    parser.add_argument("--jobs", type=int, default=2, help=t("bench.arg.jobs", default=2))


def run(args) -> int:
    report = figures(args.seeds, args.jobs)
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0


def _walk(seed: int, offset_s: float):
    scene = build_restroom(seed)
    return lambda t_s: scene.pose_at((t_s + offset_s) % scene.duration_s).position_m


def _visit(seed: int, offset_s: float, camera: bool, zone: str):
    world = WifiWorld(seed, hidden_camera="continuous" if camera else "none", camera_zone=zone,
                      material="benchmark", receiver_at=_walk(seed, offset_s))
    outcome = passive_survey(SimulatedCapture(world, SimulatedClock()))
    return world, [r.to_dict() for r in outcome.survey.transmitters]


def baseline_rows(seed: int) -> dict:
    zone = list(ZONE_TARGETS_M)[seed % len(ZONE_TARGETS_M)]
    baseline = WifiBaseline.empty()
    for offset_s in VISIT_OFFSETS_S[:2]:
        _, heard = _visit(seed, offset_s, False, zone)
        baseline = baseline.updated_with(observations([heard]))
    world, heard = _visit(seed, VISIT_OFFSETS_S[2], True, zone)
    statuses = baseline.compare(heard)
    rows = []
    for tx in heard:
        truth = world.truth.get(tx["mac"])
        if truth is not None:
            rows.append({"hidden_camera": truth.kind == "camera" and truth.place == zone,
                         "status": statuses[tx["mac"]].status})
    return {"rows": rows}


def _camera(world: WifiWorld, zone: str):
    mac = next(m for m, truth in world.truth.items()
               if truth.kind == "camera" and truth.place == zone)
    device = next(d for d in world.devices if wifi_devices.mac_text(d.mac) == mac)
    return mac, device.radio.channel


class _Recording:
    """The capture, keeping each update's frames so the analysis can be timed on its own."""

    def __init__(self, capture):
        self.capture, self.windows = capture, []

    def __getattr__(self, name):
        return getattr(self.capture, name)

    def read(self, duration_s):
        frames = self.capture.read(duration_s)
        self.windows.append(frames)
        return frames


def proximity_run(seed: int) -> dict:
    zone = list(ZONE_TARGETS_M)[seed % len(ZONE_TARGETS_M)]
    target = np.asarray(ZONE_TARGETS_M[zone], dtype=float)
    away = (CORRIDOR_M - target) / np.linalg.norm(CORRIDOR_M - target)

    def distance_m(t_s):
        return START_M + (END_M - START_M) * min(max(t_s / APPROACH_S, 0.0), 1.0)

    world = WifiWorld(seed, camera_zone=zone, material="benchmark",
                      receiver_at=lambda t_s: tuple(target + away * distance_m(t_s)))
    mac, channel = _camera(world, zone)
    clock = SimulatedClock()
    capture = _Recording(SimulatedCapture(world, clock))
    readings = list(follow_wifi(capture, mac, channel=channel, updates_per_s=UPDATES_PER_S,
                                duration_s=APPROACH_S))
    started = time.process_time()
    address = mac_int(mac)
    for frames in capture.windows:
        parsed = parse_frames([f.time_s for f in frames], [f.data for f in frames])
        heard = window_rssi_dbm(parsed, address)
        level_from_rssi(heard if heard is not None else -100.0)
    cpu_s = time.process_time() - started
    t0 = readings[0].t_s - 1.0 / UPDATES_PER_S
    times = np.array([r.t_s - t0 for r in readings])
    levels = np.array([r.level for r in readings])
    distances = np.array([distance_m(t) for t in times])
    first, last = levels[times <= EDGE_S], levels[times >= APPROACH_S - EDGE_S]
    return {"updates": len(readings), "span_s": float(times[-1]),
            "heard": int(sum(r.heard for r in readings)), "cpu_s": cpu_s,
            "start_level": float(first.mean()), "end_level": float(last.mean()),
            "rises": bool(last.mean() - first.mean() >= RISE_LEVEL),
            "spearman": _spearman(distances, levels)}


def _spearman(x, y) -> float:
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    return float(np.corrcoef(rx, ry)[0, 1])


def figures(n_seeds: int, jobs: int) -> dict:
    seeds = list(range(FIRST_SEED, FIRST_SEED + n_seeds))
    with Pool(jobs) as pool:
        sites = pool.map(baseline_rows, seeds)
        runs = pool.map(proximity_run, seeds)
    rows = [r for s in sites for r in s["rows"]]
    cameras = [r for r in rows if r["hidden_camera"]]
    building = [r for r in rows if not r["hidden_camera"] and r["status"] != "transient"]
    updates = sum(r["updates"] for r in runs)
    return {
        "seeds": n_seeds,
        "new_camera_recall": rate(sum(r["status"] == "new" for r in cameras), len(cameras)),
        "false_new_known": rate(sum(r["status"] in ("new", "stronger") for r in building),
                                len(building)),
        "transient_phones": sum(r["status"] == "transient" for r in rows),
        "proximity_updates_per_s": round(updates / sum(r["span_s"] for r in runs), 2),
        "proximity_analysis_updates_per_s_per_core": round(
            updates / max(sum(r["cpu_s"] for r in runs), 1e-9)),
        "proximity_heard": rate(sum(r["heard"] for r in runs), updates),
        "meter_rises": rate(sum(r["rises"] for r in runs), len(runs)),
        "level_distance_spearman": round(float(np.median([r["spearman"] for r in runs])), 3),
        "level_start_mean": round(float(np.mean([r["start_level"] for r in runs])), 3),
        "level_end_mean": round(float(np.mean([r["end_level"] for r in runs])), 3),
    }
