"""Each physical cue, pinned on ray-traced captures kept in the repository (POV-Ray renders of
real cat's-eye optics, chrome, tiles and LEDs, with their truth.json), beside the simulated
scans of ``test_physical_cues``.

- on-axis vs off-axis: a lens answers the ring around our lens, not the one 9 cm away; chrome
  answers both;
- anchoring: a lens's detections stay on one canvas point;
- the cone: a lens seen from outside its acceptance cone does not glint;
- IR glow in dark frames: an always-on LED shows with both rings dark;
- colour: through the NoIR camera's colour filter a visible indicator LED reads as its own
  colour (information, not an alert), a far infrared LED's small disc by its infrared hue;
  ``test_glow_colour`` pins the infrared side.
"""

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from hardware.camera.capture_dir import load_frames
from optics.candidates import to_gray8
from optics.pipeline import GlintPipeline
from optics.registration import Registrar, apply, registration_image
from tests.optics.test_raytraced_cache import beside_another

DATA = Path(__file__).resolve().parents[2] / "data" / "raytraced"
MATCH_PX = 4.0


@cache
def block(name: str) -> dict:
    return {e["name"]: e for e in json.loads((DATA / name / "truth.json").read_text())}


@cache
def run(block_name: str, capture: str) -> GlintPipeline:
    pipeline = GlintPipeline()
    for f in load_frames(DATA / block_name / capture):
        pipeline.push(f.index, f.image, f.exposure_us, f.on_axis, f.off_axis)
    return pipeline


def at(finding, point) -> bool:
    truth = {f["index"]: f for f in point["frames"]}.get(finding.frame)
    return truth is not None and np.hypot(truth["x"] - finding.x,
                                          truth["y"] - finding.y) <= MATCH_PX


def lens_track(block_name, capture):
    lens = block(block_name)[capture]["lenses"][0]
    tracks = [f for f in run(block_name, capture).scored_tracks() if at(f, lens)]
    assert tracks, f"{capture}: no track at the lens"
    return max(tracks, key=lambda f: f.features["lens"])


@pytest.mark.parametrize("capture", ["lens_tile_050", "lens_hook_090", "lens_tile_130"])
def test_a_lens_answers_the_on_axis_ring_and_not_the_off_axis_one(capture):
    lockin = lens_track("optics-dev", capture).features["features"].lockin
    assert lockin.retro_snr > 5
    assert abs(lockin.off_axis_gain) < 0.2 * lockin.on_axis_gain


@pytest.mark.parametrize("capture", ["train1288_clothes_hook_nolens_059",
                                     "train1424_clothes_hook_nolens_042"])
def test_a_highlight_seen_with_both_rings_dark_is_no_lens(capture):
    """Training captures without a lens: the lamp's highlight on a clothes hook's chrome ball
    slides with the hand faster than its track's canvas point follows, so the lock-in, read at
    that point, says nothing, while each frame's detection follows it, in every dark frame
    too. A cat's eye glints only under the on-axis ring: no lens is reported."""
    assert not [f for f in run("train", capture).findings() if f.kind == "lens"]


#: A chrome ball the lens model calls a lens (0.57), a known limit: on the registration that
#: follows the roll its highlight holds one canvas point over frames 5-8, clipping in the
#: on-axis frames and as much in off-axis frame 7, yet the lock-in's off-axis gain there
#: reads 0.3 of the on-axis 4.7 (not yet read why).
CHROME_BALL_CALLED_LENS = {"train1256_clothes_hook_nolens_055"}


def test_a_chrome_ball_is_not_called_a_lens_and_answers_both_rings():
    balls = {name: [p for p in entry["distractor_points"] if p["kind"] == "chrome_ball"
                    and len(p["frames"]) >= 8]
             for name, entry in block("train").items()}
    captures = sorted(name for name, points in balls.items() if points)
    assert captures, "the training block holds no chrome ball in view"
    for capture in captures:
        at_ball = [f for f in run("train", capture).scored_tracks()
                   if any(at(f, ball) for ball in balls[capture])]
        called = [f for f in at_ball if f.kind == "lens" and f.confidence >= 0.5]
        assert not called or capture in CHROME_BALL_CALLED_LENS, capture
        for finding in at_ball:
            lockin = finding.features["features"].lockin
            if lockin.retro_snr > 8:  # a strong answer to the on-axis ring alone
                assert lockin.off_axis_gain > 0.3 * lockin.on_axis_gain, capture


