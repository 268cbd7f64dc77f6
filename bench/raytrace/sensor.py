"""The Pi NoIR camera's colour response and noise, applied to POV-Ray's linear HDR renders.

Colour: the NoIR module has no IR-cut filter, so its Bayer dyes pass near-infrared. At 850 nm
the red, green and blue dyes all transmit (red most, green least): an 850 nm LED reads pinkish
near-white; at 940 nm the silicon's response is lower and the three dyes more alike (dimmer,
near-white). A visible indicator LED reads as its own colour. ``CAMERA_RGB`` holds each source's
(R, G, B) as the camera sees it, unit peak; scenes emit in these camera channels.

Noise (per channel, seeded), applied by the capture reader (``hardware.camera.sensor_noise``):
shot noise with 6000 electrons at full scale, 1.4 DN read noise, 0.6 % photo-response
non-uniformity (a fixed pattern per capture), 8-bit quantisation with saturation at 255. Pixel
values stay linear (gamma 1), as docs/capture-format.md asks.
"""

import numpy as np

CAMERA_RGB = {
    "lamp": (1.0, 0.97, 0.88),  # warm-white ceiling LED panel / fluorescent tube
    "ir_850": (1.0, 0.72, 0.86),  # the handheld's rings, IR illuminators of other cameras
    "ir_940": (0.92, 0.86, 0.93),
    "green": (0.07, 1.0, 0.32),
    "red": (1.0, 0.07, 0.03),
    "blue": (0.06, 0.38, 1.0),
}
FULL_SCALE_ELECTRONS = 6000.0
READ_NOISE_DN = 1.4
PRNU = 0.006


def noise_spec(seed: int) -> dict:
    """``capture.json``'s ``sensor_noise``: the model the reader applies on load."""
    return {"model": "poisson-gaussian-prnu/1", "full_scale_electrons": FULL_SCALE_ELECTRONS,
            "read_noise_dn": READ_NOISE_DN, "prnu": PRNU, "seed": int(seed)}


def clean_exposure(linear_bgr: np.ndarray) -> np.ndarray:
    """The noise-free 8-bit frame of a linear render (1.0 = full scale, saturating at 255)."""
    return np.clip(np.rint(linear_bgr * 255.0), 0, 255).astype(np.uint8)
