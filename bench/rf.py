"""``ansim bench rf``: video recall against in-band SNR, standard accuracy, false video calls on
non-video signals, analysis throughput on one core, and a sweep's processing overhead.

Video comes from Debian's hacktv (real PAL/NTSC television, FM narrow and wide, and AM) and
the simulator's transmitters. The headline is hacktv sending *moving* pictures: three video
files (data/rf/, made with ffmpeg's lavfi sources) through hacktv's own ffmpeg input, in every
mode; its sensitivity curve runs from -12 to +10 dB in-band SNR. hacktv's still test card and
the simulator's transmitters are reported beside it.

Non-video captures come in two sets:
- the confounders the thresholds were designed against (carriers, OFDM with a symbol rate near
  the line rate, FM broadcast, display combs, tones, bursts, noise: ``false_video_rate``);
- a BENCHMARK-ONLY family none of rf/ was shaped on (``bench.rf_benchonly``: DVB-T, digital FPV
  OFDM, DECT, Bluetooth-like hopping, LoRa, radar-like pulses, switch-mode supply combs),
  1,050 captures by default (``false_video_benchonly``), drawn from the seed block
  ``BENCHONLY_SEED_BLOCK``.
The detector's thresholds were designed on ``hardware.sim.rf_training`` (its own non-video
family and moving pictures), never on this module's material: the moving pictures here
(data/rf/) are not the training clips (data/rf/training/).
Every capture is 0.12 s at 2.4 MS/s through the RTL-SDR front end (``hardware.sim.signals``),
read on to ``rf.classify.EXTENDED_CAPTURE_S`` (0.24 s) when the analysis suspects a line comb but
finds no field, and is analysed by ``rf.classify.analyze_capture``, the same path as ``ansim rf
analyze``. Rates carry 95% Wilson intervals (``bench.stats``).
"""

import json
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from bench import rf_benchonly
from bench.stats import rate
from detector.i18n import t
from hardware.sim import signals as sig
from rf.classify import EXTENDED_CAPTURE_S, analyze_capture

SNRS_DB = (-12, -9, -6, -3, 0, 3, 10)  # the moving pictures' sensitivity curve
STILL_SNRS_DB = (-6, 0, 10)  # the still test card and the simulator's transmitters
CONFOUNDER_SNRS_DB = (0, 10, 20, 30)
CAPTURE_S = 0.12
CLIP_S = 0.4  # holds a random window of EXTENDED_CAPTURE_S
#: The benchmark-only family's seeds: ``default_rng([BENCHONLY_SEED_BLOCK, seed, k])``. Block 1
#: (``[seed, 1000 + k]``) was read before the field-comb test was designed and is retired; block
#: 2_026_1205 was drawn fresh after that design and read twice (1 false call in 1,001); the
#: detector then changed (the discriminator's cosine half, the longer look at suspected
#: captures), designed on training material only, so that block is retired too. Block 5_550_811
#: was drawn fresh for that design and run once (1 false call in 1,001, a radar-like burst, not
#: looked into); it is retired as well: after it the design changed (the field must be counted
#: out of the lines: its edges may not all slide along them), designed on training material
#: only (``hardware.sim.rf_training``'s field-gated supply and scanning radar, drawn from the
#: training block), without reading that capture. The block below is drawn fresh for that
#: design and run once; its figures are reported as they come. If a threshold is ever changed
#: after reading its failures, it is retired too.
BENCHONLY_SEED_BLOCK = 8_391_027
TARGETS = {"video_recall_m6db_moving": 0.95, "standard_accuracy": 1.0,
           "false_video_benchonly": 0, "video_recall_at_0db": 0.95, "false_video_rate": 0.01,
           "msps_per_core": 24.0, "sweep_processing_overhead": 0.25}


def add_arguments(parser):
    parser.add_argument("--trials", type=int, default=10,
                        help=t("bench.arg.rf.trials"))
    parser.add_argument("--confounder-trials", type=int, default=10,
                        help=t("bench.arg.rf.confounder_trials"))
    parser.add_argument("--benchonly", type=int, default=150,
                        help=t("bench.arg.rf.benchonly"))
    parser.add_argument("--jobs", type=int, default=2, help=t("bench.arg.jobs", default=2))
    parser.add_argument("--seed", type=int, default=1, help=t("bench.arg.seed", default=1))