@pytest.mark.parametrize("capture", ["lens_tile_050", "lens_tile_130"])
def test_a_lens_stays_on_one_point_of_the_wall(capture):
    features = lens_track("optics-dev", capture).features["features"]
    assert features.spread_px < 1.5 and features.on_detect_fraction > 0.8


def test_an_always_on_led_glows_in_the_dark_frames():
    entry = block("optics-dev")["nolens_tiles_led_100"]
    glows = [f for f in run("optics-dev", "nolens_tiles_led_100").findings()
             if at(f, entry["ir_emitters"][0])]
    assert [f.kind for f in glows] == ["ir_emitter"]
    features = glows[0].features["features"]
    assert features.lockin.steady_snr > 5 and features.unlit_detect_fraction > 0.5


def training_captures(wanted) -> list[str]:
    return sorted(name for name, entry in block("train").items() if wanted(entry))


def out_of_cone(entry) -> bool:
    return any(len(lens["frames"]) >= 8 and not any(f["in_cone"] for f in lens["frames"])
               for lens in entry["lenses"])


#: Lenses the truth puts outside their cone that the render shows glinting (second general
#: training block): train1222's, 15.9 degrees off its axis at its nearest against the truth's
#: 15.7 degree cone, saturates under the on-axis ring in every lit frame (and under the
#: off-axis ring at 16-21 degrees: specular light of its front), and step 3b reports it;
#: train1206's, 23-29 degrees off its axis against a 20.8 degree cone, shows one saturated
#: pixel in its dark hole under the on-axis ring in frames 7, 9 and 10 (and one 4 px aside
#: under the off-axis ring in frame 12), which step 3b reports since a glint its hole
#: outweighs is counted above the surface. Real lenses reported, so no false alarm, but
#: where the truth's sharp cone expects no glint. The third general training block's
#: train1437 (a USB charger's lens 25.6-28.4 degrees off its axis against a 19.5 degree cone)
#: shows one saturated pixel at its dark hole's lower rim in every on-axis frame (2, 5, 8, 10,
#: 14) and a dim one at the hole's centre under the off-axis ring: step 3b reports it.
GLINTING_OUTSIDE_CONE = {"train1206_toilet_paper_holder_lens_042",
                         "train1222_toilet_paper_holder_lens_033",
                         "train1437_usb_charger_lens_030"}


def test_a_lens_seen_from_outside_its_cone_is_not_called_a_lens():
    captures = training_captures(out_of_cone)
    assert captures, "the training block holds no lens seen only from outside its cone"
    for capture in sorted(set(captures) - GLINTING_OUTSIDE_CONE):
        entry = block("train")[capture]
        lenses = [f for f in run("train", capture).findings() if f.kind == "lens"]
        assert not [f for f in lenses if any(at(f, lens) for lens in entry["lenses"])], capture


def leds_in_view(entry, infrared: bool) -> list:
    key = "ir_emitters" if infrared else "visible_leds"
    return [led for led in entry.get(key, []) if len(led["frames"]) >= 8]


