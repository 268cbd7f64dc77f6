"""The checklist of places people hide cameras, coverage, and the rules for a verdict.

Every stall has the same items (the zones the optical scan covers, in the order an inspector
walks them). Each item is marked ``checked``, ``suspicious`` or ``not_reachable``. Coverage says
what an inspection has done: the RF sweep, an optical scan of each item of each stall, and a mark
for each. The rules:

- ``clear`` needs complete coverage (RF sweep, every optical scan, every mark), no suspicious
  mark and no alert of medium severity or above, unless an inspector reviewed that alert and
  dismissed it with a reason (a flush sensor's LED is not a night-vision camera); the record
  keeps the alert, the reason and who dismissed it. RF alone never clears a restroom: a camera
  that records to a card emits nothing.
- ``found`` follows a confirmed alert of high severity or above (a lens, a video transmitter).
- ``suspicious`` covers the rest: something seen but not confirmed, or a place left unchecked.
"""

from dataclasses import dataclass

from detector.errors import DetectorError
from detector.log.severity import SEVERITIES

#: The checklist items, which are also the optical scan's zones.
ITEMS = ("door_hook", "paper_holder", "toilet_flush", "bin", "vent", "ceiling_light",
         "screws_holes", "hinges")
MARK_STATUSES = ("checked", "suspicious", "not_reachable")
VERDICTS = ("clear", "suspicious", "found")


class ChecklistError(DetectorError, ValueError):
    """A stall, item, status or verdict that does not exist."""


def check_place(stalls: int, stall: int, item: str) -> None:
    if item not in ITEMS:
        raise ChecklistError(f"unknown checklist item {item!r}; items are {', '.join(ITEMS)}",
                             problem="unknown_item", item=item, items=", ".join(ITEMS))
    if not 1 <= stall <= stalls:
        raise ChecklistError(f"stall {stall} does not exist (this inspection has {stalls})",
                             problem="no_such_stall", stall=stall, stalls=stalls)


def check_status(status: str) -> None:
    if status not in MARK_STATUSES:
        raise ChecklistError(f"unknown mark {status!r}; marks are {', '.join(MARK_STATUSES)}",
                             problem="unknown_mark", mark=status,
                             marks=", ".join(MARK_STATUSES))


@dataclass(frozen=True)
class Coverage:
    """What an inspection has covered, and what it has not."""

    rf_swept: bool
    missing_scans: tuple[tuple[int, str], ...]
    missing_marks: tuple[tuple[int, str], ...]
    suspicious_marks: tuple[tuple[int, str], ...]

    @property
    def complete(self) -> bool:
        return self.rf_swept and not self.missing_scans and not self.missing_marks

    def to_dict(self) -> dict:
        def places(pairs):
            return [{"stall": s, "item": i} for s, i in pairs]
        return {"rf_swept": self.rf_swept, "complete": self.complete,
                "missing_scans": places(self.missing_scans),
                "missing_marks": places(self.missing_marks),
                "suspicious_marks": places(self.suspicious_marks)}


def coverage(stalls: int, steps: list[dict], marks: dict[tuple[int, str], dict]) -> Coverage:
    """Coverage from the completed steps and the latest mark of each place."""
    places = [(s, item) for s in range(1, stalls + 1) for item in ITEMS]
    scanned = {(st["stall"], st["zone"]) for st in steps if st["kind"] == "optical_scan"}
    return Coverage(
        rf_swept=any(st["kind"] == "rf_sweep" for st in steps),
        missing_scans=tuple(p for p in places if p not in scanned),
        missing_marks=tuple(p for p in places if p not in marks),
        suspicious_marks=tuple(p for p in places
                               if marks.get(p, {}).get("status") == "suspicious"),
    )


def at_least(alert: dict, severity: str) -> bool:
    """Whether ``alert`` is at least as severe as ``severity``."""
    return SEVERITIES.index(alert["severity"]) >= SEVERITIES.index(severity)


def verdict_for_alert(alert: dict) -> str:
    """What one standing alert makes of an inspection, the verdict rule in one place: a
    confirmed high or critical alert is "found", any medium or worse "suspicious", a minor one
    leaves it "clear"."""
    if alert.get("confirmed") and at_least(alert, "high"):
        return "found"
    return "suspicious" if at_least(alert, "medium") else "clear"


def standing(alerts: list[dict]) -> list[dict]:
    """The alerts no inspector has dismissed after reviewing them."""
    return [a for a in alerts if not a.get("dismissed")]


def reasons_not_clear(cover: Coverage, alerts: list[dict]) -> list[str]:
    """Why ``clear`` is not allowed (translation keys); empty when it is."""
    reasons = []
    if not cover.rf_swept:
        reasons.append("inspect.reason.no_rf_sweep")
    if cover.missing_scans:
        reasons.append("inspect.reason.missing_scans")
    if cover.missing_marks:
        reasons.append("inspect.reason.missing_marks")
    if cover.suspicious_marks:
        reasons.append("inspect.reason.suspicious_marks")
    if any(verdict_for_alert(a) != "clear" for a in standing(alerts)):
        reasons.append("inspect.reason.alerts")
    return reasons


def suggested_verdict(cover: Coverage, alerts: list[dict]) -> str:
    """The verdict the findings support (what the automatic CLI run records)."""
    if any(verdict_for_alert(a) == "found" for a in standing(alerts)):
        return "found"
    return "suspicious" if reasons_not_clear(cover, alerts) else "clear"


def automatic_mark(findings: list[dict]) -> tuple[str, str]:
    """The mark an automatic run gives a place from its optical scan: status and note key."""
    if findings:
        return "suspicious", "inspect.note.auto_findings"
    return "checked", "inspect.note.auto_clean"
