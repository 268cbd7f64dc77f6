"""Change since last time, on the ray-traced tuning places (POV-Ray renders kept in the
repository): a new hole and a new or removed object are found where the scene put them, a
second visit with nothing changed shows nothing, and two different places are told apart."""

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from hardware.camera import Frame
from hardware.camera.capture_dir import CaptureWriter
from optics.change import (
    MIN_DARK_EXCESS_FAINT,
    Change,
    ChangeError,
    _one_per_thing,
    compare_keyframes,
)
from optics.change_edges import disoccluded, whole_difference
from optics.keyframe import decode_keyframe, keyframe_from_images

REPO = Path(__file__).resolve().parents[2]
PAIRS = REPO / "bench" / "raytrace" / "change_pairs"
PLACES = [9000, 9002, 9005]  # tuning places (the benchmark's are never used in tests)


def render(place, visit) -> np.ndarray:
    return cv2.imread(str(PAIRS / str(place) / f"{visit}.png"), cv2.IMREAD_GRAYSCALE)


def truth(place, visit) -> list[dict]:
    entries = json.loads((PAIRS / str(place) / "truth.json").read_text())
    return next(e for e in entries if e["visit"] == visit)["changes"]


def near(change, expected, slack_px=6.0) -> bool:
    return np.hypot(change.x - expected["x"], change.y - expected["y"]) <= \
        expected["radius_px"] + slack_px


