"""Analog video evidence in a short IQ capture: the TV line rate and the field rate.

A wireless camera's analog transmitter sends composite video: a sync pulse every line (PAL
15,625 Hz, NTSC 15,734.26 Hz) and a vertical blanking interval every field (PAL 312.5 lines,
NTSC 262.5 lines). Whatever slice of the signal the 2.4 MHz capture sees, some feature of it is
periodic with that structure:

- the **FM discriminator** output is the video itself for narrow FM (both its halves, the
  power-weighted sine and cosine of the phase step, are tested: see ``fm_discriminator``), and
  for AM video it is near zero;
- the **AM envelope** is the video itself for AM (negative modulation), and for a wide FM signal
  of which the capture sees only a slice it is the "time spent in the slice", which follows the
  video level and so is periodic too.

For each feature we look for a *comb* at the line rate (many harmonics, odd and even, standing
above the local noise of the feature's spectrum), then fold the feature at the line rate found
and look for a second comb, at the *field rate*, in the line-by-line means. The vertical
blanking (about 25 lines at blanking and sync level, once per field) is a short pulse repeated
every 312.5 (PAL) or 262.5 (NTSC) lines, so its harmonics are a comb of their own: the field
rate itself and most of its first eight multiples, odd and even, each standing above the
spectrum between them. The look-alikes fail this in known ways: a switch-mode supply's mains
ripple (100/120 Hz) and a 10 ms TDMA frame put power on the field rate's *even* multiples only;
a spread-spectrum dither or a radar's staggered pulses put one or two tones anywhere; the slow
drift of a pulse train against the fold (its rate a few hertz off a TV line rate) is a smooth
continuum falling with frequency, no comb at all. A tone, a display's line comb without TV
fields, or OFDM whose symbol rate is near the line rate each fail the line comb or the field
comb; only video passes both. When the picture is dark the field comb fades (black is close to
the blanking level), and the field is found instead by the vertical sync's broad pulses: one
pulse per field, the field's only one, on the same side in every field. A capture that shows a
few line harmonics but no field is worth a longer look (``line_comb_suspected``): the caller
reads on and tests twice the samples. Last, a field is counted out of the lines (exactly 625 /
525 half lines): video's blanking and sync edges stay on the same half lines through the
capture, while a supply gated by the mains or a radar's revisit keeps its own clock and its
"field" edges slide along the lines (``field_drift_z``).

The thresholds were set on the training material of ``hardware.sim.rf_training`` (supply
combs, radar-like bursts, DECT-like TDMA, field-gated supplies and scanning radars, and moving
pictures that are not the benchmark's, dark ones among them) and on the confounders in
tests/rf; never on the benchmark's own non-video family or clips.
"""

from dataclasses import dataclass, replace

import numpy as np
import scipy.fft
import scipy.ndimage

PAL_LINE_RATE_HZ = 15_625.0
NTSC_LINE_RATE_HZ = 15_734.264
LINES_PER_FIELD = {"PAL": 312.5, "NTSC": 262.5}
_STANDARD_RATES_HZ = {"PAL": PAL_LINE_RATE_HZ, "NTSC": NTSC_LINE_RATE_HZ}

