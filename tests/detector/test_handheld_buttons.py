"""Inspections run from the buttons alone, pressed on gpiozero's MockFactory pins."""

import threading
from types import SimpleNamespace

import pytest

from detector.appliance.handheld import (
    HandheldController,
    HandheldPlan,
    attach_buttons,
    open_handheld,
)
from detector.appliance.profile import load_profile
from detector.engine.events import EventBus
from hardware.gpio.buttons import Buttons
from hardware.gpio.indicators import CUES, Indicators
from tests.hardware.pin_recorder import (
    BUZZER_PIN,
    STATUS_PIN,
    VIBRATION_PIN,
    PinRecorder,
    counted_out,
)

START, NEXT, MARK = 5, 6, 26
ESCALATION = {"notified": "Jongno police"}
PLAN = HandheldPlan(site_id="site-1", inspector="kim", stalls=2,
                    zones=("door_hook", "paper_holder"), escalation_if_found=ESCALATION)


class RecordingDriver:
    """An inspection engine that records every call and, like the real one, publishes an alert
    on the bus when a step finds something (``finds`` maps (stall, zone) to the alert's
    severity and whether it is confirmed)."""

    def __init__(self, bus, finds=None):
        self.bus = bus
        self.finds = finds or {}
        self.calls = []
        self.started = 0
        self.fail_next_optical = False
        self.during_rf = None
        self.during_optical = None

    def start(self, site_id, inspector, stalls=None):
        self.started += 1
        self.calls.append(("start", site_id, inspector, stalls))
        return SimpleNamespace(id=f"insp-{self.started}")

    def run_rf_step(self, inspection_id):
        self.calls.append(("rf", inspection_id))
        if self.during_rf:
            self.during_rf()

    def run_optical_step(self, inspection_id, stall, zone):
        if self.fail_next_optical:
            self.fail_next_optical = False
            raise OSError("camera unplugged")
        self.calls.append(("optical", inspection_id, stall, zone))
        if self.during_optical:
            self.during_optical(inspection_id, stall, zone)
        if (stall, zone) in self.finds:
            severity, confirmed = self.finds[(stall, zone)]
            self.bus.publish("alert", severity=severity, confirmed=confirmed, zone=zone,
                             inspection_id=inspection_id)

    def mark(self, inspection_id, stall, item, status):
        self.calls.append(("mark", inspection_id, stall, item, status))

    def set_verdict(self, inspection_id, verdict, escalation=None):
        self.calls.append(("verdict", inspection_id, verdict, escalation))

    def sign_off(self, inspection_id, inspector):
        self.calls.append(("sign_off", inspection_id, inspector))

    def cancel(self, inspection_id, reason):
        self.calls.append(("cancel", inspection_id))


class Handheld:
    """The real buttons and indicators on MockFactory pins, wired to a controller."""

    def __init__(self, factory, driver, bus):
        self.factory = factory
        self.driver = driver
        self.heard = PinRecorder(factory)
        self.indicators = Indicators(BUZZER_PIN, VIBRATION_PIN, STATUS_PIN,
                                     pin_factory=factory, wait=self.heard)
        self.buttons = Buttons(START, NEXT, MARK, pin_factory=factory, hold_time_s=0.05)
        self.controller = HandheldController(driver, self.indicators, PLAN, bus)
        attach_buttons(self.buttons, self.controller)

    def click(self, pin):
        self.factory.pin(pin).drive_low()
        self.factory.pin(pin).drive_high()
        self.settle()

    def hold_start(self):
        cancelled = threading.Event()
        self.buttons.on_cancel = lambda: (self.controller.hold_start(), cancelled.set())
        self.factory.pin(START).drive_low()
        assert cancelled.wait(10), "the hold never fired"
        self.factory.pin(START).drive_high()
        self.settle()

    def settle(self):
        assert self.controller.wait_idle(timeout_s=10)
        assert self.indicators.wait_until_quiet(timeout_s=10)

    def last_heard(self, cue_name):
        cue = CUES[cue_name]
        played = [(n.tone_hz, n.vibrate, n.duration_s) for n in cue]
        return self.heard.samples[-len(played):] == played

    def close(self):
        self.controller.close()
        self.buttons.close()
        self.indicators.close()


@pytest.fixture
def make_handheld(mock_factory):
    made = []

    def make(finds=None):
        bus = EventBus()
        handheld = Handheld(mock_factory, RecordingDriver(bus, finds), bus)
        made.append(handheld)
        return handheld

    yield make
    for handheld in made:
        handheld.close()


def _run_whole_inspection(handheld):
    handheld.click(START)  # starts and sweeps the radio
    for _ in range(PLAN.stalls * len(PLAN.zones)):
        handheld.click(NEXT)  # one zone each
    handheld.click(NEXT)  # nothing left: verdict and sign-off