@pytest.mark.parametrize("place", PLACES)
def test_nothing_changed_reports_nothing_despite_pose_lamp_and_droplets(place):
    result = compare_keyframes(render(place, "reference"), render(place, "same"))
    assert result.aligned
    assert result.changes == ()


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("visit", ["hole", "object"])
def test_the_change_is_found_where_the_scene_put_it(place, visit):
    (expected,) = truth(place, visit)
    result = compare_keyframes(render(place, "reference"), render(place, visit))
    assert result.aligned
    hits = [c for c in result.changes if near(c, expected)]
    assert hits, ([c.to_dict() for c in result.changes], expected)
    assert hits[0].kind == expected["kind"]
    left, gap, right = np.hsplit(hits[0].crop, [hits[0].crop.shape[1] // 2 - 2,
                                                hits[0].crop.shape[1] // 2 + 2])
    assert left.shape == right.shape and hits[0].crop.ndim == 3  # today | reference


@pytest.mark.parametrize("place", [9019, 9072])  # a screw comes (0.83 m) / goes (1.22 m)
def test_a_screw_that_comes_or_goes_on_plain_wall_is_found(place):
    screw_changes(place)


def screw_changes(place) -> list:
    """The changes between a tuning place's reference and its visit with a screw come or
    gone, after asserting that the screw is found with its kind right."""
    (expected,) = truth(place, "object")
    assert expected["object"] == "screw"
    result = compare_keyframes(render(place, "reference"), render(place, "object"))
    hits = [c for c in result.changes if near(c, expected)]
    assert hits and hits[0].kind == expected["kind"], [c.to_dict() for c in result.changes]
    return result.changes


def test_a_faint_dot_whose_darkest_pixel_just_passes_the_first_threshold_is_found():
    # a screw-like dome painted on plain wall of tuning place 9038 (where its object visit
    # puts a screw, 0.93 m): 26 % darker at its centre, 1.2 px wide, so a single pixel passes
    # the first pass's threshold; that pass does not judge a lone pixel, and the faint pass
    # must still look there (it stayed away, and nothing reported the dot)
    reference = render(9038, "reference")
    today = reference.astype(float)
    dy, dx = np.mgrid[-4:5, -4:5]
    today[204:213, 439:448] *= 1 - 0.26 * np.exp(-(dx ** 2 + dy ** 2) / (2 * 1.2 ** 2))
    today = np.clip(np.round(today), 0, 255).astype(np.uint8)
    result = compare_keyframes(reference, today)
    assert [(c.kind, round(c.x), round(c.y)) for c in result.changes] == [("new", 443, 208)], \
        [c.to_dict() for c in result.changes]


def test_a_faint_small_difference_at_a_fixtures_edge_is_no_change():
    # 9108's second visit: the shadow edge of a deep fixture moves by parallax and leaves a
    # small, faintly dark difference beside it (0.22 of darkness, as much as a screw's),
    # which the faint-small pass would report but for the plain-wall rule
    result = compare_keyframes(render(9108, "reference"), render(9108, "same"))
    assert result.aligned and result.changes == ()


@pytest.mark.parametrize("visit", ["hole", "object"])
def test_a_wall_left_off_by_a_deep_fixture_shows_only_the_real_change(visit):
    # 9021: a sign 8 cm off the wall at 0.45 m fills much of the view, the homography
    # follows its face and leaves the wall's screws 10-17 px off; the screws agree on where
    # the wall lies, so only the new hole (or the new screw) remains
    (expected,) = truth(9021, visit)
    result = compare_keyframes(render(9021, "reference"), render(9021, visit))
    assert result.aligned
    assert [near(c, expected) for c in result.changes] == [True], \
        [c.to_dict() for c in result.changes]


@pytest.mark.parametrize("place,visit", [(9004, "same"), (9024, "object")])
def test_a_strip_of_wall_a_fixtures_edge_hides_or_shows_is_no_change(place, visit):
    # 9004: a sign's bottom edge moves across the vent behind it by parallax; 9024: a sign's
    # side face is seen at another angle, a strip of wall beside it hidden on one day and
    # shown on the other (no one shift explains either); only the real change remains
    expected = truth(place, visit)
    result = compare_keyframes(render(place, "reference"), render(place, visit))
    assert result.aligned
    assert [any(near(c, e) for e in expected) for c in result.changes] == [True] * len(expected), \
        [c.to_dict() for c in result.changes]


@pytest.mark.parametrize("spot,brightness", [((252, 30), 0.1), ((243, 55), 0.1),
                                             ((238, 40), 0.1), ((256, 45), 0.35)])
def test_a_hole_beside_a_fixtures_edge_strip_is_still_found(spot, brightness):
    # a 5 px dark hole painted within 8 px of 9024's sign edge (the strip of the test above),
    # on the wall or on the sign's side face: the strip is explained, the hole is not (the
    # last one, a third as bright as the wall, no darker than the sign's face nearby: only
    # darker than all around it)
    reference, today = render(9024, "reference"), render(9024, "object")
    disc = cv2.circle(np.zeros_like(today), spot, 2, 1, -1) > 0
    today = np.where(disc, np.round(today * brightness), today).astype(np.uint8)
    result = compare_keyframes(reference, today)
    (puck,) = truth(9024, "object")
    hole = {"x": spot[0], "y": spot[1], "radius_px": 2.0}
    assert sorted(near(c, puck) for c in result.changes) == [False, True]
    assert [c.kind for c in result.changes if near(c, hole, slack_px=2.0)] == ["new"], \
        [c.to_dict() for c in result.changes]


@pytest.mark.parametrize("place", [9001, 9003, 9007])
def test_a_new_thing_seen_in_pieces_is_one_change(place):
    # an air freshener or hook whose corner or edge stands apart from its main region (two
    # regions of the same kind, the smaller one within a few pixels of the larger's box)
    (expected,) = truth(place, "object")
    result = compare_keyframes(render(place, "reference"), render(place, "object"))
    assert [(near(c, expected), c.kind) for c in result.changes] == \
        [(True, expected["kind"])], [c.to_dict() for c in result.changes]


def test_a_sliver_of_a_fixtures_side_face_is_no_change():
    # second tuning block, 9203's second visit: the air freshener's bottom side face is seen
    # at another angle, a sliver 1-3 px wide and shorter than the strip rule's length along
    # the edge both pictures hold; nothing changed there
    result = compare_keyframes(render(9203, "reference"), render(9203, "same"))
    assert result.aligned and result.changes == (), [c.to_dict() for c in result.changes]


def test_a_side_face_seen_in_one_picture_only_is_no_change():
    # tuning place 9327's second visit: a deep paper holder (8 cm) at 0.48 m; the reference
    # sees its shaded left side face, a line 2-3 px wide along its outline, within a fainter
    # wedge of the face's shading; today sees none. The face's shading is in neither
    # picture's wall, so the strip's value test refused it (a removed thing, r 81 px)
    result = compare_keyframes(render(9327, "reference"), render(9327, "same"))
    assert result.aligned and result.changes == (), [c.to_dict() for c in result.changes]


def test_a_shadows_tip_seen_further_on_one_day_is_no_change():
    # tuning place 9018's hole visit: the thin tip of a fixture's shadow shows 10 px further
    # today (the area lamp's penumbra); what passes the threshold is a short piece, the whole
    # difference a long strip along the shadow's edge. The new hole is still found.
    (hole,) = truth(9018, "hole")
    result = compare_keyframes(render(9018, "reference"), render(9018, "hole"))
    assert [near(c, hole) for c in result.changes] == [True], \
        [c.to_dict() for c in result.changes]


def side_face_pair(mark_today, outline=True):
    """A synthetic fixture (a bright block on a grey wall, ratio units; without ``outline``
    bare wall) and today's picture with ``mark_today`` painted darker (0.45) into it."""
    reference = np.full((80, 80), 1.0, np.float32)
    if outline:
        reference[:, 40:] = 1.3  # the fixture's face right of its outline at x = 40
    today = reference.copy()
    today[mark_today] = 0.45
    return reference, today


def test_a_thin_line_along_an_outline_is_a_side_face_and_a_dot_or_a_wire_is_not():
    # the same darkness, 0.45 against a wall of 1.0: as a 1 px line 30 px long along the
    # fixture's outline (a side face seen today only) it is explained; as a 3 px dot beside
    # the outline (a hole, a screw) it is not, nor as the same line on bare wall (a new wire:
    # no edge beneath it in the reference)
    threshold = 0.18
    line = np.zeros((80, 80), bool)
    line[25:55, 39] = True
    dot = np.zeros((80, 80), bool)
    dot[39:42, 36:39] = True
    for mark, outline, explained in ((line, True, True), (dot, True, False),
                                     (line, False, False)):
        reference, today = side_face_pair(mark, outline)
        unexplained = np.abs(today - reference)
        remaining = mark & (unexplained > threshold)
        shape = whole_difference(remaining, unexplained, threshold)
        out = disoccluded(remaining, shape, today, reference, threshold, MIN_DARK_EXCESS_FAINT)
        assert bool(out[remaining].all()) is explained, (outline, int(mark.sum()))


def test_pieces_of_a_faint_line_are_judged_by_the_whole_line():
    # three 2 px pieces over the threshold, joined by a fainter difference: one line 30 px
    # long, not three dots
    threshold = 0.18
    unexplained = np.zeros((60, 60), np.float32)
    unexplained[15:45, 30] = 0.12  # above half the threshold
    remaining = np.zeros((60, 60), bool)
    for y in (16, 29, 42):
        remaining[y:y + 2, 30] = True
        unexplained[y:y + 2, 30] = 0.3
    shape = whole_difference(remaining, unexplained, threshold)
    assert shape.sum() == 30 and shape[15:45, 30].all()


def test_a_small_changed_piece_beside_a_removed_thing_is_part_of_it():
    # as on tuning place 9239's object visit (as the camera delivers it): a charger is gone
    # (removed, r 45 px), and the soft fringe of its shadow, 6 px beyond the box of what its
    # region changed, stands apart as a small region where both pictures hold something
    # ("changed"); it is a piece of the charger's change. A new hole as near stays apart.
    charger = (Change("removed", 346.0, 136.0, 45.0, 0.98), (308, 91, 385, 180))
    fringe = (Change("changed", 301.0, 162.0, 2.5, 0.6), (300, 160, 302, 164))
    hole = (Change("new", 301.0, 150.0, 2.0, 0.9), (300, 149, 302, 151))
    assert [c.kind for c in _one_per_thing([fringe, charger])] == ["removed"]
    assert sorted(c.kind for c in _one_per_thing([hole, fringe, charger])) == ["new", "removed"]


def test_a_brighter_exposure_alone_is_no_change():
    reference = render(9000, "reference")
    brighter = np.clip(reference.astype(float) * 1.3, 0, 255).astype(np.uint8)
    result = compare_keyframes(reference, brighter)
    assert result.aligned and result.changes == ()


def test_two_different_places_are_not_aligned():
    result = compare_keyframes(render(9000, "reference"), render(9002, "same"))
    assert not result.aligned
    assert result.changes == ()


def test_a_tile_grid_whose_crossings_fool_the_ratio_test_is_aligned_and_its_hole_found():
    # second tuning block, 9232: identical grout crossings give most features several equal
    # partners (25 of 271 ratio-test matches agree); the second look's guided matches
    # confirm the place, and the new 3.4 mm hole at 1.17 m is found
    (expected,) = truth(9232, "hole")
    result = compare_keyframes(render(9232, "reference"), render(9232, "hole"))
    assert result.aligned, result.alignment.reason
    assert [c.kind for c in result.changes if near(c, expected)] == ["new"]


@pytest.mark.parametrize("reference, other", [(9227, 9306), (9326, 9118)])
def test_a_change_wider_than_half_the_view_says_another_place(reference, other):
    # two tuning places whose tiles align; what differs is the whole view, no one thing
    result = compare_keyframes(render(reference, "reference"), render(other, "same"))
    assert not result.aligned and result.alignment.reason == "view_changed"
    assert result.changes == ()


@pytest.mark.parametrize("place", [9022, 9203, 9208, 9305])
def test_one_new_or_gone_fixture_seen_in_two_pieces_is_still_the_same_place(place):
    # the tuning places whose change is reported as two fixture-sized pieces of one kind
    (expected,) = truth(place, "object")
    result = compare_keyframes(render(place, "reference"), render(place, "object"))
    assert result.aligned, result.alignment.reason
    assert any(near(c, expected) and c.kind == expected["kind"] for c in result.changes)


def test_a_removed_hooks_plate_over_a_grout_line_is_no_edges_strip():
    # second tuning block, 9215: a hook's plate (a strip 10 px wide along a vertical grout
    # line) is gone; the grout line today and the plate's sides in the reference are edges
    # both pictures hold along it, and each picture's values are found in the other nearby,
    # but the wall on either side of the plate is alike in both pictures: it is no fixture's
    # edge sweeping the wall, and the hook is found
    (hook,) = truth(9215, "object")
    result = compare_keyframes(render(9215, "reference"), render(9215, "object"))
    assert [near(c, hook) for c in result.changes] == [True], \
        [c.to_dict() for c in result.changes]


def grouted_wall(plate=None, fixture_from_x=None) -> np.ndarray:
    """A synthetic wall (ratio units) with a vertical grout line at x = 38-40, and a plate
    (``plate``: its value) lying over it at x = 35-43, y = 30-69, or a fixture's face from
    ``fixture_from_x`` on."""
    wall = np.full((100, 80), 1.0, np.float32)
    wall[:, 38:41] = 0.5
    if fixture_from_x is not None:
        wall[:, fixture_from_x:] = 1.3
    if plate is not None:
        wall[30:70, 35:44] = plate
    return wall


@pytest.mark.parametrize("reference,today,explained", [
    (grouted_wall(plate=0.75), grouted_wall(), False),  # a plate gone from over the grout
    (grouted_wall(fixture_from_x=45), grouted_wall(fixture_from_x=55), True),  # parallax
])
def test_a_wide_strip_is_an_edges_sweep_only_if_its_two_sides_differ(reference, today,
                                                                      explained):
    # both differences are long strips 9-10 px wide along edges both pictures hold, whose
    # values each picture holds nearby; a fixture's edge moved by parallax has its face on
    # one side and the wall on the other in both pictures, a plate has wall on both
    threshold = 0.18
    unexplained = np.abs(today - reference)
    remaining = unexplained > threshold
    shape = whole_difference(remaining, unexplained, threshold)
    out = disoccluded(remaining, shape, today, reference, threshold, MIN_DARK_EXCESS_FAINT)
    assert bool(out[remaining].all()) is explained and bool(out[remaining].any()) is explained


def test_a_non_keyframe_is_refused_with_the_reason():
    with pytest.raises(ChangeError, match="today"):
        compare_keyframes(render(9000, "reference"), np.zeros((360, 640), np.float32))


def write_capture(path, image, copies=3):
    height, width = image.shape
    with CaptureWriter(path, width, height) as writer:
        for k in range(copies):
            writer.write(Frame(k, image, k / 30, 8000.0, float(k == 0), float(k == 1)))


def test_cli_compare_reports_changes_in_todays_frame_0(tmp_path):
    place = 9005
    (expected,) = truth(place, "hole")
    write_capture(tmp_path / "ref", render(place, "reference"))
    today = cv2.resize(render(place, "hole"), (1280, 720), interpolation=cv2.INTER_CUBIC)
    write_capture(tmp_path / "today", today)
    result = subprocess.run([sys.executable, "-m", "ansim", "--lang", "en", "optics",
                             "compare", str(tmp_path / "ref"), str(tmp_path / "today"),
                             "--json"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"reference", "today", "aligned", "changes"}
    assert report["aligned"] is True
    hole_x, hole_y = (expected["x"] + 0.5) * 2 - 0.5, (expected["y"] + 0.5) * 2 - 0.5
    assert any(np.hypot(c["x"] - hole_x, c["y"] - hole_y) < 2 * (expected["radius_px"] + 6)
               and c["kind"] == "new" for c in report["changes"]), report
    for change in report["changes"]:
        assert set(change) == {"kind", "x", "y", "radius_px", "confidence"}


def test_a_keyframe_is_small_grey_and_round_trips_as_png():
    image = cv2.resize(render(9000, "reference"), (1280, 720))
    keyframe = keyframe_from_images([image, image, image])
    assert keyframe.image.shape == (360, 640) and keyframe.image.dtype == np.uint8
    assert np.array_equal(decode_keyframe(keyframe.png()), keyframe.image)
    assert keyframe.to_frame0(319.5, 179.5) == pytest.approx((639.5, 359.5))


@pytest.mark.parametrize("place", [9220, 9231, 9309])  # goes (1.14, 0.86 m) / comes (1.12 m)
def test_a_screw_touching_a_grout_line_is_found(place):
    # second and third tuning blocks: the head (2-3 px in radius) touches a grout line, whose
    # dark lies within the pixel test's 2 px tolerance of the head's middle, so that test saw
    # nothing; at the local registration and a 1 px tolerance the head shows (on 9231 with
    # its highlight on the grout, 3 px from its shaded side)
    changes = screw_changes(place)
    assert len(changes) == 1, [c.to_dict() for c in changes]
