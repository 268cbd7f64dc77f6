"""The button-driven inspection: an inspector with no phone runs a whole inspection from the
handheld's three buttons and hears and feels how it went.

The controller is a small state machine over an ``InspectionDriver`` (the inspection engine's
handful of calls):

    idle --start--> RF sweep --next--> optical scan of each (stall, zone), each marked
    "checked" (or "suspicious" if the scan raised an alert) --next--> verdict, sign-off,
    result cue --start--> a new inspection ...
    (any time during an inspection) hold start --> cancelled, back to idle
    (after an optical scan) mark --> that zone is re-marked suspicious

Button handlers run on gpiozero's threads and only queue a command; one worker thread makes
the driver calls in order, so a slow step never blocks a button, and a press that arrives
while a step is running is refused with a cue rather than silently queued (the inspector may
not have moved to the next zone yet). A long press to cancel is always accepted.

Findings come from the event bus: after each step the worker drains the alerts the step
published, so the verdict is decided from exactly what the steps found plus the inspector's
marks, by the engine's rules: a confirmed alert of high severity or above means "found"; an
alert of medium severity or above, or a suspicious mark, means "suspicious"; else "clear"
(which the engine accepts only with every place scanned and marked, as the buttons ensure).
``proximity`` events drive the proximity beeper live, whoever publishes them; the Wi-Fi place
check's ``wifi_place_check`` events (a stream answered the stall's light, and the rings now
blink dimmed at one place after another) play a point cue counting out the place's number in
the checklist's walking order, so an inspector with no phone knows where to aim.

On the device the driver is ``EngineDriver``: the engine, with its steps run through the
``detector.appliance.step_runner.StepRunner`` the dashboard shares, so a step is never started while one
from a phone runs (the press is refused with a cue), phones show a step the buttons started,
and an inspection a phone ended (signed off or cancelled) is let go of at the next press.

Example (what ``ansim serve`` does on the device, with the profile's ``[handheld]`` table)::

    driver = EngineDriver(service, step_runner)
    handheld = open_handheld(profile, driver, plan_for(profile), bus, pin_factory)
    ...
    handheld.close()
"""

import logging
import queue
import threading
from dataclasses import dataclass, field
from typing import Protocol

from detector.appliance.profile import ProfileError
from detector.appliance.step_runner import StepBusy
from detector.engine.checklist import ITEMS, VERDICTS, verdict_for_alert
from detector.engine.inspection_rules import InspectionClosed
from hardware.gpio.buttons import Buttons
from hardware.gpio.indicators import CUES, Indicators, point_cue

log = logging.getLogger(__name__)

class InspectionDriver(Protocol):
    """What the handheld needs of the inspection engine."""

    def start(self, site_id: str, inspector: str, stalls: int | None = None):
        """A new inspection; the result's ``id`` names it in the calls below."""

    def run_rf_step(self, inspection_id: str): ...

    def run_optical_step(self, inspection_id: str, stall: int, zone: str): ...

    def mark(self, inspection_id: str, stall: int, item: str, status: str): ...

    def set_verdict(self, inspection_id: str, verdict: str, escalation: dict | None = None): ...

    def sign_off(self, inspection_id: str, inspector: str): ...

    def cancel(self, inspection_id: str, reason: str): ...


class EngineDriver:
    """The inspection engine as the buttons drive it: the steps through the step runner the
    dashboard shares (``StepBusy`` while a phone's step runs), the rest straight to it."""

    def __init__(self, service, steps):
        self.service = service
        self.steps = steps

    def start(self, site_id: str, inspector: str, stalls: int | None = None):
        return self.service.start(site_id, inspector, stalls=stalls)

    def run_rf_step(self, inspection_id: str):
        return self.steps.run_rf_now(inspection_id)

    def run_optical_step(self, inspection_id: str, stall: int, zone: str):
        return self.steps.run_optical_now(inspection_id, stall, zone)

    def mark(self, inspection_id: str, stall: int, item: str, status: str):
        return self.service.mark(inspection_id, stall, item, status)

    def set_verdict(self, inspection_id: str, verdict: str, escalation: dict | None = None):
        return self.service.set_verdict(inspection_id, verdict, escalation)

    def sign_off(self, inspection_id: str, inspector: str):
        return self.service.sign_off(inspection_id, inspector)

    def cancel(self, inspection_id: str, reason: str):
        return self.service.cancel(inspection_id, reason)


@dataclass(frozen=True)
class HandheldPlan:
    """What an inspection from the buttons covers: the site, who inspects, and in what order."""

    site_id: str
    inspector: str
    stalls: int | None  # None: the site's own count, as the engine starts it
    zones: tuple[str, ...]  # the checklist items, in walking order
    escalation_if_found: dict | None = None  # who the handheld's owner tells, e.g. the police

    def steps(self, stalls: int) -> tuple[tuple[str, int | None, str | None], ...]:
        """("rf", None, None), then ("optical", stall, zone) for every zone of stalls 1..N."""
        optical = tuple(("optical", stall, zone) for stall in range(1, stalls + 1)
                        for zone in self.zones)
        return (("rf", None, None),) + optical


