"""Glows judged whole (``optics.glows``): an always-on light's fragments joined by their steady
clipped core, and the shape of that core, pinned on hand-built tracks, drawn patches and
simulated scans; ``test_ray_traced_cues`` pins them on the ray-traced training captures."""

from dataclasses import replace

import cv2
import numpy as np

from detector.engine.scanning import run_scan
from hardware.camera.simulated import SimulatedCamera
from hardware.clock import SimulatedClock
from hardware.gpio.illuminator import Illuminator
from hardware.gpio.pins import make_pin_factory
from hardware.sim import optics_truth
from hardware.sim.handheld import SimulatedHandheld
from hardware.sim.optics_scenes import ZONE, bench_scene
from optics.colour import balance, clipped, core_pixel, is_visible_led
from optics.features import Shape
from optics.glows import (MIN_STEADY_SHARE, clipped_disc, core_offset, is_streak, join_glows,
                          piece_of, steady_share)
from optics.pipeline import GlintPipeline, Verdict, as_finding
from optics.tracks import Evidence, Observation, RegisteredFrame, Track, border_tracks
from tests.optics.conftest import surface, wall_scene
from tests.optics.test_physical_cues import near, scan

STATES = ["on", "off", "dark", "on", "dark", "off", "on", "dark", "off", "on", "dark", "on"]


def observation(frame: int, peak_dn: float, detected: bool = True) -> Observation:
    state = STATES[frame]
    return Observation(frame, float(state == "on"), float(state == "off"), 8.0,
                       peak_dn - 40.0, peak_dn - 40.0, 40.0, 100.0, 100.0, detected)


def track(track_id: int, frames, canvas_xy, peak_dn=255.0) -> Track:
    """A track detected in ``frames`` at ``canvas_xy`` (its brightest pixel ``peak_dn``, one
    value or one per frame), in a greyscale capture."""
    peaks = np.broadcast_to(np.asarray(peak_dn, float), (len(frames),))
    out = Track(track_id, *canvas_xy)
    for frame, peak in zip(frames, peaks):
        out.observe(observation(frame, peak), canvas_xy)
    return out


def test_fragments_of_one_steady_light_are_joined():
    """An LED whose registration jumps 10 px between the frames lit by a ring and the dark ones
    lands on two tracks; one steady level, never two places at once: one glow."""
    lit = track(0, [0, 1, 3, 5, 6], (100.0, 100.0))
    dark = track(1, [2, 4, 7, 10], (108.0, 106.0))
    glows = join_glows([lit, dark], 1.0)
    assert len(glows) == 1
    assert (glows[0].n_frames, glows[0].n_dark, glows[0].n_lit) == (9, 4, 5)


def test_two_lights_seen_at_once_or_at_two_levels_stay_apart():
    here = track(0, [0, 1, 2, 3], (100.0, 100.0))
    beside = track(1, [2, 3, 4, 5], (110.0, 100.0))  # frames 2 and 3 hold both: two lights
    dimmer = track(2, [6, 7, 8], (104.0, 100.0), peak_dn=190.0)  # another level
    assert len(join_glows([here, beside, dimmer], 1.0)) == 3


def test_a_core_that_clips_in_every_frame_is_steady_and_a_ring_lit_highlight_is_not():
    led = track(0, range(12), (50.0, 50.0), peak_dn=[236, 235, 236, 234, 235, 236, 235, 237,
                                                     236, 235, 234, 236])
    assert steady_share(led) == 1.0 and piece_of(led) is not None
    # Under the rings a highlight reaches 255; in the dark frames only the lamp lights it.
    levels = [255.0 if state != "dark" else 130.0 for state in STATES]
    highlight = track(1, range(12), (80.0, 50.0), peak_dn=levels)
    assert steady_share(highlight) < MIN_STEADY_SHARE
    faint = track(2, range(12), (90.0, 50.0), peak_dn=60.0)  # steady but never clipped
    assert steady_share(faint) == 0.0 and piece_of(faint) is None


def patch_with(mask: np.ndarray, bgr=(255, 255, 255)) -> np.ndarray:
    """A 49x49 bgr8 evidence patch: a grey wall, ``bgr`` (white) where ``mask`` is."""
    patch = np.full((49, 49, 3), 40, np.uint8)
    patch[mask] = bgr
    return patch


def disc_mask(radius_px: float) -> np.ndarray:
    yy, xx = np.mgrid[0:49, 0:49]
    return np.hypot(xx - 24, yy - 24) <= radius_px


#: A red LED at 3x full scale through the NoIR camera: red clips, green leaks 0.07 of it.
RED_LED_BGR = (23, 54, 255)


