"""``ansim log list|show|export|verify|correct|sync``: read, export, check and correct the signed
log, and upload it to the city hub (``sync``, in ``_sync.py``).

``list`` pages newest first (``--before`` takes the cursor the previous page printed);
``export`` streams CSV or JSON to stdout or ``--output``; ``bundle`` writes one record's
evidence bundle (``detector.log.bundle``: a ZIP checkable with sha256sum and openssl alone);
``verify`` re-checks every hash, link, signature and evidence file and exits 1 naming the first broken record; ``correct`` adds a
correction record (the original never changes).
"""

import argparse
import io
import sys
from pathlib import Path

from ansim.cli.commands import _proof, _sync
from ansim.cli.commands._logbook import (
    alert_text,
    guarded,
    open_log,
    open_records,
    verdict_text,
)
from ansim.cli.output import emit
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
    listing.set_defaults(func=guarded(run_list))

    show = actions.add_parser("show", parents=[common], help=t("log.help.show"))
    show.add_argument("id", metavar="ID")
    show.set_defaults(func=guarded(run_show))

    export = actions.add_parser("export", parents=[common, filters], help=t("log.help.export"))
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--output", metavar="FILE", help=t("log.help.output"))
    export.set_defaults(func=guarded(run_export))

    verify = actions.add_parser("verify", parents=[common], help=t("log.help.verify"))
    verify.set_defaults(func=guarded(run_verify))

    correct = actions.add_parser("correct", parents=[common], help=t("log.help.correct"))
    correct.add_argument("id", metavar="ID")
    correct.add_argument("--reason", required=True, help=t("log.help.reason"))
    correct.add_argument("--verdict", choices=VERDICTS)
    correct.add_argument("--notified", metavar="WHO", help=t("inspect.help.notified"))
    correct.add_argument("--report-ref", metavar="REF", help=t("inspect.help.report_ref"))
    correct.add_argument("--inspector", required=True, metavar="NAME",
                         help=t("log.help.corrector"))
    correct.set_defaults(func=guarded(run_correct))

    bundle = actions.add_parser("bundle", parents=[common], help=t("bundle.help"))
    bundle.add_argument("id", metavar="RECORD_ID")
    bundle.add_argument("--output", metavar="FILE", help=t("bundle.help.output"))
    bundle.set_defaults(func=guarded(run_bundle))

    _sync.register(actions, common, guarded)


def _filter_parser():
    filters = argparse.ArgumentParser(add_help=False)
    filters.add_argument("--since", metavar="DATE", help=t("log.help.since"))
    filters.add_argument("--until", metavar="DATE", help=t("log.help.until"))
    filters.add_argument("--site", metavar="ID", help=t("log.help.site"))
    filters.add_argument("--verdict", choices=VERDICTS, help=t("log.help.verdict"))
    return filters



def _filter(args):
    from detector.log.logquery import LogFilter  # noqa: PLC0415 (import cost)

    return LogFilter(since=parse_bound(args.since) if args.since else None,
                     until=parse_bound(args.until, end=True) if args.until else None,
                     site_id=args.site, verdict=args.verdict)


def run_list(args, ctx) -> int:
    from detector.log.logquery import list_records  # noqa: PLC0415 (import cost)

    with open_records(ctx) as store:
        rows, cursor = list_records(store, _filter(args), limit=args.limit, before=args.before)
    lines = [f"{t('log.show.number', seq=r['seq']):<10} {local_text(r['signed_at'])}  "
             f"{r['site_id'] or '-':<16}  {_row_outcome(r)}{_proof.presence_flag(r)}  {r['id']}"
             for r in rows] or [t("log.empty")]
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
    """``ID`` is a record's id or its number as people say it (``3`` or ``#3``)."""
    from detector.log import records  # noqa: PLC0415 (import cost)

    with open_log(ctx) as service, service.store.read() as session:
        record_id = _record_id(session, args.id)
        if record_id is None:
            print(t("log.error.no_record", id=args.id), file=sys.stderr)
            return 1
        record = records.get(session, record_id)
        corrections = records.corrections_of(session, record_id)
    data = {**record.to_dict(), "corrections": [c.to_dict() for c in corrections]}
    emit(args, data, _show_lines(record, corrections, service.evidence))
    return 0