def run(args) -> int:
    rng = np.random.default_rng(args.seed)
    timings = []
    video = _video_results(args.seed, args.trials, timings, args.jobs)
    false = _confounder_results(rng, args.confounder_trials, timings)
    benchonly = _benchonly_results(args.seed, args.benchonly, timings, args.jobs)
    sweep = _sweep_overhead()
    report = _report(video, false, benchonly, timings, sweep)
    if args.json:
        print(json.dumps(report))
    else:
        _print_human(report)
    return 0


def _analyse(stream, timings):
    """Analyse the first CAPTURE_S of ``stream`` (EXTENDED_CAPTURE_S of samples through the
    front end), the rest there for ``analyze_capture`` to read on when it suspects a line comb;
    the timing counts the samples it read."""
    n = int(CAPTURE_S * sig.CAPTURE_RATE_HZ)
    read = [n]

    def more(n_more):
        read.append(n_more)
        return stream[n: n + n_more]

    start = time.thread_time()  # CPU time of this thread: one core, whatever else runs
    emitters = analyze_capture(stream[:n], sig.CAPTURE_RATE_HZ, 1.2e9, more=more)
    timings.append((time.thread_time() - start, sum(read)))
    return [e for e in emitters if e.kind == "analog_video"]


def _video_sources() -> list[tuple]:
    """(name, family, standard, moving, recipe) for every video source; ``recipe`` is plain
    data, so a worker process can build the source itself."""
    sources = []
    if sig.hacktv_available():
        for mode in sig.HACKTV_MODES:
            for video in sig.MOVING_VIDEOS:
                sources.append((f"{mode.name} moving {video}", mode.family, mode.standard, True,
                                ("hacktv", mode.name, video)))
            sources.append((f"{mode.name} test card", mode.family, mode.standard, False,
                            ("hacktv", mode.name, None)))
    for standard in ("PAL", "NTSC"):
        for family in ("wide_fm", "narrow_fm", "am"):
            sources.append((f"simulated {standard} {family}", family, standard, False,
                            ("simulated", standard, family)))
    return sources


def _maker(recipe):
    """make(rng) -> an unimpaired capture, for a source's recipe."""
    if recipe[0] == "hacktv":
        mode = next(m for m in sig.HACKTV_MODES if m.name == recipe[1])
        offsets_hz = [0.0]
        if mode.family == "wide_fm":  # slices anywhere across the FM swing
            offsets_hz = list(np.linspace(-0.9, 0.9, 7) * mode.deviation_hz)
        video = sig.MOVING_VIDEOS[recipe[2]] if recipe[2] else None
        slices = sig.hacktv_slices(sig.hacktv_clip(mode, CLIP_S, video), offsets_hz)
        return lambda r: sig.capture_from(slices, r, 200e3, EXTENDED_CAPTURE_S)
    _, standard, family = recipe
    modulation, bandwidth_hz = {"wide_fm": ("video_fm", 18e6), "narrow_fm": ("video_fm", 2.4e6),
                                "am": ("video_am", 6e6)}[family]
    e = sig.emitter(modulation, bandwidth_hz, standard)
    spread_hz = 0.4 * bandwidth_hz if family == "wide_fm" else 200e3
    return lambda r: sig.simulated_capture(e, r, r.uniform(-spread_hz, spread_hz),
                                           EXTENDED_CAPTURE_S)


def _one_video_source(task):
    index, (name, family, standard, moving, recipe), seed, trials = task
    rng = np.random.default_rng([seed, index])
    make = _maker(recipe)
    timings, rows = [], []
    for snr_db in (SNRS_DB if moving else STILL_SNRS_DB):
        found = named = 0
        for _ in range(trials):
            calls = _analyse(sig.through_rtl_sdr(make(rng), snr_db, rng), timings)
            found += bool(calls)
            named += any(c.video_standard == standard for c in calls)
        rows.append({"source": name, "family": family, "standard": standard, "moving": moving,
                     "snr_db": snr_db, "trials": trials, "detected": found,
                     "standard_named": named})
    return rows, timings


def _video_results(seed, trials, timings, jobs):
    tasks = [(k, source, seed, trials) for k, source in enumerate(_video_sources())]
    results = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for rows, times in pool.map(_one_video_source, tasks):
            results += rows
            timings += times
    return results


