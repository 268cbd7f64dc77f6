"""The colour of a steady glow through the NoIR camera's colour filter: infrared or visible.

The Pi NoIR camera has no infrared-cut filter. Its red, green and blue filter dyes are made
for visible light; at 850-940 nm all three turn largely transparent, and the silicon behind
them answers in all three channels within a factor of about 1.4 of each other (at 850 nm red
most and green least: a pinkish near-white, weakest over strongest about 0.7; at 940 nm
dimmer and nearer white, about 0.9). A visible indicator LED emits a band some 20-40 nm wide
inside one dye's passband; the other two dyes pass under a tenth of it (0.03-0.07 for red,
green and blue LEDs, a little more for amber). So the glow's light over its surroundings, per
channel, tells the two apart: its ``balance``, the lesser of blue and red over the strongest
channel. No visible LED lights both blue and red, the spectrum's two ends, and infrared
lights both; green is left out because it passes least infrared, and a glow read beside a lit
surface can lose most of it (train1437's 850 nm LED read on a registration that follows the
hand's roll: blue 1.0, green 0.13, red 0.75, which the weakest channel over the strongest
took for a visible LED's colour).

An indicator LED seen head-on is far brighter than the camera's full scale: its core reads
255 in every channel, white whatever its colour. The colour is in what is not clipped: the
rim of a dim LED, and around a bright one the halo the lens's veiling glare spreads around
every point (a few per cent of its light, falling off as about 1/r^3). So the glow is read
in the unclipped pixels just around its clipped core (or its own pixels when nothing clips),
against the median of the ring around it. A dimmer LED's core clips its strongest channel
alone, and its weaker channels at the core keep its colour where a small point's halo is
mostly the pixel grid's colour fringes: a core of one hue, whose halo reads that hue too, is
read there as well (``led_balance``); a clipped channel reads less than it holds, so the core
can only over-state a visible LED's weaker channels, never make an infrared one look
coloured. Greyscale frames carry no colour; the balance is then unknown (NaN) and a glow
stays an infrared alert.
"""

import cv2
import numpy as np

from optics.candidates import pool_factor

#: The lesser of blue and red over the strongest channel below which a glow is a visible LED.
#: The two kinds' balances are 0.7-0.9 (850/940 nm) and 0.03-0.07 (red, green, blue); the
#: threshold sits near their geometric middle (0.22), on the side of infrared: a night-vision
#: camera's LED taken for a visible one is a missed alert, the other way round a needless look.
VISIBLE_BALANCE = 0.25
#: Green at most this share of both blue and red marks the infrared hue: through the NoIR
#: camera's dyes green passes least of 850 nm (a pinkish white: green about 0.84 of blue in the
#: ray-traced bench's camera model, ``bench/raytrace/sensor.py``) and, more narrowly, of 940 nm
#: (about 0.93 there), where the lamp's warm white, and its images in chrome, have blue for
#: their weakest channel, and a near-neutral light differs by a few per cent at most. A 940 nm
#: LED that reads neutral on a real camera does not meet it and needs its lit disc
#: (``optics.glows``). On the training block 64 of the 67 steady glows at infrared LEDs had
#: green their weakest channel, 25 of the 618 at no LED (the lamp's: blue, 578).
INFRARED_GREEN_SHARE = 0.95
#: The lamp's hue: a near-white light (weakest over strongest channel at least
#: ``LAMP_MIN_BALANCE``) whose blue is at most ``LAMP_BLUE_SHARE`` of both green and red. The
#: restroom's warm-white lamp reads blue at about 0.9 of green and red, and so do its images
#: in chrome, which clip in the dark frames as an LED does; an infrared LED's green is its
#: weakest (64 of the 67 steady glows at infrared LEDs on the training block), and of the
#: three that were not, the one with blue the weakest read it at 0.95 (train1105: a 940 nm
#: LED clipping unevenly). A red LED's leak (0.28-0.45 weakest over strongest on the training
#: block) is no white.
LAMP_MIN_BALANCE = 0.7
LAMP_BLUE_SHARE = 0.93
#: Pixels with a channel at or above this are clipped: their colour is lost.
CLIPPED_DN = 250
#: A core's strongest channels: those within this share of its brightest (a green LED's
#: core may clip blue as well as green, 255 255 29, where its halo reads green the most).
CORE_HUE_SHARE = 0.9
#: In a greyscale frame, where no channel can be read, a piece's core must read at least this
#: (grey DN) to count as clipped: the first training LEDs' cores read 150-255 (a green LED's
#: clipped channel alone gives 147). In a colour frame a core is clipped when a channel clips
#: (``optics.colour.clipped``), whatever its grey level: a red LED of which only the
#: red channel clips reads 75 plus 0.59 of its green leak (about 105 grey at 3x full scale).
MIN_CORE_DN = 120.0
#: The grey weights of a bgr8 pixel's channels (B, G, R), as ``optics.candidates.to_gray8``
#: converts them (ITU-R BT.601 luma, OpenCV's): a channel clipping alone lifts a pixel's grey
#: level to at least its weight times ``CLIPPED_DN`` (red 75, green 147, blue 29).
LUMA_BGR = np.array([0.114, 0.587, 0.299])
#: How far (px at 640 px width) from a detection its clipped core may lie: the detection sits
#: on the brightest grey pixel, or beside it by a pixel or two.
CORE_REACH_PX = 3
#: The disc read around a glow (px at 640 px width): a bright LED's clipped core is up to
#: 5 px across at 0.3 m, its halo a few px beyond; a neighbour 12 mm away at 1 m lies outside.
HALO_RADIUS_PX = 8
#: The glow's pixels: those this close (px at 640 px width) to its clipped core, where the
#: halo stands clear of the surface (at 3 px it is still a few per cent of the core's level).
NEAR_PX = 3
#: What noise alone adds to a pixel's positive part, in units of its spread: E[max(0, n)] for
#: a Gaussian n is 0.4 sigma.
NOISE_FLOOR = 0.4
#: A glow's strongest channel must carry at least this much light over its surroundings (DN
#: summed over its pixels) in a frame for that frame's colour to count: a few pixels just
#: over the noise say nothing of it.
MIN_GLOW_DN = 100.0


