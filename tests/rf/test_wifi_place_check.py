"""The place check: a second code, dimmed, one candidate place at a time, names the camera's own
place where the stall's full-drive code cannot tell it from a neighbour the camera also sees
(its encoder saturates at full light). On the simulated Wi-Fi world with its libx264 traces
(TRAINING material)."""

import numpy as np
import pytest

from hardware.sim.wifi_world import WifiWorld, camera_couplings
from rf.wifi.chips import code_chips, picture_bytes
from rf.wifi.frames import parse_frames
from rf.wifi.inventory import attribute, build_inventory
from rf.wifi.oui import OuiRegistry
from rf.wifi.place import PlaceAnswer, place_slopes
from rf.wifi.place import PlaceWindow
from rf.wifi.place_check import (
    CHECK_DRIVE,
    CHECK_PLACE_S,
    LEADING_PLACES,
    MAX_CHECK_S,
    SURE_Z,
    CheckAnswer,
    check_candidates,
    check_place,
    next_round,
    slept_switches,
)
from rf.wifi.stimulus import check_stimulus

OWN, NEIGHBOUR = "door_hook", "screws_holes"  # the camera at the door hook sees the screw
# holes at 0.35 of the light, the most of any neighbour in the stall


def _camera_pictures(world, packets):
    """The hidden camera's pictures (time, bytes) in ``packets``."""
    parsed = parse_frames([t for t, _ in packets], [p for _, p in packets], 127)
    traffic = attribute(parsed)
    inventory = build_inventory(parsed, traffic, OuiRegistry())
    mac = next(m for m, t in world.truth.items() if t.kind == "camera" and t.sees_stall)
    owner = next(i for i, tx in enumerate(inventory) if tx.mac == mac)
    mine = traffic.up_of == owner
    return picture_bytes(parsed.frames["time_s"][mine],
                         parsed.frames["length"][mine].astype(float))


def _checked(seed, drive):
    """A capped (CBR) camera at ``OWN`` under the check's code over the neighbour, then its
    own place, at ``drive``: the check's answer."""
    world = WifiWorld(seed, camera_zone=OWN, camera_setting="cbr1000_gop4", camera_mode="cloud")
    _, switched, windows = check_stimulus([NEIGHBOUR, OWN], 2.0, np.random.default_rng(seed),
                                          drive=drive)
    packets = world.advance_to(switched[-1][0] + 2.0, stimulus_log=switched,
                               ir_stimulus_log=switched,
                               place_log=[(w.start_s, w.place) for w in windows])
    picture_s, size = _camera_pictures(world, packets)
    epoch = world.epoch_s
    return check_place(picture_s, size,
                       [PlaceWindow(w.place, w.start_s + epoch, w.end_s + epoch)
                        for w in windows],
                       np.array([t + epoch for t, _ in switched]),
                       np.array([v for _, v in switched]))


def test_the_neighbour_is_seen_at_a_third_of_the_light():
    assert 0.3 <= camera_couplings(OWN)[NEIGHBOUR] < 0.4


@pytest.mark.slow
def test_a_camera_at_b_seeing_neighbour_a_is_named_b_by_the_dim_check():
    """Dimmed, the own place moves the pictures several times more than the neighbour in
    every world; at full drive the capped encoder spends nearly as much on the neighbour."""
    dim_ratio, full_ratio = [], []
    for seed in range(4):
        dim = _checked(seed, CHECK_DRIVE)
        assert dim.place == OWN, dim.slopes_bytes
        dim_ratio.append(dim.slopes_bytes[NEIGHBOUR] / dim.slopes_bytes[OWN])
        full = _checked(seed, 1.0)
        # per unit of drive: the full-drive slopes are in the same units
        full_ratio.append(full.slopes_bytes[NEIGHBOUR] / full.slopes_bytes[OWN])
    assert np.median(dim_ratio) < 0.6
    assert np.median(dim_ratio) < np.median(full_ratio)


def test_the_first_round_checks_every_place_steepest_first():
    """Every place the stall's code read is checked, in the order of its slopes, even those
    its errors put surely below the best or that did not answer it at all: those errors
    left out the own place of some cameras."""
    slopes = {"vent": 900.0, "bin": 880.0, "hinges": 870.0, "door_hook": 860.0,
              "toilet_flush": 850.0, "mirror": 400.0, "ceiling": -50.0}
    errors = {p: 100.0 for p in slopes}
    answer = PlaceAnswer(("vent", "bin"), slopes, errors)
    assert check_candidates(answer) == ("vent", "bin", "hinges", "door_hook", "toilet_flush",
                                        "mirror", "ceiling")