def _record_id(session, given: str) -> str | None:
    """The id of the record ``given`` names: an id, or a number on this log (``#3``)."""
    from sqlalchemy import select  # noqa: PLC0415 (import cost)

    from detector.log.storage.models import Record  # noqa: PLC0415 (import cost)

    number = given.removeprefix("#")
    if number.isdigit():
        ids = session.scalars(select(Record.id).where(Record.seq == int(number)).limit(2)).all()
        return ids[0] if len(ids) == 1 else None
    return given if session.scalar(select(Record.id).where(Record.id == given).limit(1)) \
        else None


def _alert_lines(alert: dict) -> list[str]:
    """An alert and, under it, who dismissed it, when and why."""
    lines = [f"  {alert_text(alert)}"]
    dismissed = alert.get("dismissed")
    if dismissed:
        key = "log.show.dismissed_fixture" if dismissed.get("as_fixture") else "log.show.dismissed"
        lines.append(t(key, by=dismissed["by"], at=local_text(dismissed["at"]),
                       reason=dismissed["reason"]))
    return lines


def _procedure_lines(escalation: dict | None) -> list[str]:
    """The found-camera steps done, each with its time and who did it."""
    steps = (escalation or {}).get("procedure") or []
    if not steps:
        return []
    return [t("log.show.procedure"), *[
        t("log.show.procedure_step", at=local_text(d["at"]), by=d["by"],
          step=t(f"web.found.step.{d['step']}")) for d in steps]]


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
                 *[line for a in body["alerts"] for line in _alert_lines(a)],
                 *_proof.presence_lines(body), *_proof.place_lines(body, evidence)]
        if body["status"] == "interrupted":
            lines.append(t("log.status.interrupted"))
    lines.append(t("log.show.verdict", verdict=verdict_text(body.get("verdict"))))
    if body.get("escalation"):
        lines.append(t("log.show.escalation", notified=body["escalation"].get("notified", "-"),
                       report_ref=body["escalation"].get("report_ref", "-")))
        lines += _procedure_lines(body["escalation"])
    lines.append(t("log.show.seal", device=record.device_id, seq=record.seq,
                   signed=local_text(body["signed_at"]), hash=record.record_hash))
    lines += [t("log.show.corrected_by", id=c.id, verdict=verdict_text(c.body.get("verdict")),
                reason=c.body["reason"]) for c in corrections]
    return lines


def run_bundle(args, ctx) -> int:
    from detector.hub.sync import load_state  # noqa: PLC0415
    from detector.log.bundle import write_bundle  # noqa: PLC0415

    path = Path(args.output or f"bundle-{args.id}.zip")
    acked = [int(h["acked_seq"]) for h in load_state(ctx.data_dir).values()
             if isinstance(h, dict) and isinstance(h.get("acked_seq"), int)]
    bundle = io.BytesIO()  # written whole once made: a record that is not there leaves no file
    with open_log(ctx) as service:
        names = write_bundle(service.store, service.evidence, args.id, bundle, acked)
    path.write_bytes(bundle.getvalue())
    emit(args, {"path": str(path), "files": names},
         [t("bundle.written", path=path, count=len(names))])
    return 0


def run_export(args, ctx) -> int:
    from detector.log.logquery import export_csv, export_json  # noqa: PLC0415 (import cost)

    writer = export_json if args.format == "json" else export_csv
    with open_records(ctx) as store:
        if args.output:
            with open(Path(args.output), "w", encoding="utf-8", newline="") as out:
                count = writer(store, _filter(args), out)
            print(t("log.exported", count=count, path=args.output), file=sys.stderr)
        else:
            writer(store, _filter(args), sys.stdout)
    return 0


def run_verify(args, ctx) -> int:
    from detector.hub.sync import load_state as load_sync_state  # noqa: PLC0415 (import cost)
    from detector.log.verify import verify_log  # noqa: PLC0415 (import cost)
    from detector.log.witness import read_witness  # noqa: PLC0415 (import cost)

    with open_log(ctx) as service:
        report = verify_log(service.store, evidence=service.evidence, local_key=service.signer,
                            witness=read_witness(ctx.data_dir),
                            hub_acks=load_sync_state(ctx.data_dir))
    problems = [str(p) for p in report.problems]
    warnings = [str(w) for w in report.warnings]
    lines = ([t("log.verify.ok", records=report.records_checked,
                evidence=report.evidence_checked)] if report.ok else
             [t("log.verify.broken", first=problems[0]),
              *[f"  {p}" for p in problems[1:]],
              t("log.verify.count", count=len(problems), records=report.records_checked)])
    lines += [t("log.verify.warning", warning=w) for w in warnings]
    emit(args, {"ok": report.ok, "records_checked": report.records_checked,
                "evidence_checked": report.evidence_checked, "problems": problems,
                "warnings": warnings,
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
