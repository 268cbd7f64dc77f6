"""Stimulus lock-in: a camera whose bitrate follows the light answers it, at the right place and
delay; traffic that ignores the light does not, at the stated false-alarm probability."""

import numpy as np
import pytest

from hardware.sim.wifi_world import simulate_wifi_scene
from rf.wifi.analysis import analyze
from rf.wifi.chips import code_chips
from rf.wifi.errors import StimulusError
from rf.wifi.flicker import flicker_test
from rf.wifi.frames import parse_frames
from rf.wifi.inventory import attribute
from rf.wifi.lockin import FALSE_ALARM_PROBABILITY, StimulusLog, lock_in, parse_stimulus_csv
from rf.wifi.place import PlaceWindow
from rf.wifi.stimulus import ring_drive, stall_stimulus
from rf.wifi.frames import mac_text
from tests.support import wifi_packets as w

START_S = 1_733_300_000.0


def _responses(streams, steps, places=()):
    times, packets = w.capture(streams)
    parsed = parse_frames(times, packets)
    traffic = attribute(parsed)
    f = parsed.frames
    results = lock_in(f["time_s"], f["length"].astype(float), traffic.up_of,
                      len(traffic.addresses), StimulusLog.from_steps(steps), places)
    return {mac_text(int(a)): r for a, r in zip(traffic.addresses, results)}


def test_a_camera_whose_bitrate_follows_the_code_responds_with_its_delay():
    rng = np.random.default_rng(3)
    steps, level = w.pn_steps(rng, START_S + 5, 40.0)
    seeing = w.camera_stream(rng, 50, start_s=START_S, lag_s=1.0, level=level)
    blind = w.camera_stream(rng, 50, camera="44:47:cc:00:00:02", start_s=START_S)
    result = _responses([seeing, blind], steps)
    assert result[w.CAMERA_MAC].responds
    assert result[w.CAMERA_MAC].lag_s == pytest.approx(1.0, abs=0.3)
    assert not result["44:47:cc:00:00:02"].responds


def test_the_place_whose_window_it_answered_is_named():
    rng = np.random.default_rng(4)
    steps_a, level_a = w.pn_steps(rng, START_S + 5, 30.0)
    steps_b, level_b = w.pn_steps(rng, START_S + 35, 30.0)
    steps = steps_a[:-1] + steps_b

    def sees_only_b(t):
        return level_b(t) if t >= START_S + 35 else 0.0
    camera = w.camera_stream(rng, 75, start_s=START_S, lag_s=0.5, level=sees_only_b)
    places = [PlaceWindow("door_hook", START_S + 5, START_S + 35),
              PlaceWindow("toilet_paper_holder", START_S + 35, START_S + 65)]
    result = _responses([camera], steps, places)[w.CAMERA_MAC]
    assert result.responds and result.place == "toilet_paper_holder"


def _null_p_values(rng, n_captures: int, places: int = 1, switch_log: bool = False
                   ) -> np.ndarray:
    """p-values of video streams that ignore the light, against independent codes drawn as
    ``rf.wifi.stimulus`` draws them (balanced chips per place, random lengths; with
    ``switch_log`` random switches while flickering, and both tests combined)."""
    p_values = []
    for _ in range(n_captures):
        steps, windows = stall_stimulus([f"p{k}" for k in range(places)], START_S + 2, rng)
        duration_s = 4 + places * 15.0
        times, lengths, owners = [], [], []
        for owner in range(5):
            t, sizes = w.video_frame_sizes(rng, duration_s, gop_s=float(rng.uniform(1, 4)),
                                           bitrate_bps=float(rng.uniform(5e5, 2e6)))
            frames = w.packetise(START_S + t, sizes)
            times += [f[0] for f in frames]
            lengths += [f[1] for f in frames]
            owners += [owner] * len(frames)
        drive = StimulusLog.from_steps(ring_drive(steps, rng)) if switch_log else None
        results = lock_in(np.array(times), np.array(lengths, float), np.array(owners), 5,
                          StimulusLog.from_steps(steps), windows, drive=drive)
        p_values += [r.p_value for r in results]
    return np.array(p_values)


def test_the_p_value_of_traffic_that_ignores_the_light_is_uniform():
    """The permutation null is exact: for 200 streams that ignore the code, p <= 0.1 about 20
    times (binomial: more than 32 has probability 0.004), p <= 0.01 about twice (more than 7:
    0.001), so the stated false-alarm probability is what a stream that ignores the light
    gets; and about half have p <= 0.5 (fewer than 80: 0.003), so it is not bought by a test
    that never answers."""
    p_values = _null_p_values(np.random.default_rng(5), 40, places=2)
    assert len(p_values) == 200
    assert np.sum(p_values <= 0.1) <= 32
    assert np.sum(p_values <= 0.01) <= 7
    assert np.sum(p_values <= FALSE_ALARM_PROBABILITY) <= 2
    assert np.sum(p_values <= 0.5) >= 80


