"""The inspection engine: start -> steps -> verdict -> sign-off, the same for every front end.

The command line (``ansim inspect``), the handheld's buttons and the dashboard all drive an
inspection through one ``InspectionService``::

    service = open_service(data_dir, hardware=session, bus=bus)   # recovers cut-off inspections
    insp = service.start("seoul-jongno-001", "Kim Inspector", stalls=2)
    service.run_rf_step(insp.id)                       # RF sweep against the site's baseline
    service.run_optical_step(insp.id, 1, "door_hook")  # optical scan of one stall's zone
    service.mark(insp.id, 1, "door_hook", "checked", note="")
    service.dismiss_alert(insp.id, alert_id, "flush sensor LED", "Kim Inspector",
                          as_fixture=True)             # reviewed; the site remembers the LED
    service.record_found_step(insp.id, "called_112", "Kim Inspector")  # Seoul's procedure
    service.set_verdict(insp.id, "found", {"notified": "Jongno police", "report_ref": "2026-113"})
    record = service.sign_off(insp.id, "Kim Inspector")  # -> SignedRecord, never changes again
    service.correct(record.id, "Park Supervisor", reason="...", verdict="suspicious")
    service.cancel(other.id, reason="cancelled on the handheld")  # ends it, into the log too

``get(id)`` returns an ``InspectionState`` (steps, checklist, alerts, coverage); ``list(...)``
the newest inspections. Every call is safe from several threads; steps that use the hardware run
one at a time.

Rules the engine enforces (what it takes from people, and its refusals, in
``detector.engine.inspection_rules``):

- **Never clear on RF alone**: ``clear`` needs the RF sweep, an optical scan and a mark of every
  checklist item of every stall, no suspicious mark and no alert of medium severity or above
  that an inspector has not reviewed and dismissed (``VerdictRefused`` lists what is missing).
- **The site's RF and Wi-Fi baselines** are updated only when an inspection is signed off
  ``clear`` (the Wi-Fi one from every survey step's transmitters, ``detector.engine.wifi_site``).
- **Known optical fixtures**: an IR glow dismissed ``as_fixture`` becomes a fixture of the site
  when the inspection is signed off (whatever the verdict); each later scan records the site's
  fixtures at its place, and fusion reports their glows as information (``detector.engine.fixtures``).
- **Each step commits as it completes** (evidence files are durable first), so ``kill -9`` or a
  power cut loses only the step under way.
- **A signed-off record never changes**; a correction is a new record pointing to it.
- **Recovery**: an inspection still ``in_progress`` when the log is next opened by its writer was
  cut off; ``recover_interrupted`` (run by ``open_service``) seals it as ``interrupted``, with
  everything it had done, into the signed log.

Events on the bus: ``progress`` while a step runs (``step``, ``fraction`` of it done, 0..1, in
steps of at least ``PROGRESS_STEP``; ``stall`` and ``zone`` for a scan), ``spectrum`` as an RF
sweep goes (the part swept so far, thinned for a screen, with its noise floor), ``optics_status``
for each frame of an optical scan (its size, candidates and the suspects' positions, never its
pixels; see ``detector.engine.live_view``), ``alert`` for each new alert (the alert's fields, see
``detector.engine.fusion``), ``proximity`` for each reading of a followed video transmitter
(``freq_hz``, ``power_db``, ``level`` 0..1) or Wi-Fi transmitter (``mac``, ``rssi_dbm``,
``level``; ``follow_wifi``), ``wifi`` with each survey step's transmitters, ``inspection`` when an inspection starts, completes
a step, gets a verdict, is signed off, cancelled, corrected or recovered. Every event of an
inspection carries its ``inspection_id``.
"""

import json
import threading
from pathlib import Path

from sqlalchemy import select

