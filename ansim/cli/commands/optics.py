"""`ansim optics analyze CAPTURE_DIR...`: run the glint pipeline over recorded captures.

With ``--json`` each capture gives one line:
``{"path": ..., "findings": [{"kind", "frame", "x", "y", "radius_px", "confidence"}]}``
(``"error"`` instead of findings for a capture that cannot be read). Each finding's annotated
crop is written under ``--evidence`` (default: the data directory's ``evidence/optics``).
"""

import json
import sys
from pathlib import Path

from ansim.cli.context import context_from_args
from detector.i18n import describe_error, t
from hardware.errors import RecordingError


def register(subparsers, common):
    parser = subparsers.add_parser("optics", parents=[common], help=t("optics.help.optics"))
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    analyze = actions.add_parser("analyze", parents=[common], help=t("optics.help.analyze"))
    analyze.add_argument("captures", nargs="+", metavar="CAPTURE_DIR")
    analyze.add_argument("--evidence", metavar="DIR", help=t("optics.help.evidence"))
    analyze.set_defaults(func=run_analyze)


def run_analyze(args) -> int:
    from detector.engine.scanning import save_evidence  # noqa: PLC0415 (import cost)
    from hardware.camera.capture_dir import load_frames  # noqa: PLC0415 (import cost)
    from optics.pipeline import analyze_frames  # noqa: PLC0415 (import cost)

    ctx = context_from_args(args)
    evidence_dir = Path(args.evidence) if args.evidence else ctx.data_dir / "evidence" / "optics"
    exit_code = 0
    for capture in args.captures:
        try:
            findings = analyze_frames(load_frames(capture))
        except RecordingError as exc:
            exit_code = 1
            print(describe_error(exc), file=sys.stderr)
            if args.json:
                print(json.dumps({"path": capture, "error": str(exc)}, ensure_ascii=False))
            continue
        paths = save_evidence(findings, evidence_dir, Path(capture).name)
        if args.json:
            print(json.dumps({"path": capture,
                              "findings": [f.to_dict() for f in findings],
                              "evidence": paths}, ensure_ascii=False))
            continue
        print(t("optics.analyzed", path=capture, count=len(findings)))
        for finding, path in zip(findings, paths):
            print(t(f"optics.finding.{finding.kind}", x=round(finding.x), y=round(finding.y),
                    frame=finding.frame, confidence=round(100 * finding.confidence)))
            print(t("optics.evidence_at", path=path))
    return exit_code