def test_a_glow_s_colour_tells_a_visible_led_from_an_infrared_one():
    """Training block: every glow finding at an infrared LED whose colour was measured (in the
    dark frames, around its clipped core) is an alert (an 850/940 nm LED taken for a visible
    one would hide a night-vision camera), and glows at visible LEDs are information but for
    known limits: two blue LEDs of the second general training block (train1239 on a
    vent, train1285 on a USB charger) read near-white (0.46, 0.53; not yet studied), and a
    red LED on a vent's slats (train1135) reads at the threshold (0.24 at its rendered truth,
    0.25 as the registration that follows the roll reads it: infrared, a needless look). How many
    glows are found at all, and glows whose track no dark frame gave a colour (they stay
    infrared alerts), are benchmark figures; an LED within another's glare
    (``beside_another``) reads their mixture (a known limit)."""
    told = {True: [], False: []}
    for capture, entry in block("train").items():
        every = entry["ir_emitters"] + entry["visible_leds"]
        leds = [led for led in every if len(led["frames"]) >= 8
                and not any(beside_another(f, led, every) for f in led["frames"])]
        if not leds:
            continue
        findings = run("train", capture).findings()
        for led in leds:
            wanted = "ir_emitter" if led["infrared"] else "visible_led"
            told[led["infrared"]] += [(capture, f.kind == wanted) for f in findings
                                      if f.kind in ("ir_emitter", "visible_led") and at(f, led)
                                      and f.features["features"] is not None
                                      and not np.isnan(f.features["features"].glow_balance)]
    assert len(told[True]) >= 5 and len(told[False]) >= 5
    assert all(right for _, right in told[True])
    assert {capture for capture, right in told[False] if not right} <= {
        "train1239_ceiling_vent_lens_088", "train1285_usb_charger_lens_049",
        "train1135_ceiling_vent_lens_117"}
    assert np.mean([right for _, right in told[False]]) >= 0.9


def test_a_glow_s_colour_is_read_where_it_was_seen():
    """Training capture 1408: a red LED crosses the top of the view while the walk's
    registration slips; the track it starts ends there, and in two later dark frames its
    canvas point falls on a fixture's grey light. Its colour is read in the dark frames where
    it was detected (red alone): a visible LED, no infrared alert."""
    capture = "train1408_clothes_hook_lens_060"
    red = block("train")[capture]["visible_leds"][0]
    glows = [f for f in run("train", capture).findings()
             if f.kind in ("ir_emitter", "visible_led") and at(f, red)]
    assert glows and all(f.kind == "visible_led" for f in glows)


def test_an_led_beside_a_lens_hides_neither():
    """Training capture 1105: a USB charger's lens with an 940 nm LED and a green one on the
    same face, 11-21 px from it. The lens is found as a lens, each LED as a glow of its kind
    (a glow's finding never stands in for a lens's: findings merge only with their own kind)."""
    capture = "train1105_usb_charger_lens_103"
    entry = block("train")[capture]
    findings = run("train", capture).findings()
    assert [f for f in findings if f.kind == "lens" and at(f, entry["lenses"][0])]
    for led in entry["ir_emitters"] + entry["visible_leds"]:
        wanted = "ir_emitter" if led["infrared"] else "visible_led"
        assert [f for f in findings if f.kind == wanted and at(f, led)], led["colour"]


def test_two_leds_side_by_side_are_two_findings():
    """Training capture 1505: a 940 nm LED and a blue one 6 px apart (15 mm on the charger at
    1.8 m), both clipping in every frame. Each is a glow of its own (seen at once, apart),
    and the infrared one is an alert where it is: the blue one's glow, which reads the two
    lights' mixture, does not stand in for it."""
    capture = "train1505_usb_charger_lens_182"
    infrared = block("train")[capture]["ir_emitters"][0]
    findings = run("train", capture).findings()
    assert [f for f in findings if f.kind == "ir_emitter" and at(f, infrared)]


@pytest.mark.parametrize("capture", ["train1000_clothes_hook_lens_081",
                                     "train1101_smoke_detector_lens_162"])
def test_registration_holds_a_lens_point_through_a_jittery_walk(capture):
    """Training captures whose hand jitters and rolls from frame to frame (the refinement used
    to slide into wrong optima here, moving the canvas by 30-90 px for the rest of the scan):
    the lens's scene point keeps its canvas position within a few pixels in every frame."""
    entry = block("train")[capture]
    lens = entry["lenses"][0]
    registrar = Registrar()
    transforms = [registrar.register(registration_image(to_gray8(f.image))).copy()
                  for f in load_frames(DATA / "train" / capture)]
    points = np.array([apply(transforms[f["index"]], f["x"], f["y"]) for f in lens["frames"]])
    errors = np.hypot(*(points - np.median(points, axis=0)).T)
    assert np.median(errors) < 3.0 and errors.max() < 10.0, errors.round(1)


