"""Running inspection steps for the front ends that share one handheld: the dashboard (each
step on a background thread, so the request that asked returns at once and phones follow it on
the event stream) and the buttons (the step on the button worker's own thread).

The handheld has one radio and one camera, so one step runs at a time, whichever front end
asked: asking for another while one runs is refused at once (``StepBusy``; the page says so,
the buzzer plays its refusal) rather than queued behind it. ``running`` says what runs, so a
phone shows a step that the buttons started. A step that fails publishes an ``inspection``
event (``event="step_failed"``) whose ``message_key`` each phone's stream translates, so the
inspector sees it on the phone rather than in a log file.

Example::

    runner = StepRunner(service, bus)
    runner.run_rf(inspection_id)                   # dashboard: returns at once
    runner.run_optical_now(inspection_id, 1, "door_hook")   # buttons: returns when done
"""

import threading
from pathlib import Path

from detector.appliance.backends import open_hardware
from detector.engine.checklist import ITEMS, check_place
from detector.engine.hardware_steps import HardwareSteps
from detector.engine.inspection_rules import InspectionClosed, InspectionError
from detector.errors import Conflict
from detector.i18n import Term


class StepBusy(InspectionError, Conflict):
    """A step is already running on the handheld; ``running`` says which."""

    code = "step_busy"

    def __init__(self, running: dict):
        super().__init__(f"a {running['step']} step is already running", problem="step_busy",
                         step=running["step"])
        self.running = running


class OnDemandHardware:
    """The engine's steps on the handheld's hardware, opened at the first step that needs it
    (not when the server starts: the dashboard, login and log work even with a part missing,
    and a part that fails to open is reported to the inspector as that step's failure)."""

    def __init__(self, profile, *, simulate: bool, scratch_dir: Path):
        self.profile = profile
        self.simulate = simulate
        self.scratch_dir = Path(scratch_dir)
        self._steps: HardwareSteps | None = None
        self._lock = threading.Lock()

    def _opened(self) -> HardwareSteps:
        with self._lock:
            if self._steps is None:
                hardware = open_hardware(self.profile, simulate=self.simulate)
                self._steps = HardwareSteps(hardware, self.profile, scratch_dir=self.scratch_dir)
            return self._steps

    def __getattr__(self, name):
        """Every step-runner call (``detector.engine.inspection_steps.StepRunner``) goes to the
        hardware steps, opening the hardware on the first one."""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._opened(), name)


class StepRunner:
    """Runs ``InspectionService`` steps one at a time, in the background or in the caller."""

    def __init__(self, service, bus):
        self.service = service
        self.bus = bus
        self._lock = threading.Lock()
        self._running: dict | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> dict | None:
        """What runs now (``{"inspection_id", "step", "stall", "zone"}``), or None."""
        with self._lock:
            return dict(self._running) if self._running else None

    # -- in the background (the dashboard) -------------------------------------------------

    def run_rf(self, inspection_id: str) -> None:
        self._launch(inspection_id, "rf_sweep", None, None,
                     lambda: self.service.run_rf_step(inspection_id))

    def run_optical(self, inspection_id: str, stall: int, zone: str) -> None:
        check_place(self._open_state(inspection_id).stalls, stall, zone)
        self._launch(inspection_id, "optical_scan", stall, zone,
                     lambda: self.service.run_optical_step(inspection_id, stall, zone))

    def run_all_optical(self, inspection_id: str, stalls: int) -> None:
        """Every place of every stall, in checklist order, as one background job."""

        def scan_everything():
            for stall in range(1, stalls + 1):
                for zone in ITEMS:
                    with self._lock:
                        self._running.update(stall=stall, zone=zone)
                    self.service.run_optical_step(inspection_id, stall, zone)

        self._launch(inspection_id, "optical_scan", 1, ITEMS[0], scan_everything)

    def run_wifi_follow(self, inspection_id: str, mac: str) -> None:
        """Follow one Wi-Fi transmitter's signal for the meter (``follow_wifi``)."""
        self._launch(inspection_id, "wifi_follow", None, None,
                     lambda: self.service.follow_wifi(inspection_id, mac))

    def wait(self, timeout_s: float | None = None) -> bool:
        """Wait for a background step (tests, shutdown); True if none is left running."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout_s)
        return self.running is None

    # -- in the caller's thread (the buttons) ----------------------------------------------

    def run_rf_now(self, inspection_id: str):
        """The RF sweep, returning the inspection's new state; ``StepBusy`` if one runs."""
        self._claim(inspection_id, "rf_sweep", None, None)
        return self._run(inspection_id, "rf_sweep",
                         lambda: self.service.run_rf_step(inspection_id), reraise=True)

    def run_optical_now(self, inspection_id: str, stall: int, zone: str):
        """One place's optical scan, returning the new state; ``StepBusy`` if a step runs."""
        check_place(self._open_state(inspection_id).stalls, stall, zone)
        self._claim(inspection_id, "optical_scan", stall, zone)
        return self._run(inspection_id, "optical_scan",
                         lambda: self.service.run_optical_step(inspection_id, stall, zone),
                         reraise=True)

    # -- internals ---------------------------------------------------------------------------

    def _open_state(self, inspection_id):
        """The inspection, if it can still take steps (refused here, before any work)."""
        state = self.service.get(inspection_id)
        if state.status != "in_progress":
            raise InspectionClosed(f"inspection {inspection_id} is {state.status}",
                                   problem="inspection_not_open", inspection=inspection_id,
                                   status=Term(f"inspect.status.{state.status}"))
        return state

    def _claim(self, inspection_id, step, stall, zone) -> None:
        self._open_state(inspection_id)
        with self._lock:
            if self._running is not None:
                raise StepBusy(dict(self._running))
            self._running = {"inspection_id": inspection_id, "step": step, "stall": stall,
                             "zone": zone}

    def _launch(self, inspection_id, step, stall, zone, work) -> None:
        self._claim(inspection_id, step, stall, zone)
        self._thread = threading.Thread(target=self._run, args=(inspection_id, step, work),
                                        name=f"ansim-step-{step}", daemon=True)
        self._thread.start()

    def _run(self, inspection_id, step, work, reraise: bool = False):
        try:
            return work()
        except Exception as exc:  # noqa: BLE001 - any failure must reach the phones
            self.bus.publish("inspection", event="step_failed", inspection_id=inspection_id,
                             step=step, message_key="inspect.event.step_failed",
                             params={"error": str(exc) or type(exc).__name__})
            if reraise:
                raise
            return None
        finally:
            with self._lock:
                self._running = None
