"""`ansim scan`: the optical scan of one zone (coded LED rings, glint pipeline, evidence).

Simulated by default when no camera is present (and always with ``--simulate``). ``--save DIR``
records the frames as an ``ansim-capture/1`` directory for replay and ``ansim optics analyze``.
"""

import sys
from pathlib import Path

from ansim.cli.context import context_from_args
from ansim.cli.output import emit, fail, progress
from detector.engine.checklist import ITEMS
from detector.i18n import t
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
    from detector.appliance.backends import open_hardware  # noqa: PLC0415 (import cost)
    from detector.engine.scanning import save_evidence  # noqa: PLC0415 (import cost)

    if args.zone not in ITEMS:  # a scan films one checklist place, real or simulated
        print(t("optics.bad_zone", detail=f"unknown zone {args.zone!r}; zones are "
                f"{', '.join(ITEMS)}"), file=sys.stderr)
        return 2
    ctx = context_from_args(args)
    try:
        session = open_hardware(ctx.profile, simulate=ctx.simulate, seed=args.seed)
    except HardwareError as exc:
        return fail(exc)
    try:
        if not args.json:
            for note in session.notes:
                if note.part != "radio":  # a scan uses the camera and the rings only
                    print(note.text(), file=sys.stderr)
        session.move_to(args.zone)
        outcome = _film(args, session)
    except (HardwareError, OSError, ValueError) as exc:
        return fail(exc)
    finally:
        session.close()
    evidence_dir = Path(args.evidence) if args.evidence else ctx.data_dir / "evidence" / "optics"
    paths = save_evidence(outcome.findings, evidence_dir, f"scan-{args.zone}")
    data = {"zone": args.zone, **outcome.to_dict(), "evidence": paths,
            "capture": args.save}
    emit(args, data, _human_lines(args.zone, outcome, paths))
    return 0


def _film(args, session):
    """Run the scan, recording the frames to ``--save`` as they come."""
    from detector.engine.scanning import run_scan  # noqa: PLC0415 (import cost)
    from hardware.camera.capture_dir import CaptureWriter  # noqa: PLC0415 (import cost)

    camera = session.camera
    writer = None
    bar = progress(total=args.frames, description=t("optics.scanning", zone=args.zone),
                   args=args)

    def on_frame(frame, live):
        nonlocal writer
        if args.save:
            if writer is None:  # the frame says its own pixel format
                writer = CaptureWriter(args.save, camera.width, camera.height,
                                       frame.pixel_format, zone=args.zone,
                                       simulated="camera" in session.simulated_parts)
            writer.write(frame)
        bar.update(1)

    try:
        return run_scan(camera, session.illuminator, n_frames=args.frames, on_frame=on_frame)
    finally:
        bar.close()
        if writer is not None:
            writer.close()


def _human_lines(zone, outcome, paths) -> list[str]:
    lines = [t("optics.scan_done", zone=zone, frames=outcome.n_frames,
               count=len(outcome.findings))]
    for finding, path in zip(outcome.findings, paths):
        lines.append(t(f"optics.finding.{finding.kind}", x=round(finding.x), y=round(finding.y),
                       frame=finding.frame, confidence=round(100 * finding.confidence)))
        lines.append(t("optics.evidence_at", path=path))
    return lines