def glows_of(capture: str):
    from optics.glows import join_glows
    pipeline = run("train", capture)
    return (join_glows([v.track for v in pipeline.verdicts()], pipeline.scale,
                       pipeline.tracks.scorable()), pipeline.scale)


def infrared_led_glows(capture: str, min_frames: int):
    """A training capture's infrared LED, the glows at it seen in ``min_frames`` frames or
    more (at least one), each with its clipped disc's area (px at 640 px width) and
    roundness, and the frames' scale."""
    from optics.glows import clipped_disc
    led = block("train")[capture]["ir_emitters"][0]
    glows, scale = glows_of(capture)
    at_led = [g for g in glows
              if g.n_frames >= min_frames and any(track_at(t, led) for t in g.tracks)]
    assert at_led
    discs = [(g, *clipped_disc(g.representative.evidence.patch, scale)) for g in at_led]
    return led, [(g, area / scale**2, roundness) for g, area, roundness in discs], scale


def track_at(track, point) -> bool:
    """Whether a track's strongest detection lies at a truth point."""
    best = track.best
    truth = {f["index"]: f for f in point["frames"]}.get(best.frame)
    return truth is not None and np.hypot(truth["x"] - best.x, truth["y"] - best.y) <= MATCH_PX


def test_an_led_split_over_tracks_by_the_ring_is_joined_and_found():
    """Training capture 1009: the walk's registration puts the 940 nm LED 7 px apart on the
    canvas in the dark frames and the lit ones, so it lands on two tracks, neither of which
    scores as an emitter; joined, it is one light whose core clips in all 16 frames, a round
    lit disc: an infrared alert. Its blue neighbour, split over three tracks, is a visible
    LED."""
    capture = "train1009_smoke_detector_lens_033"
    entry = block("train")[capture]
    led = entry["ir_emitters"][0]
    glows, scale = glows_of(capture)
    at_led = [g for g in glows if any(track_at(t, led) for t in g.tracks)]
    assert at_led and max(len(g.tracks) for g in at_led) >= 2
    assert any(g.always_on(scale) and g.n_frames == 16 for g in at_led)
    findings = run("train", capture).findings()
    assert [f for f in findings if f.kind == "ir_emitter" and at(f, led)]
    blue = entry["visible_leds"][0]
    assert [f for f in findings if f.kind == "visible_led" and at(f, blue)]
    assert not [f for f in findings if f.kind == "ir_emitter" and at(f, blue)]


def test_a_visible_led_drifting_with_its_housing_is_found():
    """Training capture 1004: an air freshener's green LED drifts 35 px over the wall's canvas
    (parallax) and lands on seven tracks; its steady core and its colour make it a visible
    LED, information rather than an alert."""
    capture = "train1004_air_freshener_lens_030"
    green = block("train")[capture]["visible_leds"][0]
    findings = run("train", capture).findings()
    assert [f for f in findings if f.kind == "visible_led" and at(f, green)]
    assert not [f for f in findings if f.kind == "ir_emitter" and at(f, green)]


@pytest.mark.parametrize("capture", ["train1022_toilet_paper_holder_lens_030",
                                     "train1130_toilet_paper_holder_lens_046"])
def test_a_visible_led_sliding_past_the_track_radius_every_frame_is_found(capture):
    """Training captures 1022 (blue) and 1130 (green): an LED on a toilet-paper holder's front,
    110 mm before the wall, slides 6-14 canvas px a frame (parallax) and starts a track in
    each frame, single detections none of which is scored; joined by their clipped cores they
    are one visible LED (``optics.glows.lone_pieces``)."""
    led = block("train")[capture]["visible_leds"][0]
    glows, scale = glows_of(capture)
    singles = [g for g in glows if g.always_on(scale)
               and sum(t.n_detections == 1 and track_at(t, led) for t in g.tracks) >= 4]
    assert singles
    findings = run("train", capture).findings()
    assert [f for f in findings if f.kind == "visible_led" and at(f, led)]


@pytest.mark.parametrize("capture", ["train1001_smoke_detector_lens_096",
                                     "train1104_air_freshener_lens_034"])