from detector.engine import checklist, fixtures, found_camera, place_history, wifi_site
from detector.engine.inspection_rules import (
    NAME_CHARS,
    NOTE_CHARS,
    InspectionClosed,
    InspectionError,
    InspectionNotFound,
    VerdictRefused,
    check_fixture_candidate,
    checked_escalation,
    checked_field,
    refuse_unsupported_clear,
)
from detector.engine.inspection_state import (
    InspectionState,
    load_state,
    record_content,
    state_from_record,
)
from detector.engine.inspection_steps import (
    PROXIMITY_READINGS,
    change_result,
    optical_result,
    rf_result,
    tracked_emitters,
    wifi_result,
)
from detector.engine.recovery import IN_PROGRESS, has_cut_offs
from detector.i18n import Term
from detector.log import records, witness
from detector.log.evidence import EvidenceError, EvidenceStore
from detector.log.signing import DeviceKey
from detector.log.storage import DB_FILENAME, DiskFull, StoreError, open_store
from detector.log.storage.files import private_dir
from detector.log.storage.models import (
    AlertDismissal,
    ChecklistMark,
    Evidence,
    InspectionStep,
    Site,
)
from detector.log.storage.models import Inspection as InspectionRow
from detector.places import MAX_STALLS
from detector.timestamps import utc_now

#: How long a Wi-Fi transmitter is followed for the meter when an inspector asks.
WIFI_FOLLOW_S = 20.0
#: What the ``wifi`` event shows an inspector of each transmitter (volunteers never get it).
WIFI_LIVE_FIELDS = ("mac", "vendor", "randomised", "role", "ssid", "channel", "rssi_dbm", "kind",
                    "confidence", "stimulus", "baseline")
#: A step's progress is published when it has moved on by at least this much (and at the end).
PROGRESS_STEP = 0.05