def _one_benchonly_family(task):
    index, name, seed, n = task
    rng = np.random.default_rng([BENCHONLY_SEED_BLOCK, seed, index])
    make = rf_benchonly.FAMILY[name]
    timings, calls = [], 0
    for k in range(n):
        snr_db = CONFOUNDER_SNRS_DB[k % len(CONFOUNDER_SNRS_DB)]
        calls += bool(_analyse(sig.through_rtl_sdr(make(rng, EXTENDED_CAPTURE_S), snr_db, rng),
                               timings))
    return {"signal": name, "captures": n, "video_calls": calls}, timings


def _benchonly_results(seed, per_family, timings, jobs):
    """False video calls on the benchmark-only family (never used to design a threshold)."""
    tasks = [(k, name, seed, per_family) for k, name in enumerate(rf_benchonly.FAMILY)]
    results = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for row, times in pool.map(_one_benchonly_family, tasks):
            results.append(row)
            timings += times
    return results


def _confounders():
    """(name, make(rng) -> unimpaired capture) for every non-video signal."""
    e = sig.emitter
    long_s = EXTENDED_CAPTURE_S  # the first CAPTURE_S is analysed, the rest read on if need be
    n = int(long_s * sig.CAPTURE_RATE_HZ)
    off = lambda r: r.uniform(-300e3, 300e3)  # noqa: E731
    return [
        ("carrier", lambda r: sig.simulated_capture(e("carrier", 1e3), r, off(r), long_s)),
        ("OFDM 10 MHz, 14 kHz symbols (LTE)",
         lambda r: sig.simulated_capture(e("ofdm", 10e6), r, 0.0, long_s)),
        ("OFDM 1.5 MHz, 15.625 kHz symbols", lambda r: sig.simulated_capture(
            e("ofdm", 1.5e6), r, off(r), long_s, spacing_hz=16.667e3,
            symbol_rate_hz=15.625e3)),
        ("OFDM 2 MHz, 15.734 kHz symbols", lambda r: sig.simulated_capture(
            e("ofdm", 2e6), r, 0.0, long_s, spacing_hz=16.667e3, symbol_rate_hz=15.734e3)),
        ("FM broadcast with 19 kHz pilot",
         lambda r: sig.simulated_capture(e("fm_broadcast", 200e3), r, off(r), long_s)),
        ("display comb 31.47 kHz, 60 Hz frames (VGA)",
         lambda r: sig.display_comb(r, long_s, 31_469.0, 525, off(r))),
        ("display comb 15.7 kHz, no frames",
         lambda r: sig.display_comb(r, long_s, 15_700.0, None, off(r))),
        ("power-supply comb 15.625 kHz, no frames",
         lambda r: sig.display_comb(r, long_s, 15_625.0, None, off(r))),
        ("AM tone at 15.625 kHz", lambda r: sig.am_tone(r, long_s, 15_625.0, off(r))),
        ("bursts every 40 ms (25 Hz)", lambda r: sig.simulated_capture(
            e("burst", 50e3, duty_cycle=0.05), r, off(r), long_s)),
        ("bursts every 10 ms", lambda r: sig.simulated_capture(
            e("burst", 200e3, duty_cycle=0.2), r, off(r), long_s)),
        ("noise only", lambda r: np.zeros(n, np.complex64)),
    ]


def _confounder_results(rng, trials, timings):
    results = []
    for name, make in _confounders():
        snrs = (None,) if name == "noise only" else CONFOUNDER_SNRS_DB
        calls = total = 0
        for snr_db in snrs:
            for _ in range(trials):
                calls += bool(_analyse(sig.through_rtl_sdr(make(rng), snr_db, rng), timings))
                total += 1
        results.append({"signal": name, "captures": total, "video_calls": calls})
    return results


def _sweep_overhead():
    """Processing time over dongle time for the default sweep of the simulated restroom."""
    from detector.engine.sweeping import run_sweep  # noqa: PLC0415
    from hardware.clock import SimulatedClock  # noqa: PLC0415
    from hardware.radio.simulated import SimulatedSource  # noqa: PLC0415
    from hardware.sim.handheld import SimulatedHandheld  # noqa: PLC0415
    from hardware.sim.restroom import build_restroom  # noqa: PLC0415

    scene = build_restroom(seed=1)
    radio = SimulatedSource(SimulatedHandheld(scene, SimulatedClock()), seed=1)
    outcome = run_sweep(radio, band_names=("video_900", "video_1200"))
    camera = scene.hidden_camera_emitters()[0]
    found = [e for e in outcome.emitters if e.kind == "analog_video"
             and abs(e.freq_hz - camera.freq_hz) < e.bandwidth_hz / 2]
    return {"bands": "video_900 + video_1200", "dongle_s": round(outcome.duration_s, 3),
            "processing_s": round(outcome.processing_s, 3),
            "overhead": round(outcome.processing_s / outcome.duration_s, 4),
            "camera_found": bool(found)}


