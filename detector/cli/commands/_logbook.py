"""What ``ansim inspect``, ``ansim log`` and ``ansim sites`` share: the errors they report to
the user, opening the log, and the words for verdicts, places and alerts."""

from detector.checklist import ChecklistError
from detector.evidence import EvidenceError
from detector.i18n import t
from detector.inspections import InspectionError, open_service
from detector.profile import ProfileError
from detector.records import RecordError
from detector.signing import SigningError
from detector.sites import SiteImportError
from detector.storage import StoreError
from hardware.errors import HardwareError

#: Errors that are the user's to fix (or to know about): printed, translated, exit code 1.
USER_ERRORS = (StoreError, EvidenceError, SigningError, InspectionError, ChecklistError,
               RecordError, SiteImportError, ProfileError, HardwareError, ValueError, OSError)


def open_log(ctx, *, write: bool | None = None):
    """The engine on the data directory's log, without hardware. As the log's writer (always
    with ``write=True``; when no other process is, with ``None``) it first recovers inspections
    a crash cut off; otherwise it reads only."""
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
