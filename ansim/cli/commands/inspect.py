"""``ansim inspect --site ID``: a whole inspection, automatically, on the handheld's hardware
(or the simulated restroom), signed into the log.

The automatic run sweeps the radio, scans every checklist place of every stall, marks each place
from its scan (suspicious when the scan found something a known fixture of the site does not
explain, checked otherwise), takes the verdict
the findings support (found when a lens or video transmitter is confirmed, suspicious when
anything is seen or a place was missed, clear only with full coverage and no findings), and
signs off. It prints the inspection's id and verdict; ``--json`` prints the record's summary.
"""

import argparse
import getpass
import os
import sys

from ansim.cli.commands._logbook import (
    USER_ERRORS,
    alert_text,
    open_log,
    require_log,
    verdict_text,
)
from ansim.cli.context import context_from_args
from ansim.cli.output import emit, fail, progress
from detector.i18n import t


def register(subparsers, common):
    parser = subparsers.add_parser("inspect", parents=[common], help=t("inspect.help"))
    parser.add_argument("--site", required=True, metavar="ID", help=t("inspect.help.site"))
    parser.add_argument("--stalls", type=stall_count, metavar="N", help=t("inspect.help.stalls"))
    parser.add_argument("--inspector", metavar="NAME", help=t("inspect.help.inspector"))
    parser.add_argument("--notified", metavar="WHO", help=t("inspect.help.notified"))
    parser.add_argument("--report-ref", metavar="REF", help=t("inspect.help.report_ref"))
    parser.add_argument("--seed", type=int, default=0, help=t("inspect.help.seed"))
    parser.set_defaults(func=run)


def stall_count(text: str) -> int:
    """``--stalls``: a whole number of stalls, 1 to ``MAX_STALLS`` (0 would check nothing)."""
    from detector.places import MAX_STALLS  # noqa: PLC0415 (import cost)

    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_STALLS:
        raise argparse.ArgumentTypeError(t("inspect.error.stalls", max=MAX_STALLS, value=text))
    return value


def run(args) -> int:
    from detector.appliance.backends import open_hardware  # noqa: PLC0415 (import cost)
    from detector.engine.events import EventBus  # noqa: PLC0415 (import cost)
    from detector.engine.inspections import open_service  # noqa: PLC0415 (import cost)
    from detector.engine.sites import list_sites  # noqa: PLC0415 (import cost)

    try:
        ctx = context_from_args(args)
    except USER_ERRORS as exc:
        return fail(exc)
    # What the inspector typed is checked before the hardware is looked for (seconds).
    missing = require_log(ctx)
    if missing:
        print(missing, file=sys.stderr)
        return 2
    try:
        with open_log(ctx) as log:
            known = any(site.id == args.site for site in list_sites(log.store))
    except USER_ERRORS as exc:
        return fail(exc)
    if not known:
        print(t("inspect.error.unknown_site", site=args.site), file=sys.stderr)
        return 2
    inspector = args.inspector or os.environ.get("ANSIM_INSPECTOR") or getpass.getuser()
    bus = EventBus()
    hardware = service = None
    try:
        hardware = open_hardware(ctx.profile, simulate=ctx.simulate, seed=args.seed)
        service = open_service(ctx.data_dir, hardware=hardware, bus=bus, profile=ctx.profile)
        if not args.json:
            for note in hardware.notes:
                print(note.text(), file=sys.stderr)
        with bus.subscribe(kinds={"alert"}, maxsize=1000) as alerts:
            record = _run(service, args, inspector, lambda: _print_alerts(alerts, args))
    except USER_ERRORS as exc:
        return fail(exc)
    finally:
        if hardware is not None:
            hardware.close()
        if service is not None:
            service.store.close()
    body = record.body
    emit(args, _summary(record), [
        t("inspect.done", id=record.id, site=body["site"]["name"],
          verdict=verdict_text(body["verdict"])),
        *[f"  {alert_text(a)}" for a in body["alerts"]],
        t("inspect.signed", seq=body["seq"], hash=record.record_hash[:16]),
    ])
    return 0


def _run(service, args, inspector, drain_alerts):
    from detector.engine import checklist, fusion  # noqa: PLC0415 (import cost)

    state = service.start(args.site, inspector, stalls=args.stalls)
    places = [(stall, zone) for stall in range(1, state.stalls + 1) for zone in checklist.ITEMS]
    with progress(total=1 + len(places), description=t("inspect.progress"), args=args) as bar:
        service.run_rf_step(state.id)
        drain_alerts()
        bar.update()
        for stall, zone in places:
            state = service.run_optical_step(state.id, stall, zone)
            status, note_key = checklist.automatic_mark(
                fusion.unexplained_findings(state.steps[-1]))
            # The note is signed as its catalogue key, read in the reader's own language.
            state = service.mark(state.id, stall, zone, status, note=note_key)
            drain_alerts()
            bar.update()
    cover = checklist.coverage(state.stalls, state.steps,
                               {(m["stall"], m["item"]): m for m in state.checklist})
    verdict = checklist.suggested_verdict(cover, state.alerts)
    escalation = {"notified": args.notified, "report_ref": args.report_ref}
    service.set_verdict(state.id, verdict,
                        escalation if any(escalation.values()) else None)
    return service.sign_off(state.id, inspector)


def _print_alerts(subscription, args) -> None:
    while (event := subscription.get(timeout_s=0)) is not None:
        if not args.json:
            print(t("inspect.alert_live", text=alert_text(event.data)), file=sys.stderr)


def _summary(record) -> dict:
    body = record.body
    return {"id": record.id, "site_id": body["site"]["id"], "status": body["status"],
            "verdict": body["verdict"], "alerts": body["alerts"], "coverage": body["coverage"],
            "evidence": body["evidence"], "device_id": record.device_id, "seq": record.seq,
            "record_hash": record.record_hash, "signature": record.signature}
