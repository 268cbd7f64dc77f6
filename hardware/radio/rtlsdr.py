"""The real radio: an RTL-SDR dongle (RTL2832U + R820T/R828D) through pyrtlsdr and librtlsdr.

pyrtlsdr is imported lazily, through ``librtlsdr_compat.import_pyrtlsdr`` so that it loads
against the librtlsdr 0.6 Raspberry Pi OS ships (see that module for the trap).

Retuning follows rtl_power: set the frequency, wait ``settle_s`` (5 ms) for the PLL and AGC to
settle, then read and throw away one 4096-byte buffer, so no caller ever sees samples taken
while the tuner moved. The dongle's crystal error (``ppm``, from the device profile) is
corrected in librtlsdr.

Reads are whole multiples of 512 bytes (what libusb bulk transfers want); samples beyond what
was asked are kept for the next ``read``, so consecutive reads are one unbroken stream.

Example::

    with RtlSdrSource(sample_rate_hz=2.4e6, gain_db=40.2, ppm=0) as radio:
        radio.tune(1_200_000_000)
        iq = radio.read(262_144)
"""

import math
import time

import numpy as np

from hardware.errors import DeviceNotFound, HardwareError, TuningError
from hardware.radio import RTL_SDR_MAX_FREQ_HZ, RTL_SDR_MIN_FREQ_HZ, SampleSource
from hardware.radio.librtlsdr_compat import LibrtlsdrMissing, import_pyrtlsdr
from hardware.radio.sigmf import DATATYPES

#: rtl_power's settle time and flushed buffer after each retune.
SETTLE_S = 0.005
DISCARD_BYTES = 4096
#: libusb bulk transfers are whole 512-byte packets; librtlsdr's largest sync buffer.
USB_PACKET_BYTES = 512
MAX_READ_BYTES = 16 * 16384 * 2

#: The RTL2832U's usable sample rates (librtlsdr refuses the gap between them).
VALID_RATES_HZ = ((225_001, 300_000), (900_001, 3_200_000))

_NO_DONGLE_FIX = ("plug in the dongle; if it is plugged in, check `lsusb` for 0bda:2838 and "
                  "that the dvb_usb_rtl28xxu kernel module is blacklisted")


def open_pyrtlsdr():
    """The pyrtlsdr package, or ``DeviceNotFound`` saying which piece is missing."""
    try:
        return import_pyrtlsdr()
    except LibrtlsdrMissing as exc:
        raise DeviceNotFound(f"RTL-SDR: {exc}") from None
    except ModuleNotFoundError:
        raise DeviceNotFound("RTL-SDR: pyrtlsdr is not installed "
                             "(pip install 'pyrtlsdr>=0.3.0,<0.6')") from None
    except (ImportError, AttributeError, OSError) as exc:
        raise DeviceNotFound(f"RTL-SDR: pyrtlsdr failed to load librtlsdr: {exc}") from None


class RtlSdrSource(SampleSource):
    """An RTL-SDR dongle behind the ``SampleSource`` seam."""

    def __init__(self, device_index: int = 0, *, sample_rate_hz: float = 2_400_000,
                 gain_db: float | None = None, ppm: int = 0, settle_s: float = SETTLE_S):
        pyrtlsdr = open_pyrtlsdr()
        count = pyrtlsdr.rtlsdr.librtlsdr.rtlsdr_get_device_count()
        if device_index >= count:
            raise DeviceNotFound(f"RTL-SDR #{device_index}: librtlsdr sees {count} dongle(s): "
                                 f"{_NO_DONGLE_FIX}")
        try:
            self._device = pyrtlsdr.rtlsdr.RtlSdr(device_index)
        except OSError as exc:
            raise DeviceNotFound(
                f"RTL-SDR #{device_index} is on USB but cannot be opened ({exc}): another program "
                f"(rtl_tcp, dump1090) may hold it, or this user may lack permission (udev rule, "
                f"plugdev group)") from None
        self.device_index = device_index
        self.settle_s = settle_s
        self._pending = b""
        if ppm:  # librtlsdr refuses to "change" the correction to the value it already has
            self._call("set ppm correction", self._device.set_freq_correction, int(ppm))
        self.ppm = int(ppm)
        self.set_sample_rate(sample_rate_hz)
        self.set_gain(gain_db)
        self.center_freq_hz = float(self._call("read frequency", self._device.get_center_freq))

    def _call(self, what, function, *args):
        try:
            return function(*args)
        except OSError as exc:
            raise HardwareError(f"RTL-SDR #{self.device_index}: {what} failed: {exc}") from None

    def tune(self, freq_hz: float) -> None:
        """Retune, let the tuner settle and discard one buffer, as rtl_power does."""
        if not RTL_SDR_MIN_FREQ_HZ <= freq_hz <= RTL_SDR_MAX_FREQ_HZ:
            raise TuningError(f"RTL-SDR #{self.device_index}: {freq_hz:,.0f} Hz is outside the "
                              f"tuner's {RTL_SDR_MIN_FREQ_HZ:,}-{RTL_SDR_MAX_FREQ_HZ:,} Hz "
                              f"(use a downconverter for higher bands)")
        self._call(f"tune to {freq_hz:,.0f} Hz", self._device.set_center_freq, int(freq_hz))
        time.sleep(self.settle_s)  # the tuner's PLL settles in real time; nothing to poll
        self._call("flush after retune", self._device.read_bytes, DISCARD_BYTES)
        self._pending = b""
        self.center_freq_hz = float(int(freq_hz))

    def set_sample_rate(self, rate_hz: float) -> None:
        if not any(low <= rate_hz <= high for low, high in VALID_RATES_HZ):
            raise TuningError(f"RTL-SDR #{self.device_index}: {rate_hz:,.0f} Hz is not an "
                              f"RTL2832U sample rate (225,001-300,000 or 900,001-3,200,000 Hz)")
        self._call(f"set sample rate {rate_hz:,.0f} Hz", self._device.set_sample_rate,
                   int(rate_hz))
        self._pending = b""
        self.sample_rate_hz = float(self._call("read sample rate", self._device.get_sample_rate))

    def set_gain(self, gain_db: float | None) -> None:
        """Set the nearest gain the tuner has (``gain_db`` then reports it), or None for AGC."""
        self._call("set gain", self._device.set_gain, "auto" if gain_db is None else gain_db)
        self.gain_db = None if gain_db is None else float(self._device.get_gain())

    def read(self, n_samples: int) -> np.ndarray:
        if n_samples <= 0:
            raise ValueError(f"n_samples must be positive, not {n_samples}")
        wanted_bytes = 2 * n_samples
        chunks = [self._pending]
        have_bytes = len(self._pending)
        while have_bytes < wanted_bytes:
            packets = math.ceil((wanted_bytes - have_bytes) / USB_PACKET_BYTES)
            size = min(packets * USB_PACKET_BYTES, MAX_READ_BYTES)
            chunk = bytes(self._call(f"read {size} bytes", self._device.read_bytes, size))
            chunks.append(chunk)
            have_bytes += len(chunk)
        stream = b"".join(chunks)
        self._pending = stream[wanted_bytes:]
        raw = np.frombuffer(stream, dtype=np.uint8, count=wanted_bytes)
        return DATATYPES["cu8"].to_complex(raw)

    def close(self) -> None:
        self._device.close()
