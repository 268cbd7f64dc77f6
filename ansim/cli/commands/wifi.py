"""``ansim wifi survey`` and ``ansim wifi analyze CAPTURE... [--stimulus STIMULUS.csv] --json``.

``analyze`` reads pcap/pcapng captures (802.11 + radiotap, or plain 802.11) and prints, per
file, every transmitter with its vendor, role, traffic, kind and, given the illuminator's switch
log (``time_s,level`` on the capture's packet clock), whether it answered the light. With
``--json`` each file is one JSON object on its own line. A capture cut off mid-packet is
analysed up to the cut with a warning; a file that cannot be read is reported (naming it and
the problem) and the others are still analysed, with exit code 1.

``survey`` listens live (the monitor-mode adapter, or the simulated restroom with
``--simulate``), hopping over the profile's channels, and prints the inventory.

``follow MAC`` is the proximity meter for one transmitter: parked on its channel, its RSSI,
level (0..1) and the beep interval ten times a second, the same meter as the RF follow mode.
"""

import json
import sys
import warnings
from pathlib import Path

from ansim.cli.output import fail
from detector.i18n import describe_problem, t
from hardware.errors import HardwareError

SURVEY_DWELL_S = 0.5


def register(subparsers, common):
    parser = subparsers.add_parser("wifi", parents=[common], help=t("wifi.help.wifi"))
    actions = parser.add_subparsers(dest="wifi_action", required=True, metavar="ACTION")
    analyze = actions.add_parser("analyze", parents=[common], help=t("wifi.help.analyze"))
    analyze.add_argument("captures", nargs="+", metavar="CAPTURE", help=t("wifi.help.captures"))
    analyze.add_argument("--stimulus", metavar="STIMULUS.csv", help=t("wifi.help.stimulus"))
    analyze.set_defaults(func=run_analyze)
    survey = actions.add_parser("survey", parents=[common], help=t("wifi.help.survey"))
    survey.add_argument("--seconds", type=float, default=20.0, help=t("wifi.help.seconds"))
    survey.add_argument("--interface", default=None, help=t("wifi.help.interface"))
    survey.add_argument("--seed", type=int, default=1, help=t("wifi.help.seed"))
    survey.set_defaults(func=run_survey)
    follow = actions.add_parser("follow", parents=[common], help=t("wifi.help.follow"))
    follow.add_argument("mac", metavar="MAC", help=t("wifi.help.mac"))
    follow.add_argument("--channel", type=int, default=None, help=t("wifi.help.channel"))
    follow.add_argument("--seconds", type=float, default=10.0,
                        help=t("wifi.help.follow_seconds"))
    follow.add_argument("--interface", default=None, help=t("wifi.help.interface"))
    follow.add_argument("--seed", type=int, default=1, help=t("wifi.help.seed"))
    follow.set_defaults(func=run_follow)


def run_analyze(args) -> int:
    from hardware.wifi.errors import TruncatedCaptureWarning  # noqa: PLC0415
    from hardware.wifi.replay import ReplayCapture  # noqa: PLC0415
    from rf.wifi.errors import WifiAnalysisError  # noqa: PLC0415
    from rf.wifi.lockin import parse_stimulus_csv  # noqa: PLC0415

    stimulus = None
    if args.stimulus:
        try:
            stimulus = parse_stimulus_csv(_read_text(args.stimulus), args.stimulus)
        except (WifiAnalysisError, OSError) as exc:
            return fail(exc, 2)
    status = 0
    for path in args.captures:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", TruncatedCaptureWarning)
            try:
                capture = ReplayCapture([path])
            except (HardwareError, OSError) as exc:
                status = fail(exc)
                continue
        cuts = [w.message for w in caught if issubclass(w.category, TruncatedCaptureWarning)]
        for cut in cuts:
            print(t("wifi.analyze.truncated", detail=describe_problem(cut)), file=sys.stderr)
        notes = [str(cut) for cut in cuts]
        try:
            survey = _analyze_frames(capture.frames, stimulus)
        except WifiAnalysisError as exc:
            status = fail(exc.locate(path))
            continue
        _print_survey(args, path, survey, notes)
    return status


def run_survey(args) -> int:
    from hardware.wifi.capture import hop  # noqa: PLC0415

    try:
        capture = _open_capture(args)
    except HardwareError as exc:
        return fail(exc)
    with capture:
        frames = hop(capture, capture.channels, dwell_s=SURVEY_DWELL_S, total_s=args.seconds)
    _print_survey(args, "survey", _analyze_frames(frames, None), [])
    return 0


