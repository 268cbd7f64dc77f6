"""The buttons on the real engine: a whole inspection of the simulated restroom pressed on
gpiozero's MockFactory pins, through the step runner the dashboard shares, ending in a signed
record that ``ansim log verify`` accepts and the found pattern on the buzzer."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from detector.appliance.backends import open_hardware
from detector.appliance.handheld import (
    EngineDriver,
    HandheldController,
    HandheldPlan,
    attach_buttons,
)
from detector.appliance.profile import load_profile
from detector.appliance.step_runner import StepRunner
from detector.engine.checklist import ITEMS
from detector.engine.events import EventBus
from detector.engine.inspections import open_service
from hardware.gpio.buttons import Buttons
from hardware.gpio.indicators import CUES, Indicators
from tests.hardware.pin_recorder import (
    BUZZER_PIN,
    STATUS_PIN,
    VIBRATION_PIN,
    PinRecorder,
    counted_out,
)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
START, NEXT, MARK = 5, 6, 26
STEP_TIMEOUT_S = 120


class Device:
    """The engine on simulated hardware, its shared step runner, and the buttons and
    indicators on MockFactory pins driving it."""

    def __init__(self, factory, data_dir, plan):
        profile = load_profile()
        self.factory = factory
        self.bus = EventBus()
        self.service = open_service(data_dir, hardware=open_hardware(profile, simulate=True),
                                    bus=self.bus, profile=profile)
        self.steps = StepRunner(self.service, self.bus)
        self.heard = PinRecorder(factory)
        self.indicators = Indicators(BUZZER_PIN, VIBRATION_PIN, STATUS_PIN,
                                     pin_factory=factory, wait=self.heard)
        self.buttons = Buttons(START, NEXT, MARK, pin_factory=factory, hold_time_s=0.05)
        self.controller = HandheldController(EngineDriver(self.service, self.steps),
                                             self.indicators, plan, self.bus)
        attach_buttons(self.buttons, self.controller)

    def press(self, pin):
        self.factory.pin(pin).drive_low()
        self.factory.pin(pin).drive_high()

    def click(self, pin):
        self.press(pin)
        assert self.controller.wait_idle(timeout_s=STEP_TIMEOUT_S)
        assert self.indicators.wait_until_quiet(timeout_s=30)

    def last_heard(self, cue_name):
        played = [(n.tone_hz, n.vibrate, n.duration_s) for n in CUES[cue_name]]
        return self.heard.samples[-len(played):] == played

    def close(self):
        self.controller.close()
        self.buttons.close()
        self.indicators.close()
        self.service.close()


@pytest.fixture
def make_device(mock_factory, data_dir):
    made = []

    def make(plan):
        device = Device(mock_factory, data_dir, plan)
        made.append(device)
        return device

    yield make
    for device in made:
        device.close()


def test_a_whole_inspection_from_the_buttons_finds_the_door_hook_camera(make_device, data_dir):
    plan = HandheldPlan(site_id="mapo-7", inspector="Kim Inspector", stalls=None, zones=ITEMS)
    device = make_device(plan)
    device.click(START)  # starts, and sweeps the radio from the doorway
    [started] = device.service.list()
    assert started["site_id"] == "mapo-7" and started["inspector"] == "Kim Inspector"
    for _ in ITEMS:  # the site's one stall, every place on the checklist
        device.click(NEXT)
    assert device.last_heard("step_done")
    device.click(NEXT)  # nothing left: verdict and sign-off

    assert device.last_heard("found")
    assert device.controller.last_verdict == "found"
    state = device.service.get(started["id"])
    assert state.status == "signed_off" and state.verdict == "found"
    assert [s["kind"] for s in state.steps] == ["rf_sweep", "wifi_survey"] + [
        "optical_scan", "wifi_survey"] * len(ITEMS)
    # Marked suspicious: where the scene hides its camera (the door hook) and where an LED glows
    # by itself (the flush sensor's, for the inspector to look at); the rest checked.
    scene = device.service.steps.hardware.handheld.scene
    glowing = {s.zone for s in scene.surfaces
               if s.is_hidden_camera or s.kind in ("ir_led", "indicator_led")}
    assert "door_hook" in glowing and len(glowing) < len(ITEMS)
    marks = {m["item"]: m["status"] for m in state.checklist}
    assert marks == {item: "suspicious" if item in glowing else "checked" for item in ITEMS}
    located = [a for a in state.alerts if a["type"] == "camera_located"]
    assert [a["zone"] for a in located] == ["door_hook"]
    # Its Wi-Fi stream answered the stall's light: the place check told the inspector, by
    # cue, to point at the door hook (among the places it checked).
    assert ITEMS.index("door_hook") + 1 in counted_out(device.heard.samples)
    device.service.close()

    verify = subprocess.run([sys.executable, "-m", "ansim", "--lang", "en", "log", "verify",
                             "--data", str(data_dir)], cwd=REPO, capture_output=True, text=True,
                            timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_one_step_at_a_time_whichever_front_end_asks(make_device):
    """A press while a phone's step runs is refused; the phone sees the buttons' step running
    and cannot start another beside it; an inspection a phone ended is let go of."""
    plan = HandheldPlan(site_id="mapo-7", inspector="Kim Inspector", stalls=None, zones=ITEMS)
    device = make_device(plan)
    entered, release = threading.Event(), threading.Event()
    real_steps = device.service.steps

    class Gated:
        """The hardware steps, held at the start of a sweep until the test lets go."""

        def __getattr__(self, name):
            return getattr(real_steps, name)

        def sweep(self, *args):
            entered.set()
            assert release.wait(STEP_TIMEOUT_S)
            return real_steps.sweep(*args)

    device.service.steps = Gated()
    device.press(START)  # the buttons' RF sweep, held
    assert entered.wait(STEP_TIMEOUT_S)
    [started] = device.service.list()
    assert device.steps.running == {"inspection_id": started["id"], "step": "rf_sweep",
                                    "stall": None, "zone": None}
    with pytest.raises(Exception, match="already running"):
        device.steps.run_optical(started["id"], 1, "door_hook")  # a phone asks meanwhile
    release.set()
    assert device.controller.wait_idle(timeout_s=STEP_TIMEOUT_S)
    assert device.steps.running is None

    entered.clear()
    release.clear()
    device.steps.run_rf(started["id"])  # now a phone runs a sweep again, held
    assert entered.wait(STEP_TIMEOUT_S)
    device.click(NEXT)  # the buttons' scan of the door hook must wait: refused
    assert device.last_heard("refused")
    release.set()
    assert device.steps.wait(timeout_s=STEP_TIMEOUT_S)
    assert [s["kind"] for s in device.service.get(started["id"]).steps] == [
        "rf_sweep", "wifi_survey"] * 2

    device.service.cancel(started["id"], reason="cancelled from a phone")
    device.click(NEXT)  # the buttons let the ended inspection go...
    assert device.last_heard("refused") and device.controller.inspection is None
    device.click(START)  # ...and can start the next one
    assert len(device.service.list()) == 2