@pytest.mark.slow
def test_with_the_switch_log_the_false_alarm_probability_still_holds():
    """The flicker test's normal tail and Fisher's combination: of 60 streams that ignore
    the light, p <= 0.05 about 3 times at most (more than 8 has probability 0.004)."""
    p_values = _null_p_values(np.random.default_rng(7), 12, places=2, switch_log=True)
    assert len(p_values) == 60
    assert np.sum(p_values <= 0.05) <= 8
    assert np.sum(p_values <= FALSE_ALARM_PROBABILITY) <= 1


def test_a_transmitter_with_too_little_uplink_is_not_tested():
    rng = np.random.default_rng(6)
    steps, level = w.pn_steps(rng, START_S, 20.0)
    few = [(START_S + k, w.uplink("f0:99:b6:00:00:02", w.AP_MAC, 200)) for k in range(10)]
    result = _responses([few], steps)["f0:99:b6:00:00:02"]
    assert (result.responds, result.p_value) == (False, 1.0)


def test_stimulus_csv_reads_steps():
    log = parse_stimulus_csv("time_s,level\n100.0,0\n101.0,1\n102.5,0.5\n104,0\n", "s.csv")
    assert log.end_s - log.start_s == 4.0
    assert np.allclose(log.mean_levels(np.array([100.0, 101.0, 102.0, 103.0, 104.0])),
                       [0.0, 1.0, 0.75, 0.5])


@pytest.mark.parametrize("text, problem", [
    ("", "line 1: expected the header time_s,level"),
    ("t,level\n0,1\n1,0\n", "line 1: expected the header"),
    ("time_s,level\n0,1\n,\n2,0\n", "line 3: a gap"),
    ("time_s,level\n0,1\n1\n2,0\n", "line 3: a gap"),
    ("time_s,level\n0,1\n1,nan\n2,0\n", "line 3: level is nan"),
    ("time_s,level\n0,1\ninf,0\n", "line 3: time_s is inf"),
    ("time_s,level\n0,1\n1,x\n", "line 3: not a number"),
    ("time_s,level\n0,1\n1,1.5\n2,0\n", "line 3: level 1.5 is outside 0..1"),
    ("time_s,level\n0,1\n2,0\n1,0\n", "line 4: time_s does not increase"),
    ("time_s,level\n0,1\n5000,0\n", "line 3: a gap of 5000 s"),
    ("time_s,level\n0,1\n", "fewer than two steps"),
])
def test_bad_stimulus_files_name_the_file_and_problem(text, problem):
    with pytest.raises(StimulusError) as caught:
        parse_stimulus_csv(text, "stim.csv")
    assert str(caught.value).startswith("stim.csv: ") and problem in str(caught.value)


def _simulated_stall(seed: int, *, sees: bool, setting: str = "vbr1000_gop2",
                     switch_log: bool = False, zone: str = "door_hook"):
    """A stall of four places scanned under the rings' code, in the simulated restroom's
    Wi-Fi world, the camera at ``zone`` (the door hook) streaming through the building's AP,
    its frame sizes from the TRAINING libx264 traces (``setting``: capped VBR, 1 Mbit/s, 2 s
    GOP by default); with ``switch_log`` the lock-in also reads the rings' switches."""
    rng = np.random.default_rng(seed)
    envelope, windows = stall_stimulus(PLACES, 5.0, rng)
    drive = ring_drive(envelope, rng)
    scene = simulate_wifi_scene(seed, duration_s=5.0 + 60.0 + 3.0, stimulus_log=drive,
                                ir_stimulus_log=drive,
                                place_log=[(w.start_s, w.place) for w in windows],
                                camera_sees=sees, camera_zone=zone, camera_mode="cloud",
                                camera_setting=setting, material="training")
    epoch = scene.epoch_s
    survey = analyze([t for t, _ in scene.packets], [p for _, p in scene.packets],
                     stimulus=StimulusLog.from_steps([(t + epoch, v) for t, v in envelope]),
                     places=[PlaceWindow(w.place, w.start_s + epoch, w.end_s + epoch)
                             for w in windows],
                     drive=StimulusLog.from_steps([(t + epoch, v) for t, v in drive])
                     if switch_log else None)
    return {scene.truth[r.transmitter.mac].place: r.stimulus for r in survey.transmitters
            if r.transmitter.mac in scene.truth}


PLACES = ["door_hook", "screws_holes", "paper_holder", "vent"]


