"""The RF sweep: hop through the bands, stitch a spectrum, find the emitters, take a short IQ
capture at each and classify it, compare with the site's baseline, and keep IQ evidence of the
suspicious ones as SigMF.

The radio comes through the ``hardware.radio.SampleSource`` seam (real, replayed or simulated);
everything it returns goes to the pure functions of ``rf``. The pipeline, in one place::

    plan_hops -> (read hop -> hop_spectrum)* -> stitch -> combine_sweeps -> find_emitters
      -> (capture -> classify)* -> merge_video_fragments -> compare -> write evidence

A hop that clips the 8-bit ADC (a transmitter within a metre overloads the dongle) is read again
at a lower gain; spectra are referred to the tuner input, so hops at different gains stitch.
"""

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from hardware.radio.sigmf import write_sigmf
from rf.baseline import Comparison, SiteBaseline, compare
from rf.classify import (EXTENDED_CAPTURE_S, Capture, ClassifiedEmitter, classify,
                         suspects_video)
from rf.emitters import find_emitters
from rf.hopplan import plan_hops
from rf.spectrum import Spectrum, combine_sweeps, hop_spectrum, stitch

HOP_SAMPLES = 65_536
CAPTURE_S = 0.12
FFT_SIZE = 512
#: A read is clipped when this fraction of its I or Q values sit at full scale.
CLIP_FRACTION = 1e-4
GAIN_STEP_DB = 10.0
SUSPICIOUS_KINDS = ("analog_video",)
LINE_RATE_MATCH_HZ = 0.3


@dataclass
class SweepOutcome:
    """What one sweep found. ``duration_s`` is the dongle's time (hops, settling, captures);
    ``processing_s`` the CPU time spent analysing, both for the benchmark's overhead figure."""

    spectrum: Spectrum
    emitters: list[ClassifiedEmitter]
    comparison: Comparison | None
    captures: list[Path] = field(default_factory=list)
    duration_s: float = 0.0
    processing_s: float = 0.0

    def to_dict(self) -> dict:
        return {
            "emitters": [e.to_dict() for e in self.emitters],
            "comparison": self.comparison.to_dict() if self.comparison else None,
            "captures": [str(p) for p in self.captures],
            "duration_s": round(self.duration_s, 3),
            "processing_s": round(self.processing_s, 3),
            "bins": len(self.spectrum.freqs_hz),
            "sweeps": self.spectrum.n_sweeps,
        }


class _Timer:
    """Adds up the time spent inside ``with timer:`` blocks."""

    def __init__(self):
        self.total_s = 0.0

    def __enter__(self):
        self._start = time.perf_counter()

    def __exit__(self, *exc_info):
        self.total_s += time.perf_counter() - self._start


