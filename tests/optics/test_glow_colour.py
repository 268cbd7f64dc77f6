"""The colour cue: through the NoIR camera's colour filter, 850/940 nm light reads near-white
(pinkish at 850 nm) and a visible indicator LED reads as its own colour, even when its core
clips to white."""

import cv2
import numpy as np
import pytest

from optics.colour import (balance, blue_weakest, core_pixel, glow_excess_bgr, infrared_hue,
                           is_visible_led, lamp_hue, led_balance)

# The camera's (B, G, R) response to each source, unit peak: the Pi NoIR's dyes all pass
# near-infrared (red most, green least at 850 nm); a visible LED leaks little into the others.
RESPONSE_BGR = {"ir_850": (0.86, 0.72, 1.0), "ir_940": (0.93, 0.86, 0.92),
                "red": (0.03, 0.07, 1.0), "green": (0.32, 1.0, 0.07), "blue": (1.0, 0.38, 0.06),
                # the ceiling lamp's warm white, and any of its images in chrome; a neutral one
                "lamp": (0.88, 0.97, 1.0), "white": (1.0, 1.0, 1.0)}


def glow_frame(source: str, peak_dn: float, seed: int = 0) -> np.ndarray:
    """A 640x360 bgr8 frame: a grey wall with read noise and a Gaussian glow at (320, 180)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:360, 0:640]
    spot = np.exp(-((xx - 320) ** 2 + (yy - 180) ** 2) / (2 * 1.5**2))
    image = 30.0 + rng.normal(0, 1.4, (360, 640, 3))
    image += peak_dn * spot[..., None] * np.array(RESPONSE_BGR[source])
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("source", ["ir_850", "ir_940"])
def test_an_infrared_glow_reads_near_white_even_when_it_saturates(source):
    for peak_dn in (150.0, 2000.0):
        excess = glow_excess_bgr(glow_frame(source, peak_dn), [320.0], [180.0])
        assert not is_visible_led(balance(excess))


@pytest.mark.parametrize("source", ["red", "green", "blue"])
def test_a_visible_led_reads_as_its_colour_even_when_its_core_clips_to_white(source):
    for peak_dn in (150.0, 2000.0):
        frame = glow_frame(source, peak_dn)
        if peak_dn > 1000:
            assert (frame[180, 320] >= 250).any()  # the core is clipped
        assert is_visible_led(balance(glow_excess_bgr(frame, [320.0], [180.0])))


def test_a_faint_spot_or_a_grey_frame_says_nothing_of_colour():
    faint = glow_excess_bgr(glow_frame("red", 1.0), [320.0], [180.0])
    assert np.isnan(balance(faint)) and not is_visible_led(balance(faint))
    grey = glow_frame("red", 150.0)[..., 1]
    assert np.isnan(glow_excess_bgr(grey, [320.0], [180.0])).all()


def glared_led_frame(source: str, over_full_scale: float, radius_px: float = 3.0) -> np.ndarray:
    """A 640x360 bgr8 frame: a lit wall and an LED disc ``over_full_scale`` times the camera's
    full scale, seen through a lens that scatters 4 % of each point's light into a halo
    falling off as 1/r^3 (veiling glare): the whole disc clips to white."""
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[0:360, 0:640]
    disc = (np.hypot(xx - 320, yy - 180) <= radius_px).astype(float)
    linear = 0.15 + disc[..., None] * over_full_scale * np.array(RESPONSE_BGR[source])
    offsets = np.arange(-24, 25)
    r2 = offsets[:, None] ** 2 + offsets[None, :] ** 2
    kernel = (1 + r2 / 1.5**2) ** -1.5 * (r2 <= 24**2)
    kernel /= kernel.sum()
    halo = np.stack([cv2.filter2D(linear[..., c], -1, kernel) for c in range(3)], axis=-1)
    image = (0.96 * linear + 0.04 * halo) * 255 + rng.normal(0, 1.4, linear.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("source", ["ir_850", "ir_940", "red", "green", "blue"])
def test_a_led_whose_whole_core_clips_is_read_by_its_halo(source):
    for over in (30.0, 60.0):
        frame = glared_led_frame(source, over)
        assert (frame[178:183, 318:323] >= 250).all()  # white whatever its colour
        visible = is_visible_led(balance(glow_excess_bgr(frame, [320.0], [180.0])))
        assert visible == (not source.startswith("ir_")), (source, over)


def test_frames_where_the_track_missed_the_glow_do_not_hide_its_colour():
    """A track measured off its glow in some dark frames (registration is good to a pixel or
    two, not always) reads nothing there; the frames that show the glow decide its colour."""
    missed = [[0.0, 0.0, 0.0], [0.0, 15.0, 7.0]]
    red_once = np.array([[4.0, 9.0, 380.0], *missed, *missed])
    assert is_visible_led(balance(red_once))
    infrared_once = np.array([[330.0, 240.0, 380.0], *missed, *missed])
    assert not is_visible_led(balance(infrared_once))
    assert np.isnan(balance(np.array(missed)))


def test_an_infrared_glow_whose_green_reads_low_is_still_infrared():
    """Read with its surroundings, an infrared LED's green can come out far under its blue and
    red (train1437's 850 nm LED beside a lit surface: blue 1.0, green 0.13, red 0.75). It
    still lights blue and red, the spectrum's two ends, which no visible LED does: infrared.
    A red LED with its leak is still red."""
    assert not is_visible_led(balance(np.array([[141.0, 18.0, 106.0]])))
    assert is_visible_led(balance(np.array([[5.0, 18.0, 106.0]])))


def edge_glow_frame(source: str, x: int, y: int, peak_dn: float = 2000.0) -> np.ndarray:
    """``glow_frame``'s glow moved to (x, y), near the frame's edge."""
    return np.roll(glow_frame(source, peak_dn), (y - 180, x - 320), axis=(0, 1))


@pytest.mark.parametrize("source", ["ir_850", "red", "green"])
def test_a_glow_by_the_frame_s_edge_is_read_over_the_part_of_its_ring_inside(source):
    """An LED 2 px from the frame's edge has no whole ring around it: read one-sided, over
    the disc and ring pixels inside the frame, it is told infrared or visible as in the
    middle of the frame, and an infrared one keeps its hue. A point outside the frame has no
    colour."""
    for x, y in ((2, 180), (320, 357), (637, 2)):
        frame = edge_glow_frame(source, x, y)
        excess = glow_excess_bgr(frame, [x], [y])
        assert is_visible_led(balance(excess)) == (source != "ir_850"), (x, y, excess)
        assert infrared_hue(excess) == (source == "ir_850"), (x, y, excess)
    assert np.isnan(glow_excess_bgr(edge_glow_frame(source, 2, 180), [-3], [180])).all()


@pytest.mark.parametrize("source", ["ir_850", "ir_940", "lamp", "white", "red", "green", "blue"])
def test_only_infrared_light_has_the_infrared_hue(source):
    """Through the NoIR camera's dyes green passes least of 850/940 nm: an infrared LED's halo
    has green for its weakest channel, under blue and red both. The lamp's warm white (blue
    the weakest), a neutral light and the visible LEDs do not. Read on LEDs far over full
    scale, whose halo carries the colour (at 6-10x the channels clip over discs of unequal
    size and a 940 nm LED's halo can read red the weakest: the hue then misses it, and the
    lamp is still not taken for one)."""
    for over in (30.0, 60.0):
        excess = glow_excess_bgr(glared_led_frame(source, over, radius_px=1.5), [320.0], [180.0])
        assert infrared_hue(excess) == source.startswith("ir_"), (source, over)
    assert not infrared_hue(np.array([[0.0, 0.0, 0.0]]))  # nothing shows: no hue


@pytest.mark.parametrize("source", ["lamp", "ir_850", "ir_940", "white", "red", "green", "blue"])
def test_only_the_lamp_s_warm_white_has_the_lamp_s_hue(source):
    """The lamp's image in chrome clips in the dark frames as an LED does; its light is the
    lamp's warm white, blue the weakest channel. No infrared LED, neutral light or visible
    LED has that hue."""
    for over in (30.0, 60.0):
        excess = glow_excess_bgr(glared_led_frame(source, over, radius_px=1.5), [320.0], [180.0])
        assert lamp_hue(excess) == (source == "lamp"), (source, over)


@pytest.mark.parametrize("source", ["lamp", "ir_850", "ir_940", "red", "green", "blue"])
def test_only_the_lamp_s_light_has_blue_the_weakest(source):
    """A point image of the lamp in chrome is read over a few pixels: any margin of blue under
    green and red marks its warm white (``optics.colour.blue_weakest``). An infrared LED's
    light has green the weakest, and a visible LED's is a colour, not a near-white."""
    for over in (30.0, 60.0):
        excess = glow_excess_bgr(glared_led_frame(source, over, radius_px=1.5), [320.0], [180.0])
        assert blue_weakest(excess) == (source == "lamp"), (source, over)
    assert not blue_weakest(np.array([[0.0, 0.0, 0.0]]))  # nothing shows: no hue


