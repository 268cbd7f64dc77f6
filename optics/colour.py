"""The colour of a steady glow through the NoIR camera's colour filter: infrared or visible.

The Pi NoIR camera has no infrared-cut filter. Its red, green and blue filter dyes are made
for visible light; at 850-940 nm all three turn largely transparent, and the silicon behind
them answers in all three channels within a factor of about two of each other (at 850 nm red
most and green least: a pinkish near-white; at 940 nm dimmer and nearer white). A visible
indicator LED emits a band some 20-40 nm wide inside one dye's passband; the other two dyes
pass only a small part of it. So the glow's light over its surroundings, per channel, tells
the two apart: its ``balance``, the weakest channel over the strongest, is about 0.5-1 for an
850/940 nm emitter (a night-vision camera's LEDs: an alert) and well under ``VISIBLE_BALANCE``
for a red, green or blue indicator LED (information).

Only pixels with no channel at the clip level count: a saturated core reads 255 in every
channel, white whatever its colour; the glow's rim carries its colour. Greyscale frames carry
no colour; the balance is then unknown (NaN) and a glow stays an infrared alert.
"""

import numpy as np

from optics.candidates import INNER_BOX_PX, OUTER_BOX_PX, pool_factor

#: Weakest over strongest channel below which a glow is a visible LED: the three dyes pass
#: 850-940 nm within about a factor of two (balance >= 0.5), a narrow-band visible LED leaks
#: into the other dyes by well under 0.4 of its own.
VISIBLE_BALANCE = 0.4
#: Pixels with a channel at or above this are clipped: their colour is lost.
CLIPPED_DN = 250
#: A glow's strongest channel must carry at least this much light over its surroundings (DN
#: summed over its core, per frame) for its colour to count: a faint spot's colour is noise
#: (the core's 49 pixels at 640 px width sum read noise to about 10 DN).
MIN_GLOW_DN = 40.0


def glow_excess_bgr(image: np.ndarray, xs, ys) -> np.ndarray:
    """Per point (full-resolution px) of a bgr8 ``image``: the light of its core over the mean
    of the annulus around it, per channel (B, G, R), summed over the core's unclipped pixels.
    Rows are NaN for points too near the edge for an annulus, and for a greyscale image."""
    xs, ys = np.atleast_1d(np.asarray(xs, float)), np.atleast_1d(np.asarray(ys, float))
    out = np.full((len(xs), 3), np.nan)
    if image.ndim != 3 or image.shape[2] != 3 or not len(xs):
        return out
    factor = pool_factor(image.shape[1])
    outer, inner = OUTER_BOX_PX // 2 * factor, INNER_BOX_PX // 2 * factor
    height, width = image.shape[:2]
    xi, yi = np.rint(xs).astype(int), np.rint(ys).astype(int)
    valid = (outer <= xi) & (xi < width - outer) & (outer <= yi) & (yi < height - outer)
    if not valid.any():
        return out
    span = np.arange(-outer, outer + 1)
    patches = image[yi[valid, None, None] + span[None, :, None],
                    xi[valid, None, None] + span[None, None, :]].astype(np.float32)
    core = patches[:, outer - inner:outer + inner + 1, outer - inner:outer + inner + 1]
    n_ring = patches.shape[1] ** 2 - core.shape[1] ** 2
    ring = (patches.sum(axis=(1, 2)) - core.sum(axis=(1, 2))) / n_ring  # (n, 3)
    unclipped = (core.max(axis=3) < CLIPPED_DN)[..., None]
    out[valid] = ((core - ring[:, None, None, :]) * unclipped).sum(axis=(1, 2))
    return out


def balance(excess_bgr: np.ndarray) -> float:
    """Weakest over strongest channel of a glow's summed per-frame light (rows: frames);
    NaN when the frames hold no colour or too little light for it to mean anything."""
    rows = np.asarray(excess_bgr, float).reshape(-1, 3)
    rows = rows[~np.isnan(rows).any(axis=1)]
    if not len(rows):
        return float("nan")
    total = rows.sum(axis=0)
    strongest = float(total.max())
    if strongest < MIN_GLOW_DN * len(rows):
        return float("nan")
    return float(np.clip(total.min(), 0.0, None) / strongest)


def is_visible_led(glow_balance: float) -> bool:
    """A glow whose colour says it is a visible indicator LED, not 850/940 nm infrared."""
    return bool(glow_balance < VISIBLE_BALANCE)  # NaN (no colour) compares False