def clipped_channels(image, x, y, reach_px):
    return clipped(core_pixel(image, x, y, reach_px))


def test_the_clipped_channels_are_read_at_the_pixel_whose_grey_they_lift_most():
    """A red LED clips red alone, a green LED green (its blue near the clip too at times), an
    infrared LED all three; nothing clips on a dim patch; a greyscale image has no channels.
    The core's colour is that pixel's."""
    def channels(bgr):
        return clipped_channels(patch_with(disc_mask(2.6), bgr), 24.0, 24.0, 3)

    assert core_pixel(patch_with(disc_mask(2.6), RED_LED_BGR), 24.0, 24.0, 3) == RED_LED_BGR

    assert channels(RED_LED_BGR) == (False, False, True)
    assert channels((80, 255, 30)) == (False, True, False)
    assert channels((252, 255, 30)) == (True, True, False)
    assert channels((255, 255, 255)) == (True, True, True)
    assert channels((40, 90, 200)) == (False, False, False)
    assert clipped_channels(np.full((49, 49), 255, np.uint8), 24.0, 24.0, 3) is None
    # Red clipping in one pixel, green in the next: the green pixel's grey is lifted more.
    split = patch_with(disc_mask(0.5), (0, 0, 255))
    split[24, 25] = (0, 255, 0)
    assert clipped_channels(split, 24.0, 24.0, 3) == (False, True, False)
    assert clipped_channels(split, 40.0, 40.0, 3) == (False, False, False)  # away from it


RED, GREEN, GREEN_BLUE, RED_GREEN, ALL, NONE = ((False, False, True), (False, True, False),
                                                (True, True, False), (False, True, True),
                                                (True, True, True), (False, False, False))


def core_of_clipped(channels) -> tuple[int, int, int]:
    """A core's colour with ``channels`` clipped and the others well under the clip."""
    return tuple(255 if c else 60 for c in channels)


def colour_track(track_id, peaks, clipped_per_frame, patch) -> Track:
    """A track of a colour capture: detected in frames 0-11 at one point, its brightest grey
    pixel ``peaks`` and its clipped channels ``clipped_per_frame`` per frame."""
    out = Track(track_id, 50.0, 50.0)
    for frame, (peak, channels) in enumerate(zip(peaks, clipped_per_frame)):
        out.observe(replace(observation(frame, peak), core_bgr=core_of_clipped(channels)),
                    (50.0, 50.0))
    out.evidence = Evidence(patch, (0.0, 0.0))
    return out


def test_a_red_led_clipping_in_red_alone_is_a_steady_clipped_light():
    """A red LED at 3x full scale reads about 105 grey (75 from its clipped red channel, the
    rest its green leak), under the greyscale floor of 120; small and far, its grey level moves
    by tens of DN as its image crosses the pixel grid and its green leak near the clip clips at
    times, its red channel clipping throughout. Its detections make a piece, its core steady,
    and seen in dark and lit frames with its lit disc (clipped in red) it is an always-on
    light."""
    red_disc = patch_with(disc_mask(2.6), RED_LED_BGR)
    for peaks, channels in (([105.0 + (k % 3 - 1) for k in range(12)], [RED] * 12),
                           ([150.0 + 8 * (k % 5) for k in range(12)], [RED, RED_GREEN] * 6)):
        led = colour_track(0, peaks, channels, red_disc)
        assert steady_share(led) == 1.0 and piece_of(led) is not None
        glows = join_glows([led], 1.0)
        assert len(glows) == 1 and glows[0].always_on(1.0)
    area_px, roundness = clipped_disc(red_disc, 1.0)
    assert area_px >= 12 and roundness > 0.9


def test_a_core_is_clipped_in_the_frames_it_holds():
    """A green LED whose blue channel is near the clip holds its core whether its blue clips or
    not; a highlight that clips only in the lit frames does not hold one; levels that never clip
    in a colour capture, or read under 120 grey in a greyscale one, are no clipped core; nor is
    a detection whose clipped pixel is a neighbour's (its own brightest pixel dimmer than what
    the clipped channel gives)."""
    green = colour_track(0, [190.0 + 5 * (k % 2) for k in range(12)], [GREEN, GREEN_BLUE] * 6,
                         patch_with(disc_mask(2.6), (252, 255, 30)))
    assert steady_share(green) == 1.0
    lit_only = colour_track(1, [255.0 if s != "dark" else 150.0 for s in STATES],
                            [ALL if s != "dark" else NONE for s in STATES],
                            patch_with(disc_mask(2.6)))
    assert steady_share(lit_only) < MIN_STEADY_SHARE
    assert not any(g.always_on(1.0) for g in join_glows([lit_only], 1.0))
    unclipped = colour_track(2, [105.0] * 12, [NONE] * 12,
                             patch_with(disc_mask(2.6), (30, 60, 200)))
    grey = track(3, range(12), (50.0, 50.0), peak_dn=105.0)
    for dim in (unclipped, grey):
        assert piece_of(dim) is None and steady_share(dim) == 0.0
    beside = colour_track(4, [255.0] * 9 + [30.0] * 3, [ALL] * 12, patch_with(disc_mask(2.6)))
    assert steady_share(beside) == 0.75


