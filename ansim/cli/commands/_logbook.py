"""What ``ansim inspect``, ``ansim log`` and ``ansim sites`` share: the errors they report to
the user, opening the log, and the words for verdicts, places and alerts."""

import sys
from pathlib import Path

from ansim.cli.context import context_from_args
from ansim.cli.output import fail
from detector.errors import DetectorError
from detector.i18n import t
from hardware.errors import HardwareError

#: Errors that are the user's to fix (or to know about): printed, translated, exit code 1.
USER_ERRORS = (DetectorError, HardwareError, ValueError, OSError)


#: Where ``scripts/demo`` keeps its log (suggested when the default data folder has none).
DEMO_DATA_DIR = Path("ansim-data")


def guarded(action, *, needs_log: bool = True):
    """``action(args, ctx)`` as a command: the context resolved from the common options, the
    data folder required to hold a log (unless ``needs_log`` is False), and the user's errors
    printed translated with exit code 1 (a missing log: its sentence and exit code 2)."""
    def run(args) -> int:
        try:
            ctx = context_from_args(args)
            missing = require_log(ctx) if needs_log else None
            if missing:
                print(missing, file=sys.stderr)
                return 2
            return action(args, ctx)
        except USER_ERRORS as exc:
            return fail(exc)
    return run


def require_log(ctx) -> str | None:
    """Why the data folder cannot be used (a translated sentence), or None. Only ``ansim
    sites import`` starts a new log: a mistyped ``--data`` must not silently make a new log
    and a new signing key beside the real ones."""
    from detector.log.storage import DB_FILENAME  # noqa: PLC0415 (import cost)

    if (ctx.data_dir / DB_FILENAME).exists():
        return None
    message = t("cli.error.no_log", data=ctx.data_dir)
    demo = DEMO_DATA_DIR.resolve()
    if demo != ctx.data_dir.resolve() and (demo / DB_FILENAME).exists():
        message += "\n" + t("cli.error.no_log_demo_hint", demo=DEMO_DATA_DIR)
    return message


def open_log(ctx, *, write: bool | None = None):
    """The engine on the data directory's log, without hardware. As the log's writer (always
    with ``write=True``; when no other process is, with ``None``) it first recovers inspections
    a crash cut off; otherwise it reads only."""
    from detector.engine.inspections import open_service  # noqa: PLC0415 (import cost)

    return open_service(ctx.data_dir, write=write)


def open_records(ctx):
    """The log's store, for a command that only reads signed records (``log list``,
    ``export``). The engine, its signing key and evidence store load only when inspections a
    crash cut off are waiting to be sealed (the writer's recovery at open, as ``open_log``
    does); otherwise a listing costs the database and one query."""
    from detector.engine.recovery import has_cut_offs  # noqa: PLC0415 (import cost)
    from detector.log.storage import DB_FILENAME, open_store  # noqa: PLC0415 (import cost)

    store = open_store(ctx.data_dir / DB_FILENAME, write=None)
    if not (store.writable and has_cut_offs(store)):
        return store
    store.close()
    return open_log(ctx).store


def verdict_text(verdict: str | None) -> str:
    return t(f"inspect.verdict.{verdict}") if verdict else t("inspect.verdict.none")


def alert_text(alert: dict) -> str:
    """One sentence for an alert, in the current language."""
    place = t(f"inspect.item.{alert['zone']}") if alert.get("zone") else ""
    freq_mhz = f"{alert['freq_hz'] / 1e6:.1f}" if alert.get("freq_hz") else ""
    params = {"freq_mhz": freq_mhz, "standard": alert.get("video_standard") or "?",
              "stall": alert.get("stall") or "", "place": place,
              "confidence": f"{alert.get('confidence') or 0:.2f}",
              **{k: _dbm(alert.get(k)) for k in ("rssi_dbm", "max_dbm")}}
    return f"[{t('inspect.severity.' + alert['severity'])}] {t(alert['message_key'], **params)}"


def _dbm(value) -> str:
    """A Wi-Fi level for a sentence (``?`` when the capture carried none)."""
    return f"{value:.0f}" if isinstance(value, (int, float)) else "?"
