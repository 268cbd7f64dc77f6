"""``ansim sweep``: sweep the bands, classify the emitters, compare with the site's baseline.

Only the radio is opened (the real dongle when present, else the simulated restroom's), so a
sweep never waits for a camera. Evidence is written only when ``--evidence DIR`` is given.
"""

import sys
from pathlib import Path

from ansim.cli.context import context_from_args
from ansim.cli.output import emit, fail, progress
from detector.i18n import t
from hardware.errors import HardwareError


def register(subparsers, common):
    parser = subparsers.add_parser("sweep", parents=[common], help=t("rf.help.sweep"))
    parser.add_argument("--bands", nargs="+", metavar="BAND", help=t("rf.help.bands"))
    parser.add_argument("--sweeps", type=int, default=1, help=t("rf.help.sweeps"))
    parser.add_argument("--baseline", metavar="FILE", help=t("rf.help.baseline"))
    parser.add_argument("--update-baseline", action="store_true",
                        help=t("rf.help.update_baseline"))
    parser.add_argument("--evidence", metavar="DIR", help=t("rf.help.evidence"))
    parser.add_argument("--seed", type=int, default=0, help=t("rf.help.seed"))
    parser.set_defaults(func=run)


def run(args) -> int:
    from detector.engine.sweeping import run_sweep  # noqa: PLC0415 (import cost)
    from rf.baseline import BaselineError, SiteBaseline  # noqa: PLC0415 (import cost)
    from rf.hopplan import HopPlanError  # noqa: PLC0415 (import cost)

    ctx = context_from_args(args)
    bands = tuple(args.bands or ctx.profile.radio.bands)
    try:
        baseline = _load_baseline(args.baseline)
        radio = open_radio(ctx.profile, ctx.simulate, args.seed, quiet=args.json)
        with radio, progress(total=1, description="sweep", args=args) as bar:
            outcome = run_sweep(
                radio, band_names=bands, region=ctx.profile.device.region, baseline=baseline,
                evidence_dir=args.evidence, sweeps=args.sweeps,
                downconverter_lo_hz=ctx.profile.radio.downconverter_lo_hz,
                on_progress=lambda done, total: _advance(bar, done, total))
    except (HopPlanError, BaselineError, HardwareError, OSError) as exc:
        return fail(exc)
    if args.update_baseline and args.baseline:
        baseline = (baseline or SiteBaseline.empty()).updated_with(outcome.spectrum,
                                                                   outcome.emitters)
        Path(args.baseline).write_text(baseline.to_json(), encoding="utf-8")
    data = dict(outcome.to_dict(), bands=list(bands))
    emit(args, data, _lines(outcome, bands, baseline, args))
    return 0


def open_radio(profile, simulate: bool, seed: int, quiet: bool = False):
    """The real RTL-SDR when present (and not ``simulate``), else the simulated restroom's."""
    from detector.appliance.backends import choose_radio  # noqa: PLC0415 (import cost)

    radio, note = choose_radio(profile, simulate)
    if not quiet:
        print(note.text(), file=sys.stderr)
    if radio is not None:
        return radio
    from hardware.clock import SimulatedClock  # noqa: PLC0415 - simulation only
    from hardware.radio.simulated import SimulatedSource  # noqa: PLC0415
    from hardware.sim.handheld import SimulatedHandheld  # noqa: PLC0415
    from hardware.sim.restroom import build_restroom  # noqa: PLC0415

    handheld = SimulatedHandheld(build_restroom(seed), SimulatedClock())
    gain = {} if profile.radio.gain_db is None else {"gain_db": profile.radio.gain_db}
    # the profile's ppm corrects a real dongle; the simulated one draws its own error from seed
    return SimulatedSource(handheld, sample_rate_hz=profile.radio.sample_rate_hz, seed=seed,
                           **gain)


def _advance(bar, done, total):
    bar.total = total
    bar.n = done
    bar.refresh()


def _load_baseline(path):
    from rf.baseline import BaselineError, SiteBaseline  # noqa: PLC0415 (import cost)

    if not path:
        return None
    path = Path(path)
    if not path.exists():
        return SiteBaseline.empty()
    try:
        return SiteBaseline.from_json(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise BaselineError("not UTF-8 text", code="not_utf8", where=path) from None
    except BaselineError as exc:
        raise exc.locate(path) from None


def emitter_line(e) -> str:
    """One translated line describing a classified emitter."""
    if e.kind == "analog_video":
        detail = t("rf.emitter.video_detail", standard=e.video_standard,
                   line_rate_hz=f"{e.line_rate_hz:.1f}", confidence=f"{e.confidence:.2f}")
    elif e.service:
        detail = t("rf.emitter.service_detail", service=e.service)
    else:
        detail = ""
    return t("rf.emitter.line", freq_mhz=f"{e.freq_hz / 1e6:.3f}",
             bandwidth_khz=f"{e.bandwidth_hz / 1e3:.0f}", power_db=f"{e.power_db:.1f}",
             kind=t(f"rf.kind.{e.kind}"), detail=detail)


def _lines(outcome, bands, baseline, args) -> list[str]:
    lines = [t("rf.sweep.title", bands=", ".join(bands), count=len(outcome.emitters),
               duration_s=f"{outcome.duration_s:.1f}")]
    lines += [emitter_line(e) for e in outcome.emitters] or [t("rf.sweep.none")]
    if outcome.comparison is not None:
        c = outcome.comparison
        lines += [t("rf.compare.title", inspections=baseline.inspections if baseline else 0),
                  t("rf.compare.new", count=len(c.new)),
                  t("rf.compare.stronger", count=len(c.stronger)),
                  t("rf.compare.vanished", count=len(c.vanished)),
                  t("rf.compare.friendly", count=len(c.friendly))]
    lines += [t("rf.evidence.saved", path=p) for p in outcome.captures]
    return lines
