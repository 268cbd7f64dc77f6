"""Change since last time on tuning places as the benchmark captures them (seeded exposure and
noise), and how the benchmark holds places against other places."""

import subprocess
import sys

from bench.change import PAIRS_DIR, change_figures, load
from bench.raytrace.change_scenes import make_place, visits
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