class InspectionService:
    """The engine; see the module docstring for the lifecycle and rules."""

    def __init__(self, store, hardware=None, bus=None, evidence: EvidenceStore | None = None,
                 signer: DeviceKey | None = None, *, steps=None, profile=None, clock=utc_now):
        if evidence is None or signer is None:
            raise InspectionError("an inspection service needs an evidence store and a signer")
        self.store, self.bus, self.evidence, self.signer = store, bus, evidence, signer
        if steps is None and hardware is not None:
            if profile is None:
                raise InspectionError("steps on hardware need the device profile it was "
                                      "opened with (profile=...)")
            from detector.engine.hardware_steps import HardwareSteps  # noqa: PLC0415

            steps = HardwareSteps(hardware, profile, scratch_dir=evidence.root / ".scratch")
        self.steps = steps
        self.clock = clock
        #: Where ``clock``'s time comes from, written into every record it stamps:
        #: ``"system"``, or ``"phone"`` when the dashboard took it from a staff member's phone.
        self.clock_source = lambda: "system"
        self._hardware_lock = threading.Lock()

    def close(self) -> None:
        self.store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- lifecycle ------------------------------------------------------------------------

    def start(self, site_id: str, inspector: str, stalls: int | None = None) -> InspectionState:
        inspector = checked_field(inspector, "inspector", NAME_CHARS)
        if not inspector:
            raise InspectionError("an inspection needs the inspector's name",
                                  problem="inspector_name_missing")
        now = self.clock()
        with self.store.write() as session:
            site = session.get(Site, site_id)
            if site is None:
                raise InspectionNotFound(f"no site {site_id!r}; import it with 'ansim sites "
                                         "import' first", problem="site_not_found",
                                         site=site_id)
            stalls = stalls or site.stalls or 1
            if not 1 <= stalls <= MAX_STALLS:
                raise InspectionError(f"stalls must be 1 to {MAX_STALLS}, not {stalls}",
                                      problem="stalls_range", max=MAX_STALLS, value=stalls)
            row = InspectionRow(id=records.new_record_id(self.signer.device_id),
                                device_id=self.signer.device_id,
                                site_id=site_id, inspector=inspector, stalls=stalls,
                                status=IN_PROGRESS, started_at=now, updated_at=now)
            session.add(row)
            session.flush()
            state = load_state(session, row)
        self._publish("inspection", event="started", inspection_id=state.id, site_id=site_id)
        return state

    def run_rf_step(self, inspection_id: str) -> InspectionState:
        """Sweep the radio bands from the doorway against the site's baseline."""
        with self.store.read() as session:
            row = self._open_row(session, inspection_id)
            baseline_json = session.get(Site, row.site_id).baseline_json
        runner = self._runner()
        baseline = runner.baseline_from_json(baseline_json) if baseline_json else None
        started = self.clock()
        with self._hardware_lock:
            outcome = runner.sweep(baseline, self._on_progress(inspection_id, "rf_sweep"),
                                   self._on_live("spectrum", inspection_id))
        result, refs = rf_result(outcome, runner.spectrum_csv(outcome.spectrum), self.evidence)
        result["presence"] = runner.rf_presence(baseline, outcome.emitters)
        candidate = (baseline or runner.empty_baseline()).updated_with(outcome.spectrum,
                                                                        outcome.emitters)
        state = self._commit_step(inspection_id, result, refs, started,
                                  baseline_candidate=candidate.to_json())
        with self._hardware_lock:
            wifi = runner.wifi_passive()
        if wifi is None:
            return state
        return self._commit_wifi(inspection_id, wifi)

    def run_optical_step(self, inspection_id: str, stall: int, zone: str) -> InspectionState:
        """Scan one checklist place of one stall; follow any video emitter while there."""
        with self.store.read() as session:
            row = self._open_row(session, inspection_id)
            checklist.check_place(row.stalls, stall, zone)
            rf_steps = [s for s in load_state(session, row).steps if s["kind"] == "rf_sweep"]
            known = fixtures.fixture_refs(session, row.site_id, stall, zone)
            reference = place_history.reference_keyframe(session, row.site_id, stall, zone)
        runner = self._runner()
        started = self.clock()
        with self._hardware_lock:
            outcome = runner.scan(stall, zone,
                                  self._on_progress(inspection_id, "optical_scan", stall=stall,
                                                    zone=zone),
                                  self._on_live("optics_status", inspection_id, stall=stall,
                                                zone=zone))
            proximity = [self._follow(runner, inspection_id, e["freq_hz"], stall, zone)
                         for e in tracked_emitters(rf_steps[-1] if rf_steps else None)]
            wifi = runner.wifi_place(stall, zone,
                                     self._on_check(inspection_id, stall))
        result, refs = optical_result(outcome, stall, zone, self.evidence, proximity)
        if known:
            result["fixtures"] = known
        if reference is not None and getattr(outcome, "keyframe", None) is not None:
            result["change"], change_refs = self._compare_place(reference, outcome.keyframe)
            refs += change_refs
            result["evidence"] += [r.to_dict() for r in change_refs]
        state = self._commit_step(inspection_id, result, refs, started)
        if wifi is None:
            return state
        return self._commit_wifi(inspection_id, wifi, stall, zone)

    def follow_wifi(self, inspection_id: str, mac: str,
                    duration_s: float = WIFI_FOLLOW_S) -> dict:
        """Follow one Wi-Fi transmitter's signal strength for ``duration_s`` on the channel a
        survey of this inspection heard it on; each reading is a ``proximity`` event with its
        ``mac`` and ``rssi_dbm`` (inspectors' streams only: volunteers never get the kind).
        A live aid, like the meter it drives: the readings are not part of the record."""
        mac = str(mac).strip().lower()
        with self.store.read() as session:
            steps = load_state(session, self._open_row(session, inspection_id)).steps
        heard = [t for s in steps if s["kind"] == "wifi_survey" for t in s["transmitters"]
                 if t["mac"] == mac]
        if not heard:
            raise InspectionError(f"inspection {inspection_id}: no Wi-Fi survey heard {mac!r}; "
                                  "choose a transmitter the survey lists",
                                  problem="wifi_not_heard", inspection=inspection_id, mac=mac)
        channel = heard[-1]["channel"]

        def show(reading):
            self._publish("proximity", inspection_id=inspection_id, mac=mac, channel=channel,
                          power_db=reading.power_db, rssi_dbm=reading.power_db,
                          level=reading.level, heard=reading.heard)

        with self._hardware_lock:
            readings = self._runner().wifi_follow(mac, channel, duration_s, show)
        if readings is None:
            raise InspectionError("this handheld has no Wi-Fi capture to follow with",
                                  problem="no_wifi_capture")
        return {"mac": mac, "channel": channel, "readings": len(readings)}

    def mark(self, inspection_id: str, stall: int, item: str, status: str,
             note: str = "") -> InspectionState:
        checklist.check_status(status)
        note = checked_field(note or "", "note", NOTE_CHARS, multiline=True)
        with self.store.write() as session:
            row = self._open_row(session, inspection_id)
            checklist.check_place(row.stalls, stall, item)
            now = self.clock()
            session.add(ChecklistMark(inspection_id=row.id, stall=stall, item=item,
                                      status=status, note=note, marked_at=now))
            row.updated_at = now
            session.flush()
            return load_state(session, row)

    def dismiss_alert(self, inspection_id: str, alert_id: str, reason: str,
                      inspector: str, *, as_fixture: bool = False) -> InspectionState:
        """Record that an inspector reviewed an alert and found it is not a camera, and why.

        The alert stays in the record with the dismissal beside it; it no longer stands in the
        way of ``clear``. A later step that strengthens the case makes a new alert.
        ``as_fixture=True`` says the IR glow is one of the restroom's own lights: when the
        inspection is signed off, the site remembers a fixture at its place (see
        ``detector.engine.fixtures``). A lens is never a fixture.
        """
        reason = checked_field(reason, "reason", NOTE_CHARS, multiline=True)
        inspector = checked_field(inspector, "inspector", NAME_CHARS)
        if not reason or not inspector:
            raise InspectionError("dismissing an alert needs a reason and who dismisses it",
                                  problem="dismissal_incomplete")
        with self.store.write() as session:
            row = self._open_row(session, inspection_id)
            alert = next((a for a in load_state(session, row).alerts if a["id"] == alert_id),
                         None)
            if alert is None:
                raise InspectionNotFound(f"inspection {inspection_id} has no alert {alert_id!r}",
                                         problem="alert_not_found", inspection=inspection_id,
                                         alert=alert_id)
            if as_fixture:
                check_fixture_candidate(alert)
            now = self.clock()
            session.add(AlertDismissal(inspection_id=row.id, alert_id=alert_id,
                                       reason=reason, dismissed_by=inspector,
                                       dismissed_at=now, as_fixture=as_fixture))
            row.updated_at = now
            session.flush()
            state = load_state(session, row)
        self._publish("inspection", event="alert_dismissed", inspection_id=inspection_id,
                      alert_id=alert_id)
        return state

    def set_verdict(self, inspection_id: str, verdict: str,
                    escalation: dict | None = None) -> InspectionState:
        """Record the verdict (clear / suspicious / found) and who was told."""
        if verdict not in checklist.VERDICTS:
            raise InspectionError(f"unknown verdict {verdict!r}; verdicts are "
                                  f"{', '.join(checklist.VERDICTS)}", problem="unknown_verdict",
                                  verdict=verdict, verdicts=", ".join(checklist.VERDICTS))
        escalation = checked_escalation(escalation)
        with self.store.write() as session:
            row = self._open_row(session, inspection_id)
            if verdict == "clear":
                refuse_unsupported_clear(load_state(session, row))
            row.verdict = verdict
            procedure = _procedure_of(row)
            if procedure:
                escalation = {**(escalation or {}), "procedure": procedure}
            row.escalation_json = json.dumps(escalation, ensure_ascii=False) if escalation else None
            row.updated_at = self.clock()
            session.flush()
            state = load_state(session, row)
        self._publish("inspection", event="verdict", inspection_id=inspection_id, verdict=verdict)
        return state

    def record_found_step(self, inspection_id: str, step: str, done_by: str) -> InspectionState:
        """Record that a step of the found-camera procedure was done, now, by ``done_by``
        (``detector.engine.found_camera``); it goes into the signed record with its time."""
        if not done_by or not done_by.strip():
            raise InspectionError("a procedure step needs who did it",
                                  problem="procedure_step_needs_name")
        with self.store.write() as session:
            row = self._open_row(session, inspection_id)
            now = self.clock()
            escalation = json.loads(row.escalation_json) if row.escalation_json else None
            try:
                escalation = found_camera.with_step(escalation, step, now, done_by.strip())
            except found_camera.FoundStepError as exc:
                raise InspectionError(str(exc), problem=exc.problem_code,
                                      **exc.problem_params) from exc
            row.escalation_json = json.dumps(escalation, ensure_ascii=False)
            row.updated_at = now
            session.flush()
            state = load_state(session, row)
        self._publish("inspection", event="procedure", inspection_id=inspection_id, step=step)
        return state

    def sign_off(self, inspection_id: str, inspector: str) -> records.SignedRecord:
        """Seal the inspection into the signed log; after this it never changes."""
        inspector = checked_field(inspector, "signed_by", NAME_CHARS)
        if not inspector:
            raise InspectionError("sign-off needs the name of who signs",
                                  problem="sign_off_needs_name")
        with self.store.write() as session:
            row = self._open_row(session, inspection_id)
            if row.verdict is None:
                raise InspectionError(f"inspection {inspection_id} has no verdict yet",
                                      problem="no_verdict_yet", inspection=inspection_id)
            state = load_state(session, row)
            if row.verdict == "clear":
                refuse_unsupported_clear(state)
            now = self.clock()
            record = self._seal(session, record_content(
                state, status="signed_off", signed_by=inspector), now)
            row.status, row.record_id, row.updated_at = "signed_off", record.id, now
            if row.verdict == "clear":
                self._update_baseline(session, row, record.id, state.steps)
            fixtures.remember_dismissed(session, row.site_id, state.alerts, record.id)
        self._publish("inspection", event="signed_off", inspection_id=inspection_id,
                      record_id=record.id, verdict=row.verdict)
        return record

    def _seal(self, session, content: dict, signed_at: str) -> records.SignedRecord:
        """Append ``content`` to the signed log, saying where its time came from."""
        return records.append(session, self.signer,
                              {**content, "clock_source": self.clock_source()}, signed_at)

    def correct(self, record_id: str, inspector: str, *, reason: str,
                verdict: str | None = None,
                escalation: dict | None = None) -> records.SignedRecord:
        """A new record that corrects the verdict or escalation of ``record_id``."""
        reason = checked_field(reason, "reason", NOTE_CHARS, multiline=True)
        inspector = checked_field(inspector, "inspector", NAME_CHARS)
        if not reason:
            raise InspectionError("a correction needs a reason",
                                  problem="correction_needs_reason")
        if verdict is None and escalation is None:
            raise InspectionError("a correction must change the verdict or the escalation",
                                  problem="correction_changes_nothing")
        if verdict is not None and verdict not in checklist.VERDICTS:
            raise InspectionError(f"unknown verdict {verdict!r}", problem="unknown_verdict",
                                  verdict=verdict, verdicts=", ".join(checklist.VERDICTS))
        escalation = checked_escalation(escalation)
        with self.store.write() as session:
            original = records.get(session, record_id)
            inspection = _root_inspection(session, original)
            if verdict == "clear" and not inspection.body["coverage"].get("complete"):
                raise VerdictRefused(f"record {record_id}: its inspection did not cover every "
                                     "place, so it cannot be corrected to clear",
                                     ["inspect.reason.incomplete_record"],
                                     problem="clear_correction_refused", record=record_id)
            content = {"type": "correction", "id": records.new_record_id(self.signer.device_id),
                       "supersedes": original.id,
                       "supersedes_hash": original.record_hash, "site": inspection.body["site"],
                       "inspector": inspector, "reason": reason,
                       "verdict": verdict, "escalation": escalation}
            record = self._seal(session, content, self.clock())
        self._publish("inspection", event="corrected", record_id=record.id, supersedes=record_id)
        return record

    def cancel(self, inspection_id: str, reason: str) -> records.SignedRecord:
        """End an inspection without a verdict (the inspector gave up on it), into the log."""
        reason = checked_field(reason, "reason", NOTE_CHARS, multiline=True)
        if not reason:
            raise InspectionError("cancelling an inspection needs a reason",
                                  problem="cancel_needs_reason")
        with self.store.write() as session:
            row = self._open_row(session, inspection_id)
            now = self.clock()
            content = record_content(load_state(session, row), status="cancelled",
                                     signed_by=None)
            record = self._seal(session, {**content, "cancel_reason": reason}, now)
            row.status, row.record_id, row.updated_at = "cancelled", record.id, now
        self._publish("inspection", event="cancelled", inspection_id=inspection_id)
        return record

    def recover_interrupted(self) -> list[records.SignedRecord]:
        """Seal every inspection of this device still marked in progress as ``interrupted``.

        Only the log's writer may call this (``open_service`` does, at open): holding the
        writer's lock is what proves no other process is still running those inspections.
        """
        sealed = []
        with self.store.write() as session:
            rows = session.scalars(select(InspectionRow).where(
                InspectionRow.status == IN_PROGRESS,
                InspectionRow.device_id == self.signer.device_id)
                .order_by(InspectionRow.started_at)).all()
            for row in rows:
                now = self.clock()
                record = self._seal(session, record_content(
                    load_state(session, row), status="interrupted", signed_by=None), now)
                row.status, row.record_id, row.updated_at = "interrupted", record.id, now
                sealed.append(record)
        for record in sealed:
            self._publish("inspection", event="interrupted", inspection_id=record.id)
        return sealed

    # -- reading --------------------------------------------------------------------------

    def get(self, inspection_id: str) -> InspectionState:
        with self.store.read() as session:
            row = session.get(InspectionRow, inspection_id)
            if row is None:
                raise InspectionNotFound(f"no inspection {inspection_id}",
                                         problem="inspection_not_found",
                                         inspection=inspection_id)
            if row.record_id:
                return state_from_record(records.get(session, row.record_id).body)
            return load_state(session, row)

    def list(self, *, status: str | None = None, site_id: str | None = None,
             limit: int = 50) -> list[dict]:
        """The newest inspections (any status), as short summaries."""
        query = select(InspectionRow).order_by(InspectionRow.started_at.desc()).limit(limit)
        if status:
            query = query.where(InspectionRow.status == status)
        if site_id:
            query = query.where(InspectionRow.site_id == site_id)
        with self.store.read() as session:
            return [{"id": r.id, "site_id": r.site_id, "inspector": r.inspector,
                     "status": r.status, "verdict": r.verdict, "started_at": r.started_at,
                     "updated_at": r.updated_at, "record_id": r.record_id}
                    for r in session.scalars(query)]

    # -- internals ------------------------------------------------------------------------

    def _runner(self):
        if self.steps is None:
            raise InspectionError("this service has no hardware to run steps with",
                                  problem="no_hardware")
        return self.steps

    def _open_row(self, session, inspection_id: str) -> InspectionRow:
        row = session.get(InspectionRow, inspection_id)
        if row is None:
            raise InspectionNotFound(f"no inspection {inspection_id}",
                                     problem="inspection_not_found",
                                     inspection=inspection_id)
        if row.status != IN_PROGRESS:
            raise InspectionClosed(f"inspection {inspection_id} is {row.status}; it can no "
                                   "longer change (a signed record is corrected with a new one)",
                                   problem="inspection_closed", inspection=inspection_id,
                                   status=Term(f"inspect.status.{row.status}"))
        return row

    def _commit_step(self, inspection_id, result, refs, started, baseline_candidate=None):
        before = {a["id"] for a in self.get(inspection_id).alerts}
        with self.store.write() as session:
            row = self._open_row(session, inspection_id)
            position = len(session.scalars(select(InspectionStep.id).where(
                InspectionStep.inspection_id == row.id)).all())
            for ref in refs:
                if session.get(Evidence, ref.sha256) is None:
                    session.add(Evidence(sha256=ref.sha256, kind=ref.kind,
                                         media_type=ref.media_type, size_bytes=ref.size_bytes,
                                         created_at=started))
            now = self.clock()
            session.add(InspectionStep(
                inspection_id=row.id, position=position, kind=result["kind"],
                stall=result.get("stall"), zone=result.get("zone"), started_at=started,
                finished_at=now, result_json=json.dumps(result, ensure_ascii=False,
                                                        allow_nan=False),
                baseline_candidate_json=baseline_candidate))
            row.updated_at = now
            session.flush()
            state = load_state(session, row)
        self._publish("inspection", event="step_done", inspection_id=inspection_id,
                      step=result["kind"], stall=result.get("stall"), zone=result.get("zone"))
        for alert in state.alerts:
            if alert["id"] not in before:
                self._publish("alert", inspection_id=inspection_id, site_id=state.site_id,
                              **alert)
        return state

    def _commit_wifi(self, inspection_id, outcome, stall=None, zone=None) -> InspectionState:
        """Record a Wi-Fi survey step and show its transmitters live (to inspectors only:
        volunteers' streams never carry the ``wifi`` kind)."""
        started = self.clock()
        with self.store.read() as session:
            row = self._open_row(session, inspection_id)
            baseline_json = session.get(Site, row.site_id).wifi_baseline_json
        result, refs = wifi_result(outcome, self.evidence, stall=stall, zone=zone)
        wifi_site.annotate(result, baseline_json)
        self._publish("wifi", inspection_id=inspection_id, stall=stall, zone=zone,
                      transmitters=[{k: t[k] for k in WIFI_LIVE_FIELDS}
                                    for t in result["transmitters"]])
        return self._commit_step(inspection_id, result, refs, started)

    def _compare_place(self, reference: dict, keyframe) -> tuple[dict, list]:
        """What changed at the place since ``reference``; an unreadable reference keyframe
        is said in the result (the scan itself is kept)."""
        from optics.change import compare_keyframes  # noqa: PLC0415 - reading the log loads no optics
        from optics.keyframe import decode_keyframe  # noqa: PLC0415

        try:
            image = decode_keyframe(self.evidence.read(reference["keyframe_sha256"]))
        except (EvidenceError, ValueError) as exc:
            return {"reference": reference, "error": str(exc)}, []
        return change_result(compare_keyframes(image, keyframe.image), reference,
                             self.evidence)

    def _follow(self, runner, inspection_id, freq_hz, stall, zone) -> dict:
        """A few proximity readings of one emitter here, each published as it comes."""
        readings = runner.follow(freq_hz, PROXIMITY_READINGS)
        for reading in readings:
            self._publish("proximity", inspection_id=inspection_id, freq_hz=freq_hz,
                          power_db=reading.power_db, level=reading.level, stall=stall,
                          zone=zone)
        return {"freq_hz": freq_hz, "readings_db": [float(r.power_db) for r in readings]}

    def _update_baseline(self, session, row, record_id: str, steps) -> None:
        """A clear sign-off teaches the site its radio: the RF sweep's baseline candidate,
        and the Wi-Fi transmitters of every survey step (``detector.engine.wifi_site``)."""
        latest_rf = session.scalars(select(InspectionStep).where(
            InspectionStep.inspection_id == row.id, InspectionStep.kind == "rf_sweep")
            .order_by(InspectionStep.position.desc()).limit(1)).first()
        site = session.get(Site, row.site_id)
        if latest_rf is not None and latest_rf.baseline_candidate_json:
            site.baseline_json = latest_rf.baseline_candidate_json
            site.baseline_record_id = record_id
            site.updated_at = self.clock()
        wifi = wifi_site.updated_baseline_json(site.wifi_baseline_json, steps)
        if wifi is not None:
            site.wifi_baseline_json, site.wifi_baseline_record_id = wifi, record_id
            site.updated_at = self.clock()

    def _on_progress(self, inspection_id, step, **where):
        """A step's progress reporter; it publishes only every ``PROGRESS_STEP`` and at the end,
        so a sweep's hundreds of hops do not crowd the bus's history."""
        shown = [0.0]

        def report(fraction: float):
            fraction = min(max(float(fraction), 0.0), 1.0)
            if fraction - shown[0] < PROGRESS_STEP and fraction < 1.0:
                return
            shown[0] = fraction
            self._publish("progress", inspection_id=inspection_id, step=step,
                          fraction=round(fraction, 3), **where)
        return report

    def _on_check(self, inspection_id, stall):
        """The Wi-Fi place check's prompt: where to point the handheld now, for how long
        (``wifi_place_check`` events, to inspectors' screens)."""
        def point_at(place: str, seconds: float):
            self._publish("wifi_place_check", inspection_id=inspection_id, stall=stall,
                          zone=place.split(":", 1)[1], seconds=seconds)
        return point_at

    def _on_live(self, kind, inspection_id, **where):
        def show(payload: dict):
            self._publish(kind, inspection_id=inspection_id, **where, **payload)
        return show

    def _publish(self, kind, **data):
        if self.bus is not None:
            self.bus.publish(kind, **data)