#: How far a transmitter's line rate may stray from the standard's. A camera's line rate is
#: divided down from a crystal (a colour camera's from its subcarrier crystal: PAL 4.43361875 MHz
#: x 4/1135, NTSC 3.579545 MHz x 2/455), good to 100 ppm or so, and the dongle's sample clock
#: adds as much: 20 Hz is 1,300 ppm, several times both. The search covers a window this wide
#: around each standard's rate, and the refined rate must stay inside it: a switch-mode
#: supply's switching rate, anywhere in 14.5-17 kHz, lands within a window far less often than
#: within the 200 Hz span from PAL to NTSC that the search once covered (45 Hz around each).
LINE_RATE_TOLERANCE_HZ = 20.0
#: Harmonics of the line rate examined. The sync pulse (4.7 us) has its first spectral null
#: near the 13th harmonic, so the first twelve carry the comb in every kind of video.
N_HARMONICS = 12
#: A harmonic counts when it stands this many times above the local noise of the spectrum.
#: For noise the normalised power is exponential: P(> 12) = 6e-6 per bin.
HARMONIC_THRESHOLD = 12.0
#: ...and this many times the mean power midway between harmonics.
BETWEEN_FACTOR = 6.0
MIN_HARMONICS = 6
MIN_ODD_HARMONICS = 3
#: ...or the first LOW_HARMONICS harmonics, every one of them, at LOW_THRESHOLD: in FM the
#: discriminator's noise rises with the square of frequency (the FM noise triangle), so near
#: threshold only the lowest harmonics of the line rate clear it. Three neighbours at 30 times
#: the local noise (P ~ 1e-13 each, for noise) are far less likely by chance than six of twelve
#: at 12, and the fundamental and the third harmonic among them rule out a comb at twice the
#: line rate (a VGA display's). The field comb must still be found.
LOW_HARMONICS = 3
LOW_THRESHOLD = 30.0
#: Field-rate harmonics examined in the line-by-line means (the vertical blanking is ~8 % of a
#: field, so its pulse train is flat to within a few dB up to the eighth harmonic)...
N_FIELD_HARMONICS = 8
#: ...a harmonic counts when its normalised power passes this (P(> 5) for noise is e^-5 per bin,
#: about 3 % over the four bins a harmonic may fall in)...
FIELD_THRESHOLD = 5.0
#: ...and it stands this many times above the mean power midway to the next harmonic: a comb,
#: not the continuum of a slow drift.
FIELD_BETWEEN_FACTOR = 3.0
#: The field comb needs this many harmonics of N_FIELD_HARMONICS, the fundamental (one blanking
#: per field, not two) and MIN_ODD_FIELD_HARMONICS odd ones (mains ripple and 10 ms frames give
#: even ones only).
MIN_FIELD_HARMONICS = 6
MIN_ODD_FIELD_HARMONICS = 2
#: Or the field is seen in the *vertical sync* itself: for 2.5 (PAL) / 3 (NTSC) lines once per
#: field, broad pulses hold the feature at sync level for most of each line, further from the
#: picture's level than anything in a picture. When the picture is dark (a camera in an unlit
#: room: black is within a quarter of the carrier of blanking in AM, a few hundred kHz of it in
#: FM) the blanking barely differs from the picture and the field comb fades, but this pulse
#: remains. The feature is averaged per half line, folded at the field period (625 / 525 half
#: lines), smoothed over the pulse's width and set against its surroundings (a running median);
#: the pulse must stand VSYNC_THRESHOLD robust standard deviations (1.4826 x the median absolute
#: deviation of the folded profile) from them...
VSYNC_WIDTH_HALF_LINES = 5
VSYNC_SURROUNDINGS_HALF_LINES = 41
VSYNC_THRESHOLD = 6.0
#: ...be the only such excursion in the field (anything more than VSYNC_APART of a field away
#: stays below VSYNC_UNIQUE of it: a 10 ms TDMA frame or a mains-rippled comb repeats twice or
#: more per field), and lie on the same side of its surroundings in every field seen.
VSYNC_APART = 0.15
VSYNC_UNIQUE = 0.6
#: And the field must be *counted out of the lines*: a field is exactly 625 (PAL) / 525 (NTSC)
#: half lines, so video's vertical blanking and sync edges fall on the same half lines of every
#: field, while a supply gated by the mains or a radar revisiting every 15-22 ms keeps its own
#: clock, and its "field" edges slide along the lines (by 312.5 x the rates' mismatch per
#: field). The feature's half-line means are folded at the field over each half of the capture;
#: the first half's strongest steps (up to FIELD_EDGES of them, each at least FIELD_EDGE_RELATIVE
#: of the strongest and FIELD_EDGE_MIN_STEP noise standard deviations, FIELD_EDGE_HALF_WIDTH
#: half lines either side) are found again in the second half's fold, FIELD_DRIFT_SEARCH half
#: lines either way, and their slide is measured to a fraction of a half line. When every strong
#: edge slid, by more than FIELD_DRIFT_MIN_LINES per field (a line rate 1 Hz off makes a locked
#: field slide 312.5 / 15,625 = 0.02 lines per field) and FIELD_DRIFT_Z standard errors, and none
#: was surely still, the field is not video's. A picture's moving content slides too, but
#: video's blanking and sync edges stay: one edge surely still is enough. With no strong edge
#: (a weak capture) the test says nothing.
FIELD_EDGES = 4
FIELD_EDGE_RELATIVE = 0.3
FIELD_EDGE_MIN_STEP = 8.0
FIELD_EDGE_HALF_WIDTH = 3
FIELD_DRIFT_SEARCH = 24
FIELD_DRIFT_MIN_LINES = 0.02
FIELD_DRIFT_Z = 6.0
#: The features are block-summed down to this rate before their spectrum is taken: the comb's
#: twelve harmonics lie below 190 kHz, and a short FFT keeps analysis far faster than real time.
FEATURE_RATE_HZ = 400_000.0
#: A capture whose best feature shows this many significant line-rate harmonics, without the
#: field evidence, is worth a longer look (``rf.classify.EXTENDED_CAPTURE_S``): noise alone
#: showed two in none of 150 training captures (one in one), and doubling a capture doubles
#: every harmonic's and every field harmonic's power over the noise.
SUSPECT_HARMONICS = 2
_SEARCH_STEP_HZ = 0.5
_NOISE_BLOCK_BINS = 64