def test_further_rounds_on_the_leading_places_until_the_best_is_sure():
    """A round follows while the best is not ``SURE_Z`` standard errors above the runner-up:
    on the leading places (the best and those not surely below it, at most
    ``LEADING_PLACES``), as many as fit the cap; none once the best is sure or the cap is
    reached."""
    windows = [PlaceWindow(p, 6.0 * k, 6.0 * (k + 1))
               for k, p in enumerate(["vent", "bin", "hinges", "mirror", "ceiling"])]
    slopes = {"bin": 900.0, "vent": 880.0, "hinges": 800.0, "mirror": 750.0, "ceiling": 100.0}
    errors = {p: 50.0 for p in slopes}
    tied = CheckAnswer(("bin", "vent"), slopes, errors, ("bin", "vent", "hinges", "mirror"))
    assert LEADING_PLACES == 3
    assert next_round(tied, windows) == ("bin", "vent", "hinges")
    sure = CheckAnswer(("bin",), slopes, errors, ("bin",))
    assert next_round(sure, windows) == ()
    # near the cap only the places that fit, and none when fewer than two fit
    spent = [PlaceWindow("bin", 0.0, MAX_CHECK_S - 2 * CHECK_PLACE_S)]
    assert next_round(tied, spent) == ("bin", "vent")
    spent = [PlaceWindow("bin", 0.0, MAX_CHECK_S - CHECK_PLACE_S)]
    assert next_round(tied, spent) == ()


def test_the_leading_places_are_those_not_surely_below_the_best():
    """``check_place``'s ``leading``: the best and every place within ``SURE_Z`` standard
    errors of the difference below it; a place named alone (``SEPARATION_Z``) can still
    lead with another when it is not surely above it."""
    rng = np.random.default_rng(2)
    picture_s, size, windows, times, levels = _drive_and_pictures(
        rng, ["vent", "bin", "hinges"], 6.0, {"vent": 4000.0, "bin": 3700.0, "hinges": 500.0},
        lambda t: True, noise_bytes=60.0)
    answer = check_place(picture_s, size, windows, times, levels, 0.0)
    slopes, errors = answer.slopes_bytes, answer.errors_bytes
    for place in slopes:
        gap = (slopes[answer.place] - slopes[place]) / np.hypot(errors[answer.place],
                                                                errors[place])
        assert (place in answer.leading) == (gap <= SURE_Z)
    assert answer.leading[0] == answer.place and "hinges" not in answer.leading


def _drive_and_pictures(rng, places, place_s, gain_bytes, awake, noise_bytes=30.0):
    """A check's code over ``places`` and a 15 fps stream whose picture at ``t`` costs
    ``gain_bytes[place]`` per unit of light change over its exposure (and noise of
    ``noise_bytes``); pictures only where ``awake(t)``."""
    _, switched, windows = check_stimulus(places, 0.0, rng, place_s=place_s)
    times = np.array([t for t, _ in switched])
    levels = np.array([v for _, v in switched])
    picture_s = np.arange(1 / 15, times[-1], 1 / 15)
    fine = np.arange(0.0, times[-1], 1 / 600)
    light = levels[np.searchsorted(times, fine, side="right") - 1]
    mean = np.array([light[(fine >= t - 1 / 15) & (fine < t)].mean() for t in picture_s])
    change = np.abs(np.diff(mean, prepend=mean[0]))
    gain = np.array([next(gain_bytes[w.place] for w in windows if w.start_s <= t < w.end_s)
                     if t < windows[-1].end_s else 0.0 for t in picture_s])
    size = 3000.0 + gain * change + rng.normal(0, noise_bytes, len(picture_s))
    keep = np.array([awake(t) for t in picture_s])
    return picture_s[keep], size[keep], windows, times, levels


def test_a_place_read_with_both_rounds_together():
    """Two windows of the same place are one reading (more pictures, a smaller error), not
    the second overwriting the first."""
    rng = np.random.default_rng(11)
    picture_s, size, windows, times, levels = _drive_and_pictures(
        rng, ["vent", "bin", "vent"], 6.0, {"vent": 4000.0, "bin": 2000.0}, lambda t: True)
    windows = [windows[0], windows[1], PlaceWindow("vent", windows[2].start_s,
                                                   windows[2].end_s)]
    both = check_place(picture_s, size, windows, times, levels, 0.0)
    first = check_place(picture_s, size, windows[:2], times, levels, 0.0)
    assert both.place == "vent"
    assert both.errors_bytes["vent"] < first.errors_bytes["vent"]


def test_a_place_whose_light_the_motion_camera_slept_through_is_not_named():
    """A motion-triggered camera records on at the first place (its light wakes it) and
    sleeps through most of the second's flicker, whose few pictures happen to cost more:
    the place it slept through is not its place."""
    rng = np.random.default_rng(4)
    picture_s, size, windows, times, levels = _drive_and_pictures(
        rng, ["bin", "vent"], 6.0, {"bin": 3000.0, "vent": 9000.0}, lambda t: t < 8.5)
    assert slept_switches(picture_s, windows, times, levels) == {"vent"}
    answer = check_place(picture_s, size, windows, times, levels, 0.0)
    assert answer.slopes_bytes["vent"] > answer.slopes_bytes["bin"]
    assert answer.place == "bin"
    streaming = np.arange(1 / 15, times[-1], 1 / 15)
    assert slept_switches(streaming, windows, times, levels) == set()


