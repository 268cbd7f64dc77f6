"""What ``ansim inspect``, ``ansim log`` and ``ansim sites`` share: the errors they report to
the user, opening the log, and the words for verdicts, places and alerts."""

from detector.errors import DetectorError
from detector.i18n import t
from hardware.errors import HardwareError

#: Errors that are the user's to fix (or to know about): printed, translated, exit code 1.
USER_ERRORS = (DetectorError, HardwareError, ValueError, OSError)


def open_log(ctx, *, write: bool | None = None):
    """The engine on the data directory's log, without hardware. As the log's writer (always
    with ``write=True``; when no other process is, with ``None``) it first recovers inspections
    a crash cut off; otherwise it reads only."""
    from detector.engine.inspections import open_service  # noqa: PLC0415 (import cost)

    return open_service(ctx.data_dir, write=write)


def verdict_text(verdict: str | None) -> str:
    return t(f"inspect.verdict.{verdict}") if verdict else t("inspect.verdict.none")


def alert_text(alert: dict) -> str:
    """One sentence for an alert, in the current language."""
    place = t(f"inspect.item.{alert['zone']}") if alert.get("zone") else ""
    freq_mhz = f"{alert['freq_hz'] / 1e6:.1f}" if alert.get("freq_hz") else ""
    params = {"freq_mhz": freq_mhz, "standard": alert.get("video_standard") or "?",
              "stall": alert.get("stall") or "", "place": place,
              "confidence": f"{alert.get('confidence') or 0:.2f}"}
    return f"[{t('inspect.severity.' + alert['severity'])}] {t(alert['message_key'], **params)}"