def test_an_infrared_led_by_the_frame_s_edge_is_found(capture):
    """Training captures 1001 and 1104: an 850 nm LED 0-6 px from the frame's edge in its dark
    frames (no candidate can be found there), well inside it in two lit ones. Its clipped
    spots in the border strips (``optics.tracks.border_tracks``) give the glow its dark
    frames; joined with the unscored two-detection track inside the frame, it is an always-on
    light with a lit disc for a core: an infrared alert."""
    led = block("train")[capture]["ir_emitters"][0]
    findings = run("train", capture).findings()
    assert [f for f in findings if f.kind == "ir_emitter" and at(f, led)]


@pytest.mark.parametrize("capture", ["train1138_tile_hole_nolens_086",
                                     "train1260_air_freshener_nolens_071"])
def test_a_far_infrared_led_with_a_small_disc_is_found_by_its_hue(capture):
    """Training captures 1138 (940 nm) and 1260 (850 nm): an infrared LED in all 16 frames,
    dark and lit, its clipped disc 7 px (under a lit disc's 8). Its light has the infrared hue
    (green the weakest channel), which the lamp's images in chrome do not: an always-on
    infrared light, an alert."""
    from optics.colour import infrared_hue
    from optics.glows import MIN_DISC_AREA_PX
    led, discs, scale = infrared_led_glows(capture, min_frames=8)
    for glow, area_px, _ in discs:
        assert area_px < MIN_DISC_AREA_PX and infrared_hue(glow.glow_colours)
        assert glow.always_on(scale)
    findings = run("train", capture).findings()
    assert [f for f in findings if f.kind == "ir_emitter" and at(f, led)]


@pytest.mark.parametrize("capture", ["train1123_ceiling_vent_nolens_062",
                                     "train1105_usb_charger_lens_103",
                                     "train1323_ceiling_vent_nolens_111"])
def test_a_far_infrared_led_beside_a_visible_one_is_found_by_its_small_disc(capture):
    """Training captures 1123, 1105 and 1323: a 940 nm LED 16-50 mm from a visible one (red,
    green, blue) on one housing's front. The neighbour's glare spoils its hue (blue or red
    weakest, not green), but its clipped core is a round disc of 8-9 px steady in dark and lit
    frames, which no lamp's image in chrome is without the lamp's warm hue: an always-on
    light, an alert (``optics.glows.MIN_DISC_AREA_PX``)."""
    from optics.colour import infrared_hue, lamp_hue
    from optics.glows import MIN_DISC_AREA_PX
    led, discs, _ = infrared_led_glows(capture, min_frames=4)
    for glow, area_px, roundness in discs:
        assert MIN_DISC_AREA_PX <= area_px < 12 and roundness >= 0.7
        assert not infrared_hue(glow.glow_colours) and not lamp_hue(glow.glow_colours)
    findings = run("train", capture).findings()
    assert [f for f in findings if f.kind == "ir_emitter" and at(f, led)]


def test_an_infrared_led_leaving_by_the_top_edge_is_read_one_sided_and_found():
    """Training capture 1117: an 850 nm LED crosses the top of the image in five frames, its one
    dark frame 8 px from the edge, where its glow has no whole ring around it. Read over the
    part of its disc and ring inside the frame, its light has the infrared hue, and its small
    round disc (9 px) steady in dark and lit frames is an always-on light: an alert."""
    capture = "train1117_smoke_detector_lens_105"
    led = block("train")[capture]["ir_emitters"][0]
    findings = run("train", capture).findings()
    assert [f for f in findings if f.kind == "ir_emitter" and at(f, led)]


def test_a_near_led_s_finding_lies_at_its_disc_s_centre():
    """Training capture 1267: an 850 nm LED at 0.4 m clips over a disc 11 px across; its
    tracks' detections sit on its rim as often as not (4.5 px off in the strongest one). Its
    finding is placed at the clipped disc's centre, within a pixel of the LED."""
    capture = "train1267_tile_hole_lens_033"
    led = block("train")[capture]["ir_emitters"][0]
    truth = {f["index"]: f for f in led["frames"]}
    glows = [f for f in run("train", capture).findings() if f.kind == "ir_emitter"
             and f.frame in truth]
    assert glows and min(np.hypot(truth[f.frame]["x"] - f.x, truth[f.frame]["y"] - f.y)
                         for f in glows) <= 1.0