def test_a_stream_that_ignores_the_light_gets_no_clear_place():
    """Pictures whose sizes ignore the check's code: the slopes are noise about zero."""
    rng = np.random.default_rng(5)
    _, switched, windows = check_stimulus(["bin", "vent", "hinges"], 0.0, rng)
    picture_s = np.arange(0.0, switched[-1][0], 1 / 15) + 0.03
    size = 3000.0 * rng.lognormal(0.0, 0.25, len(picture_s))
    answer = check_place(picture_s, size, windows, np.array([t for t, _ in switched]),
                         np.array([v for _, v in switched]))
    for place, slope in answer.slopes_bytes.items():
        assert abs(slope) < 4 * answer.errors_bytes[place]


def test_the_stall_codes_slopes_feed_the_candidates():
    """``place_slopes`` and ``check_candidates`` agree on the chips' units (bytes per unit
    of light): a place lit harder is ranked first."""
    rng = np.random.default_rng(3)
    times = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    levels = np.array([1, 0, 1, 0, 1, 0, 1, 0, 0], float)
    chips = code_chips(times, levels, [("vent", 0.0, 4.0), ("bin", 4.0, 8.0)])
    picture_s = np.arange(0.0, 8.0, 1 / 15)
    lit = levels[np.searchsorted(times, picture_s, side="right") - 1]
    gain = np.where(picture_s < 4.0, 3000.0, 1000.0)
    size = 3000.0 + gain * lit + rng.normal(0, 100, len(picture_s))
    slopes, errors = place_slopes(picture_s, size, chips, 0.0)
    assert check_candidates(PlaceAnswer((), slopes, errors))[0] == "vent"
    assert slopes["vent"] > 2 * slopes["bin"] > 0


def _sequential_check(stall_answer, gain_bytes, noise_bytes, seed):
    """The whole check on a synthetic stream (``_drive_and_pictures``): the first round over
    ``check_candidates``, then ``next_round`` after round, each reading every round so far.
    The answer, each round's places, and the answer after the first round alone."""
    rounds, places = [], check_candidates(stall_answer)
    answers = []
    while places:
        rounds.append(places)
        order = [p for r in rounds for p in r]
        picture_s, size, windows, times, levels = _drive_and_pictures(
            np.random.default_rng(seed), order, CHECK_PLACE_S, gain_bytes, lambda t: True,
            noise_bytes)
        answers.append(check_place(picture_s, size, windows, times, levels, 0.0))
        places = next_round(answers[-1], windows)
    return answers[-1], rounds, answers[0]


def test_the_own_place_the_stall_code_put_surely_below_is_checked_and_named():
    """The stall's code at full drive put a neighbour far ahead and the own place surely
    below it (the candidates before: places within two standard errors of the best, so the
    own place was never checked); now every place is checked and the own place named."""
    slopes = {"vent": 900.0, "bin": 700.0, "mirror": 300.0}
    errors = {p: 50.0 for p in slopes}
    stall_answer = PlaceAnswer(("vent",), slopes, errors)
    assert slopes["vent"] - slopes["mirror"] > 2 * np.hypot(50.0, 50.0)
    answer, rounds, _ = _sequential_check(
        stall_answer, {"mirror": 4000.0, "vent": 1500.0, "bin": 1000.0}, 60.0, seed=7)
    assert "mirror" in rounds[0]
    assert answer.candidates == ("mirror",)


def test_a_tie_gets_more_rounds_until_the_best_is_sure():
    """Two places whose light costs nearly alike (0.9 of each other), in a noisy stream:
    where a round leaves them within ``SURE_Z`` standard errors another follows, on the
    leading places only, and reading every round together the steeper is named alone."""
    slopes = {"vent": 900.0, "bin": 880.0, "hinges": 300.0, "mirror": 200.0}
    stall_answer = PlaceAnswer(("vent", "bin"), slopes, {p: 50.0 for p in slopes})
    gain = {"bin": 4000.0, "vent": 3600.0, "hinges": 300.0, "mirror": 200.0}
    n_rounds = []
    for seed in range(8):
        answer, rounds, first = _sequential_check(stall_answer, gain, 250.0, seed)
        assert (len(rounds) > 1) == (len(first.leading) > 1)
        assert all(set(r) <= {"vent", "bin"} for r in rounds[1:])
        assert sum(len(r) for r in rounds) * CHECK_PLACE_S <= MAX_CHECK_S
        assert answer.candidates == ("bin",) and answer.leading == ("bin",)
        n_rounds.append(len(rounds))
    assert sum(n > 1 for n in n_rounds) >= 6 and max(n_rounds) >= 4