def glow_excess_bgr(image: np.ndarray, xs, ys) -> np.ndarray:
    """Per point (full-resolution px) of a bgr8 ``image``: the glow's light over its
    surroundings, per channel (B, G, R), summed over the pixels where the glow is
    (``glow_pixels``). Each pixel counts what it has over the median of the ring around the
    disc, where positive (light adds: a pixel below its surroundings is an LED's dark bezel or
    a shadow, with no glow in it), less what the noise alone gives that way (0.4 of the ring's
    spread per pixel), so a weak glow's weakest channel is not lifted by the noise. A point
    near the edge is read over the part of its disc and ring inside the frame (an LED at the
    frame's border, ``optics.tracks.border_tracks``, or crossing it: train1117's 850 nm LED
    had its one dark frame 8 px from the top). Rows are NaN for points outside the frame, and
    for a greyscale image."""
    xs, ys = np.atleast_1d(np.asarray(xs, float)), np.atleast_1d(np.asarray(ys, float))
    out = np.full((len(xs), 3), np.nan)
    if image.ndim != 3 or image.shape[2] != 3 or not len(xs):
        return out
    factor = pool_factor(image.shape[1])
    disc, outer = HALO_RADIUS_PX * factor, (HALO_RADIUS_PX + 2) * factor
    height, width = image.shape[:2]
    span = np.arange(-outer, outer + 1)
    r2_full = span[:, None] ** 2 + span[None, :] ** 2
    for k, (x, y) in enumerate(zip(np.rint(xs).astype(int), np.rint(ys).astype(int))):
        if not (0 <= x < width and 0 <= y < height):
            continue
        x0, y0 = max(x - outer, 0), max(y - outer, 0)
        patch = image[y0:y + outer + 1, x0:x + outer + 1].astype(np.float32)
        top, left = y0 - (y - outer), x0 - (x - outer)  # rows and columns cut by the edge
        r2 = r2_full[top:top + patch.shape[0], left:left + patch.shape[1]]
        ring_pixels = patch[r2 > disc ** 2]
        ring = np.median(ring_pixels, axis=0)
        spread = 1.4826 * np.median(np.abs(ring_pixels - ring), axis=0)
        where = glow_pixels(patch, r2, disc, NEAR_PX * factor)
        light = np.clip(patch[where] - ring, 0.0, None).sum(axis=0)
        out[k] = np.clip(light - NOISE_FLOOR * spread * where.sum(), 0.0, None)
    return out


