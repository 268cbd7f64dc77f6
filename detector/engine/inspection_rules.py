"""What the inspection engine takes from people, checked at its door, and how it refuses.

Every front end (the command line, the handheld's buttons, the dashboard) reaches the engine
through ``detector.engine.inspections.InspectionService``; its rules on what it is given live
here, one home each:

- free text (names, notes, reasons) is checked once (``detector.textcheck``: no control or
  invisible characters, a length limit) and stripped: ``checked_field``;
- an escalation holds who was told and the report's reference, nothing else:
  ``checked_escalation``;
- only an IR glow not yet known as a fixture can become one: ``check_fixture_candidate``;
- **never clear on RF alone**: ``clear`` needs what ``checklist.reasons_not_clear`` asks
  (``refuse_unsupported_clear``, whose ``VerdictRefused`` lists what is missing).

Each refusal carries a problem code (``detector.errors.DetectorError``), so it is said in the
user's language.
"""

from detector.engine import checklist, fixtures
from detector.engine.inspection_state import InspectionState, coverage_of
from detector.errors import Conflict, DetectorError, NotFound
from detector.textcheck import UnsafeText, checked_text

NAME_CHARS = 128  # a person's name, who was notified, a report reference
NOTE_CHARS = 2000  # a mark's note, a dismissal's, correction's or cancellation's reason


class InspectionError(DetectorError):
    """An inspection cannot do what was asked; the message says why."""


class InspectionNotFound(InspectionError, NotFound):
    """No inspection (or site) has this id."""


class InspectionClosed(InspectionError, Conflict):
    """The inspection has ended (signed off or interrupted) and can no longer change."""

    code = "closed"


class VerdictRefused(InspectionError, Conflict):
    """The verdict is not allowed yet; ``reasons`` are translation keys of what is missing."""

    code = "verdict_refused"

    def __init__(self, message: str, reasons: list[str], **problem):
        super().__init__(message, **problem)
        self.reasons = reasons


def refuse_unsupported_clear(state: InspectionState) -> None:
    """Refuse ``clear`` while the coverage or an unreviewed alert does not allow it."""
    reasons = checklist.reasons_not_clear(coverage_of(state), state.alerts)
    if reasons:
        readable = ", ".join(r.rsplit(".", 1)[-1].replace("_", " ") for r in reasons)
        raise VerdictRefused(f"inspection {state.id} cannot be clear: {readable}", reasons,
                             problem="clear_refused", inspection=state.id)


def check_fixture_candidate(alert: dict) -> None:
    """Only an IR glow not yet known as a fixture can be marked one."""
    if not fixtures.can_be_fixture(alert):
        if alert.get("fixture"):
            raise InspectionError(f"alert {alert['id']} is already the site's fixture "
                                  f"{alert['fixture']['id']}", problem="already_fixture",
                                  alert=alert["id"], fixture=alert["fixture"]["id"])
        raise InspectionError(f"alert {alert['id']} is a {alert['type']}: only an IR glow can be "
                              "a fixture (a lens never is)", problem="not_a_fixture_kind",
                              alert=alert["id"], type=alert["type"])


def checked_escalation(escalation: dict | None) -> dict | None:
    """An escalation's fields checked and stripped (None when nothing is left)."""
    if escalation is None:
        return None
    unknown = set(escalation) - {"notified", "report_ref"}
    if unknown:
        raise InspectionError(f"escalation: unknown field(s) {sorted(unknown)}; use 'notified' "
                              "(who was told) and 'report_ref' (the report's reference)",
                              problem="escalation_fields", fields=sorted(unknown))
    cleaned = {k: checked_field(str(v), f"escalation.{k}", NAME_CHARS)
               for k, v in escalation.items() if v is not None}
    return {k: v for k, v in cleaned.items() if v} or None


def checked_field(value, field: str, max_chars: int, *, multiline: bool = False) -> str:
    """Free text checked once at the engine's door (``detector.textcheck``), stripped."""
    if value is None:
        return ""
    try:
        return checked_text(value, field, max_chars=max_chars, multiline=multiline)
    except UnsafeText as exc:
        raise InspectionError(str(exc), problem=exc.problem_code, **exc.problem_params) from exc
