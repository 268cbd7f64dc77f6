"""The lock-in with an on-axis gain free to vary along the scan (``optics.lockin.windowed_retro``).

A real cat's eye glints, saturated, only while the hand is inside its acceptance cone, and a
fixture's parallax carries a track's point off it: the whole-scan lock-in (one gain) is
swamped by the misfit, the windowed one is not. Pinned on synthetic levels (its noise model
and its false-alarm correction) and on a ray-traced TRAINING capture (seeds 1000-1015; the
benchmark block is never used here).
"""

import numpy as np

from optics.lockin import fit_lockin, windowed_retro
from tests.optics.test_ray_traced_cues import at, block, run

#: A ray-traced training capture's code (train1000): 4 off-axis, 3 on-axis, off, dark, ...
STATES = ["off", "off", "off", "off", "on", "on", "on", "off", "dark", "on", "on", "dark",
          "on", "dark", "dark", "dark"]
EXPOSURE_MS = 8.0


def _rings(states=STATES):
    on = np.array([s == "on" for s in states], float)
    off = np.array([s == "off" for s in states], float)
    return on, off, np.full(len(states), EXPOSURE_MS), np.arange(len(states))


def test_a_glint_in_a_few_lit_frames_only_is_strong_evidence_where_one_gain_is_not():
    on, off, exposure_ms, frames = _rings()
    rng = np.random.default_rng(3)
    level = rng.normal(0.0, 2.0, len(frames))
    level[[4, 5, 6]] += 120.0  # saturated while the hand is inside the cone, then gone
    whole = fit_lockin(level, exposure_ms, on, off)
    windowed = windowed_retro(level, exposure_ms, on, off, frames)
    assert whole.retro_snr < 4
    assert windowed.evidence > 10
    assert (windowed.first_frame, windowed.last_frame) == (4, 6)
    assert windowed.off_share < 0.1


def test_noise_alone_gives_evidence_as_rarely_as_its_p_value_says():
    on, off, exposure_ms, frames = _rings()
    rng = np.random.default_rng(11)
    evidence = np.array([windowed_retro(rng.normal(5.0, 3.0, len(frames)), exposure_ms, on, off,
                                        frames).evidence for _ in range(3000)])
    # -log10 p >= 2 must happen in at most about 1 % of pure-noise tracks (Bonferroni is
    # conservative; the robust noise estimate from ten reference frames is not exact)
    assert np.mean(evidence >= 2.0) < 0.02
    assert np.mean(evidence >= 1.0) < 0.12


def test_a_point_the_off_axis_ring_shadows_gains_nothing():
    on, off, exposure_ms, frames = _rings()
    rng = np.random.default_rng(5)
    level = rng.normal(0.0, 1.0, len(frames)) - 40.0 * off  # darker when the off ring is lit
    windowed = windowed_retro(level, exposure_ms, on, off, frames)
    assert windowed.evidence < 2


def test_a_training_lens_only_the_varying_gain_lock_in_sees():
    """train1000 (a clothes hook's lens, 7-9 deg off its axis): its glints land on two tracks
    as registration drifts; the first holds frames 4-6 saturated and misses 9-12. One gain
    over the scan gives a retro SNR under 3; the windowed lock-in finds frames 4-6."""
    capture = "train1000_clothes_hook_lens_081"
    lens = block("train")[capture]["lenses"][0]
    at_lens = [f for f in run("train", capture).scored_tracks() if at(f, lens)]
    assert at_lens
    strongest = max(at_lens, key=lambda f: f.features["features"].windowed.evidence)
    features = strongest.features["features"]
    assert features.lockin.retro_snr < 3
    assert features.windowed.evidence > 10
    assert features.windowed.off_share < 0.2
