"""What an inspection is at a given moment, read from the working tables or from its record.

``load_state`` assembles an in-progress inspection from its rows (steps in order, the latest
mark of each place, alerts recomputed by fusion, coverage); ``state_from_record`` reads a
finished one from its signed record, which is what everyone sees once an inspection has ended.
``record_content`` turns a state into the body of its record.
"""

import json
from dataclasses import dataclass, field
from importlib import metadata

from sqlalchemy import select

from detector.engine import checklist, fusion
from detector.log.storage.models import (
    AlertDismissal,
    ChecklistMark,
    InspectionStep,
    Site,
)
from detector.log.storage.models import Inspection as InspectionRow
from detector.engine.presence import presence_summary


@dataclass
class InspectionState:
    """One inspection: the engine's answer to ``get`` and what front ends display."""

    id: str
    site: dict
    inspector: str
    stalls: int
    status: str  # in_progress | signed_off | interrupted | cancelled
    started_at: str
    verdict: str | None
    escalation: dict | None
    steps: list[dict] = field(default_factory=list)
    checklist: list[dict] = field(default_factory=list)
    alerts: list[dict] = field(default_factory=list)
    coverage: dict = field(default_factory=dict)
    record_id: str | None = None

    @property
    def site_id(self) -> str:
        return self.site["id"]

    def to_dict(self) -> dict:
        return {"id": self.id, "site": self.site, "inspector": self.inspector,
                "stalls": self.stalls, "status": self.status, "started_at": self.started_at,
                "verdict": self.verdict, "escalation": self.escalation, "steps": self.steps,
                "checklist": self.checklist, "alerts": self.alerts, "coverage": self.coverage,
                "record_id": self.record_id}


def site_summary(site: Site) -> dict:
    return {"id": site.id, "name": site.name, "address": site.address, "lat": site.lat,
            "lon": site.lon}


def load_rows(session, row: InspectionRow) -> tuple[list[dict], dict]:
    """The completed steps (in order) and the latest mark of each place."""
    steps = []
    for step in session.scalars(select(InspectionStep)
                                .where(InspectionStep.inspection_id == row.id)
                                .order_by(InspectionStep.position)):
        steps.append({**json.loads(step.result_json), "started_at": step.started_at,
                      "finished_at": step.finished_at})
    marks = {}
    for mark in session.scalars(select(ChecklistMark)
                                .where(ChecklistMark.inspection_id == row.id)
                                .order_by(ChecklistMark.id)):
        marks[(mark.stall, mark.item)] = {"stall": mark.stall, "item": mark.item,
                                          "status": mark.status, "note": mark.note,
                                          "marked_at": mark.marked_at}
    return steps, marks


def dismissed_alerts(session, row: InspectionRow) -> dict[str, dict]:
    """The latest dismissal of each alert, by alert id."""
    dismissals = {}
    for d in session.scalars(select(AlertDismissal)
                             .where(AlertDismissal.inspection_id == row.id)
                             .order_by(AlertDismissal.id)):
        dismissals[d.alert_id] = {"reason": d.reason, "by": d.dismissed_by,
                                  "at": d.dismissed_at}
        if d.as_fixture:
            dismissals[d.alert_id]["as_fixture"] = True
    return dismissals


def load_state(session, row: InspectionRow) -> InspectionState:
    steps, marks = load_rows(session, row)
    cover = checklist.coverage(row.stalls, steps, marks)
    dismissals = dismissed_alerts(session, row)
    order = {item: i for i, item in enumerate(checklist.ITEMS)}
    return InspectionState(
        id=row.id, site=site_summary(session.get(Site, row.site_id)), inspector=row.inspector,
        stalls=row.stalls, status=row.status, started_at=row.started_at, verdict=row.verdict,
        escalation=json.loads(row.escalation_json) if row.escalation_json else None,
        steps=steps,
        checklist=sorted(marks.values(), key=lambda m: (m["stall"], order[m["item"]])),
        alerts=[{**a, "dismissed": dismissals.get(a["id"])} for a in fusion.alerts_for(steps)],
        coverage=cover.to_dict(), record_id=row.record_id)


def coverage_of(state: InspectionState) -> checklist.Coverage:
    marks = {(m["stall"], m["item"]): m for m in state.checklist}
    return checklist.coverage(state.stalls, state.steps, marks)


def state_from_record(body: dict) -> InspectionState:
    return InspectionState(
        id=body["id"], site=body["site"], inspector=body["inspector"], stalls=body["stalls"],
        status=body["status"], started_at=body["started_at"], verdict=body["verdict"],
        escalation=body["escalation"], steps=body["steps"], checklist=body["checklist"],
        alerts=body["alerts"], coverage=body["coverage"], record_id=body["id"])


def record_content(state: InspectionState, *, status: str, signed_by: str | None) -> dict:
    """The body of the record that ends this inspection (sealing adds the chain fields)."""
    evidence = {}
    for step in state.steps:
        for ref in step.get("evidence", []):
            evidence.setdefault(ref["sha256"], ref)
    return {
        "type": "inspection",
        "id": state.id,
        "status": status,
        "site": state.site,
        "inspector": state.inspector,
        "signed_by": signed_by,
        "started_at": state.started_at,
        "stalls": state.stalls,
        "steps": state.steps,
        "checklist": state.checklist,
        "alerts": state.alerts,
        "coverage": state.coverage,
        "presence": presence_summary(state.steps),
        "verdict": state.verdict if status == "signed_off" else None,
        "proposed_verdict": state.verdict if status != "signed_off" else None,
        "escalation": state.escalation,
        "evidence": sorted(evidence.values(), key=lambda r: r["sha256"]),
        "software": software_version(),
    }


def software_version() -> str:
    try:
        return f"ansim {metadata.version('ansim')}"
    except metadata.PackageNotFoundError:
        return "ansim (not installed)"