@pytest.mark.parametrize("seed", [0, 1, 3])
def test_a_simulated_camera_answers_the_stall_at_its_own_place(seed):
    """Real encoder traces: the camera answers within the encoder's latency and is named at
    its own place; the camera in the other room, whose picture changes with its own room,
    does not answer."""
    answers = _simulated_stall(seed, sees=True)
    camera = answers["door_hook"]
    assert camera.responds and camera.p_value <= FALSE_ALARM_PROBABILITY
    assert camera.place == "door_hook" and camera.lag_s <= 0.5
    assert camera.places[0] == "door_hook"
    assert not answers["other_room"].responds


def test_a_simulated_camera_facing_away_does_not_answer():
    answers = _simulated_stall(0, sees=False)
    assert not answers["facing_away"].responds and answers["facing_away"].p_value > 0.01


def test_a_cbr_camera_the_envelope_misses_answers_the_switches():
    """Constant bitrate at 2 Mbit/s with a 1 s GOP: rate control holds each second's bytes, so
    the chips' envelope alone leaves the camera unproven, but within a flickering chip the
    pictures that caught a change of light still outgrow the ones that did not."""
    envelope_only = _simulated_stall(1, sees=True, setting="cbr2000_gop1")["door_hook"]
    with_switches = _simulated_stall(1, sees=True, setting="cbr2000_gop1",
                                     switch_log=True)["door_hook"]
    assert not envelope_only.responds
    assert with_switches.responds and with_switches.p_value < FALSE_ALARM_PROBABILITY / 100


def _flicker_stream(rng, drive, seen, effect, fps=15.0):
    """A 15 fps camera's pictures whose log size grows by ``effect`` x the change of light
    between its exposure and the one before, when the light falls on the place ``seen`` (the
    only one of the stall it sees); noise, and an I-frame every 2 s."""
    n = int((seen.end_s + 20 - START_S) * fps)
    t = START_S + np.cumsum(np.full(n, 1 / fps) * (1 + rng.normal(0, 0.002, n)))
    light = drive.mean_levels(np.concatenate([[t[0] - 1 / fps], t]))
    light = np.where((t >= seen.start_s) & (t < seen.end_s), light, 0.0)
    log_size = np.log(8000.0) + effect * np.abs(np.diff(light, prepend=0.0))
    log_size += rng.normal(0, 0.25, n)
    log_size[::30] += 1.8
    return t + 0.03, log_size  # encoder and queue latency


def _one_place_flicker_p(seed, effect):
    rng = np.random.default_rng(seed)
    envelope, windows = stall_stimulus([f"p{k}" for k in range(8)], START_S + 2, rng)
    drive = StimulusLog.from_steps(ring_drive(envelope, rng))
    code = StimulusLog.from_steps(envelope)
    chips = code_chips(code.times_s, code.levels, [(w.place, w.start_s, w.end_s)
                                                   for w in windows])
    picture_s, log_size = _flicker_stream(rng, drive, windows[3], effect)
    p_value, _ = flicker_test(picture_s, log_size, chips, drive.times_s, drive.levels)
    return p_value


def test_the_flicker_test_finds_a_camera_that_sees_one_place_of_eight():
    """Per place, like the envelope: the seven places the camera does not see no longer
    dilute the one it answers (summed over the stall, three of these six were not found)."""
    assert all(_one_place_flicker_p(seed, 1.2) <= FALSE_ALARM_PROBABILITY
               for seed in range(6))


@pytest.mark.slow
def test_the_flicker_test_alone_holds_its_false_alarm_probability():
    """Pictures that ignore the light: of 24, p <= 0.05 at most three times (a test exactly
    at its level exceeds that with probability 0.03; Bonferroni over the lags and the
    standard deviation's upper bound make it conservative), never p <= 0.001."""
    p_values = np.array([_one_place_flicker_p(100 + seed, 0.0) for seed in range(24)])
    assert np.sum(p_values <= 0.05) <= 3
    assert np.sum(p_values <= FALSE_ALARM_PROBABILITY) == 0
    assert np.sum(p_values < 1.0) >= 1  # it is run, not refused


@pytest.mark.slow
def test_a_simulated_camera_beside_a_neighbour_it_sees_is_named_or_both_are_candidates():
    """The camera at the paper holder sees the screw holes, scanned just before it, at about
    a third of the light, and its capped encoder spends nearly as much on their patch of
    light as on its own flare. Over six stalls: a place named alone is mostly the right one, and
    otherwise the paper holder is mostly among the two candidates, not silently replaced
    by the place before it. (On the benchmark about five in six places named alone are right,
    so one wrong name in six stalls is allowed, not two.)"""
    answers = [_simulated_stall(seed, sees=True, switch_log=True,
                                zone="paper_holder")["paper_holder"] for seed in range(6)]
    assert all(a.responds for a in answers)
    alone = [a.places[0] for a in answers if len(a.places) == 1]
    assert len(alone) >= 2 and sum(place != "paper_holder" for place in alone) <= 1
    assert sum("paper_holder" in a.places for a in answers) >= 5