def test_a_visible_led_crossing_the_image_fast_is_found():
    """Training capture 1108: a green LED crosses the image in five frames, 20-40 px a frame,
    while the hand rolls the handheld. Registration that follows the roll holds its last four
    detections on one track (a light sliding past the join radius every frame is still
    joined from single-detection tracks: 1022, 1130 and ``test_glows``), dark and lit, green:
    a visible LED."""
    capture = "train1108_clothes_hook_lens_068"
    green = block("train")[capture]["visible_leds"][0]
    pipeline = run("train", capture)
    truth = {f["index"]: f for f in green["frames"]}
    assert any(sum(o.detected and o.frame in truth and np.hypot(truth[o.frame]["x"] - o.x,
                                                                truth[o.frame]["y"] - o.y)
                   <= MATCH_PX for o in t.observations) >= 4
               for t in pipeline.tracks.scorable())
    assert [f for f in pipeline.findings() if f.kind == "visible_led" and at(f, green)]


def test_an_infrared_led_beside_a_green_one_is_not_told_visible():
    """Training capture 1112: a 940 nm LED 18 px from a green one, both clipping white, on a
    walk whose canvas jumps as far from frame to frame. Single detections that could be
    either light join neither (``optics.glows.unambiguous``): the infrared LED is not reported
    in the green one's colour."""
    capture = "train1112_air_freshener_lens_091"
    infrared = block("train")[capture]["ir_emitters"][0]
    findings = run("train", capture).findings()
    assert not [f for f in findings if f.kind == "visible_led" and at(f, infrared)]


def test_an_infrared_led_4_px_from_a_green_one_is_no_streak_and_both_are_found():
    """Training capture 1318: an 850 nm LED 4.5 px from a green one, in all 16 frames. Their
    clipped discs join into one blob twice as long as it is wide (0.29 round), which a lamp's
    image along chrome is too, but of the infrared hue, which that image is not: a pair of
    LEDs (``optics.glows.MIN_LED_PAIR_ROUNDNESS``), reported as an infrared alert at both."""
    capture = "train1318_screw_head_lens_174"
    entry = block("train")[capture]
    alerts = [f for f in run("train", capture).findings() if f.kind == "ir_emitter"]
    assert [f for f in alerts if at(f, entry["ir_emitters"][0])]
    assert [f for f in alerts if at(f, entry["visible_leds"][0])]


def test_a_red_led_whose_halo_is_colour_fringes_is_told_by_its_core():
    """Training capture 1307: a red LED over a ceiling vent's dark slats, in view in 11
    frames, two of them dark. Around its clipped core the two dark frames read blue at 0.24
    and 0.39 of red (the pixel grid's fringes around a point a pixel or two across), too
    near white for a visible LED's colour, and it is no lit disc: it was lost. Its core reads
    B 22, G 58, R 255 in every frame, red alone clipping: a visible LED, found as one
    (``optics.colour.led_balance``), and the 850 nm LED 15 px from it still an alert."""
    capture = "train1307_ceiling_vent_nolens_120"
    entry = block("train")[capture]
    findings = run("train", capture).findings()
    assert [f for f in findings if f.kind == "visible_led" and at(f, entry["visible_leds"][0])]
    assert [f for f in findings if f.kind == "ir_emitter" and at(f, entry["ir_emitters"][0])]


def test_a_green_led_is_placed_where_the_dark_frames_show_it():
    """Training capture 1241: a green LED on a smoke detector, in view in 11 frames, four of
    them dark. Its strongest detection is in an off-axis frame, where the ring's image clips
    as a small ring beside it and moves the clipped blob's centre 4 px off the LED; placed at
    its strongest dark detection it is found, a visible LED."""
    capture = "train1241_smoke_detector_lens_121"
    green = block("train")[capture]["visible_leds"][0]
    findings = run("train", capture).findings()
    assert [f for f in findings if f.kind == "visible_led" and at(f, green)]