def glow_pixels(patch: np.ndarray, r2: np.ndarray, disc: int, near: int) -> np.ndarray:
    """Where a glow's colour is, in a patch centred on it: the unclipped pixels of the disc
    within ``near`` px of its own clipped core (the clipped blobs reaching that close to the
    centre: a second LED beside it has its own) or, when nothing clips there, of the centre."""
    clipped = (patch.max(axis=2) >= CLIPPED_DN) & (r2 <= disc ** 2)
    close_to_centre = r2 <= near ** 2
    own = np.zeros_like(clipped)
    if (clipped & close_to_centre).any():
        _, labels = cv2.connectedComponents(clipped.astype(np.uint8), connectivity=8)
        for label in np.unique(labels[clipped & close_to_centre]):
            own |= labels == label
    if own.any():
        size = 2 * near + 1
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
        close = cv2.dilate(own.astype(np.uint8), kernel).astype(bool)
    else:
        close = close_to_centre
    return close & ~clipped & (r2 <= disc ** 2)


def core_pixel(image: np.ndarray, x: float, y: float,
               reach_px: int) -> tuple[int, int, int] | None:
    """The colour (B, G, R) of a detection's core in a bgr8 ``image``: of the pixels within
    ``reach_px`` of (x, y), the one whose clipped channels give its grey level the most
    (``LUMA_BGR`` times ``CLIPPED_DN``, summed over them), the brightest in grey among those
    tied; (0, 0, 0) where the window is empty; None for a greyscale image, whose channels are
    not known. An always-on LED clips its strongest channel in every frame it is in view,
    whatever its grey level does as its image moves over the pixel grid: all three for an
    infrared LED, red alone for a dim red one (``clipped``); its weaker channels, where they
    do not clip, keep its colour (``core_balance``)."""
    if image.ndim != 3 or image.shape[2] != 3:
        return None
    xi, yi = round(x), round(y)
    window = image[max(yi - reach_px, 0):yi + reach_px + 1,
                   max(xi - reach_px, 0):xi + reach_px + 1].reshape(-1, 3)
    if not len(window):
        return (0, 0, 0)
    weight = (window >= CLIPPED_DN) @ LUMA_BGR
    tied = np.flatnonzero(weight == weight.max())
    best = tied[np.argmax(window[tied] @ LUMA_BGR)]
    return tuple(int(v) for v in window[best])


def clipped(core_bgr: tuple[int, int, int] | None) -> tuple[bool, bool, bool] | None:
    """Which channels (B, G, R) of a core's colour (``core_pixel``) clip; None for none read."""
    return None if core_bgr is None else tuple(bool(v >= CLIPPED_DN) for v in core_bgr)


def core_balance(core_bgr) -> tuple[float, np.ndarray | None]:
    """The lesser of blue and red over the strongest channel at a glow's cores (rows of
    ``core_pixel`` colours: its detections), and the cores' colour (B, G, R): over those
    whose strongest channel clips, the median share and the median colour; NaN and None
    when none clips. A clipped channel reads full scale, less than the light it holds, so at
    a visible LED's core this over-states its weaker channels' share, and an infrared LED's
    core, all three channels near each other, cannot read under ``VISIBLE_BALANCE``."""
    rows = np.asarray(core_bgr, float).reshape(-1, 3)
    rows = rows[rows.max(axis=1) >= CLIPPED_DN] if len(rows) else rows
    if not len(rows):
        return float("nan"), None
    return (float(np.median(np.minimum(rows[:, 0], rows[:, 2]) / rows.max(axis=1))),
            np.median(rows, axis=0))


