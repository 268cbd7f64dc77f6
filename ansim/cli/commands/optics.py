"""`ansim optics analyze CAPTURE_DIR...`: run the glint pipeline over recorded captures.

With ``--json`` each capture gives one line:
``{"path": ..., "findings": [{"kind", "frame", "x", "y", "radius_px", "confidence"}]}``
(``"error"`` instead of findings for a capture that cannot be read). Each finding's annotated
crop is written under ``--evidence`` (default: the data directory's ``evidence/optics``).

`ansim optics compare REFERENCE_CAPTURE_DIR TODAY_CAPTURE_DIR`: what changed at a place
between two captures of it (``optics.change``), each reduced to its keyframe. With ``--json``:
``{"reference", "today", "aligned": bool, "changes": [{"kind", "x", "y", "radius_px",
"confidence"}]}``, positions in today's frame 0.
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
    compare = actions.add_parser("compare", parents=[common], help=t("change.help.compare"))
    compare.add_argument("reference", metavar="REFERENCE_CAPTURE_DIR")
    compare.add_argument("today", metavar="TODAY_CAPTURE_DIR")
    compare.set_defaults(func=run_compare)


def run_compare(args) -> int:
    from hardware.camera.capture_dir import load_frames  # noqa: PLC0415 (import cost)
    from optics.change import compare_keyframes  # noqa: PLC0415 (import cost)
    from optics.keyframe import keyframe_from_images  # noqa: PLC0415 (import cost)

    try:
        keyframes = [keyframe_from_images(f.image for f in load_frames(path))
                     for path in (args.reference, args.today)]
    except RecordingError as exc:
        print(describe_error(exc), file=sys.stderr)
        return 1
    comparison = compare_keyframes(keyframes[0].image, keyframes[1].image)
    today = keyframes[1]
    scale = today.frame_width / keyframes[1].image.shape[1]
    changes = []
    for change in comparison.changes:
        x, y = today.to_frame0(change.x, change.y)
        changes.append({"kind": change.kind, "x": round(x, 2), "y": round(y, 2),
                        "radius_px": round(change.radius_px * scale, 2),
                        "confidence": round(change.confidence, 3)})
    if args.json:
        print(json.dumps({"reference": args.reference, "today": args.today,
                          "aligned": comparison.aligned, "changes": changes},
                         ensure_ascii=False))
        return 0
    if not comparison.aligned:
        print(t("change.not_same_place", reason=t(f"change.reason.{comparison.alignment.reason}")))
        return 0
    print(t("change.compared", count=len(changes)))
    for change in changes:
        print(t(f"change.kind.{change['kind']}", x=round(change["x"]), y=round(change["y"]),
                confidence=round(100 * change["confidence"])))
    return 0


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
