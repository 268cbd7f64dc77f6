"""Signals for the RF benchmark: real television from Debian's hacktv (an independent
generator), the simulator's own waveforms, the confounders a restroom holds, and the RTL-SDR
front end every capture goes through.

SNR is *in-band*: the power of the signal that falls inside the captured 2.4 MHz over the noise
power in the same band. All captures end as 8-bit cu8 samples with IQ imbalance, a DC leak and
a frequency error, at a level an AGC would choose.
"""

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.fft

from hardware.radio import rtl_frontend, sim_waveforms
from hardware.sim.scene import RfEmitter

CAPTURE_RATE_HZ = 2.4e6
HACKTV_RATE_HZ = 20.25e6  # whole samples per line for both PAL and NTSC


@dataclass(frozen=True)
class HacktvMode:
    name: str
    mode: str
    standard: str
    deviation_hz: float | None  # FM peak deviation; None for AM
    family: str  # "narrow_fm", "wide_fm", "am"


HACKTV_MODES = (
    HacktvMode("hacktv PAL FM narrow", "pal-fm", "PAL", 1.0e6, "narrow_fm"),
    HacktvMode("hacktv PAL FM wide", "pal-fm", "PAL", 6.0e6, "wide_fm"),
    HacktvMode("hacktv NTSC FM narrow", "ntsc-fm", "NTSC", 1.0e6, "narrow_fm"),
    HacktvMode("hacktv NTSC FM wide", "ntsc-fm", "NTSC", 6.0e6, "wide_fm"),
    HacktvMode("hacktv PAL AM (I)", "i", "PAL", None, "am"),
    HacktvMode("hacktv NTSC AM (M)", "m", "NTSC", None, "am"),
)


#: Moving pictures for hacktv's ffmpeg input, made with ffmpeg's lavfi sources and kept in the
#: repository (data/rf/, 2-3 s, H.264): a test pattern with moving parts (``testsrc2``), a
#: zooming Mandelbrot set, and Conway's life (every frame differs from the last). A moving
#: picture changes the line-by-line means from frame to frame, which a still test card never does.
MOVING_VIDEOS = {
    name: Path(__file__).resolve().parents[2] / "data" / "rf" / f"moving_{name}.mp4"
    for name in ("testsrc2", "mandelbrot", "life")
}


def hacktv_available() -> bool:
    return shutil.which("hacktv") is not None


def hacktv_clip(mode: HacktvMode, duration_s: float, video: Path | None = None) -> np.ndarray:
    """``duration_s`` of ``mode`` as int16 I/Q pairs: hacktv's colour-bar test card, or the
    video file ``video`` decoded by hacktv's own ffmpeg input."""
    command = ["hacktv", "-o", "-", "-t", "int16", "-m", mode.mode, "-s",
               str(int(HACKTV_RATE_HZ)), "--noaudio"]
    if mode.deviation_hz:
        command += ["-D", str(int(mode.deviation_hz))]
    n_bytes = int(duration_s * HACKTV_RATE_HZ) * 4
    source = f"ffmpeg:{video}" if video is not None else "test:colourbars"
    with subprocess.Popen(command + [source], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL) as process:
        data = process.stdout.read(n_bytes)
        process.kill()
    if len(data) < n_bytes:
        raise RuntimeError(f"hacktv -m {mode.mode} gave {len(data)} of {n_bytes} bytes")
    return np.frombuffer(data, dtype=np.int16).reshape(-1, 2)


def hacktv_slices(clip: np.ndarray, offsets_hz) -> list[np.ndarray]:
    """The whole clip as a 2.4 MS/s capture tuned at each of ``offsets_hz`` from its centre.

    One FFT of the clip, then for each offset the 2.4 MHz of bins around it transformed back:
    an ideal band-limit and resampling in one step (the clip's bins are 1/duration apart, so
    the offsets are rounded to that, a few hertz).
    """
    x = clip[:, 0].astype(np.float32) / 32768 + 1j * (clip[:, 1].astype(np.float32) / 32768)
    n = len(x)
    n_out = int(round(n * CAPTURE_RATE_HZ / HACKTV_RATE_HZ))
    spectrum = scipy.fft.fft(x)
    bin_hz = HACKTV_RATE_HZ / n
    relative = np.fft.fftfreq(n_out, 1 / n_out).astype(np.int64)
    return [(scipy.fft.ifft(spectrum[(int(round(f / bin_hz)) + relative) % n]) * (n_out / n))
            .astype(np.complex64) for f in offsets_hz]


