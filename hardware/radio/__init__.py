"""The radio seam: anything that can be tuned and read as complex baseband IQ.

Backends:
- ``hardware.radio.rtlsdr.RtlSdrSource``: a real RTL-SDR dongle (pyrtlsdr over librtlsdr).
- ``hardware.radio.replay.ReplaySource``: a SigMF recording or a raw ``.cu8`` file.
- ``hardware.radio.simulated.SimulatedSource``: renders IQ from ``hardware.sim`` (the simulated
  restroom) at the handheld's current pose, with RTL-SDR impairments.

All of them return ``numpy.complex64`` samples scaled to [-1, 1] (cu8 byte b maps to
(b - 127.5) / 127.5), the same scaling SigMF readers use, so the DSP in ``rf`` never needs to
know which backend it is fed by.

Retuning follows rtl_power: after ``tune`` the backend waits for the tuner to settle and
discards the first buffer, so callers never see samples from the previous frequency.

Example::

    from hardware.clock import SimulatedClock
    from hardware.radio.simulated import SimulatedSource
    from hardware.sim.handheld import SimulatedHandheld
    from hardware.sim.restroom import build_restroom
    handheld = SimulatedHandheld(build_restroom(seed=1), SimulatedClock())
    with SimulatedSource(handheld) as radio:
        radio.tune(1_200_000_000)
        iq = radio.read(262_144)
"""

from abc import ABC, abstractmethod

import numpy as np

#: The RTL-SDR's tunable range (R820T/R828D tuners), in Hz.
RTL_SDR_MIN_FREQ_HZ = 24_000_000
RTL_SDR_MAX_FREQ_HZ = 1_766_000_000


class SampleSource(ABC):
    """A tunable source of complex baseband samples.

    Subclasses must implement ``tune``, ``read`` and the three settings; ``close`` is optional.
    """

    center_freq_hz: float
    sample_rate_hz: float
    gain_db: float | None  # None means automatic gain

    @abstractmethod
    def tune(self, freq_hz: float) -> None:
        """Retune to ``freq_hz`` and discard samples taken while the tuner settles."""

    @abstractmethod
    def set_sample_rate(self, rate_hz: float) -> None:
        """Set the complex sample rate."""

    @abstractmethod
    def set_gain(self, gain_db: float | None) -> None:
        """Set the tuner gain in dB, or None for automatic gain."""

    @abstractmethod
    def read(self, n_samples: int) -> np.ndarray:
        """Return the next ``n_samples`` as complex64 scaled to [-1, 1]."""

    def close(self) -> None:
        """Release the device or file."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