def open_service(data_dir, *, hardware=None, bus=None, profile=None, steps=None,
                 write: bool | None = True) -> InspectionService:
    """The engine on the log in ``data_dir`` (made at first run), with cut-offs recovered.

    ``write=True`` insists on being the log's writer; ``write=None`` falls back to reading
    only when another process is the writer (then nothing is recovered or can be changed).
    """
    data_dir = Path(data_dir)
    if write:
        private_dir(data_dir)
    store = open_store(data_dir / DB_FILENAME, write=write)
    try:
        key = DeviceKey.load_or_create(data_dir, for_signing=write is True)
    except BaseException:
        store.close()
        raise
    service = InspectionService(store, hardware, bus, EvidenceStore(data_dir / "evidence"),
                                key, steps=steps, profile=profile)
    if store.writable:
        store.after_seal.append(lambda sealed: _witness(store, data_dir, sealed))
        try:
            if has_cut_offs(store):
                service.recover_interrupted()
        except DiskFull:
            if write:
                store.close()
                raise
            # Only reading (or verifying) was asked for: a full disk must not stop that. The
            # cut-off inspection is recovered once there is space.
        except BaseException:
            store.close()
            raise
    return service


def _witness(store, data_dir: Path, sealed: list[records.SignedRecord]) -> None:
    """After records commit: checkpoint them out of the WAL, then write the chain-head
    witness durably (detector/log/witness.py)."""
    marks = [witness.Mark(r.seq, r.id, r.record_hash, r.body["signed_at"]) for r in sealed]
    try:
        store.checkpoint()
        witness.advance(data_dir, sealed[0].device_id, marks, sealed[0].body["prev_hash"])
    except (OSError, StoreError):
        # The records are committed (synchronous=FULL); on a full disk the witness stays one
        # step behind, which verify does not mistake for a loss, and catches up next time.
        pass


def _procedure_of(row: InspectionRow) -> list[dict]:
    """The found-camera steps already recorded for an inspection (kept when the verdict's
    other escalation fields change)."""
    return json.loads(row.escalation_json).get("procedure", []) if row.escalation_json else []


def _root_inspection(session, record: records.SignedRecord) -> records.SignedRecord:
    """The inspection record a record (or a chain of corrections) is about."""
    seen = set()
    while record.type == "correction":
        if record.id in seen:
            raise InspectionError(f"record {record.id}: corrections form a loop",
                                  problem="correction_loop", record=record.id)
        seen.add(record.id)
        record = records.get(session, record.body["supersedes"])
    return record
