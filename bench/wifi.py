"""``ansim bench wifi [--json] [--scenes N] [--jobs J]``: Wi-Fi camera figures on simulated
inspections.

Each scene (``bench.wifi_scenes``, BENCHMARK material and seeds from ``BENCHMARK_FIRST_SEED``,
never used to fit anything) is one stall's inspection: a passive survey, then the places
scanned one after another under the rings' code. The whole capture goes through
``rf.wifi.analysis.analyze`` with the switch log and the places' windows, and its first
``PASSIVE_S`` through it without them. Per transmitter the simulator's truth says what it is.

Figures (rates with 95% Wilson intervals, ``*_lower95`` / ``*_upper95``):
- ``responding_recall``: hidden cameras that see the stall, found responding by the end of the
  stall's optical step;
- ``place_accuracy``: of those found, the place named (the best, even when a second is a
  candidate) is the camera's own, the place it is hidden at (where the rings shine into its
  lens; the places it merely sees are not its place);
- ``place_accuracy_stall_code``: the same, with the place the stall's code alone named
  (before the place check, ``rf.wifi.place_check``); ``place_checked``: of those found, the
  place check ran on them; ``own_place_checked``: of those found, the camera's own place
  was one the check pointed at; ``check_s_per_checked_stall`` / ``check_s_per_stall``: seconds
  the check's code added to a stall where it ran / on average over all stalls
  (``stalls_checked`` of them), ``check_s_max`` the most it added to one (at most
  ``rf.wifi.place_check.MAX_CHECK_S``), ``check_rounds_per_checked_stall`` its rounds;
- ``place_named_alone``: of those found, the evidence separated one place from the rest
  (``rf.wifi.place``); ``place_alone_right``: of those, the place is the camera's own;
  ``place_in_candidates``: of those found, the camera's own place is the one named alone or
  one of the two candidates;
- ``false_responding_noncamera``: devices that are not cameras called responding;
- ``false_responding_unseeing``: cameras that cannot see the stall called responding;
- ``false_camera_noncamera``: devices that are not cameras called ``camera``;
- ``passive_recall``: streaming cameras called ``camera`` or ``video_stream`` from the first
  ``PASSIVE_S`` of passive traffic;
- ``frames_per_s_per_core``: frames analysed per second of one process's CPU time (parsing,
  inventory, kinds and lock-in).
"""

import json
import time
from multiprocessing import Pool

from bench.stats import wilson
from bench.wifi_scenes import BENCHMARK_FIRST_SEED, passive_part, scenario, training_label
from detector.i18n import t
from rf.wifi.analysis import analyze
from rf.wifi.classify import KindModel
from rf.wifi.oui import default_registry

DEFAULT_SCENES = 220


def add_arguments(parser):
    parser.add_argument("--scenes", type=int, default=DEFAULT_SCENES,
                        help=t("bench.arg.wifi.scenes"))
    parser.add_argument("--jobs", type=int, default=2, help=t("bench.arg.jobs", default=2))


def run(args) -> int:
    report = figures(args.scenes, args.jobs)
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0



def scene_rows(seed: int) -> tuple[list[dict], int, float, float, int]:
    """One row per transmitter the simulator knows, the frames analysed, the CPU time, and
    the place check's seconds and rounds."""
    s = scenario(seed, "benchmark")
    registry, model = default_registry(), KindModel.load()
    started = time.process_time()
    survey = analyze(s.times_s, s.packets, registry=registry, model=model, stimulus=s.stimulus,
                     places=s.places, drive=s.drive, check=s.check)
    cpu_s = time.process_time() - started
    passive_times, passive_packets = passive_part(s)
    passive = {r.transmitter.mac: r.kind.kind for r in analyze(
        passive_times, passive_packets, registry=registry, model=model).transmitters}
    rows = []
    for report in survey.transmitters:
        truth = s.truth.get(report.transmitter.mac)
        if truth is None:
            continue
        stimulus = report.stimulus
        rows.append({"seed": seed, "mac": report.transmitter.mac, "truth": truth.kind,
                     "label": training_label(truth), "activity": truth.activity,
                     "sees": truth.sees_stall, "place": truth.place,
                     "kind": report.kind.kind, "confidence": report.kind.confidence,
                     "responds": stimulus.responds, "answered_place": stimulus.place,
                     "candidate_places": list(stimulus.places),
                     "stall_code_place": s.stall_code_places.get(report.transmitter.mac),
                     "checked": stimulus.check is not None,
                     "checked_places": [w.place for w in s.check],
                     "passive_kind": passive.get(report.transmitter.mac)})
    return rows, len(s.times_s), cpu_s, s.check_s, s.check_rounds


