"""``ansim hub``: the city hub, the same dashboard on PostgreSQL, taking in devices' logs.

``ansim hub --db URL [--host H] [--port P]`` serves it; ``ansim hub enroll-device``,
``devices``, ``revoke``, ``verify`` and ``import-sites`` manage it from the hub's shell.
``--db`` (or ``ANSIM_HUB_DB``) is a SQLAlchemy URL, ``postgresql+psycopg://user@host/db``;
``--data`` holds the hub's evidence files, session key and signing key (default
``~/.local/share/ansim-hub``). See docs/hub.md.
"""

import argparse
import os
import sys
from pathlib import Path

from ansim.cli.commands._logbook import USER_ERRORS
from ansim.cli.commands.serve import port_number
from ansim.cli.context import context_from_args
from ansim.cli.output import emit, fail
from detector.i18n import t

DEFAULT_PORT = 8080
DEFAULT_DATA_DIR = "~/.local/share/ansim-hub"


def register(subparsers, common):
    parser = subparsers.add_parser("hub", parents=[common], help=t("hub.help"))
    parser.add_argument("--db", metavar="URL", default=os.environ.get("ANSIM_HUB_DB"),
                        help=t("hub.help_db"))
    parser.add_argument("--host", default="127.0.0.1", help=t("hub.help_host"))
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help=t("hub.help_port", port=DEFAULT_PORT))
    parser.set_defaults(func=_guarded(run_serve))
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    enrol = actions.add_parser("enroll-device", parents=[common], help=t("hub.help_enrol"))
    _database_option(enrol)
    enrol.add_argument("--public-key", required=True, metavar="HEX", help=t("hub.help_key"))
    enrol.add_argument("--device-id", metavar="ID", help=t("hub.help_device_id"))
    enrol.add_argument("--label", default="", help=t("hub.help_label"))
    enrol.add_argument("--by", default="", metavar="NAME", help=t("hub.help_by"))
    enrol.set_defaults(func=_guarded(run_enrol))

    listing = actions.add_parser("devices", parents=[common], help=t("hub.help_devices"))
    _database_option(listing)
    listing.set_defaults(func=_guarded(run_devices))

    revoke = actions.add_parser("revoke", parents=[common], help=t("hub.help_revoke"))
    _database_option(revoke)
    revoke.add_argument("device_id", metavar="DEVICE")
    revoke.set_defaults(func=_guarded(run_revoke))

    verify = actions.add_parser("verify", parents=[common], help=t("hub.help_verify"))
    _database_option(verify)
    verify.add_argument("--device", metavar="ID", help=t("hub.help_verify_device"))
    verify.set_defaults(func=_guarded(run_verify))

    sites = actions.add_parser("import-sites", parents=[common], help=t("hub.help_sites"))
    _database_option(sites)
    sites.add_argument("file", metavar="FILE")
    sites.set_defaults(func=_guarded(run_import_sites))


def _database_option(parser) -> None:
    # SUPPRESS: a --db given before the action (ansim hub --db URL verify) is kept.
    parser.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=t("hub.help_db"))


def _guarded(action):
    def run(args) -> int:
        if not args.db:
            print(t("hub.needs_db"), file=sys.stderr)
            return 2
        try:
            context_from_args(args)  # the language and a valid profile
            return action(args)
        except USER_ERRORS as exc:
            return fail(exc)
    return run


def _data_dir(args) -> Path:
    return Path(args.data or DEFAULT_DATA_DIR).expanduser()


def _store(args):
    from detector.log.storage import open_store  # noqa: PLC0415

    return open_store(args.db)


def run_serve(args) -> int:
    from web import create_app  # noqa: PLC0415 (Flask loads only for this command)
    from web.server import make_server, server_address, stop, stop_on_signals  # noqa: PLC0415

    data_dir = _data_dir(args)
    app = create_app({"data_dir": data_dir, "profile_path": args.profile,
                      "database_url": args.db})
    server = make_server(app, args.host, args.port)
    host, port = server_address(server)
    stop_on_signals()
    try:  # a stop may come as soon as the first line is out
        print(t("hub.listening", url=f"http://{host}:{port}/", data=str(data_dir)), flush=True)
        if app.extensions["ansim"].setup_code:
            print(t("web.cli.setup_code", code=app.extensions["ansim"].setup_code), flush=True)
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop(app, server)
        app.extensions["ansim"].inspections.close()
    return 0


def run_enrol(args) -> int:
    from detector.hub.devices import enrol_device  # noqa: PLC0415

    with _store(args) as store:
        enrolment = enrol_device(store, args.public_key, label=args.label, by=args.by,
                                 device_id=args.device_id)
    emit(args, {"device_id": enrolment.device_id, "token": enrolment.token,
                "label": enrolment.label},
         [t("hub.enrolled", device=enrolment.device_id, token=enrolment.token)])
    return 0


def run_devices(args) -> int:
    from detector.hub.devices import list_devices  # noqa: PLC0415

    with _store(args) as store:
        devices = list_devices(store)
    lines = [t("hub.device_line", device=d.id, label=d.label or "-", records=d.records,
               head=d.head_seq, last=d.last_upload_at or "-",
               state=t("hub.state.revoked") if d.revoked_at else t("hub.state.active"))
             for d in devices] or [t("hub.no_devices")]
    emit(args, {"devices": [d.to_dict() for d in devices]}, lines)
    return 0


def run_revoke(args) -> int:
    from detector.hub.devices import revoke_device  # noqa: PLC0415

    with _store(args) as store:
        revoke_device(store, args.device_id)
    emit(args, {"device_id": args.device_id, "revoked": True},
         [t("hub.revoked", device=args.device_id)])
    return 0


def run_verify(args) -> int:
    from detector.log.evidence import EvidenceStore  # noqa: PLC0415
    from detector.log.verify import verify_log  # noqa: PLC0415

    with _store(args) as store:
        report = verify_log(store, evidence=EvidenceStore(_data_dir(args) / "evidence"),
                            device_id=args.device)
    problems = [str(p) for p in report.problems]
    lines = ([t("log.verify.ok", records=report.records_checked,
                evidence=report.evidence_checked)] if report.ok else
             [t("log.verify.broken", first=problems[0]), *[f"  {p}" for p in problems[1:]],
              t("log.verify.count", count=len(problems), records=report.records_checked)])
    emit(args, {"ok": report.ok, "records_checked": report.records_checked,
                "evidence_checked": report.evidence_checked, "problems": problems}, lines)
    return 0 if report.ok else 1


def run_import_sites(args) -> int:
    from detector.engine.sites import import_sites  # noqa: PLC0415

    with _store(args) as store:
        summary = import_sites(store, args.file)
    emit(args, {"added": summary.added, "updated": summary.updated,
                "unchanged": summary.unchanged},
         [t("sites.imported", added=summary.added, updated=summary.updated,
            unchanged=summary.unchanged)])
    return 0
