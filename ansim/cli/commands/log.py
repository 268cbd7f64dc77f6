"""``ansim log list|show|export|verify|correct|sync``: read, export, check and correct the signed
log, and upload it to the city hub (``sync``, in ``_sync.py``).

``list`` pages newest first (``--before`` takes the cursor the previous page printed);
``export`` streams CSV or JSON to stdout or ``--output``; ``bundle`` writes one record's
evidence bundle (``detector.log.bundle``: a ZIP checkable with sha256sum and openssl alone);
``verify`` re-checks every hash, link, signature and evidence file and exits 1 naming the first broken record; ``correct`` adds a
correction record (the original never changes).
"""

import argparse
import sys
from pathlib import Path

from ansim.cli.commands import _proof, _sync
from ansim.cli.commands._logbook import USER_ERRORS, alert_text, open_log, verdict_text
from ansim.cli.context import context_from_args
from ansim.cli.output import emit, fail
from detector.engine.checklist import VERDICTS
from detector.i18n import t
from detector.timestamps import local_text, parse_bound


def register(subparsers, common):
    parser = subparsers.add_parser("log", parents=[common], help=t("log.help"))
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    filters = _filter_parser()
    listing = actions.add_parser("list", parents=[common, filters], help=t("log.help.list"))
    listing.add_argument("--limit", type=int, default=50, help=t("log.help.limit"))
    listing.add_argument("--before", metavar="CURSOR", help=t("log.help.before"))
    listing.set_defaults(func=_guarded(run_list))

    show = actions.add_parser("show", parents=[common], help=t("log.help.show"))
    show.add_argument("id", metavar="ID")
    show.set_defaults(func=_guarded(run_show))

    export = actions.add_parser("export", parents=[common, filters], help=t("log.help.export"))
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--output", metavar="FILE", help=t("log.help.output"))
    export.set_defaults(func=_guarded(run_export))

    verify = actions.add_parser("verify", parents=[common], help=t("log.help.verify"))
    verify.set_defaults(func=_guarded(run_verify))

    correct = actions.add_parser("correct", parents=[common], help=t("log.help.correct"))
    correct.add_argument("id", metavar="ID")
    correct.add_argument("--reason", required=True, help=t("log.help.reason"))
    correct.add_argument("--verdict", choices=VERDICTS)
    correct.add_argument("--notified", metavar="WHO", help=t("inspect.help.notified"))
    correct.add_argument("--report-ref", metavar="REF", help=t("inspect.help.report_ref"))
    correct.add_argument("--inspector", required=True, metavar="NAME",
                         help=t("log.help.corrector"))
    correct.set_defaults(func=_guarded(run_correct))

    bundle = actions.add_parser("bundle", parents=[common], help=t("bundle.help"))
    bundle.add_argument("id", metavar="RECORD_ID")
    bundle.add_argument("--output", metavar="FILE", help=t("bundle.help.output"))
    bundle.set_defaults(func=_guarded(run_bundle))

    _sync.register(actions, common, _guarded)


def _filter_parser():
    filters = argparse.ArgumentParser(add_help=False)
    filters.add_argument("--since", metavar="DATE", help=t("log.help.since"))
    filters.add_argument("--until", metavar="DATE", help=t("log.help.until"))
    filters.add_argument("--site", metavar="ID", help=t("log.help.site"))
    filters.add_argument("--verdict", choices=VERDICTS, help=t("log.help.verdict"))
    return filters


def _guarded(action):
    def run(args) -> int:
        try:
            ctx = context_from_args(args)
            return action(args, ctx)
        except USER_ERRORS as exc:
            return fail(exc)
    return run


def _filter(args):
    from detector.log.logquery import LogFilter  # noqa: PLC0415 (import cost)

    return LogFilter(since=parse_bound(args.since) if args.since else None,
                     until=parse_bound(args.until, end=True) if args.until else None,
                     site_id=args.site, verdict=args.verdict)


def run_list(args, ctx) -> int:
    from detector.log.logquery import list_records  # noqa: PLC0415 (import cost)

    with open_log(ctx) as service:
        rows, cursor = list_records(service.store, _filter(args), limit=args.limit,
                                    before=args.before)
    lines = [f"{local_text(r['signed_at'])}  {r['id']}  {r['site_id'] or '-':<16}  "
             f"{_row_outcome(r)}{_proof.presence_flag(r)}" for r in rows] or [t("log.empty")]
    if cursor:
        lines.append(t("log.more", cursor=cursor))
    emit(args, {"records": rows, "next": cursor}, lines)
    return 0


