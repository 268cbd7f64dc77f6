"""``ansim sites import FILE|export|list|fixtures ID``: the registry of restrooms, as CSV, and
each site's known optical fixtures (``fixtures ID`` lists them, ``--remove N`` forgets one).

``import`` adds or updates every site in the file, or (if any row is bad) nothing, listing every
problem with its line and column; importing the same file again changes nothing.
"""

import sys
from pathlib import Path

from ansim.cli.commands._logbook import guarded, open_log
from ansim.cli.output import emit
from detector.i18n import t


def register(subparsers, common):
    parser = subparsers.add_parser("sites", parents=[common], help=t("sites.help"))
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    importing = actions.add_parser("import", parents=[common], help=t("sites.help.import"))
    importing.add_argument("file", metavar="FILE")
    importing.set_defaults(func=guarded(run_import, needs_log=False))
    export = actions.add_parser("export", parents=[common], help=t("sites.help.export"))
    export.add_argument("--output", metavar="FILE", help=t("sites.help.output"))
    export.set_defaults(func=guarded(run_export))
    listing = actions.add_parser("list", parents=[common], help=t("sites.help.list"))
    listing.set_defaults(func=guarded(run_list))
    known = actions.add_parser("fixtures", parents=[common], help=t("sites.help.fixtures"))
    known.add_argument("site", metavar="ID", help=t("sites.help.site"))
    known.add_argument("--remove", metavar="N", type=int, help=t("sites.help.remove"))
    known.set_defaults(func=guarded(run_fixtures))



def run_import(args, ctx) -> int:
    """Import (this is what starts a new log), then say which sites lack a stall count or a
    schedule: without them an inspection checks one stall and the site is never due."""
    from detector.engine.sites import import_sites, list_sites  # noqa: PLC0415 (import cost)

    with open_log(ctx, write=True) as service:
        summary = import_sites(service.store, Path(args.file))
        incomplete = [s for s in list_sites(service.store) if s.stalls is None or not s.schedule]
    emit(args, {"added": summary.added, "updated": summary.updated,
                "unchanged": summary.unchanged,
                "incomplete": [{"id": s.id, "stalls": s.stalls, "schedule": s.schedule}
                               for s in incomplete]},
         [t("sites.imported", added=summary.added, updated=summary.updated,
            unchanged=summary.unchanged)])
    if not args.json:
        for site in incomplete:
            missing = [t(f"sites.field.{f}") for f in ("stalls", "schedule")
                       if not getattr(site, f)]
            print(t("sites.warn_missing", site=site.id, name=site.name,
                    missing=t("sites.field.and").join(missing)), file=sys.stderr)
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
