import math

import pytest

from hardware.gpio.indicators import CUES, STATUS_PATTERNS, Note, proximity_cue
from tests.hardware.pin_recorder import STATUS_PIN


def _as_played(cue):
    return [(n.tone_hz, n.vibrate, n.duration_s) for n in cue]


def test_a_cue_sounds_on_the_buzzer_pin_and_buzzes_on_the_motor_pin(indicators, recorder):
    cue = (Note(0.1, 2000.0), Note(0.05), Note(0.2, 3000.0, vibrate=True))
    indicators.play(cue, background=False)
    assert recorder.samples == [(2000.0, False, 0.1), (None, False, 0.05), (3000.0, True, 0.2)]
    assert recorder.factory.pin(18).state == 0 and recorder.factory.pin(23).state == 0


def test_queued_cues_play_whole_and_in_order(indicators, recorder):
    indicators.play(CUES["marked"])
    indicators.play(CUES["found"])
    assert indicators.wait_until_quiet(timeout_s=10)
    assert recorder.samples == _as_played(CUES["marked"]) + _as_played(CUES["found"])


def _motor_pulses(cue):
    pulses, previous = [], False
    for note in cue:
        if note.vibrate and not previous:
            pulses.append(0.0)
        if note.vibrate:
            pulses[-1] += note.duration_s
        previous = note.vibrate
    return pulses


def test_the_three_results_can_be_told_apart_by_touch_alone():
    felt = {v: _motor_pulses(CUES[v]) for v in ("clear", "suspicious", "found")}
    assert len(felt["clear"]) == 1 and len(felt["suspicious"]) == 3
    assert max(felt["found"]) >= 1.0 > max(felt["clear"] + felt["suspicious"])


def test_the_three_results_can_be_told_apart_by_ear_alone():
    heard = {v: tuple(n.tone_hz for n in CUES[v] if n.tone_hz) for v in ("clear", "suspicious",
                                                                        "found")}
    assert len(set(heard.values())) == 3
    assert heard["clear"] == tuple(sorted(heard["clear"]))  # rising: a "good" sound
    assert len(heard["found"]) > len(heard["suspicious"]) > 1


@pytest.mark.parametrize("cue", list(CUES))
def test_every_cue_fits_the_buzzer_range(indicators, cue):
    indicators.play(CUES[cue], background=False)  # TonalBuzzer refuses a tone out of range


def test_proximity_ticks_faster_and_higher_as_the_level_rises():
    periods, tones = [], []
    for level in (0.0, 0.25, 0.5, 0.75, 1.0):
        cue = proximity_cue(level)
        periods.append(sum(n.duration_s for n in cue))
        tones.append(cue[0].tone_hz)
    assert periods == sorted(periods, reverse=True) and len(set(periods)) == 5
    assert tones == sorted(tones) and tones[-1] == pytest.approx(2 * tones[0])
    assert periods[0] >= 10 * periods[-1]  # far: about once a second; near: nearly continuous


def test_a_nan_proximity_level_is_refused(indicators):
    with pytest.raises(ValueError, match="NaN"):
        indicators.set_proximity(math.nan)


def test_the_beeper_follows_the_proximity_level_until_stopped(indicators, recorder):
    indicators.set_proximity(0.1)
    far = recorder.until(4)
    far_tone_hz, far_gap_s = far[0][0], far[1][2]
    indicators.set_proximity(0.9)
    near = recorder.first_after(len(far), lambda s: s[0] not in (None, far_tone_hz))
    recorder.until(near + 2)
    indicators.set_proximity(None)
    assert indicators.wait_until_quiet(timeout_s=10)
    near_tone_hz, near_gap_s = recorder.samples[near][0], recorder.samples[near + 1][2]
    assert near_tone_hz > far_tone_hz
    assert near_gap_s < far_gap_s / 3
    assert recorder.samples[near + 1][0] is None  # a tick, then silence


def test_a_cue_interrupts_the_proximity_ticks_and_they_resume_after(indicators, recorder):
    indicators.set_proximity(0.5)
    tick_tone_hz = recorder.until(2)[0][0]
    alert = _as_played(CUES["alert"])
    indicators.play(CUES["alert"])
    start = recorder.first_after(0, lambda s: s[0] == alert[0][0])
    samples = recorder.until(start + len(alert) + 1)
    indicators.set_proximity(None)
    assert samples[start : start + len(alert)] == alert
    assert samples[start + len(alert)][0] == tick_tone_hz


def test_steady_and_dark_statuses_hold_the_led(indicators, mock_factory):
    indicators.set_status("clear")
    assert mock_factory.pin(STATUS_PIN).state == 1
    indicators.set_status("off")
    assert mock_factory.pin(STATUS_PIN).state == 0


@pytest.mark.parametrize("mode", ["working", "suspicious", "found"])
def test_blinking_statuses_switch_the_led_on_its_own_thread(indicators, mock_factory, mode):
    pin = mock_factory.pin(STATUS_PIN)
    pin.clear_states()
    indicators.set_status(mode)
    indicators.set_status("off")  # stops (and joins) gpiozero's blink thread
    states = [s.state for s in pin.states]
    assert 1 in states and states[-1] == 0


def test_found_blinks_faster_than_suspicious():
    assert sum(STATUS_PATTERNS["found"]) < sum(STATUS_PATTERNS["suspicious"])


def test_an_unknown_status_is_refused(indicators):
    with pytest.raises(ValueError, match="unknown status"):
        indicators.set_status("party")