def test_a_whole_clear_inspection_from_the_buttons(make_handheld):
    handheld = make_handheld()
    _run_whole_inspection(handheld)
    assert handheld.driver.calls == [
        ("start", "site-1", "kim", 2),
        ("rf", "insp-1"),
        ("optical", "insp-1", 1, "door_hook"),
        ("mark", "insp-1", 1, "door_hook", "checked"),
        ("optical", "insp-1", 1, "paper_holder"),
        ("mark", "insp-1", 1, "paper_holder", "checked"),
        ("optical", "insp-1", 2, "door_hook"),
        ("mark", "insp-1", 2, "door_hook", "checked"),
        ("optical", "insp-1", 2, "paper_holder"),
        ("mark", "insp-1", 2, "paper_holder", "checked"),
        ("verdict", "insp-1", "clear", None),
        ("sign_off", "insp-1", "kim"),
    ]
    assert handheld.last_heard("clear")
    assert handheld.factory.pin(STATUS_PIN).state == 1  # steady: clear


def test_a_camera_found_in_a_zone_ends_in_found_with_escalation(make_handheld):
    handheld = make_handheld(finds={(2, "door_hook"): ("high", True)})
    _run_whole_inspection(handheld)
    assert ("mark", "insp-1", 2, "door_hook", "suspicious") in handheld.driver.calls
    assert ("verdict", "insp-1", "found", ESCALATION) in handheld.driver.calls
    assert handheld.last_heard("found")
    assert handheld.controller.last_verdict == "found"


def test_an_unconfirmed_high_alert_is_suspicious_not_found(make_handheld):
    handheld = make_handheld(finds={(1, "door_hook"): ("high", False)})
    _run_whole_inspection(handheld)
    assert ("verdict", "insp-1", "suspicious", None) in handheld.driver.calls


def test_a_low_alert_does_not_stop_a_clear_verdict(make_handheld):
    handheld = make_handheld(finds={(1, "door_hook"): ("low", False)})
    _run_whole_inspection(handheld)
    assert ("verdict", "insp-1", "clear", None) in handheld.driver.calls


def test_a_lesser_alert_ends_in_suspicious_and_is_felt_when_it_happens(make_handheld):
    handheld = make_handheld(finds={(1, "paper_holder"): ("medium", False)})
    handheld.click(START)
    handheld.click(NEXT)
    assert handheld.last_heard("step_done")
    handheld.click(NEXT)  # stall-1 paper_holder: the alert
    assert handheld.last_heard("alert")
    for _ in range(3):
        handheld.click(NEXT)
    assert ("verdict", "insp-1", "suspicious", None) in handheld.driver.calls
    assert handheld.last_heard("suspicious")


def test_mark_applies_to_the_zone_just_scanned(make_handheld):
    handheld = make_handheld()
    handheld.click(START)
    handheld.click(NEXT)
    handheld.click(NEXT)
    handheld.click(MARK)
    assert handheld.driver.calls[-3:] == [("optical", "insp-1", 1, "paper_holder"),
                                          ("mark", "insp-1", 1, "paper_holder", "checked"),
                                          ("mark", "insp-1", 1, "paper_holder", "suspicious")]
    assert handheld.last_heard("marked")
    for _ in range(3):
        handheld.click(NEXT)
    assert ("verdict", "insp-1", "suspicious", None) in handheld.driver.calls


def test_mark_before_any_zone_is_scanned_is_refused(make_handheld):
    handheld = make_handheld()
    handheld.click(MARK)
    handheld.click(START)  # the RF sweep has no zone to mark
    handheld.click(MARK)
    assert not [c for c in handheld.driver.calls if c[0] == "mark"]  # nothing scanned yet
    assert handheld.last_heard("refused")


def test_next_with_no_inspection_is_refused(make_handheld):
    handheld = make_handheld()
    handheld.click(NEXT)
    assert handheld.driver.calls == []
    assert handheld.last_heard("refused")


def test_holding_start_cancels_and_a_new_inspection_can_begin(make_handheld):
    handheld = make_handheld()
    handheld.click(START)
    handheld.click(NEXT)
    handheld.hold_start()
    assert handheld.driver.calls[-1] == ("cancel", "insp-1")
    assert handheld.last_heard("cancelled")
    handheld.click(NEXT)
    assert handheld.driver.calls[-1] == ("cancel", "insp-1")  # nothing to continue
    handheld.click(START)
    assert handheld.driver.calls[-2:] == [("start", "site-1", "kim", 2), ("rf", "insp-2")]


def test_start_during_an_inspection_does_not_start_another(make_handheld):
    handheld = make_handheld()
    handheld.click(START)
    handheld.click(START)
    assert handheld.driver.started == 1
    assert handheld.last_heard("refused")


