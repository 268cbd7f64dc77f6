"""``ansim sites import FILE|export|list|fixtures ID``: the registry of restrooms, as CSV, and
each site's known optical fixtures (``fixtures ID`` lists them, ``--remove N`` forgets one).

``import`` adds or updates every site in the file, or (if any row is bad) nothing, listing every
problem with its line and column; importing the same file again changes nothing.
"""

import sys
from pathlib import Path

from ansim.cli.commands._logbook import USER_ERRORS, open_log
from ansim.cli.context import context_from_args
from ansim.cli.output import emit, fail
from detector.i18n import t


def register(subparsers, common):
    parser = subparsers.add_parser("sites", parents=[common], help=t("sites.help"))
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    importing = actions.add_parser("import", parents=[common], help=t("sites.help.import"))
    importing.add_argument("file", metavar="FILE")
    importing.set_defaults(func=_guarded(run_import))
    export = actions.add_parser("export", parents=[common], help=t("sites.help.export"))
    export.add_argument("--output", metavar="FILE", help=t("sites.help.output"))
    export.set_defaults(func=_guarded(run_export))
    listing = actions.add_parser("list", parents=[common], help=t("sites.help.list"))
    listing.set_defaults(func=_guarded(run_list))
    known = actions.add_parser("fixtures", parents=[common], help=t("sites.help.fixtures"))
    known.add_argument("site", metavar="ID", help=t("sites.help.site"))
    known.add_argument("--remove", metavar="N", type=int, help=t("sites.help.remove"))
    known.set_defaults(func=_guarded(run_fixtures))


def _guarded(action):
    def run(args) -> int:
        try:
            return action(args, context_from_args(args))
        except USER_ERRORS as exc:
            return fail(exc)
    return run


def run_import(args, ctx) -> int:
    from detector.engine.sites import import_sites  # noqa: PLC0415 (import cost)

    with open_log(ctx, write=True) as service:
        summary = import_sites(service.store, Path(args.file))
    emit(args, {"added": summary.added, "updated": summary.updated,
                "unchanged": summary.unchanged},
         [t("sites.imported", added=summary.added, updated=summary.updated,
            unchanged=summary.unchanged)])
    return 0


def run_export(args, ctx) -> int:
    from detector.engine.sites import export_sites  # noqa: PLC0415 (import cost)

    with open_log(ctx) as service:
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                count = export_sites(service.store, out)
            print(t("sites.exported", count=count, path=args.output), file=sys.stderr)
        else:
            export_sites(service.store, sys.stdout)
    return 0


def run_list(args, ctx) -> int:
    from detector.engine.sites import list_sites  # noqa: PLC0415 (import cost)

    with open_log(ctx) as service:
        sites = list_sites(service.store)
    lines = [f"{s.id:<18} {s.name}  ({t('sites.stalls', count=s.stalls or 1)})"
             + (f"  {s.address}" if s.address else "") for s in sites] or [t("sites.empty")]
    emit(args, {"sites": [s.to_dict() for s in sites]}, lines)
    return 0


def run_fixtures(args, ctx) -> int:
    from detector.engine.fixtures import list_fixtures, remove_fixture  # noqa: PLC0415 (import cost)

    if args.remove is not None:
        with open_log(ctx, write=True) as service:
            removed = remove_fixture(service.store, args.site, args.remove)
        emit(args, {"removed": removed.to_dict()},
             [t("sites.fixture_removed", id=removed.id, site=removed.site_id,
                stall=removed.stall, place=t(f"inspect.item.{removed.zone}"))])
        return 0
    with open_log(ctx) as service:
        fixtures = list_fixtures(service.store, args.site)
    lines = [t("sites.fixture_line", id=f.id, stall=f.stall, place=t(f"inspect.item.{f.zone}"),
               reason=f.reason, marked_by=f.marked_by, marked_at=f.marked_at,
               record=f.record_id[:8]) for f in fixtures]
    emit(args, {"site": args.site, "fixtures": [f.to_dict() for f in fixtures]},
         lines or [t("sites.fixtures_empty", site=args.site)])
    return 0