def test_a_lit_disc_is_told_from_a_point_and_a_streak():
    yy, xx = np.mgrid[0:49, 0:49]
    disc_area, disc_round = clipped_disc(patch_with(np.hypot(xx - 24, yy - 24) <= 2.6), 1.0)
    assert disc_area >= 12 and disc_round > 0.9
    point_area, _ = clipped_disc(patch_with((xx == 24) & (yy == 24)), 1.0)
    assert point_area == 1
    streak = patch_with((np.abs(yy - 24) <= 1) & (np.abs(xx - 24) <= 12))
    area, roundness = clipped_disc(streak, 1.0)
    assert area >= 6 and roundness < 0.3
    line = track(0, range(4), (24.0, 24.0))
    line.evidence = Evidence(streak, (0.0, 0.0))
    assert is_streak(line, 1.0, WARM_WHITE_ROWS) and is_streak(line, 1.0, INFRARED_ROWS)
    line.evidence = Evidence(patch_with(np.hypot(xx - 24, yy - 24) <= 2.6), (0.0, 0.0))
    assert not is_streak(line, 1.0, WARM_WHITE_ROWS)
    assert clipped_disc(patch_with(np.zeros((49, 49), bool)), 1.0) == (0.0, 0.0)


#: A glow's light per frame (B, G, R excess): the lamp's warm white; an 850 nm LED through the
#: NoIR camera's dyes, green the weakest (train1318's pair read 0.89 of red in green).
WARM_WHITE_ROWS = np.array([[300.0, 380.0, 420.0]] * 6)
INFRARED_ROWS = np.array([[450.0, 400.0, 480.0]] * 6)


def test_two_leds_side_by_side_are_no_streak_when_their_light_is_infrared():
    """An infrared LED beside an indicator LED: two clipped discs joined by their glare into
    a blob twice as long as it is wide. Of the infrared hue it is a pair of LEDs, not the
    lamp's image along chrome; of the lamp's warm white it is still a streak, and so is a
    thin line of either hue."""
    yy, xx = np.mgrid[0:49, 0:49]
    pair = patch_with((np.hypot(xx - 22, yy - 24) <= 1.2) | (np.hypot(xx - 26, yy - 24) <= 1.2))
    area, roundness = clipped_disc(pair, 1.0)
    assert area >= 6 and 0.25 <= roundness < 0.4
    leds = track(0, range(4), (24.0, 24.0))
    leds.evidence = Evidence(pair, (0.0, 0.0))
    assert not is_streak(leds, 1.0, INFRARED_ROWS)
    assert is_streak(leds, 1.0, WARM_WHITE_ROWS)


def test_a_glow_is_placed_where_the_dark_frames_show_it():
    """In a ring-lit frame the ring's image in an LED's dome or on its housing clips beside
    the LED and can make that frame's detection the track's strongest (train1241's green LED:
    the off-axis ring's image, 4 px from the LED's centre). An always-on light's finding is
    placed at its strongest detection with both rings dark, in that frame, its crop cut
    there; a lens's stays at its strongest glint."""
    led = Track(0, 100.0, 100.0)
    lit_frame, dark_frame = 0, 2  # STATES: on, off, dark
    lit = replace(observation(lit_frame, 255.0), x=104.0, y=101.0)
    dark = replace(observation(dark_frame, 250.0), x=100.0, y=100.0)
    for seen, patch in ((lit, patch_with(disc_mask(2.6))), (dark, patch_with(disc_mask(1.6)))):
        led.observe(seen, (100.0, 100.0), cut=lambda patch=patch: Evidence(patch, (0.0, 0.0)))
    assert led.best is lit and led.dark_best is dark
    shape = Shape(1.6, 1.0, False)
    glow = as_finding(Verdict(led, "ir_emitter", 0.99, shape, None, {}), 1.0)
    assert (glow.frame, glow.x, glow.y) == (dark_frame, 100.0, 100.0)
    lens = as_finding(Verdict(led, "lens", 0.9, shape, None, {}), 1.0)
    assert (lens.frame, lens.x, lens.y) == (lit_frame, 104.0, 101.0)