@dataclass(frozen=True)
class VideoEvidence:
    """What the line-rate and field-rate tests found in one capture.

    ``is_video`` needs both; ``standard`` is ``"PAL"``/``"NTSC"`` when it is video, else None.
    ``harmonics`` counts significant line-rate harmonics (of ``N_HARMONICS``),
    ``field_harmonics`` the field rate's (of ``N_FIELD_HARMONICS``), ``field_score`` is the
    mean normalised power of those field harmonics (about 1.5 for noise), and
    ``vertical_sync_z`` how far the vertical sync stands out (0 when the field comb sufficed, or
    the pulse was not the field's only one), and ``field_drift_z`` how surely the field's edges
    slid along the lines (0 when one stayed, or the fields were not looked at; at
    FIELD_DRIFT_Z or more the field is not video's).
    """

    is_video: bool
    standard: str | None
    line_rate_hz: float | None
    harmonics: int
    odd_harmonics: int
    field_harmonics: int
    field_score: float
    vertical_sync_z: float
    feature: str
    confidence: float
    line_comb_suspected: bool = False
    field_drift_z: float = 0.0

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def envelope(iq: np.ndarray) -> np.ndarray:
    """The AM envelope |x|, as float32."""
    return np.abs(iq)


def fm_discriminator(iq: np.ndarray) -> np.ndarray:
    """The power-weighted discriminator x[n] conj(x[n-1]) = |x|^2 exp(i phase step), complex.

    Its imaginary half, |x|^2 sin(phase step), is the instantaneous frequency weighted by power:
    weighting by power (rather than taking the angle) keeps the noise clicks of a weak FM signal
    small, so the line-rate comb survives down to a lower SNR; it is also cheaper. Its real
    half, |x|^2 cos(phase step), holds what the sine loses where the carrier swings towards a
    quarter of the sample rate from the tuning: a narrow FM camera's sync tip lies ~500 kHz
    from its black level, and at 2.4 MS/s sin(75 deg) and sin(28 deg) differ less than their
    cosines do. Which half carries more of the line's structure depends on where the capture is
    tuned, so both are tested.
    """
    return iq[1:] * np.conj(iq[:-1])


def detect_video(iq: np.ndarray, sample_rate_hz: float) -> VideoEvidence:
    """Look for a TV line-rate comb with field structure in ``iq``; return the best evidence.

    ``line_comb_suspected`` on the result says whether any feature showed at least
    SUSPECT_HARMONICS line-rate harmonics: the caller may then look again at a longer capture.
    """
    iq = np.asarray(iq, dtype=np.complex64)
    iq = iq - iq.mean()  # the dongle's DC leak
    product = fm_discriminator(iq)
    candidates = [
        _evidence_in(feature_name, feature, sample_rate_hz)
        for feature_name, feature in (("envelope", envelope(iq)), ("fm", product.imag),
                                      ("fm_cos", product.real))
    ]
    best = max(candidates, key=_rank)
    suspected = any(c.harmonics >= SUSPECT_HARMONICS for c in candidates)
    return replace(best, line_comb_suspected=suspected)