def led_balance(excess_bgr, core_bgr) -> float:
    """A glow's colour as one number for ``is_visible_led``: its halo's balance
    (``balance``), or its cores' (``core_balance``) where that is lower and the halo's
    strongest channel is one of the cores' strongest (``CORE_HUE_SHARE``). A small LED's halo
    can be a few pixels of the pixel grid's colour fringes: train1307's red LED over a vent's
    dark slats read B 0.24-0.39 of R around its core in both dark frames, and B 22, G 58,
    R 255 at its core in every frame. A light with no halo is no LED's glare (a visible LED's
    image in a chrome screw head: a coloured point, train1290), and one whose halo reads
    another hue than its core is two lights in one reading (train1103: a blue LED's image in
    chrome beside the lamp's): both keep the halo's reading, an alert where no colour was
    read."""
    halo = glow_light(excess_bgr)
    halo_share = _blue_red_share(halo)
    core_share, core = core_balance(core_bgr)
    if halo is None or core is None or not core_share < halo_share:
        return halo_share
    return core_share if core[np.argmax(halo)] >= CORE_HUE_SHARE * core.max() else halo_share


def glow_light(excess_bgr: np.ndarray) -> np.ndarray | None:
    """A glow's light per channel (B, G, R; rows of ``excess_bgr``: frames), summed over the
    frames where it shows (its strongest channel at least ``MIN_GLOW_DN``: a frame where the
    track's point missed the glow, or a faint one, says nothing of its colour); None when no
    frame shows it."""
    rows = np.asarray(excess_bgr, float).reshape(-1, 3)
    rows = rows[~np.isnan(rows).any(axis=1)]
    rows = rows[rows.max(axis=1) >= MIN_GLOW_DN] if len(rows) else rows
    return rows.sum(axis=0) if len(rows) else None


def glow_shows(excess_bgr) -> bool:
    """Whether any frame's light (rows of ``excess_bgr``) shows a glow (``glow_light``)."""
    return glow_light(excess_bgr) is not None


def balance(excess_bgr: np.ndarray) -> float:
    """The lesser of blue and red over the strongest channel of a glow's light
    (``glow_light``, ``VISIBLE_BALANCE``); NaN when no frame shows it."""
    return _blue_red_share(glow_light(excess_bgr))


def infrared_hue(excess_bgr: np.ndarray) -> bool:
    """Whether a glow's light (``glow_light``) has the infrared hue: near-white (no visible
    LED's colour, ``VISIBLE_BALANCE``), green its weakest channel, under both blue and red by
    ``INFRARED_GREEN_SHARE``."""
    total = glow_light(excess_bgr)
    return (total is not None and not is_visible_led(_blue_red_share(total))
            and bool(total[1] <= INFRARED_GREEN_SHARE * min(total[0], total[2])))


def lamp_hue(excess_bgr: np.ndarray) -> bool:
    """Whether a glow's light (``glow_light``) has the warm-white lamp's hue
    (``LAMP_MIN_BALANCE``, ``LAMP_BLUE_SHARE``): the lamp's image in chrome, not an emitter."""
    total = glow_light(excess_bgr)
    return (total is not None and _weakest_share(total) >= LAMP_MIN_BALANCE
            and bool(total[0] <= LAMP_BLUE_SHARE * min(total[1], total[2])))


def blue_weakest(excess_bgr: np.ndarray) -> bool:
    """Whether a glow's light (``glow_light``) is near-white (no visible LED's colour) with
    blue its weakest channel, by any margin: the warm lamp's light read over the few pixels
    around a point image of it, where ``lamp_hue``'s margin is more than the read can hold.
    An infrared LED reads green the weakest through the NoIR camera's dyes."""
    total = glow_light(excess_bgr)
    return (total is not None and not is_visible_led(_blue_red_share(total))
            and bool(total[0] < min(total[1], total[2])))


def _blue_red_share(total_bgr: np.ndarray | None) -> float:
    """The lesser of blue and red over the strongest of a glow's summed light; NaN for none."""
    if total_bgr is None:
        return float("nan")
    return float(np.clip(min(total_bgr[0], total_bgr[2]), 0.0, None) / total_bgr.max())


def _weakest_share(total_bgr: np.ndarray | None) -> float:
    """Weakest over strongest of a glow's summed light; NaN for none."""
    if total_bgr is None:
        return float("nan")
    return float(np.clip(total_bgr.min(), 0.0, None) / total_bgr.max())


def is_visible_led(glow_balance: float) -> bool:
    """A glow whose colour says it is a visible indicator LED, not 850/940 nm infrared."""
    return bool(glow_balance < VISIBLE_BALANCE)  # NaN (no colour) compares False
