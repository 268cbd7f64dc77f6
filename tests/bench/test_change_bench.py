"""Change since last time on tuning places as the benchmark captures them (seeded exposure and
noise), and how the benchmark holds places against other places."""

import subprocess
import sys

import pytest

from bench.change import PAIRS_DIR, change_figures, load
from bench.raytrace.change_scenes import make_place, visits
from optics import change_align
from optics.change import compare_keyframes


def test_a_bare_wall_whose_removed_hook_took_most_features_is_still_the_same_place():
    """Tuning place 9336: with the hook gone, 10 of 46 ratio-test matches agree (the gate
    asks 20); the second look confirms the place and the gone hook is found."""
    (truth,) = [v.truth() for v in visits(make_place(9336)) if v.truth()["visit"] == "object"]
    (gone,) = truth["changes"]
    result = compare_keyframes(load(PAIRS_DIR, 9336, "reference"),
                               load(PAIRS_DIR, 9336, "object"))
    assert result.aligned, result.alignment.reason
    assert any(c.kind == "removed" and abs(c.x - gone["x"]) + abs(c.y - gone["y"])
               <= gone["radius_px"] + 12 for c in result.changes), \
        [c.to_dict() for c in result.changes]


def test_two_places_sharing_fixtures_are_not_taken_for_one_by_the_second_look():
    """Tuning places that share a vent, hook or sticker model and pass the second look's
    figures, but differ in two or more other fixtures."""
    for reference, other in [(9027, 9006), (9217, 9309), (9220, 9224)]:
        result = compare_keyframes(load(PAIRS_DIR, reference, "reference"),
                                   load(PAIRS_DIR, other, "same"))
        assert not result.aligned and result.changes == (), (reference, other)


@pytest.mark.parametrize("reference, other", [(9072, 9118), (9116, 9014), (9074, 9324)])
def test_two_places_that_share_one_sign_are_not_taken_for_one(reference, other):
    """Tuning places with the same sign or latch plate: its printed pattern gives 20-34
    consistent ratio-test matches, the features that agree cover 1-2 % of the view, and the
    places' other fixtures differ."""
    result = compare_keyframes(load(PAIRS_DIR, reference, "reference"),
                               load(PAIRS_DIR, other, "same"))
    assert not result.aligned and result.alignment.reason == "unconfirmed"
    assert result.changes == ()


def test_a_place_on_weak_proof_still_shows_the_one_thing_gone(monkeypatch):
    """Tuning place 9336, its hook gone from a bare wall: taken as weak proof whatever its
    features' spread, it is still the same place and the gone hook is found (one thing
    differs: a place's own change, not another place's fixtures)."""
    monkeypatch.setattr(change_align, "MIN_SPREAD", 1.0)
    (truth,) = [v.truth() for v in visits(make_place(9336)) if v.truth()["visit"] == "object"]
    (gone,) = truth["changes"]
    result = compare_keyframes(load(PAIRS_DIR, 9336, "reference"),
                               load(PAIRS_DIR, 9336, "object"))
    assert result.aligned and result.alignment.weak_proof, result.alignment.reason
    assert [c.kind for c in result.changes
            if abs(c.x - gone["x"]) + abs(c.y - gone["y"]) <= gone["radius_px"] + 12] == \
        ["removed"]


@pytest.mark.parametrize("reference, other", [(9320, 9033), (9229, 9314)])
def test_several_fixtures_come_and_gone_at_once_says_another_place(reference, other):
    """Tuning places that align over much of the view (a shared tile grid and fixture
    model), so not on weak proof: every other fixture of each is a new or a gone thing."""
    result = compare_keyframes(load(PAIRS_DIR, reference, "reference"),
                               load(PAIRS_DIR, other, "same"))
    assert not result.aligned and result.alignment.reason == "rearranged"


def test_each_place_is_held_against_as_many_other_places_as_asked_never_itself():
    """Three tuning places unlike each other: each against the other two, all told apart
    (a place held against itself would align)."""
    figures = change_figures(PAIRS_DIR, [9000, 9002, 9004], other_places=2)
    apart = figures["different_places_told_apart"]
    assert (apart["successes"], apart["trials"]) == (6, 6)
    assert figures["comparisons"] == 3 * 3


def test_a_count_of_other_places_below_one_is_refused_by_name():
    run = subprocess.run([sys.executable, "-m", "ansim", "--lang", "en", "bench", "change",
                          "--other-places", "0"], capture_output=True, text=True)
    assert run.returncode == 2
    assert "--other-places must be a whole number, 1 or more (not 0)" in run.stderr