def figures(n_scenes: int, jobs: int) -> dict:
    seeds = range(BENCHMARK_FIRST_SEED, BENCHMARK_FIRST_SEED + n_scenes)
    with Pool(jobs) as pool:
        results = pool.map(scene_rows, seeds)
    rows = [r for rs, _, _, _, _ in results for r in rs]
    frames = sum(n for _, n, _, _, _ in results)
    cpu_s = sum(c for _, _, c, _, _ in results)
    check_s = [c for _, _, _, c, _ in results]
    rounds = [n for _, _, _, _, n in results if n]
    cameras = [r for r in rows if r["truth"] == "camera"]
    seeing = [r for r in cameras if r["sees"]]
    found = [r for r in seeing if r["responds"]]
    noncamera = [r for r in rows if r["truth"] != "camera"]
    streaming = [r for r in cameras if r["activity"].startswith("streaming")]
    report = {"scenes": n_scenes, "transmitters": len(rows), "frames": frames}
    _rate(report, "responding_recall", found, seeing)
    _rate(report, "place_accuracy", [r for r in found if r["answered_place"] == r["place"]],
          found)
    _rate(report, "place_accuracy_stall_code",
          [r for r in found if r["stall_code_place"] == r["place"]], found)
    _rate(report, "place_checked", [r for r in found if r["checked"]], found)
    _rate(report, "own_place_checked",
          [r for r in found if r["checked"] and r["place"] in r["checked_places"]], found)
    checked = [c for c in check_s if c > 0]
    report["stalls_checked"] = len(checked)
    report["check_s_per_checked_stall"] = round(sum(checked) / len(checked), 2) if checked \
        else None
    report["check_s_per_stall"] = round(sum(check_s) / len(check_s), 2)
    report["check_s_max"] = round(max(check_s), 2)
    report["check_rounds_per_checked_stall"] = round(sum(rounds) / len(rounds), 2) if rounds \
        else None
    alone = [r for r in found if len(r["candidate_places"]) == 1]
    _rate(report, "place_named_alone", alone, found)
    _rate(report, "place_alone_right", [r for r in alone if r["answered_place"] == r["place"]],
          alone)
    _rate(report, "place_in_candidates",
          [r for r in found if r["place"] in r["candidate_places"]], found)
    _rate(report, "false_responding_noncamera", [r for r in noncamera if r["responds"]],
          noncamera)
    _rate(report, "false_responding_unseeing",
          [r for r in cameras if not r["sees"] and r["responds"]],
          [r for r in cameras if not r["sees"]])
    _rate(report, "false_camera_noncamera", [r for r in noncamera if r["kind"] == "camera"],
          noncamera)
    _rate(report, "passive_recall",
          [r for r in streaming if r["passive_kind"] in ("camera", "video_stream")], streaming)
    _rate(report, "camera_recall", [r for r in cameras if r["kind"] == "camera"], cameras)
    _rate(report, "video_call_as_camera",
          [r for r in rows if r["activity"] == "video_call" and r["kind"] == "camera"],
          [r for r in rows if r["activity"] == "video_call"])
    report["frames_per_s_per_core"] = round(frames / cpu_s) if cpu_s else None
    report["confidence_bands"] = _reliability(rows)
    return report


def _rate(report: dict, name: str, hits: list, of: list) -> None:
    low, high = wilson(len(hits), len(of))
    report[name] = round(len(hits) / len(of), 4) if of else None
    report[f"{name}_n"] = len(of)
    report[f"{name}_lower95"] = round(low, 4)
    report[f"{name}_upper95"] = round(high, 4)


def _reliability(rows: list[dict]) -> list[dict]:
    """How often the kind was right in each confidence band (the calibration check)."""
    bands = []
    for low, high in ((0.0, 0.6), (0.6, 0.8), (0.8, 0.95), (0.95, 1.01)):
        members = [r for r in rows if low <= r["confidence"] < high]
        right = sum(r["kind"] == r["label"] for r in members)
        bands.append({"confidence": [low, min(high, 1.0)], "n": len(members),
                      "right": round(right / len(members), 4) if members else None})
    return bands