def _rank(evidence: VideoEvidence):
    return (evidence.is_video, evidence.confidence, evidence.harmonics, evidence.field_score)


def _evidence_in(feature_name: str, feature: np.ndarray, sample_rate_hz: float) -> VideoEvidence:
    block = max(int(sample_rate_hz // FEATURE_RATE_HZ), 1)
    # a length the FFT factors well (the discriminator's n - 1 samples can leave a large prime)
    usable = scipy.fft.prev_fast_len(len(feature) // block, real=True) * block
    decimated = _block_sums(feature[:usable], block)
    rate_hz = sample_rate_hz / block
    decimated = decimated - decimated.mean()
    spectrum = _normalised_power_spectrum(decimated)
    bin_hz = rate_hz / len(decimated)
    line_rate_hz, harmonics, odd, low_ok = _best_line_comb(
        scipy.ndimage.maximum_filter1d(spectrum, 3), bin_hz)
    line_rate_hz = _refined_line_rate(spectrum, bin_hz, line_rate_hz)
    standard = _standard_of(line_rate_hz)
    # with not one line harmonic there is no line structure to fold into fields (most noise
    # and most non-video features: the fold is a third of a feature's cost)
    lines_per_field = LINES_PER_FIELD[standard]
    half_lines = _half_line_sums(decimated, rate_hz, line_rate_hz) if harmonics or low_ok else None
    field = (_field_comb(half_lines, lines_per_field) if half_lines is not None
             else _FieldComb(False, 0, 0.0))
    comb_ok = ((harmonics >= MIN_HARMONICS and odd >= MIN_ODD_HARMONICS) or low_ok) and abs(
        line_rate_hz - _STANDARD_RATES_HZ[standard]) <= LINE_RATE_TOLERANCE_HZ
    vsync_z = 0.0
    if comb_ok and not field.ok:
        vsync_z = _vertical_sync_score(half_lines, lines_per_field)
    drift = 0.0
    if comb_ok and (field.ok or vsync_z >= VSYNC_THRESHOLD):
        drift = _field_drift_z(half_lines, lines_per_field)
    is_video = comb_ok and (field.ok or vsync_z >= VSYNC_THRESHOLD) and drift < FIELD_DRIFT_Z
    confidence = _confidence(harmonics, odd, low_ok,
                             max(field.count, N_FIELD_HARMONICS // 2 if is_video else 0))
    return VideoEvidence(
        is_video=is_video,
        standard=standard if is_video else None,
        line_rate_hz=round(float(line_rate_hz), 1) if comb_ok else None,
        harmonics=harmonics,
        odd_harmonics=odd,
        field_harmonics=field.count,
        field_score=field.score,
        vertical_sync_z=round(vsync_z, 2),
        feature=feature_name,
        confidence=confidence,
        field_drift_z=round(float(drift), 2),
    )


def _block_sums(signal: np.ndarray, block: int) -> np.ndarray:
    """Sums of consecutive ``block`` samples (column adds: far faster than a reduce over a
    short last axis)."""
    columns = signal.reshape(-1, block)
    out = columns[:, 0].copy()
    for i in range(1, block):
        out += columns[:, i]
    return out


def _normalised_power_spectrum(signal: np.ndarray) -> np.ndarray:
    """Power spectrum divided by its local noise (block medians), so noise bins average ~1."""
    power = np.abs(scipy.fft.rfft(signal, workers=1)) ** 2
    n_blocks = len(power) // _NOISE_BLOCK_BINS
    blocks = power[: n_blocks * _NOISE_BLOCK_BINS].reshape(n_blocks, -1)
    medians = np.partition(blocks, _NOISE_BLOCK_BINS // 2, axis=1)[:, _NOISE_BLOCK_BINS // 2]
    # median of an exponential variable is ln 2 times its mean
    local_mean = np.repeat(medians / np.log(2), _NOISE_BLOCK_BINS)
    local_mean = np.concatenate([local_mean, np.full(len(power) - len(local_mean),
                                                     local_mean[-1] if len(local_mean) else 1.0)])
    return power / np.maximum(local_mean, np.finfo(np.float32).tiny)


def _best_line_comb(spectrum: np.ndarray, bin_hz: float):
    """The line rate whose harmonics stand out most, with its harmonic counts.

    ``spectrum`` is max-filtered over three bins: each harmonic gets one bin of slack for the
    transmitter's and the dongle's clock errors. A harmonic counts only if it also stands
    BETWEEN_FACTOR times above the mean of the spectrum midway to the next harmonic: a signal
    keyed on and off at a divisor of the line rate (a burst every 40 ms) has lines everywhere
    at equal strength, not a comb. Returns the rate, the counts of significant harmonics (all,
    odd) and whether the first LOW_HARMONICS all stand above LOW_THRESHOLD.
    """
    rates_hz = np.concatenate([
        np.arange(standard_hz - LINE_RATE_TOLERANCE_HZ, standard_hz + LINE_RATE_TOLERANCE_HZ,
                  _SEARCH_STEP_HZ) for standard_hz in (PAL_LINE_RATE_HZ, NTSC_LINE_RATE_HZ)])
    k = np.arange(1, N_HARMONICS + 1)
    n_bins = len(spectrum)
    values = spectrum[_bins(rates_hz, k, bin_hz, n_bins)]
    cumulative = np.concatenate([[0.0], np.cumsum(spectrum, dtype=np.float64)])
    between = _band_density(cumulative, _bins(rates_hz, k + 0.25, bin_hz, n_bins),
                            _bins(rates_hz, k + 0.75, bin_hz, n_bins))
    significant = (values > HARMONIC_THRESHOLD) & (values > BETWEEN_FACTOR * between)
    # the exact peaks fix the rate (the neighbourhoods are too wide to tell PAL from NTSC)
    best = int(np.argmax(np.log1p(values).sum(axis=1)))
    odd = int(significant[best, 0::2].sum())
    low = (values[best, :LOW_HARMONICS] > LOW_THRESHOLD) & significant[best, :LOW_HARMONICS]
    return float(rates_hz[best]), int(significant[best].sum()), odd, bool(low.all())


def _bins(rates_hz, harmonics, bin_hz, n_bins):
    return np.clip(np.rint(np.outer(rates_hz, harmonics) / bin_hz).astype(np.int64), 0, n_bins - 1)


def _band_density(cumulative, lo, hi):
    """Mean normalised power over bins [lo, hi), from the spectrum's cumulative sum."""
    return (cumulative[hi] - cumulative[lo]) / np.maximum(hi - lo, 1)


def _refined_line_rate(spectrum: np.ndarray, bin_hz: float, line_rate_hz: float) -> float:
    """Least-squares line rate from the interpolated peaks of the strong harmonics."""
    weights, estimates = [], []
    for k in range(1, N_HARMONICS + 1):
        centre = int(round(k * line_rate_hz / bin_hz))
        if centre + 3 >= len(spectrum):
            break
        window = spectrum[centre - 2: centre + 3]
        i = int(np.argmax(window))
        if window[i] < HARMONIC_THRESHOLD or i in (0, 4):
            continue
        left, mid, right = np.log(window[i - 1: i + 2] + 1e-12)
        denom = left - 2 * mid + right
        offset = 0.5 * (left - right) / denom if denom < 0 else 0.0
        estimates.append((centre - 2 + i + offset) * bin_hz / k)
        weights.append(k * k)
    if not estimates:
        return line_rate_hz
    return float(np.average(estimates, weights=weights))


def _standard_of(line_rate_hz: float) -> str:
    if abs(line_rate_hz - PAL_LINE_RATE_HZ) < abs(line_rate_hz - NTSC_LINE_RATE_HZ):
        return "PAL"
    return "NTSC"


@dataclass(frozen=True)
class _FieldComb:
    ok: bool
    count: int
    score: float


def _field_comb(half_lines, lines_per_field: float) -> _FieldComb:
    """The field-rate comb in the line-by-line means: which of the first N_FIELD_HARMONICS
    multiples of the field rate stand above the noise and above the spectrum between them."""
    per_line = _means(*half_lines, per=2)
    fields_seen = len(per_line) / lines_per_field
    power = np.abs(np.fft.rfft(per_line)) ** 2
    if fields_seen < 2 or (N_FIELD_HARMONICS + 1) * fields_seen + 2 >= len(power):
        return _FieldComb(False, 0, 0.0)
    power = power / max(np.median(power[1:]) / np.log(2), np.finfo(float).tiny)
    k = np.arange(1, N_FIELD_HARMONICS + 1)
    at = np.array([power[max(int(np.floor(c)) - 1, 1): int(np.ceil(c)) + 2].max()
                   for c in k * fields_seen])
    between = np.array([power[int(np.ceil((h + 0.3) * fields_seen)):
                              int(np.floor((h + 0.7) * fields_seen)) + 1].mean() for h in k])
    significant = (at > FIELD_THRESHOLD) & (at > FIELD_BETWEEN_FACTOR * between)
    ok = (significant.sum() >= MIN_FIELD_HARMONICS and bool(significant[0])
          and significant[0::2].sum() >= MIN_ODD_FIELD_HARMONICS)
    return _FieldComb(bool(ok), int(significant.sum()), float(at.mean()))


def _vertical_sync_score(half_lines, lines_per_field: float) -> float:
    """How far (robust z) the one pulse per field stands from its surroundings in the feature
    folded at the field period; 0 unless it is the field's only one and on the same side in
    every field."""
    sums, counts = half_lines
    means = sums[1:-1] / np.maximum(counts[1:-1], 1)
    period = round(2 * lines_per_field)
    n_fields = len(means) // period
    if n_fields < 2:
        return 0.0
    fields = scipy.ndimage.uniform_filter1d(means[: n_fields * period].reshape(n_fields, period),
                                            VSYNC_WIDTH_HALF_LINES, axis=1, mode="wrap")
    fields -= scipy.ndimage.median_filter(fields, (1, VSYNC_SURROUNDINGS_HALF_LINES), mode="wrap")
    profile = fields.mean(axis=0)
    spread = 1.4826 * np.median(np.abs(profile - np.median(profile)))
    z = profile / max(spread, np.finfo(float).tiny)
    peak = int(np.argmax(np.abs(z)))
    distance = np.abs(np.arange(period) - peak)
    others = np.abs(z[np.minimum(distance, period - distance) > VSYNC_APART * period])
    same_side = np.all(np.sign(fields[:, peak]) == np.sign(z[peak]))
    if others.max() > VSYNC_UNIQUE * abs(z[peak]) or not same_side:
        return 0.0
    return float(abs(z[peak]))


def _half_line_sums(feature: np.ndarray, rate_hz: float, line_rate_hz: float):
    """(sums, counts) of the feature over each half line: the field tests all work from them
    (line ``l`` is half lines ``2 l`` and ``2 l + 1``)."""
    half_line = (np.arange(len(feature)) * (2 * line_rate_hz / rate_hz)).astype(np.int64)
    return np.bincount(half_line, weights=feature), np.bincount(half_line)


def _means(sums: np.ndarray, counts: np.ndarray, per: int) -> np.ndarray:
    """The mean over each whole ``per`` half lines (the first and last are partial: dropped),
    less their mean."""
    n = len(sums) // per * per
    sums, counts = sums[:n].reshape(-1, per).sum(axis=1), counts[:n].reshape(-1, per).sum(axis=1)
    whole = counts > 0
    means = sums[whole] / counts[whole]
    return means[1:-1] - means[1:-1].mean()


def _field_drift_z(half_lines, lines_per_field: float) -> float:
    """How surely (z) the field's edges slide along the lines during the capture: the least
    of its strong edges' slides, in standard errors; 0 when one edge is surely still, when a
    strong edge slid less than FIELD_DRIFT_MIN_LINES per field, or when no edge is strong."""
    # half lines: a field is a whole number of them (625 / 525), so every field folds alike
    per_half_line = _means(*half_lines, per=1)
    n_bins = round(2 * lines_per_field)
    half = len(per_half_line) // 2
    fields_per_half = half / n_bins
    if fields_per_half < 2:
        return 0.0
    position = np.arange(2 * half) % n_bins
    first, second = (_fold(per_half_line[start: start + half], position[start: start + half],
                           n_bins) for start in (0, half))
    # a half line's noise, from its change since the same half of the line before
    change = per_half_line[2:] - per_half_line[:-2]
    noise = 1.4826 * np.median(np.abs(change - np.median(change))) / np.sqrt(2)
    fold_noise = noise / np.sqrt(fields_per_half)
    step = np.roll(first, -1) - first  # from bin i to bin i + 1
    slope = (np.roll(first, -1) - np.roll(first, 1)) / 2
    tolerance = 2 * FIELD_DRIFT_MIN_LINES * fields_per_half  # half lines
    drifts = []
    for edge in _strong_edges(np.abs(step), FIELD_EDGE_MIN_STEP * np.sqrt(2) * fold_noise):
        shift, error = _slide(first, second, slope, edge, fold_noise)
        if abs(shift) + 2 * error < tolerance:  # surely on the same lines: counted out of them
            return 0.0
        drifts.append(abs(shift) / error if abs(shift) >= tolerance else 0.0)
    return min(drifts, default=0.0)


def _strong_edges(step_size: np.ndarray, least: float) -> list[int]:
    """The fold's strongest steps: at least FIELD_EDGE_RELATIVE of the strongest and ``least``,
    at most FIELD_EDGES, and apart (their windows do not overlap)."""
    chosen = []
    n = len(step_size)
    for i in np.argsort(-step_size):
        if (step_size[i] < max(FIELD_EDGE_RELATIVE * step_size.max(), least)
                or len(chosen) == FIELD_EDGES):
            break
        if all(min(abs(i - c), n - abs(i - c)) > 2 * FIELD_EDGE_HALF_WIDTH + 1 for c in chosen):
            chosen.append(int(i))
    return chosen


def _slide(first: np.ndarray, second: np.ndarray, slope: np.ndarray, edge: int,
           fold_noise: float) -> tuple[float, float]:
    """How far (half lines) the edge at ``edge`` of the fold ``first`` lies later in ``second``,
    with its standard error: the whole half lines that match best within
    FIELD_DRIFT_SEARCH, then the fraction by least squares to first order (B - A = -s A')."""
    n_bins = len(first)
    at = np.mod(edge + np.arange(-FIELD_EDGE_HALF_WIDTH, FIELD_EDGE_HALF_WIDTH + 2), n_bins)
    lags = np.arange(-FIELD_DRIFT_SEARCH, FIELD_DRIFT_SEARCH + 1)
    misfit = np.sum((second[np.mod(at[None, :] + lags[:, None], n_bins)] - first[at]) ** 2,
                    axis=1)
    lag = int(lags[int(np.argmin(misfit))])
    energy = max(float(np.sum(slope[at] ** 2)), np.finfo(float).tiny)
    residual = second[np.mod(at + lag, n_bins)] - first[at]
    return (lag - float(np.sum(residual * slope[at])) / energy,
            float(np.sqrt(2) * fold_noise / np.sqrt(energy)))


def _fold(values: np.ndarray, position: np.ndarray, n_bins: int) -> np.ndarray:
    """Mean of ``values`` at each position within the field."""
    counts = np.bincount(position, minlength=n_bins)
    return np.bincount(position, weights=values, minlength=n_bins) / np.maximum(counts, 1)


def _confidence(harmonics: int, odd: int, low_ok: bool, field_harmonics: int) -> float:
    """0..1: how much of both combs the evidence holds."""
    comb = min(harmonics / N_HARMONICS, 1.0) * min(odd / (N_HARMONICS // 2), 1.0)
    if low_ok:
        comb = max(comb, LOW_HARMONICS / N_HARMONICS)
    return float(round(comb * field_harmonics / N_FIELD_HARMONICS, 3))