def test_a_small_red_led_whose_grey_level_moves_is_found_by_its_clipped_red_channel():
    """Training capture 1111: a red LED 1.5 m away, about a pixel across. Its red channel
    clips in every frame, its green leak does not: as its image crosses the pixel grid its
    grey level moves between about 150 and 230, so no grey level holds, but the clipped red
    channel does. It is a visible LED, and no alert."""
    from optics.glows import steady_share
    capture = "train1111_tile_hole_nolens_153"
    red = block("train")[capture]["visible_leds"][0]
    tracks = [v.track for v in run("train", capture).verdicts() if track_at(v.track, red)]
    assert tracks
    led = max(tracks, key=lambda t: t.n_detections)
    peaks = [o.contrast_dn + o.background_dn for o in led.observations if o.detected]
    assert max(peaks) - min(peaks) > 50 and steady_share(led) == 1.0
    findings = run("train", capture).findings()
    assert [f for f in findings if f.kind == "visible_led" and at(f, red)]
    assert not [f for f in findings if f.kind == "ir_emitter" and at(f, red)]


def test_nearly_every_always_on_glow_of_the_training_block_is_an_led():
    """The always-on rule as the pipeline applies it (steady in dark and lit frames, with a
    visible LED's colour or a lit disc for a core, and not of the lamp's hue:
    ``optics.pipeline.compose_glows``) met on the training block at LEDs, all but a few.
    Those not at an LED, 16 of 204 with the third general block, are lights the truth does
    not list as LEDs, among them an LED's image in chrome (train1002's red LED, two frames'
    points with the red channel clipping; train1424's blue LED in the hook's ball), a big
    LED's fragment more than 4 px from its centre (train1007) and glints of a brushed-steel
    toilet-paper holder (train1022, three); not all are read. A glow of the lamp's hue that meets the rest
    (the lamp's clipped image in chrome or on glossy tile, 11 on the training block) is
    dropped there, and none such lies at an LED. And the rule meets most LEDs in view."""
    from optics.colour import lamp_hue
    met, at_no_led, at_leds = 0, 0, set()
    for capture, entry in block("train").items():
        leds = entry["ir_emitters"] + entry["visible_leds"]
        glows, scale = glows_of(capture)
        for glow in glows:
            if not glow.always_on(scale):
                continue
            hit = [k for k, led in enumerate(leds) if any(track_at(t, led) for t in glow.tracks)]
            if lamp_hue(glow.glow_colours):
                assert not hit, capture
                continue
            met += 1
            at_no_led += not hit
            at_leds |= {(capture, k) for k in hit}
    assert met >= 30 and at_no_led <= 0.1 * met and len(at_leds) >= 25


@pytest.mark.parametrize("capture, known_misses", [("train1124_clothes_hook_lens_042", 1),
                                                   ("train1266_screw_head_lens_116", 0)])
def test_the_lamp_s_point_image_in_a_chrome_ball_is_no_emitter(capture, known_misses):
    """Training captures 1124 (a clothes hook's chrome ball) and 1266 (a screw head): the
    lamp's image in chrome is a clipped point of 1-4 px in dark and lit frames alike, and its
    tracks score as emitters. Its light, read over the few pixels around it, has blue the
    weakest channel (the warm lamp), by less than the lamp hue's margin (1124), or no glow
    shows around it in any dark frame (1266: it clips by too little to spread an LED's
    glare). Such points are not reported as glows, and the capture's LEDs still are.
    train1312's point on an air freshener's chrome, the first case, is reported as an
    infrared emitter on the registration that follows the roll: its track, four dark frames
    at the start of the walk, reads near-neutral (blue 0.92, green 0.92, red 1.0 summed;
    green the weakest in two frames of four), neither the lamp's hue nor the infrared one.
    Since the roll is searched at half resolution, one of train1124's points is reported too
    (``known_misses``): a track with one dark frame, where its canvas point falls a pixel or
    two off the clipped point and reads its fringe (B 85, G 110, R 70 summed, where the
    registration before read B 233, G 396, R 366 there: the lamp's hue); the training
    block's glows at no LED went 30 -> 27 with that registration."""
    from optics.glows import is_lamp_point
    from optics.pipeline import GLOW_KINDS
    entry = block("train")[capture]
    leds = entry["ir_emitters"] + entry["visible_leds"]
    pipeline = run("train", capture)
    points = [v for v in pipeline.verdicts() if v.kind in GLOW_KINDS and v.confidence >= 0.5
              and is_lamp_point(v.track, pipeline.scale, v.track.glow_colours())
              and not any(track_at(v.track, led) for led in leds)]
    assert points
    findings = pipeline.findings()
    assert len([f for f in findings
                if f.kind in GLOW_KINDS and not any(at(f, led) for led in leds)]) <= known_misses
    assert all(any(f.kind in GLOW_KINDS and at(f, led) for f in findings) for led in leds
               if len(led["frames"]) >= 4)


