"""`ansim scan`: the optical scan of one zone (coded LED rings, glint pipeline, evidence).

Simulated by default when no camera is present (and always with ``--simulate``). ``--save DIR``
records the frames as an ``ansim-capture/1`` directory for replay and ``ansim optics analyze``.
"""

import sys
from pathlib import Path

from detector.cli.context import context_from_args
from detector.cli.output import emit, fail, progress
from detector.i18n import t
from detector.optics_session import save_evidence, simulated_session
from detector.scanning import run_scan
from hardware.camera.capture_dir import CaptureWriter
from hardware.errors import HardwareError

DEFAULT_ZONE = "door_hook"


def register(subparsers, common):
    parser = subparsers.add_parser("scan", parents=[common], help=t("optics.help.scan"))
    parser.add_argument("--zone", default=DEFAULT_ZONE, help=t("optics.help.zone"))
    parser.add_argument("--frames", type=int, default=48, help=t("optics.help.frames"))
    parser.add_argument("--save", metavar="DIR", help=t("optics.help.save"))
    parser.add_argument("--evidence", metavar="DIR", help=t("optics.help.evidence"))
    parser.add_argument("--seed", type=int, default=0, help=t("optics.help.seed"))
    parser.set_defaults(func=run)


def run(args) -> int:
    ctx = context_from_args(args)
    if not ctx.simulate:
        # detector.backends.open_hardware will choose the Pi camera when present; it opens the
        # radio too and waits on the simulated radio. Until then: say so, and simulate.
        print(t("cli.simulation_fallback", part=t("part.camera")), file=sys.stderr)
    try:
        camera, illuminator, _ = simulated_session(ctx.profile, args.zone, args.seed)
    except ValueError as exc:
        print(t("optics.bad_zone", detail=str(exc)), file=sys.stderr)
        return 2
    writer = None
    try:
        if args.save:
            writer = CaptureWriter(args.save, camera.width, camera.height, "gray8",
                                   zone=args.zone, simulated=True)
        bar = progress(total=args.frames, description=t("optics.scanning", zone=args.zone),
                       args=args)

        def on_frame(frame, live):
            if writer is not None:
                writer.write(frame)
            bar.update(1)

        outcome = run_scan(camera, illuminator, n_frames=args.frames, on_frame=on_frame)
        bar.close()
    except (HardwareError, OSError) as exc:
        return fail(exc)
    finally:
        if writer is not None:
            writer.close()
        illuminator.close()
    evidence_dir = Path(args.evidence) if args.evidence else ctx.data_dir / "evidence" / "optics"
    paths = save_evidence(outcome.findings, evidence_dir, f"scan-{args.zone}")
    data = {"zone": args.zone, **outcome.to_dict(), "evidence": paths,
            "capture": args.save}
    emit(args, data, _human_lines(args.zone, outcome, paths))
    return 0


def _human_lines(zone, outcome, paths) -> list[str]:
    lines = [t("optics.scan_done", zone=zone, frames=outcome.n_frames,
               count=len(outcome.findings))]
    for finding, path in zip(outcome.findings, paths):
        lines.append(t(f"optics.finding.{finding.kind}", x=round(finding.x), y=round(finding.y),
                       frame=finding.frame, confidence=round(100 * finding.confidence)))
        lines.append(t("optics.evidence_at", path=path))
    return lines