def capture_from(slices, rng, jitter_hz: float, capture_s: float) -> np.ndarray:
    """A random ``capture_s`` window of one of ``slices``, retuned by up to ``jitter_hz``."""
    y = slices[int(rng.integers(0, len(slices)))]
    n = int(capture_s * CAPTURE_RATE_HZ)
    start = int(rng.integers(64, len(y) - n - 64))
    shift_hz = rng.uniform(-jitter_hz, jitter_hz)
    return y[start: start + n] * np.exp(-2j * np.pi * shift_hz * np.arange(n) / CAPTURE_RATE_HZ)


def emitter(modulation: str, bandwidth_hz: float, standard=None, duty_cycle=1.0,
            freq_hz=1.2e9) -> RfEmitter:
    return RfEmitter(f"bench {modulation}", freq_hz, 10.0, np.zeros(3), modulation, bandwidth_hz,
                     video_standard=standard, duty_cycle=duty_cycle)


def simulated_capture(e: RfEmitter, rng, offset_hz: float, capture_s: float, **kw):
    t_s = float(rng.uniform(0, 10)) + np.arange(int(capture_s * CAPTURE_RATE_HZ)) / CAPTURE_RATE_HZ
    if e.modulation == "ofdm" and kw:
        return sim_waveforms.ofdm(t_s, offset_hz, CAPTURE_RATE_HZ, e, rng, **kw)
    return sim_waveforms.render(e, t_s, offset_hz, CAPTURE_RATE_HZ, rng)


def display_comb(rng, capture_s: float, line_rate_hz: float, lines_per_frame: int | None,
                 offset_hz: float) -> np.ndarray:
    """A display's or power supply's emission: a carrier AM-keyed by sync pulses at
    ``line_rate_hz`` (with a vertical blanking every ``lines_per_frame`` lines, if given, and
    changing picture content otherwise), the sync-like comb an HDMI/VGA monitor radiates."""
    t_s = float(rng.uniform(0, 10)) + np.arange(int(capture_s * CAPTURE_RATE_HZ)) / CAPTURE_RATE_HZ
    lines = t_s * line_rate_hz
    within = np.mod(lines, 1.0)
    level = 0.5 + 0.3 * rng.standard_normal(len(t_s)).astype(np.float32)  # busy picture
    level[within < 0.08] = 0.0
    if lines_per_frame:
        frame_line = np.mod(lines, lines_per_frame)
        level[frame_line < 20] = 0.3
        level[frame_line < 3] = 0.0
    amplitude = 1.0 - 0.8 * np.clip(level, 0, 1)
    return amplitude * np.exp(2j * np.pi * offset_hz * (t_s - t_s[0]))


def am_tone(rng, capture_s: float, tone_hz: float, offset_hz: float) -> np.ndarray:
    """A carrier amplitude-modulated by one tone at (about) the line rate."""
    t_s = np.arange(int(capture_s * CAPTURE_RATE_HZ)) / CAPTURE_RATE_HZ
    return (1 + 0.5 * np.sin(2 * np.pi * tone_hz * t_s)) * np.exp(2j * np.pi * offset_hz * t_s)


def through_rtl_sdr(signal: np.ndarray, snr_db: float, rng, center_freq_hz: float = 1.2e9):
    """In-band SNR set against the signal's power in the capture (``snr_db=None``: noise alone),
    then the dongle: a frequency
    error of up to 25 ppm, IQ imbalance, DC leak, an AGC level and 8-bit quantisation."""
    n = len(signal)
    signal_power = float(np.mean(np.abs(signal) ** 2))
    if snr_db is None or signal_power == 0:  # noise alone
        noise_power = 1.0
    else:
        noise_power = signal_power / 10 ** (snr_db / 10)
    noise = (rng.standard_normal(n) + 1j * rng.standard_normal(n)) * np.sqrt(noise_power / 2)
    x = signal + noise
    flaws = rtl_frontend.FrontEndFlaws.draw(rng)
    x = x * np.exp(2j * np.pi * center_freq_hz * flaws.ppm * 1e-6 * np.arange(n) / CAPTURE_RATE_HZ)
    level_dbfs = float(rng.uniform(-20, -10))
    x = x * np.sqrt(10 ** (level_dbfs / 10) / np.mean(np.abs(x) ** 2))
    return rtl_frontend.quantise_cu8(rtl_frontend.apply_flaws(x, flaws))

