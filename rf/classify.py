"""What an emitter is, from a short IQ capture at it: ``analog_video`` (with its standard),
``digital_burst``, ``carrier``, ``broadcast`` (a known service of the region's band plan) or
``unknown``.

Video comes first and needs the evidence only video has (``rf.video``): a signal in a broadcast
band that carries a TV line rate and fields is still called video. The other kinds are decided by
simple, explainable measures: bursts by the on/off contrast of the capture's power (and by
occupancy and burstiness across sweeps), carriers by their narrowness, services by frequency.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.fft

from rf.bandplan import service_at
from rf.emitters import Emitter, find_emitters
from rf.spectrum import capture_spectrum, segment_powers
from rf.video import VideoEvidence, detect_video

KINDS = ("analog_video", "digital_burst", "carrier", "broadcast", "unknown")
#: A video signal's line comb (twelve harmonics up to 190 kHz on both sides of the carrier, in
#: FM or AM) cannot fit in a narrower emitter, so narrower ones skip the video test.
MIN_VIDEO_BANDWIDTH_HZ = 300e3
#: Emitters filling this fraction of the capture are analysed on the raw capture; narrower ones
#: are cut out first, so a neighbour's modulation cannot be attributed to them.
WHOLE_CAPTURE_FRACTION = 0.4
CARRIER_MAX_BANDWIDTH_HZ = 25e3
SPECTROGRAM_FFT_SIZE = 1024
#: An RTL-SDR's IQ imbalance mirrors every signal about the tuning frequency, 25-40 dB down.
IMAGE_BELOW_DB = 20.0
BURST_CONTRAST_DB = 10.0
BURSTY = 0.5  # occupancy across sweeps below this, or in-hop burstiness above 0.8
SPECTRAL_BURSTY = 0.8
#: A capture whose video test suspects a line comb (``VideoEvidence.line_comb_suspected``) but
#: finds no field is looked at again this long: twice the usual 0.12 s doubles the power of
#: every line and field harmonic over the noise (+3 dB), and holds twelve PAL fields (fourteen
#: NTSC) instead of six. Only suspected captures pay for it; noise alone is rarely suspected.
EXTENDED_CAPTURE_S = 0.24


@dataclass(frozen=True)
class ClassifiedEmitter:
    """An emitter with its kind; the fields other areas read and the JSON they see."""

    freq_hz: float
    bandwidth_hz: float
    power_db: float
    kind: str
    video_standard: str | None
    line_rate_hz: float | None
    confidence: float
    occupancy: float
    burstiness: float
    snr_db: float
    service: str | None = None
    video: VideoEvidence | None = None

    def to_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "video"}
        out["video_evidence"] = self.video.to_dict() if self.video else None
        return out


class Capture:
    """One IQ capture at ``center_freq_hz`` (RF), with the analyses several emitters share
    computed once: its FFT (to cut narrow emitters out) and the whole capture's video test."""

    def __init__(self, iq: np.ndarray, sample_rate_hz: float, center_freq_hz: float):
        self.iq = np.asarray(iq, dtype=np.complex64)
        self.sample_rate_hz = float(sample_rate_hz)
        self.center_freq_hz = float(center_freq_hz)

    @cached_property
    def fft(self) -> np.ndarray:
        return scipy.fft.fft(self.iq, workers=1)

    @cached_property
    def segment_power(self) -> np.ndarray:
        """The capture's spectrogram (``rf.spectrum.segment_powers``), shared by its spectrum
        and the burst test."""
        return segment_powers(self.iq, SPECTROGRAM_FFT_SIZE)

    @cached_property
    def spectrum(self):
        return capture_spectrum(self.iq, self.sample_rate_hz, self.center_freq_hz,
                                SPECTROGRAM_FFT_SIZE, powers=self.segment_power)

    def burst_contrast_db(self, emitter: Emitter) -> float:
        """How far the emitter's loudest moments stand above its quiet ones (dB): its band's
        power in each spectrogram row (0.43 ms), 99th over 20th percentile. Near 0 for a steady
        signal or noise, large for a transmitter that keys on and off."""
        bin_hz = self.sample_rate_hz / SPECTROGRAM_FFT_SIZE
        half = SPECTROGRAM_FFT_SIZE // 2
        first = int((emitter.freq_hz - emitter.bandwidth_hz / 2 - self.center_freq_hz)
                    / bin_hz) + half
        last = int(np.ceil((emitter.freq_hz + emitter.bandwidth_hz / 2 - self.center_freq_hz)
                           / bin_hz)) + half
        first = min(max(first, 0), SPECTROGRAM_FFT_SIZE - 1)
        last = min(max(last, first + 1), SPECTROGRAM_FFT_SIZE)
        band = self.segment_power[:, first:last].sum(axis=1)
        if len(band) < 4:
            return 0.0
        quiet, loud = np.percentile(band, [20, 99])
        return float(10 * np.log10(max(loud, 1e-30) / max(quiet, 1e-30)))

    @cached_property
    def whole_video(self) -> VideoEvidence:
        return detect_video(self.iq, self.sample_rate_hz)

    def emitter_signal(self, emitter: Emitter):
        """(samples, rate): the raw capture for wide emitters, the emitter's band for narrow."""
        if emitter.bandwidth_hz >= WHOLE_CAPTURE_FRACTION * self.sample_rate_hz:
            return self.iq, self.sample_rate_hz
        width_hz = emitter.bandwidth_hz * 1.2 + 4 * self.sample_rate_hz / 1024
        return band_limited(self.fft, self.sample_rate_hz,
                            emitter.freq_hz - self.center_freq_hz, width_hz)

    def video_of(self, emitter: Emitter) -> VideoEvidence | None:
        if emitter.bandwidth_hz < MIN_VIDEO_BANDWIDTH_HZ:
            return None
        if emitter.bandwidth_hz >= WHOLE_CAPTURE_FRACTION * self.sample_rate_hz:
            return self.whole_video
        return detect_video(*self.emitter_signal(emitter))


