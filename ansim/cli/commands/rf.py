"""``ansim rf analyze FILE... [--json]``: find and classify the emitters in recordings.

Each file gives one result (one JSON object per line with ``--json``). A SigMF recording says
its own rate and frequency; a raw ``.cu8`` file needs ``--rate`` and ``--freq``. The first second
of each recording is analysed. A bad file is reported (naming it and the problem) and the others
are still analysed; the exit code is then 1.
"""

import json
import sys
from pathlib import Path

from ansim.cli.context import context_from_args
from ansim.cli.output import fail
from detector.i18n import t
from hardware.errors import RecordingError

ANALYSED_S = 1.0
_KEYS = ("freq_hz", "bandwidth_hz", "power_db", "kind", "video_standard", "line_rate_hz",
         "confidence")


def register(subparsers, common):
    parser = subparsers.add_parser("rf", parents=[common], help=t("rf.help.rf"))
    actions = parser.add_subparsers(dest="rf_action", required=True, metavar="ACTION")
    analyze = actions.add_parser("analyze", parents=[common], help=t("rf.help.analyze"))
    analyze.add_argument("files", nargs="+", metavar="FILE", help=t("rf.help.files"))
    analyze.add_argument("--rate", type=float, help=t("rf.help.rate"))
    analyze.add_argument("--freq", type=float, help=t("rf.help.freq"))
    analyze.set_defaults(func=run_analyze)


def run_analyze(args) -> int:
    from ansim.cli.commands.sweep import emitter_line  # noqa: PLC0415 (import cost)

    ctx = context_from_args(args)
    status = 0
    for path in args.files:
        try:
            emitters = analyze_file(path, args.rate, args.freq, ctx.profile.device.region)
        except (RecordingError, OSError, ValueError) as exc:
            status = fail(exc)
            continue
        if args.json:
            print(json.dumps({"path": path, "emitters": [
                {k: _plain(getattr(e, k)) for k in _KEYS} for e in emitters]},
                ensure_ascii=False))
        else:
            print(t("rf.analyze.line", path=path, count=len(emitters)))
            for e in emitters:
                print(emitter_line(e))
        sys.stdout.flush()
    return status


def analyze_file(path, rate_hz, freq_hz, region):
    """The classified emitters of the first ANALYSED_S of one recording."""
    from hardware.radio.replay import open_recording  # noqa: PLC0415 (import cost)
    from rf.classify import analyze_capture  # noqa: PLC0415 (import cost)

    if _is_sigmf(path):
        rate_hz = freq_hz = None  # a SigMF recording says its own
    recording = open_recording(path, rate_hz, freq_hz)
    n = min(recording.n_samples, int(ANALYSED_S * recording.sample_rate_hz))
    if n < 4096:
        raise RecordingError(path, f"only {n} samples: too short to analyse (need 4096)",
                             code="too_short", count=n, needed=4096)
    return analyze_capture(recording.block(0, n), recording.sample_rate_hz,
                           recording.center_freq_hz, region=region)


def _is_sigmf(path) -> bool:
    from hardware.radio.sigmf import DATA_SUFFIX, META_SUFFIX  # noqa: PLC0415 (import cost)

    path = Path(path)
    return path.suffix in (META_SUFFIX, DATA_SUFFIX) or Path(f"{path}{META_SUFFIX}").exists()


def _plain(value):
    return value.item() if hasattr(value, "item") else value