def test_a_clipped_disc_s_centre_is_found_wherever_on_it_the_detection_sits():
    """A detection on a clipped LED disc sits on any of its equal pixels; the disc's centre is
    where the light is. A disc 11 px across whose centre lies 3 px right of and 2 px above
    the patch's centre (the detection on its rim) is placed there; nothing clipped, nowhere."""
    yy, xx = np.mgrid[0:49, 0:49]
    disc = patch_with(np.hypot(xx - 27, yy - 22) <= 5.5)
    dx, dy = core_offset(disc, 1.0)
    assert abs(dx - 3.0) < 0.1 and abs(dy + 2.0) < 0.1
    assert core_offset(patch_with(np.zeros((49, 49), bool)), 1.0) is None


def test_a_simulated_ir_led_is_reported_once_with_a_steady_clipped_core():
    """The simulator's always-on LED: found as an emitter (the glow rules keep it), its
    detections reading one clipped level."""
    led = surface("ir_led", offset_m=(0.05, 0.02), radius_m=2.5e-3, emission=0.9)
    outcome, frames, camera = scan(wall_scene([led]))
    glows = [f for f in outcome.findings if f.kind == "ir_emitter"]
    assert len(glows) == 1 and near(glows[0], led.position_m, frames, camera)
    pipeline = GlintPipeline()
    for f in frames:
        pipeline.push(f.index, f.image, f.exposure_us, f.on_axis, f.off_axis)
    track_id = pipeline.findings()[0].features["track"]
    steady = [t for t in pipeline.tracks.scorable() if t.track_id == track_id]
    assert steady_share(steady[0]) >= MIN_STEADY_SHARE


def test_a_core_that_clips_only_under_the_rings_is_not_an_always_on_light():
    """A glossy patch that clips under either ring and reads 200 DN in the dark frames: its
    detections at the clipped level are in lit frames (and one dark frame, by chance); however
    round its clipped blob, it is no always-on light. An LED's core holds in the dark frames."""
    yy, xx = np.mgrid[0:49, 0:49]
    disc = patch_with(np.hypot(xx - 24, yy - 24) <= 3.0)
    dark_at = [k for k, state in enumerate(STATES) if state == "dark"]
    levels = [200.0 if state == "dark" and k != dark_at[0] else 255.0
              for k, state in enumerate(STATES)]
    patch = track(0, range(12), (60.0, 60.0), peak_dn=levels)
    patch.evidence = Evidence(disc, (0.0, 0.0))
    led = track(1, range(12), (160.0, 60.0))
    led.evidence = Evidence(disc, (0.0, 0.0))
    glows = {g.tracks[0].track_id: g for g in join_glows([patch, led], 1.0)}
    assert not glows[0].always_on(1.0)
    assert glows[1].always_on(1.0)


def randomised_scan(seed: int, n_frames: int = 48):
    """A randomised simulated scan as the simulator's benchmark films it (its scene, with the
    auto-exposure step a third of the seeds take half-way): (scene, camera, frames, outcome)."""
    scene, _ = bench_scene(seed)
    clock = SimulatedClock()
    illuminator = Illuminator(17, 27, pin_factory=make_pin_factory(True), clock=clock)
    camera = SimulatedCamera(SimulatedHandheld(scene, clock, zone=ZONE), illuminator, seed=seed)
    change_at = n_frames // 2 if seed % 3 == 0 else None
    frames = []

    def on_frame(frame, live):
        frames.append(frame)
        if change_at is not None and frame.index + 1 == change_at:
            camera.set_exposure_us(4000.0 if seed % 2 else 12000.0)

    outcome = run_scan(camera, illuminator, n_frames=n_frames, on_frame=on_frame)
    illuminator.close()
    return scene, camera, frames, outcome


def test_the_simulator_s_glossy_surfaces_are_not_taken_for_leds():
    """Simulated scans (training seeds 32 and 1008) whose brightly lit glossy surfaces clip
    over a round blob 100-250 px across (at 640 px width): too large for an LED, or clipping
    only under the rings; no glow is reported where there is no emitter."""
    for seed in (32, 1008):
        scene, camera, frames, outcome = randomised_scan(seed)
        poses = [f.pose for f in frames]
        glows = [f for f in outcome.findings if f.kind != "lens"]
        assert all(optics_truth.classify_finding(f, scene, poses, camera) == "emitter"
                   for f in glows), seed