def classify(emitter: Emitter, capture: Capture, *, region: str = "KR") -> ClassifiedEmitter:
    """Classify ``emitter`` from a capture taken at (or around) it."""
    return _decide(emitter, capture.video_of(emitter), capture.burst_contrast_db(emitter), region)


def band_limited(full_fft: np.ndarray, sample_rate_hz: float, offset_hz: float,
                 bandwidth_hz: float):
    """The band [offset - bw/2, offset + bw/2] of a capture (given as its FFT) at baseband,
    decimated to about its width: the band's bins, inverse-transformed alone (an ideal filter)."""
    n = len(full_fft)
    bin_hz = sample_rate_hz / n
    n_out = scipy.fft.next_fast_len(max(int(np.ceil(bandwidth_hz / bin_hz)), 16))
    centre = int(round(offset_hz / bin_hz))
    picked = np.take(full_fft, np.arange(centre - n_out // 2, centre - n_out // 2 + n_out),
                     mode="wrap")
    baseband = scipy.fft.ifft(np.fft.ifftshift(picked), workers=1) * (n_out / n)
    return baseband.astype(np.complex64), n_out * bin_hz


def _decide(emitter: Emitter, video: VideoEvidence | None, contrast_db: float,
            region: str) -> ClassifiedEmitter:
    service = service_at(emitter.freq_hz, region)
    fields = dict(freq_hz=round(emitter.freq_hz), bandwidth_hz=round(emitter.bandwidth_hz),
                  power_db=emitter.power_db, occupancy=emitter.occupancy,
                  burstiness=emitter.burstiness, snr_db=emitter.snr_db,
                  service=service.name if service else None, video=video)
    if video is not None and video.is_video:
        return ClassifiedEmitter(kind="analog_video", video_standard=video.standard,
                                 line_rate_hz=video.line_rate_hz, confidence=video.confidence,
                                 **fields)
    bursty = (contrast_db >= BURST_CONTRAST_DB or emitter.burstiness >= SPECTRAL_BURSTY
              or emitter.occupancy < BURSTY)
    if bursty:
        kind, confidence = "digital_burst", min(0.5 + contrast_db / 40, 0.95)
    elif service is not None:
        kind, confidence = "broadcast", 0.8
    elif emitter.bandwidth_hz <= CARRIER_MAX_BANDWIDTH_HZ:
        kind, confidence = "carrier", 0.8
    else:
        kind, confidence = "unknown", 0.5
    return ClassifiedEmitter(kind=kind, video_standard=None, line_rate_hz=None,
                             confidence=round(confidence, 3), **fields)


def analyze_capture(iq: np.ndarray, sample_rate_hz: float, center_freq_hz: float,
                    *, region: str = "KR", more=None) -> list[ClassifiedEmitter]:
    """Find and classify the emitters in one recording (``ansim rf analyze``).

    A video signal seen through the capture fills most of it with a lumpy spectrum that the
    floor estimate splits into fragments (and a wide FM slice leaves no noise to measure a floor
    against at all). So the whole capture is tested for video first; when it carries video, the
    capture's emitters are reported as that one video emitter spanning them.

    ``more(n)``, when given, returns the ``n`` samples that follow ``iq`` (the dongle keeps
    streaming): when no video is found but a line comb is suspected, the analysis is made again
    on the capture extended to EXTENDED_CAPTURE_S.
    """
    capture = Capture(iq, sample_rate_hz, center_freq_hz)
    found = _analysed(capture, region)
    n_more = int(EXTENDED_CAPTURE_S * sample_rate_hz) - len(capture.iq)
    if more is not None and n_more > 0 and worth_a_longer_look(capture, found):
        longer = np.concatenate([capture.iq, np.asarray(more(n_more), dtype=np.complex64)])
        found = _analysed(Capture(longer, sample_rate_hz, center_freq_hz), region)
    return found


def worth_a_longer_look(capture: Capture, found: list[ClassifiedEmitter]) -> bool:
    """No video found, but the whole capture's or an emitter's video test suspects a line comb."""
    if any(e.kind == "analog_video" for e in found):
        return False
    return capture.whole_video.line_comb_suspected or any(map(suspects_video, found))


def suspects_video(emitter: ClassifiedEmitter) -> bool:
    """Not called video, but its video test saw a line comb worth a longer capture."""
    return (emitter.kind != "analog_video" and emitter.video is not None
            and emitter.video.line_comb_suspected)


def _analysed(capture: Capture, region: str) -> list[ClassifiedEmitter]:
    emitters = without_iq_images(find_emitters(capture.spectrum), capture.center_freq_hz)
    if capture.whole_video.is_video:
        spanning = _spanning_emitter(emitters, capture, capture.spectrum)
        return [_decide(spanning, capture.whole_video, 0.0, region)]
    return [classify(e, capture, region=region) for e in emitters]


def without_iq_images(emitters, center_freq_hz: float, below_db: float = IMAGE_BELOW_DB):
    """Drop the dongle's IQ-imbalance images: an emitter mirrored about the tuning frequency
    from one at least ``below_db`` stronger, and no wider than it, is that one's image."""
    def is_image(e):
        mirror_hz = 2 * center_freq_hz - e.freq_hz
        return any(s.power_db >= e.power_db + below_db and e.bandwidth_hz <= 2 * s.bandwidth_hz
                   and abs(s.freq_hz - mirror_hz) <= max(s.bandwidth_hz / 2, 5e3)
                   for s in emitters)
    return [e for e in emitters if not is_image(e)]


def _spanning_emitter(emitters, capture: Capture, spectrum) -> Emitter:
    """One emitter spanning ``emitters`` (the whole capture if none, or if they are narrow)."""
    half_hz = capture.sample_rate_hz / 2
    lo_hz = min((e.lo_hz for e in emitters), default=capture.center_freq_hz - half_hz)
    hi_hz = max((e.hi_hz for e in emitters), default=capture.center_freq_hz + half_hz)
    if hi_hz - lo_hz < MIN_VIDEO_BANDWIDTH_HZ:
        lo_hz, hi_hz = capture.center_freq_hz - half_hz, capture.center_freq_hz + half_hz
    inside = (spectrum.freqs_hz >= lo_hz) & (spectrum.freqs_hz <= hi_hz)
    power_db = float(10 * np.log10(np.sum(10 ** (spectrum.power_db[inside] / 10)) + 1e-30))
    peak = int(np.argmax(np.where(inside, spectrum.power_db, -np.inf)))
    return Emitter(freq_hz=(lo_hz + hi_hz) / 2, bandwidth_hz=hi_hz - lo_hz,
                   power_db=round(power_db, 2), peak_freq_hz=float(spectrum.freqs_hz[peak]),
                   peak_db=round(float(spectrum.power_db[peak]), 2),
                   snr_db=round(float(spectrum.power_db[peak] - spectrum.noise_floor_db[peak]), 2),
                   occupancy=1.0, burstiness=0.0, lo_hz=lo_hz, hi_hz=hi_hz)