def test_a_press_while_a_step_runs_is_refused_not_queued(make_handheld):
    handheld = make_handheld()
    in_step, release = threading.Event(), threading.Event()

    def slow_sweep():
        in_step.set()
        assert release.wait(10)

    handheld.driver.during_rf = slow_sweep
    handheld.factory.pin(START).drive_low()
    handheld.factory.pin(START).drive_high()
    assert in_step.wait(10)
    handheld.factory.pin(NEXT).drive_low()  # too early: the sweep is still running
    handheld.factory.pin(NEXT).drive_high()
    release.set()
    handheld.settle()
    assert [c[0] for c in handheld.driver.calls] == ["start", "rf"]
    assert any(handheld.heard.samples[i : i + 3] == [(n.tone_hz, n.vibrate, n.duration_s)
                                                       for n in CUES["refused"]]
               for i in range(len(handheld.heard.samples)))


def test_a_failed_step_is_signalled_and_retried_on_the_next_press(make_handheld):
    handheld = make_handheld()
    handheld.click(START)
    handheld.driver.fail_next_optical = True
    handheld.click(NEXT)
    assert handheld.last_heard("error")
    handheld.click(NEXT)
    assert handheld.driver.calls[-2:] == [("optical", "insp-1", 1, "door_hook"),
                                          ("mark", "insp-1", 1, "door_hook", "checked")]


def test_alerts_from_before_the_start_or_another_inspection_do_not_count(make_handheld):
    handheld = make_handheld()
    handheld.driver.bus.publish("alert", severity="high", confirmed=True, inspection_id="old")
    handheld.click(START)
    handheld.driver.bus.publish("alert", severity="high", confirmed=True,
                                inspection_id="someone-else")
    _finish_from_rf(handheld)
    assert ("verdict", "insp-1", "clear", None) in handheld.driver.calls


def _finish_from_rf(handheld):
    for _ in range(PLAN.stalls * len(PLAN.zones) + 1):
        handheld.click(NEXT)


def test_proximity_readings_tick_the_beeper_during_a_step_and_stop_after(make_handheld):
    handheld = make_handheld()
    near_tick_hz = []

    def sweep_closing_in():
        start = len(handheld.heard.samples)
        handheld.driver.bus.publish("proximity", level=0.9)
        # the started cue's tones are below 2700 Hz; a tick at 0.9 is well above
        tick = handheld.heard.first_after(start, lambda s: s[0] is not None and s[0] > 3000)
        near_tick_hz.append(handheld.heard.samples[tick][0])

    handheld.driver.during_rf = sweep_closing_in
    handheld.click(START)
    assert near_tick_hz
    assert handheld.last_heard("step_done")  # the ticking stopped with the step


def test_the_profile_wires_the_handheld(mock_factory):
    """On the profile's own pins: a short inspection, pressed and heard."""
    pins = load_profile().pins
    bus = EventBus()
    driver = RecordingDriver(bus)
    heard = PinRecorder(mock_factory)
    plan = HandheldPlan(site_id="s", inspector="lee", stalls=1, zones=("vent",))
    handheld = open_handheld(load_profile(), driver, plan, bus, pin_factory=mock_factory,
                             wait=heard)
    try:
        for pin in (pins.button_start, pins.button_next, pins.button_next):
            mock_factory.pin(pin).drive_low()
            mock_factory.pin(pin).drive_high()
            assert handheld.controller.wait_idle(timeout_s=10)
        assert [c[0] for c in driver.calls] == ["start", "rf", "optical", "mark", "verdict",
                                                "sign_off"]
        assert handheld.indicators.wait_until_quiet(timeout_s=10)
        assert mock_factory.pin(pins.status_led).state == 1  # clear: steady
    finally:
        handheld.close()


def test_a_place_check_counts_out_each_place_to_point_at(make_handheld):
    """A Wi-Fi stream answered the stall's light: at each place the check dims the rings at,
    the buttons-only inspector hears which place to aim at (its number in the walking order);
    another inspection's prompts and places off the checklist are not played."""
    handheld = make_handheld()
    bus = handheld.driver.bus
    heard_from = []

    def place_check(inspection_id, stall, zone):
        if (stall, zone) != (1, "paper_holder"):  # the stall's last place: the check follows it
            return
        heard_from.append(len(handheld.heard.samples))
        bus.publish("wifi_place_check", inspection_id="insp-other", stall=1, zone="door_hook",
                    seconds=6.0)
        bus.publish("wifi_place_check", inspection_id=inspection_id, stall=1, zone="vent",
                    seconds=6.0)
        for place in ("paper_holder", "door_hook"):
            bus.publish("wifi_place_check", inspection_id=inspection_id, stall=1, zone=place,
                        seconds=6.0)
        first = handheld.heard.first_after(heard_from[0], lambda s: s[0] == 1319.0)
        handheld.heard.first_after(first + 1, lambda s: s[0] == 1319.0)

    handheld.driver.during_optical = place_check
    handheld.click(START)
    handheld.click(NEXT)  # stall 1, door hook
    handheld.click(NEXT)  # stall 1, paper holder, then its place check
    assert counted_out(handheld.heard.samples[heard_from[0]:]) == [2, 1]
    assert handheld.last_heard("step_done")