def _report(video, false, benchonly, timings, sweep) -> dict:
    def recall(rows):
        trials = sum(r["trials"] for r in rows)
        return round(sum(r["standard_named"] for r in rows) / trials, 4) if trials else None

    def detected_rate(rows):
        return rate(sum(r["detected"] for r in rows), sum(r["trials"] for r in rows))

    moving = [r for r in video if r["moving"]]
    at_0 = [r for r in video if r["snr_db"] == 0]
    families = sorted({r["family"] for r in video})
    high = [r for r in video if r["snr_db"] >= 0]
    named_high = sum(r["standard_named"] for r in high)
    detected_high = sum(r["detected"] for r in high)
    per_capture_s = np.array([t for t, _ in timings])
    samples = np.array([n for _, n in timings])
    captures = sum(r["captures"] for r in false)
    bench_captures = sum(r["captures"] for r in benchonly)
    bench_calls = sum(r["video_calls"] for r in benchonly)
    curve = {str(s): detected_rate([r for r in moving if r["snr_db"] == s]) for s in SNRS_DB}
    m6 = curve["-6"]
    report = {
        "video_recall_m6db_moving": m6["rate"],
        "video_recall_m6db_moving_lower95": m6["lower95"],
        "video_recall_m6db_moving_upper95": m6["upper95"],
        "video_recall_m6db_moving_captures": m6["trials"],
        "sensitivity_moving": curve,
        "sensitivity_moving_by_family": {
            f: {str(s): detected_rate([r for r in moving if r["family"] == f
                                       and r["snr_db"] == s]) for s in SNRS_DB}
            for f in families},
        "sensitivity_moving_by_standard": {
            std: {str(s): detected_rate([r for r in moving if r["standard"] == std
                                         and r["snr_db"] == s]) for s in SNRS_DB}
            for std in ("PAL", "NTSC")},
        "sensitivity_moving_by_mode": {
            f"{std} {f}": {str(s): detected_rate([r for r in moving if r["standard"] == std
                                                  and r["family"] == f and r["snr_db"] == s])
                           for s in SNRS_DB}
            for std in ("PAL", "NTSC") for f in families},
        "benchonly_seed_block": BENCHONLY_SEED_BLOCK,
        "sensitivity_still_and_simulated": {
            str(s): detected_rate([r for r in video if not r["moving"] and r["snr_db"] == s])
            for s in STILL_SNRS_DB},
        # of the captures at >= 0 dB called video, the share naming the right standard
        "standard_accuracy": round(named_high / detected_high, 4) if detected_high else None,
        "standard_accuracy_interval": rate(named_high, detected_high),
        "standard_accuracy_by_standard": {
            std: rate(sum(r["standard_named"] for r in high if r["standard"] == std),
                      sum(r["detected"] for r in high if r["standard"] == std))
            for std in ("PAL", "NTSC")},
        "false_video_benchonly": bench_calls,
        "benchonly_captures": bench_captures,
        "false_video_benchonly_rate": rate(bench_calls, bench_captures),
        "benchonly": benchonly,
        "video_recall_at_0db": recall(at_0),
        "video_recall_at_0db_by_family": {f: recall([r for r in at_0 if r["family"] == f])
                                          for f in families},
        "video_recall_at_or_above_0db": recall(high),
        "false_video_rate": round(sum(r["video_calls"] for r in false) / captures, 4),
        "false_video_rate_interval": rate(sum(r["video_calls"] for r in false), captures),
        "non_video_captures": captures,
        "msps_per_core": round(float(np.median(samples / per_capture_s)) / 1e6, 1),
        "msps_per_core_mean": round(float(samples.sum() / per_capture_s.sum()) / 1e6, 1),
        "sweep_processing_overhead": sweep["overhead"],
        "sweep": sweep,
        "hacktv": sig.hacktv_available(),
        "video": video,
        "confounders": false,
    }
    report["targets_met"] = {
        "video_recall_m6db_moving": (m6["rate"] or 0) >= TARGETS["video_recall_m6db_moving"],
        "standard_accuracy": report["standard_accuracy"] == TARGETS["standard_accuracy"],
        "false_video_benchonly": bench_calls == 0 and bench_captures >= 1000,
        "video_recall_at_0db": min(report["video_recall_at_0db_by_family"].values())
        >= TARGETS["video_recall_at_0db"],
        "false_video_rate": report["false_video_rate"] <= TARGETS["false_video_rate"],
        "msps_per_core": report["msps_per_core"] >= TARGETS["msps_per_core"],
        "sweep_processing_overhead": sweep["overhead"] < TARGETS["sweep_processing_overhead"],
    }
    return report