def test_a_light_sliding_over_the_canvas_on_single_detection_tracks_is_one_glow():
    """A blue LED on a deep housing's front slides 9 canvas px a frame (parallax), past a
    track's join radius, so each frame's detection starts a track of its own. Those tracks,
    one detection each, join into one glow of all its frames (``lone_pieces``), steady in dark
    and lit frames with a lit disc for a core: an always-on light. Without them no glow is
    there at all; single clipped points 30 px apart frame to frame (chrome's sliding lamp
    images) stay apart."""
    blue_disc = patch_with(disc_mask(2.6), (255, 200, 30))
    sliding = []
    for frame in range(12):
        single = Track(frame, 50.0 + 9.0 * frame, 50.0)
        single.observe(replace(observation(frame, 200.0), core_bgr=(255, 60, 60)),
                       (50.0 + 9.0 * frame, 50.0))
        single.evidence = Evidence(blue_disc, (0.0, 0.0))
        sliding.append(single)
    assert join_glows(sliding, 1.0) == []
    glows = join_glows([], 1.0, sliding)
    assert len(glows) == 1 and glows[0].n_frames == 12 and glows[0].always_on(1.0)
    apart = [replace_canvas(t, 30.0) for t in sliding]
    assert not any(g.always_on(1.0) for g in join_glows([], 1.0, apart))


def replace_canvas(single: Track, step_px: float) -> Track:
    """The single-detection track ``single`` moved to ``step_px`` per frame along x."""
    observation_ = single.observations[0]
    moved = Track(single.track_id, 50.0 + step_px * observation_.frame, 50.0)
    moved.observe(observation_, (50.0 + step_px * observation_.frame, 50.0))
    moved.evidence = single.evidence
    return moved



def frame_with(image: np.ndarray, index: int = 2) -> RegisteredFrame:
    """``image`` as a registered frame (identity registration) in ``STATES[index]``."""
    state = STATES[index]
    return RegisteredFrame(index, float(state == "on"), float(state == "off"), 8.0, np.eye(3),
                           np.eye(3), cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), image)


def test_a_clipped_spot_by_the_frame_s_edge_is_a_single_detection_track():
    """A green LED 3 px from the left edge of a dark frame: no candidate can be found there
    (the contrast map's ring needs 7 px all round), but the border strips hold its clipped
    pixels: one track of one detection, its green channel clipped, its colour read over the
    ring pixels inside the frame. A wall with nothing clipped at its border gives none, and
    neither does one lit to the clip all along it (a sunlit surface, not a light)."""
    image = np.full((360, 640, 3), 40, np.uint8)
    assert border_tracks(frame_with(image), 0) == []
    yy, xx = np.mgrid[0:360, 0:640]
    spot = np.exp(-((xx - 3) ** 2 + (yy - 150) ** 2) / (2 * 1.5**2))
    lit = image + 2000.0 * spot[..., None] * np.array([0.32, 1.0, 0.07])
    led = np.clip(np.rint(lit), 0, 255).astype(np.uint8)
    found = border_tracks(frame_with(led), 7)
    assert len(found) == 1 and found[0].track_id == 7 and found[0].n_detections == 1
    detection = found[0].observations[0]
    assert abs(detection.x - 3) <= 1 and abs(detection.y - 150) <= 1
    assert detection.clipped_bgr[1] and detection.dark
    assert is_visible_led(balance(found[0].glow_colours()))
    sunlit = led.copy()
    sunlit[:, :4] = 255
    sunlit[::20, :4] = 40  # a lit surface broken by grout lines: many blobs
    assert border_tracks(frame_with(sunlit), 0) == []


def test_a_single_detection_between_two_lights_joins_neither():
    """Two steady lights 18 px apart, both clipping white, on a walk whose canvas jumps by as
    much: in one frame both slide past their tracks and land nearer the other's track than
    their own. Those two single detections, each within twice the join radius of the other,
    join no glow (``unambiguous``); one alone by its light still joins."""
    steady = track(0, [0, 1], (100.0, 100.0))
    beside_steady = track(1, [0, 1], (100.0, 118.0))
    lone_a = track(2, [3], (100.0, 112.0))  # a piece of the second light, thrown near the first
    lone_b = track(3, [3], (100.0, 94.0))   # the first light in the same frame
    assert any(len(g.pieces) > 1 for g in join_glows([steady, beside_steady], 1.0, [lone_a]))
    glows = join_glows([steady, beside_steady], 1.0, [lone_a, lone_b])
    assert all(len(g.pieces) == 1 for g in glows)
    alone = track(4, [5], (100.0, 108.0))
    glows = join_glows([steady, beside_steady], 1.0, [alone])
    assert any(len(g.pieces) == 2 for g in glows)
