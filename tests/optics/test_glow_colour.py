"""The colour cue: through the NoIR camera's colour filter, 850/940 nm light reads near-white
(pinkish at 850 nm) and a visible indicator LED reads as its own colour, even when its core
clips to white."""

import numpy as np
import pytest

from optics.colour import balance, glow_excess_bgr, is_visible_led

# The camera's (B, G, R) response to each source, unit peak: the Pi NoIR's dyes all pass
# near-infrared (red most, green least at 850 nm); a visible LED leaks little into the others.
RESPONSE_BGR = {"ir_850": (0.86, 0.72, 1.0), "ir_940": (0.93, 0.86, 0.92),
                "red": (0.03, 0.07, 1.0), "green": (0.32, 1.0, 0.07), "blue": (1.0, 0.38, 0.06)}


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