def run_follow(args) -> int:
    """The proximity meter for one transmitter: its RSSI, level and beep interval, ten times
    a second, on its channel (found by a short survey unless ``--channel`` names it)."""
    from detector.engine.proximity import follow_wifi  # noqa: PLC0415
    from hardware.wifi.capture import hop  # noqa: PLC0415
    from rf.proximity import beep_interval_s  # noqa: PLC0415
    from rf.wifi.errors import WifiAnalysisError  # noqa: PLC0415
    from rf.wifi.frames import mac_int, mac_text  # noqa: PLC0415

    try:
        mac = mac_text(mac_int(args.mac.strip().lower()))
    except (WifiAnalysisError, ValueError):
        print(t("wifi.follow.bad_mac", mac=args.mac), file=sys.stderr)
        return 2
    try:
        capture = _open_capture(args)
    except HardwareError as exc:
        return fail(exc)
    with capture:
        channel = args.channel
        if channel is None:
            frames = hop(capture, capture.channels, dwell_s=SURVEY_DWELL_S,
                         total_s=SURVEY_DWELL_S * len(capture.channels))
            heard = [r.transmitter.channel for r in _analyze_frames(frames, None).transmitters
                     if r.transmitter.mac == mac]
            if not heard or heard[0] is None:
                print(t("wifi.follow.not_heard", mac=mac), file=sys.stderr)
                return 1
            channel = heard[0]
        readings = follow_wifi(capture, mac, channel=channel, duration_s=args.seconds)
        _print_follow(args, mac, channel, readings, beep_interval_s)
    return 0


def _print_follow(args, mac, channel, readings, beep_interval_s) -> None:
    if not args.json:
        print(t("wifi.follow.title", mac=mac, channel=channel))
    start_s = None
    for reading in readings:
        start_s = reading.t_s if start_s is None else start_s
        beep_s = round(beep_interval_s(reading.level), 3)
        if args.json:
            print(json.dumps({"mac": mac, "channel": channel, "t_s": reading.t_s,
                              "rssi_dbm": reading.power_db, "level": reading.level,
                              "heard": reading.heard, "beep_interval_s": beep_s}))
        else:
            print(t("wifi.follow.line", t_s=f"{reading.t_s - start_s:5.1f}",
                    rssi_dbm=f"{reading.power_db:6.1f}", level=f"{reading.level:.2f}",
                    meter=("#" * round(reading.level * 20)).ljust(20), beep_s=beep_s))
        sys.stdout.flush()


def _open_capture(args):
    if args.simulate:
        from hardware.clock import SimulatedClock  # noqa: PLC0415
        from hardware.sim.wifi_world import WifiWorld  # noqa: PLC0415
        from hardware.wifi.simulated import SimulatedCapture  # noqa: PLC0415

        return SimulatedCapture(WifiWorld(args.seed), SimulatedClock())
    from hardware.wifi.live import DEFAULT_INTERFACE, MonitorCapture  # noqa: PLC0415

    return MonitorCapture(args.interface or DEFAULT_INTERFACE)


def _analyze_frames(frames, stimulus):
    from rf.wifi.analysis import analyze  # noqa: PLC0415
    from rf.wifi.errors import WifiAnalysisError  # noqa: PLC0415
    from rf.wifi.oui import default_registry  # noqa: PLC0415

    linktypes = {f.linktype for f in frames}
    if len(linktypes) > 1:
        listed = " ".join(str(linktype) for linktype in sorted(linktypes))
        raise WifiAnalysisError(f"frames of several link types ({listed})",
                                code="several_link_types", linktypes=listed)
    return analyze([f.time_s for f in frames], [f.data for f in frames],
                   linktype=linktypes.pop() if linktypes else 127,
                   registry=default_registry(), stimulus=stimulus)


def _print_survey(args, path, survey, notes):
    if args.json:
        print(json.dumps({"path": path, "frames": survey.n_frames,
                          "skipped": survey.n_skipped, "warnings": notes,
                          "transmitters": [r.to_dict() for r in survey.transmitters]},
                         ensure_ascii=False))
    else:
        print(t("wifi.analyze.title", path=path, count=len(survey.transmitters),
                frames=survey.n_frames))
        for report in survey.transmitters:
            print(_line(report))
    sys.stdout.flush()


def _line(report) -> str:
    tx, kind, s = report.transmitter, report.kind, report.stimulus
    answer = ""
    if s is not None:
        answer = (t("wifi.line.responds", lag_s=s.lag_s, place=s.place or "-",
                    p_value=f"{s.p_value:.1g}") if s.responds else t("wifi.line.silent"))
    return t("wifi.line", mac=tx.mac, vendor=tx.vendor or t("wifi.vendor.unknown")
             + (t("wifi.vendor.randomised") if tx.randomised else ""),
             role=t(f"wifi.role.{tx.role}"), ssid=tx.ssid or "-", channel=tx.channel or "-",
             rssi=tx.rssi.mean_dbm if tx.rssi.mean_dbm is not None else "-",
             up_kbps=round(tx.up_bytes_per_s * 8 / 1000, 1),
             down_kbps=round(tx.down_bytes_per_s * 8 / 1000, 1),
             kind=t(f"wifi.kind.{kind.kind}"), confidence=kind.confidence) + answer


def _read_text(path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        from rf.wifi.errors import StimulusError  # noqa: PLC0415

        raise StimulusError(path, "not UTF-8 text", code="not_utf8") from None