def test_the_lamp_s_images_in_chrome_are_not_reported_as_emitters():
    """On the training block the steady clipped glows whose light has the lamp's hue (warm
    white, blue the weakest channel) lie at no LED, and once they are left out, and the
    lamp's points in chrome with them (``optics.glows.is_lamp_point``), glow findings at no
    LED are under 0.15 a scan (0.59 before the hue was read, 0.23 before the points were)."""
    from optics.colour import lamp_hue
    from optics.pipeline import GLOW_KINDS
    entries = block("train")
    false_glows = 0
    for capture, entry in entries.items():
        leds = entry["ir_emitters"] + entry["visible_leds"]
        glows, scale = glows_of(capture)
        for glow in glows:
            if glow.n_frames >= 4 and lamp_hue(glow.glow_colours):
                assert not any(track_at(t, led) for t in glow.tracks for led in leds), capture
        false_glows += sum(f.kind in GLOW_KINDS and not any(at(f, led) for led in leds)
                           for f in run("train", capture).findings())
    assert false_glows < 0.15 * len(entries)


def test_a_local_lens_is_reported_as_sure_as_its_agreeing_frames_make_it():
    """Step 3b's lenses over the training block, by how many on-axis frames agreed on each:
    the share at a real lens is the confidence they are reported with (within 0.05), and
    two frames make a lens less sure than three or more (a small glossy face's image of the
    ring shows in a degree or so of a sweep; a lens's glint for as long as the handheld
    stays in its cone)."""
    from optics.cats_eye import local_lens_confidence
    real_by_frames: dict = {}
    for capture, entry in block("train").items():
        for finding in run("train", capture).findings():
            local = finding.features.get("local_cats_eye")
            if local is not None:
                real = any(at(finding, lens) for lens in entry["lenses"])
                real_by_frames.setdefault(min(len(local["frames"]), 3), []).append(real)
    shares = {n: float(np.mean(real)) for n, real in real_by_frames.items()}
    assert min(len(real) for real in real_by_frames.values()) >= 40
    assert all(abs(share - local_lens_confidence(n)) <= 0.05 for n, share in shares.items())
    assert shares[2] < shares[3] - 0.1


def test_few_tracks_at_no_lens_are_reported_as_lenses_over_the_training_block():
    """Tracks reported as lenses at no lens over the training block (step 3b's local lenses
    aside): a chrome highlight of the on-axis ring, a tile's point. The lens model is fitted
    on the simulator's tracks and on these captures' (``bench.fit_optics_calibration``), so
    this pins what the fit learnt from them, not how it carries over (the benchmark's block
    measures that). Fitted on the simulator's tracks alone it raised 9 such alarms, with the
    ray-traced tracks weighted in 2 (and, fitted on half the captures and scored on the
    other half, 23 false lens alarms in all, local ones counted, as fitted on every one)."""
    false_tracks = 0
    for capture, entry in block("train").items():
        for finding in run("train", capture).findings():
            if finding.kind == "lens" and "local_cats_eye" not in finding.features:
                false_tracks += not any(at(finding, lens) for lens in entry["lenses"])
    assert false_tracks <= 4