def _interval(r) -> str:
    return f"{r['rate']:.3f} [{r['lower95']:.3f}, {r['upper95']:.3f}] of {r['trials']}" \
        if r["trials"] else "-"


def _print_human(report) -> None:
    print("RF benchmark (0.12 s captures at 2.4 MS/s through an RTL-SDR front end, read on to "
          f"{EXTENDED_CAPTURE_S} s when a line comb is suspected)")
    print(f"hacktv signals: {'yes' if report['hacktv'] else 'NO (hacktv not installed)'}")
    print("\nVideo recall (called video) by source and in-band SNR:")
    print(f"  {'source':44s}" + "".join(f"{s:>7d}" for s in SNRS_DB) + "  dB")
    for source in dict.fromkeys(r["source"] for r in report["video"]):
        rows = {r["snr_db"]: r for r in report["video"] if r["source"] == source}
        cells = "".join(f"{rows[s]['detected'] / rows[s]['trials']:7.2f}" if s in rows
                        else f"{'':7s}" for s in SNRS_DB)
        print(f"  {source:44s}{cells}")
    print("\nSensitivity, moving pictures (recall [95% Wilson] of captures):")
    for snr, r in report["sensitivity_moving"].items():
        print(f"  {snr:>4s} dB: {_interval(r)}")
    for title, key in (("by standard", "sensitivity_moving_by_standard"),
                       ("by standard and modulation", "sensitivity_moving_by_mode")):
        print(f"  {title} (recall [95% Wilson]):")
        for group, curve in report[key].items():
            print(f"    {group:16s}" + "  ".join(
                f"{snr}: {r['rate']:.2f} [{r['lower95']:.2f},{r['upper95']:.2f}]"
                for snr, r in curve.items() if r["trials"]))
    print(f"video recall at -6 dB, moving: {report['video_recall_m6db_moving']:.3f} "
          f"[{report['video_recall_m6db_moving_lower95']:.3f}, "
          f"{report['video_recall_m6db_moving_upper95']:.3f}]")
    print(f"standard accuracy at >= 0 dB: {_interval(report['standard_accuracy_interval'])}; "
          + ", ".join(f"{k} {_interval(v)}"
                      for k, v in report["standard_accuracy_by_standard"].items()))
    print(f"video recall at 0 dB (standard named): {report['video_recall_at_0db']:.3f} "
          f"(by family: {report['video_recall_at_0db_by_family']})")
    print("\nFalse video calls, benchmark-only non-video signals:")
    for row in report["benchonly"]:
        print(f"  {row['signal']:44s} {row['video_calls']:3d} / {row['captures']}")
    print(f"false video calls: {report['false_video_benchonly']} of "
          f"{report['benchonly_captures']} "
          f"(rate {_interval(report['false_video_benchonly_rate'])})")
    print("\nFalse video calls, the confounders the thresholds were designed against:")
    for row in report["confounders"]:
        print(f"  {row['signal']:44s} {row['video_calls']:3d} / {row['captures']}")
    print(f"false video rate: {_interval(report['false_video_rate_interval'])}")
    print(f"\nthroughput: {report['msps_per_core']} MS/s on one core (median capture; "
          f"mean {report['msps_per_core_mean']})")
    s = report["sweep"]
    print(f"sweep ({s['bands']}): {s['processing_s']} s processing for {s['dongle_s']} s of "
          f"dongle time = {100 * s['overhead']:.1f} % overhead; camera found: {s['camera_found']}")
    print(f"\ntargets met: {report['targets_met']}")