@pytest.mark.parametrize("source", ["ir_850", "ir_940", "red", "green", "blue"])
def test_a_core_of_one_hue_tells_a_visible_led_whose_halo_reads_near_white(source):
    """A small LED's halo can be a few pixels of the pixel grid's colour fringes, near white
    (train1307's red LED: blue 0.24-0.39 of red around it). Its core, where its strongest
    channel clips and its weaker ones do not, keeps its colour: a visible LED. An infrared
    LED's core reads near white however it clips, so the core never makes it coloured."""
    visible = source not in ("ir_850", "ir_940")
    for peak_dn in (300.0, 400.0):
        frame = glow_frame(source, peak_dn)
        core = core_pixel(frame, 320.0, 180.0, 3)
        assert max(core) == 255
        halo = glow_excess_bgr(frame, [320.0], [180.0])
        fringed = halo + 0.4 * halo.max() * np.array([1.0, 0.9, 0.95])
        if visible:
            assert not is_visible_led(balance(fringed))  # the halo alone cannot tell it
        assert is_visible_led(led_balance(fringed, [core] * 3)) == visible


def test_a_coloured_core_without_a_halo_of_its_hue_keeps_the_halo_s_reading():
    """A visible LED's image in a chrome screw head is a coloured point with no glare around
    it (train1290), and a halo of another hue than the core is two lights in one reading (a
    blue LED's image in chrome beside the lamp's, train1103): neither is taken for a visible
    LED by its core, so a light with no colour read stays an alert."""
    red_core = [(24, 34, 255)] * 4
    assert np.isnan(led_balance(np.full((2, 3), np.nan), red_core))
    assert not is_visible_led(led_balance(np.zeros((2, 3)), red_core))
    blue_core = [(223, 88, 17), (255, 171, 30), (255, 115, 59)]
    assert not is_visible_led(led_balance(np.array([[373.0, 345.0, 376.0]]), blue_core))
    assert is_visible_led(led_balance(np.array([[373.0, 345.0, 300.0]]), blue_core))