def run_sweep(radio, *, band_names, region: str = "KR", baseline: SiteBaseline | None = None,
              evidence_dir=None, downconverter_lo_hz: float = 0.0, sweeps: int = 1,
              on_progress=None, on_hop=None, hop_samples: int = HOP_SAMPLES,
              capture_s: float = CAPTURE_S) -> SweepOutcome:
    """Sweep ``band_names`` ``sweeps`` times and classify what is there (see the module doc).

    After each hop, ``on_progress(done, total)`` is called with the hops done of all sweeps,
    and ``on_hop(hop, done, total)`` with the hop's ``HopSpectrum`` as well (for a live view of
    the spectrum as it is swept; hops come in rising frequency within each sweep).
    """
    if sweeps < 1:
        raise ValueError(f"sweeps must be at least 1, not {sweeps}")
    plan = plan_hops(band_names, radio.sample_rate_hz, fft_size=FFT_SIZE,
                     downconverter_lo_hz=downconverter_lo_hz)
    timer, started = _Timer(), _DongleTime(radio)
    base_gain_db = radio.gain_db
    total = sweeps * len(plan.hops)
    stitched = []
    for s in range(sweeps):
        hops = []
        for i, hop in enumerate(plan.hops):
            radio.tune(hop.tuner_hz)
            iq, gain_db = _read_ranged(radio, hop_samples, base_gain_db)
            with timer:
                hops.append(hop_spectrum(iq, hop, plan.sample_rate_hz, plan.fft_size, gain_db))
            done = s * len(plan.hops) + i + 1
            if on_progress:
                on_progress(done, total)
            if on_hop:
                on_hop(hops[-1], done, total)
        with timer:
            stitched.append(stitch(hops))
    with timer:
        spectrum = combine_sweeps(stitched)
        emitters = find_emitters(spectrum)
    classified, captures = [], []
    for emitter in sorted(emitters, key=lambda e: -e.power_db):
        capture = _capture_at(radio, emitter, capture_s, base_gain_db, downconverter_lo_hz)
        with timer:
            result = classify(emitter, capture, region=region)
        if suspects_video(result) and EXTENDED_CAPTURE_S > capture_s:
            # a line comb without fields yet: look again, longer (rf.classify.EXTENDED_CAPTURE_S)
            capture = _capture_at(radio, emitter, EXTENDED_CAPTURE_S, base_gain_db,
                                  downconverter_lo_hz)
            with timer:
                result = classify(emitter, capture, region=region)
        classified.append(result)
        captures.append((result, capture))
    with timer:
        classified = merge_video_fragments(sorted(classified, key=lambda e: e.freq_hz))
        comparison = compare(baseline, classified) if baseline is not None else None
    written = []
    if evidence_dir is not None:
        written = _write_evidence(Path(evidence_dir), classified, captures, comparison,
                                  downconverter_lo_hz)
    _restore_gain(radio, base_gain_db)
    return SweepOutcome(spectrum, classified, comparison, written, started.elapsed_s(),
                        timer.total_s)


class _DongleTime:
    """The radio's own clock when it has one (the simulator's), else wall time."""

    def __init__(self, radio):
        self._clock = getattr(radio, "clock", None)
        self._start = self._now()

    def _now(self) -> float:
        return self._clock.now_s() if self._clock is not None else time.monotonic()

    def elapsed_s(self) -> float:
        return self._now() - self._start


def _read_ranged(radio, n_samples: int, base_gain_db):
    """Read at the base gain, stepping the gain down while the ADC clips; (iq, gain used)."""
    _restore_gain(radio, base_gain_db)
    iq = radio.read(n_samples)
    while base_gain_db is not None and _clipped(iq) and radio.gain_db > 0:
        radio.set_gain(max(radio.gain_db - GAIN_STEP_DB, 0.0))
        iq = radio.read(n_samples)
    return iq, (radio.gain_db if radio.gain_db is not None else 0.0)


def _restore_gain(radio, base_gain_db) -> None:
    if base_gain_db is not None and radio.gain_db != base_gain_db:
        radio.set_gain(base_gain_db)


def _clipped(iq: np.ndarray) -> bool:
    at_full_scale = (np.abs(iq.real) >= 0.999) | (np.abs(iq.imag) >= 0.999)
    return float(np.mean(at_full_scale)) > CLIP_FRACTION


def _capture_at(radio, emitter, capture_s, base_gain_db, lo_hz) -> Capture:
    """A short capture for classification. Wide emitters are captured at their strongest
    point; narrow ones a quarter of the rate off-centre, away from the dongle's DC leak."""
    rate_hz = radio.sample_rate_hz
    if emitter.bandwidth_hz >= rate_hz / 2:
        rf_hz = emitter.peak_freq_hz
    else:
        rf_hz = emitter.freq_hz + rate_hz / 4
    radio.tune(rf_hz - lo_hz)
    iq, _ = _read_ranged(radio, int(capture_s * rate_hz), base_gain_db)
    return Capture(iq, rate_hz, rf_hz)


def merge_video_fragments(emitters: list[ClassifiedEmitter], max_gap_hz: float = 8e6,
                          skirt_below_db: float = 20.0):
    """Join a wide FM video signal's pieces into one camera.

    Its lumpy spectrum (the picture's levels spread over a swing of up to +-8 MHz) can split
    into several runs above the floor, each classified as video with the same standard and the
    same line rate to within LINE_RATE_MATCH_HZ (one transmitter's crystal; two cheap cameras'
    crystals differ by more): those are joined. Faint runs just beside it (its
    skirts, ``skirt_below_db`` weaker, classified as something else for want of signal) are
    absorbed into it rather than reported as emitters of their own.
    """
    merged: list[ClassifiedEmitter] = []
    for e in sorted(emitters, key=lambda x: x.freq_hz):
        near = [m for m in merged if _gap_hz(m, e) < max_gap_hz]
        video = next((m for m in near if m.kind == "analog_video"), None)
        if video is not None and e.kind == "analog_video" and _same_video(video, e):
            merged[merged.index(video)] = _joined(video, e)
        elif video is not None and e.power_db < video.power_db - skirt_below_db:
            continue
        elif e.kind == "analog_video":
            skirts = [m for m in near if m.power_db < e.power_db - skirt_below_db]
            merged = [m for m in merged if m not in skirts] + [e]
        else:
            merged.append(e)
    return merged