def plan_for(profile) -> HandheldPlan:
    """The plan the profile's ``[handheld]`` table gives: its site and inspector, every
    checklist place of every stall. ``ProfileError`` (naming the file) without that table."""
    section = profile.handheld
    if section is None:
        raise ProfileError(profile.source, "[handheld]: missing table; the buttons need its "
                           "site_id and inspector (see docs/device.md)",
                           problem="handheld_table_missing")
    return HandheldPlan(site_id=section.site_id, inspector=section.inspector,
                        stalls=section.stalls, zones=ITEMS)




@dataclass
class _Inspection:
    inspection_id: str
    steps: tuple
    next_step: int = 0
    zone: tuple[int, str] | None = None  # the (stall, zone) last scanned, which mark applies to
    verdict: str = "clear"
    marks: list = field(default_factory=list)


class HandheldController:
    """Buttons in, driver calls and cues out; see the module docstring for the states."""

    def __init__(self, driver: InspectionDriver, indicators, plan: HandheldPlan, bus=None):
        self.driver = driver
        self.indicators = indicators
        self.plan = plan
        self.bus = bus
        self.inspection: _Inspection | None = None
        self.last_verdict: str | None = None
        self._commands: queue.Queue = queue.Queue()
        self._idle = threading.Condition()
        self._pending = 0
        self._alerts = bus.subscribe(kinds={"alert"}, maxsize=1000) if bus else None
        self._worker = threading.Thread(target=self._work, name="ansim-handheld", daemon=True)
        self._worker.start()
        self._listener = None
        self._closing = threading.Event()
        if bus is not None:
            self._live = bus.subscribe(kinds={"proximity", "wifi_place_check"}, maxsize=32)
            self._listener = threading.Thread(target=self._follow_live,
                                              name="ansim-live-cues", daemon=True)
            self._listener.start()
        indicators.set_status("ready")

    # --- button handlers (gpiozero threads): queue, never block -----------------------------

    def press_start(self) -> None:
        self._submit("start")

    def press_next(self) -> None:
        self._submit("next")

    def press_mark(self) -> None:
        self._submit("mark")

    def hold_start(self) -> None:
        self._submit("cancel", always=True)

    def _submit(self, command: str, always: bool = False) -> None:
        with self._idle:
            if self._pending and not always:
                self.indicators.play(CUES["refused"])
                return
            self._pending += 1
        self._commands.put(command)

    def wait_idle(self, timeout_s: float | None = None) -> bool:
        """Block until every accepted press has been carried out; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout_s)

    # --- the worker: one command at a time --------------------------------------------------

    def _work(self) -> None:
        while (command := self._commands.get()) is not None:
            try:
                getattr(self, f"_do_{command}")()
            except StepBusy:  # a phone's step is using the radio or camera: press again later
                self.indicators.set_status("ready")
                self.indicators.play(CUES["refused"])
            except InspectionClosed:  # a phone signed it off or cancelled it: let it go
                self.inspection = None
                self.indicators.set_proximity(None)
                self.indicators.set_status("ready")
                self.indicators.play(CUES["refused"])
            except Exception:  # a failed step must not kill the handheld; the inspector retries
                log.exception("handheld: %s failed", command)
                self.indicators.set_status("ready")
                self.indicators.play(CUES["error"])
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _do_start(self) -> None:
        if self.inspection is not None:
            self.indicators.play(CUES["refused"])
            return
        self._drain_alerts()  # what came before this inspection is not its finding
        started = self.driver.start(self.plan.site_id, self.plan.inspector,
                                    stalls=self.plan.stalls)
        self.inspection = _Inspection(started.id,
                                      self.plan.steps(self.plan.stalls or started.stalls))
        self.last_verdict = None
        self.indicators.play(CUES["started"])
        self._run_next_step()

    def _do_next(self) -> None:
        if self.inspection is None:
            self.indicators.play(CUES["refused"])
        elif self.inspection.next_step < len(self.inspection.steps):
            self._run_next_step()
        else:
            self._finish()

    def _do_mark(self) -> None:
        inspection = self.inspection
        if inspection is None or inspection.zone is None:
            self.indicators.play(CUES["refused"])
            return
        stall, zone = inspection.zone
        self.driver.mark(inspection.inspection_id, stall, zone, "suspicious")
        inspection.marks.append(inspection.zone)
        inspection.verdict = _worse(inspection.verdict, "suspicious")
        self.indicators.play(CUES["marked"])

    def _do_cancel(self) -> None:
        if self.inspection is None:
            self.indicators.play(CUES["refused"])
            return
        self.driver.cancel(self.inspection.inspection_id, reason="cancelled on the handheld")
        self.inspection = None
        self.indicators.set_proximity(None)
        self.indicators.set_status("ready")
        self.indicators.play(CUES["cancelled"])

    def _run_next_step(self) -> None:
        inspection = self.inspection
        kind, stall, zone = inspection.steps[inspection.next_step]
        self.indicators.set_status("working")
        if kind == "rf":
            self.driver.run_rf_step(inspection.inspection_id)
        else:
            self.driver.run_optical_step(inspection.inspection_id, stall, zone)
        self.indicators.set_proximity(None)
        step_verdict = here = "clear"
        for alert in self._drain_alerts():
            step_verdict = _worse(step_verdict, verdict_for_alert(alert))
            if _about_place(alert, stall, zone):
                here = _worse(here, verdict_for_alert(alert))
        if kind == "optical":
            # A step may also raise an alert about another place (the camera located where an
            # earlier scan saw its lens): it counts for the verdict, not for this place's mark.
            mark = "checked" if here == "clear" else "suspicious"
            self.driver.mark(inspection.inspection_id, stall, zone, mark)
            inspection.zone = (stall, zone)
        inspection.next_step += 1
        inspection.verdict = _worse(inspection.verdict, step_verdict)
        self.indicators.set_status("ready")
        self.indicators.play(CUES["step_done" if step_verdict == "clear" else "alert"])

    def _finish(self) -> None:
        inspection = self.inspection
        verdict = inspection.verdict
        escalation = self.plan.escalation_if_found if verdict == "found" else None
        self.driver.set_verdict(inspection.inspection_id, verdict, escalation=escalation)
        self.driver.sign_off(inspection.inspection_id, self.plan.inspector)
        self.inspection = None
        self.last_verdict = verdict
        self.indicators.set_status(verdict)
        self.indicators.play(CUES[verdict])

    def _drain_alerts(self) -> list[dict]:
        """The alerts published since the last drain that belong to the current inspection."""
        if self._alerts is None:
            return []
        current = self.inspection.inspection_id if self.inspection else None
        alerts = []
        while (event := self._alerts.get(timeout_s=0)) is not None:
            owner = event.data.get("inspection_id")
            if current is not None and owner in (None, current):
                alerts.append(event.data)
        return alerts

    # --- live cues: proximity beeps, where to point ------------------------------------------

    def _follow_live(self) -> None:
        while not self._closing.is_set():
            event = self._live.get(timeout_s=0.5)
            inspection = self.inspection
            if event is None or inspection is None:
                continue
            try:
                if event.kind == "proximity":
                    level = event.data.get("level")
                    self.indicators.set_proximity(None if level is None else float(level))
                elif event.data.get("inspection_id") == inspection.inspection_id:
                    self._point_at(event.data.get("zone"))
            except (TypeError, ValueError):  # a malformed event must not silence the cues
                log.exception("handheld: cannot cue %s event %r", event.kind, event.data)

    def _point_at(self, zone) -> None:
        """Count out ``zone``'s number in the stall's walking order (a place check's prompt)."""
        if zone not in self.plan.zones:
            log.warning("handheld: place check at %r, which is not on the handheld's checklist",
                        zone)
            return
        self.indicators.play(point_cue(self.plan.zones.index(zone) + 1))

    def close(self) -> None:
        """Finish what was pressed, then stop the worker and unsubscribe."""
        self._commands.put(None)
        self._worker.join(timeout=30.0)
        self._closing.set()  # the proximity listener sees it within its 0.5 s poll and ends
        if self.bus is not None:
            self._alerts.close()
            self._live.close()


def _about_place(alert: dict, stall: int | None, zone: str | None) -> bool:
    """Whether ``alert`` is about this (stall, zone), or names no place at all."""
    return (alert.get("zone") in (None, zone)
            and (alert.get("stall") is None or alert.get("stall") == stall))


def _worse(a: str, b: str) -> str:
    return max(a, b, key=VERDICTS.index)


def attach_buttons(buttons, controller: HandheldController) -> None:
    """Route the buttons' presses to the controller."""
    buttons.on_start = controller.press_start
    buttons.on_next = controller.press_next
    buttons.on_mark = controller.press_mark
    buttons.on_cancel = controller.hold_start


@dataclass
class Handheld:
    """The buttons and indicators on the profile's pins, driving one controller."""

    buttons: Buttons
    indicators: Indicators
    controller: HandheldController

    def close(self) -> None:
        self.buttons.close()  # no new presses
        self.controller.close()  # finish the ones accepted
        self.indicators.wait_until_quiet(timeout_s=5.0)
        self.indicators.close()


def open_handheld(profile, driver: InspectionDriver, plan: HandheldPlan, bus=None,
                  pin_factory=None, **indicator_options) -> Handheld:
    """Wire the profile's buttons and indicators to a controller for ``plan``."""
    pins = profile.pins
    indicators = Indicators(pins.buzzer, pins.vibration, pins.status_led,
                            pin_factory=pin_factory, **indicator_options)
    buttons = Buttons(pins.button_start, pins.button_next, pins.button_mark,
                      pin_factory=pin_factory)
    controller = HandheldController(driver, indicators, plan, bus)
    attach_buttons(buttons, controller)
    return Handheld(buttons, indicators, controller)
