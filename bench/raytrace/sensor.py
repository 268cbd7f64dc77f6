"""The Pi NoIR camera's colour response, lens glare and noise, applied to POV-Ray's linear HDR
renders.

Colour: the NoIR module has no IR-cut filter, so its Bayer dyes pass near-infrared. At 850 nm
the red, green and blue dyes all transmit (red most, green least): an 850 nm LED reads pinkish
near-white; at 940 nm the silicon's response is lower and the three dyes more alike (dimmer,
near-white). A visible indicator LED reads as its own colour. ``CAMERA_RGB`` holds each source's
(R, G, B) as the camera sees it, unit peak; scenes emit in these camera channels.

Glare, applied to the linear render before it is clipped to 8 bits (``glare``): the camera's
small plastic lens (four moulded elements, f/2) scatters a few per cent of the light from any
point into a halo around its image; the veiling-glare index of such phone-class lenses is 2-5 %.
Below full scale the halo is lost in the noise (a lens glint loses 4 % of its peak); around a
source far above full scale it is what carries the source's colour. An indicator LED seen
head-on reads 3-60x full scale at the handheld's exposure (a diffused 3 mm LED is about
10^4 cd/m^2, a restroom wall 10-100 cd/m^2): its core reads 255 in every channel through the
colour filter, white whatever its wavelength, and its halo (below the clip) keeps the ratio of
the dyes' responses: red, green or blue for a visible LED, near-white/magenta for 850/940 nm.

Noise (per channel, seeded), applied by the capture reader (``hardware.camera.sensor_noise``):
shot noise with 6000 electrons at full scale, 1.4 DN read noise, 0.6 % photo-response
non-uniformity (a fixed pattern per capture), 8-bit quantisation with saturation at 255. Pixel
values stay linear (gamma 1), as docs/capture-format.md asks.
"""

import cv2
import numpy as np

CAMERA_RGB = {
    "lamp": (1.0, 0.97, 0.88),  # warm-white ceiling LED panel / fluorescent tube
    "ir_850": (1.0, 0.72, 0.86),  # the handheld's rings, IR illuminators of other cameras
    "ir_940": (0.92, 0.86, 0.93),
    "green": (0.07, 1.0, 0.32),
    "red": (1.0, 0.07, 0.03),
    "blue": (0.06, 0.38, 1.0),
}
#: Share of a point's light the lens scatters into its halo (veiling glare, see above).
GLARE_FRACTION = 0.04
#: The halo's profile, (1 + (r / GLARE_CORE_PX)^2)^-1.5 (px at 640 px width): the light
#: scattered by a lens surface's roughness falls off about as 1/r^3 beyond its core.
GLARE_CORE_PX = 1.5
#: The halo is cut here: further out, even the brightest LED's halo is under 0.5 DN.
GLARE_REACH_PX = 24
FULL_SCALE_ELECTRONS = 6000.0
READ_NOISE_DN = 1.4
PRNU = 0.006


def noise_spec(seed: int) -> dict:
    """``capture.json``'s ``sensor_noise``: the model the reader applies on load."""
    return {"model": "poisson-gaussian-prnu/1", "full_scale_electrons": FULL_SCALE_ELECTRONS,
            "read_noise_dn": READ_NOISE_DN, "prnu": PRNU, "seed": int(seed)}


def glare_kernel() -> np.ndarray:
    """The halo's kernel (sums to 1), ``2 GLARE_REACH_PX + 1`` px square."""
    offsets = np.arange(-GLARE_REACH_PX, GLARE_REACH_PX + 1, dtype=np.float64)
    r2 = offsets[:, None] ** 2 + offsets[None, :] ** 2
    kernel = (1.0 + r2 / GLARE_CORE_PX ** 2) ** -1.5
    kernel[r2 > GLARE_REACH_PX ** 2] = 0.0
    return (kernel / kernel.sum()).astype(np.float32)


def glare(linear_bgr: np.ndarray) -> np.ndarray:
    """The linear render as the lens delivers it to the sensor: ``GLARE_FRACTION`` of every
    pixel's light spread into its halo (the frame's edges mirrored)."""
    linear = np.asarray(linear_bgr, np.float32)
    halo = cv2.filter2D(linear, -1, glare_kernel(), borderType=cv2.BORDER_REFLECT)
    return (1.0 - GLARE_FRACTION) * linear + GLARE_FRACTION * halo


def clean_exposure(linear_bgr: np.ndarray) -> np.ndarray:
    """The noise-free 8-bit frame of a linear render (1.0 = full scale, saturating at 255)."""
    return np.clip(np.rint(linear_bgr * 255.0), 0, 255).astype(np.uint8)