def _row_outcome(row) -> str:
    if row["type"] == "correction":
        return t("log.correction_of", id=row["supersedes"], verdict=verdict_text(row["verdict"]))
    if row["status"] == "interrupted":
        return t("log.status.interrupted")
    return f"{verdict_text(row['verdict'])} ({t('log.alerts', count=row['alert_count'])})"


def run_show(args, ctx) -> int:
    from detector.log import records  # noqa: PLC0415 (import cost)

    with open_log(ctx) as service, service.store.read() as session:
        record = records.get(session, args.id)
        corrections = records.corrections_of(session, args.id)
    data = {**record.to_dict(), "corrections": [c.to_dict() for c in corrections]}
    emit(args, data, _show_lines(record, corrections, service.evidence))
    return 0


def _show_lines(record, corrections, evidence) -> list[str]:
    body = record.body
    if body["type"] == "correction":
        lines = [t("log.show.correction", id=record.id, target=body["supersedes"]),
                 t("log.show.reason", reason=body["reason"])]
    else:
        lines = [t("log.show.inspection", id=record.id, site=body["site"]["name"],
                   site_id=body["site"]["id"]),
                 t("log.show.who", inspector=body["inspector"],
                   started=local_text(body["started_at"]),
                   signed_by=body.get("signed_by") or "-"),
                 t("log.show.coverage", steps=len(body["steps"]),
                   marks=len(body["checklist"]), evidence=len(body["evidence"])),
                 *[f"  {alert_text(a)}" for a in body["alerts"]],
                 *_proof.presence_lines(body), *_proof.place_lines(body, evidence)]
        if body["status"] == "interrupted":
            lines.append(t("log.status.interrupted"))
    lines.append(t("log.show.verdict", verdict=verdict_text(body.get("verdict"))))
    if body.get("escalation"):
        lines.append(t("log.show.escalation", notified=body["escalation"].get("notified", "-"),
                       report_ref=body["escalation"].get("report_ref", "-")))
    lines.append(t("log.show.seal", device=record.device_id, seq=record.seq,
                   signed=local_text(body["signed_at"]), hash=record.record_hash))
    lines += [t("log.show.corrected_by", id=c.id, verdict=verdict_text(c.body.get("verdict")),
                reason=c.body["reason"]) for c in corrections]
    return lines


def run_bundle(args, ctx) -> int:
    from detector.log.bundle import write_bundle  # noqa: PLC0415
    from detector.hub.sync import load_state  # noqa: PLC0415

    path = Path(args.output or f"bundle-{args.id}.zip")
    acked = [int(h["acked_seq"]) for h in load_state(ctx.data_dir).values()
             if isinstance(h, dict) and isinstance(h.get("acked_seq"), int)]
    with open_log(ctx) as service:
        with open(path, "wb") as out:
            names = write_bundle(service.store, service.evidence, args.id, out, acked)
    emit(args, {"path": str(path), "files": names},
         [t("bundle.written", path=path, count=len(names))])
    return 0


def run_export(args, ctx) -> int:
    from detector.log.logquery import export_csv, export_json  # noqa: PLC0415 (import cost)

    writer = export_json if args.format == "json" else export_csv
    with open_log(ctx) as service:
        if args.output:
            with open(Path(args.output), "w", encoding="utf-8", newline="") as out:
                count = writer(service.store, _filter(args), out)
            print(t("log.exported", count=count, path=args.output), file=sys.stderr)
        else:
            writer(service.store, _filter(args), sys.stdout)
    return 0


def run_verify(args, ctx) -> int:
    from detector.log.verify import verify_log  # noqa: PLC0415 (import cost)

    with open_log(ctx) as service:
        report = verify_log(service.store, evidence=service.evidence, local_key=service.signer)
    problems = [str(p) for p in report.problems]
    lines = ([t("log.verify.ok", records=report.records_checked,
                evidence=report.evidence_checked)] if report.ok else
             [t("log.verify.broken", first=problems[0]),
              *[f"  {p}" for p in problems[1:]],
              t("log.verify.count", count=len(problems), records=report.records_checked)])
    emit(args, {"ok": report.ok, "records_checked": report.records_checked,
                "evidence_checked": report.evidence_checked, "problems": problems,
                "first_broken": report.problems[0].record_id if problems else None},
         lines)
    return 0 if report.ok else 1


def run_correct(args, ctx) -> int:
    escalation = {"notified": args.notified, "report_ref": args.report_ref}
    with open_log(ctx, write=True) as service:
        record = service.correct(args.id, args.inspector, reason=args.reason,
                                 verdict=args.verdict,
                                 escalation=escalation if any(escalation.values()) else None)
    emit(args, record.to_dict(), [t("log.corrected", id=record.id, target=args.id)])
    return 0