def _gap_hz(a, b) -> float:
    return max(b.freq_hz - b.bandwidth_hz / 2 - (a.freq_hz + a.bandwidth_hz / 2),
               a.freq_hz - a.bandwidth_hz / 2 - (b.freq_hz + b.bandwidth_hz / 2))


def _same_video(a, b) -> bool:
    return (a.video_standard == b.video_standard
            and abs((a.line_rate_hz or 0) - (b.line_rate_hz or 0)) <= LINE_RATE_MATCH_HZ)


def _joined(a, b):
    lo_hz = min(a.freq_hz - a.bandwidth_hz / 2, b.freq_hz - b.bandwidth_hz / 2)
    hi_hz = max(a.freq_hz + a.bandwidth_hz / 2, b.freq_hz + b.bandwidth_hz / 2)
    power_db = 10 * np.log10(10 ** (a.power_db / 10) + 10 ** (b.power_db / 10))
    stronger = a if a.power_db >= b.power_db else b
    return replace(stronger, freq_hz=round((lo_hz + hi_hz) / 2), bandwidth_hz=round(hi_hz - lo_hz),
                   power_db=round(float(power_db), 2), confidence=max(a.confidence, b.confidence),
                   occupancy=max(a.occupancy, b.occupancy))


def _write_evidence(directory: Path, emitters, captures, comparison, lo_hz) -> list[Path]:
    """SigMF captures of the suspicious emitters: video, and whatever is new or stronger.

    ``captures`` pairs each emitter as classified (before fragments were merged) with its
    capture; a merged emitter's evidence is the capture of its strongest fragment. The
    recording's frequency is the RF frequency (tuner plus any downconverter's LO)."""
    flagged = {round(d["freq_hz"]) for d in (comparison.new + comparison.stronger)} \
        if comparison else set()
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for emitter in emitters:
        if not (emitter.kind in SUSPICIOUS_KINDS or round(emitter.freq_hz) in flagged):
            continue
        capture = _capture_of(emitter, captures)
        base = _unique_base(directory, f"{emitter.freq_hz / 1e6:.3f}MHz-{emitter.kind}")
        meta_path, _ = write_sigmf(
            base, capture.iq, capture.sample_rate_hz, capture.center_freq_hz,
            description=f"ansim sweep: {emitter.kind} at {emitter.freq_hz / 1e6:.3f} MHz",
            annotations=[{"core:sample_start": 0, "core:sample_count": len(capture.iq),
                          "core:freq_lower_edge": emitter.freq_hz - emitter.bandwidth_hz / 2,
                          "core:freq_upper_edge": emitter.freq_hz + emitter.bandwidth_hz / 2,
                          "core:label": emitter.kind,
                          "ansim:video_standard": emitter.video_standard,
                          "ansim:line_rate_hz": emitter.line_rate_hz}],
            extra_global={"ansim:downconverter_lo_hz": lo_hz})
        written.append(meta_path)
    return written


def _capture_of(emitter, captures) -> Capture:
    lo_hz = emitter.freq_hz - emitter.bandwidth_hz / 2
    hi_hz = emitter.freq_hz + emitter.bandwidth_hz / 2
    inside = [(r, c) for r, c in captures if lo_hz <= r.freq_hz <= hi_hz] or captures
    return max(inside, key=lambda pair: pair[0].power_db)[1]


def _unique_base(directory: Path, stem: str) -> Path:
    n = 1
    while (directory / f"{stem}-{n}.sigmf-meta").exists():
        n += 1
    return directory / f"{stem}-{n}"
