"""The place check: a second code, dimmed, one candidate place at a time, names the camera's own
place where the stall's full-drive code cannot tell it from a neighbour the camera also sees
(its encoder saturates at full light). On the simulated Wi-Fi world with its libx264 traces
(TRAINING material)."""

import numpy as np
import pytest

from hardware.sim.wifi_world import WifiWorld, camera_couplings
from rf.wifi.chips import code_chips
from rf.wifi.frames import parse_frames
from rf.wifi.inventory import attribute, build_inventory
from rf.wifi.oui import OuiRegistry
from rf.wifi.place import PlaceAnswer, place_slopes
from rf.wifi.place_check import (
    CHECK_DRIVE,
    CheckWindow,
    check_candidates,
    check_place,
    picture_bytes,
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
                       [CheckWindow(w.place, w.start_s + epoch, w.end_s + epoch)
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


def test_the_candidates_are_the_stall_codes_steepest_places_that_answered():
    answer = PlaceAnswer(("vent", "bin"), {"vent": 900.0, "bin": 850.0, "hinges": 400.0,
                                           "door_hook": -50.0, "toilet_flush": 30.0},
                         {p: 100.0 for p in ("vent", "bin", "hinges", "door_hook",
                                             "toilet_flush")})
    assert check_candidates(answer, limit=3) == ("vent", "bin", "hinges")
    assert check_candidates(answer, limit=9) == ("vent", "bin", "hinges", "toilet_flush")


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
    assert check_candidates(PlaceAnswer((), slopes, errors)) == ("vent", "bin")
