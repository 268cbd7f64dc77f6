"""The real radio backend: pyrtlsdr's import against this machine's librtlsdr 0.6 for real, and
everything above librtlsdr's C API run for real over a fake dongle at the lowest seam (as
pyrtlsdr's own tests do), since no dongle is plugged in here."""

import ctypes
import subprocess
import sys

import numpy as np
import pytest

from hardware.errors import DeviceNotFound, TuningError
from hardware.radio.librtlsdr_compat import find_librtlsdr, import_pyrtlsdr
from hardware.radio.rtlsdr import DISCARD_BYTES, RtlSdrSource

pytestmark = pytest.mark.skipif(find_librtlsdr() is None, reason="librtlsdr0 is not installed")


def _lib_has(symbol):
    return hasattr(ctypes.CDLL(find_librtlsdr()), symbol)


def test_plain_pyrtlsdr_import_is_the_trap_this_library_sets():
    import importlib.metadata

    version = tuple(int(p) for p in importlib.metadata.version("pyrtlsdr").split(".")[:2])
    if version < (0, 4) or _lib_has("rtlsdr_set_dithering"):
        pytest.skip("this pyrtlsdr/librtlsdr pair imports without help")
    plain = subprocess.run([sys.executable, "-c", "import rtlsdr"], capture_output=True,
                           text=True, check=False)
    assert plain.returncode != 0
    assert "undefined symbol: rtlsdr_set_dithering" in plain.stderr


def test_pyrtlsdr_imports_bound_to_the_system_librtlsdr():
    pyrtlsdr = import_pyrtlsdr()
    library = pyrtlsdr.rtlsdr.librtlsdr
    assert "librtlsdr" in library._name
    assert "pyrtlsdrlib" not in sys.modules  # the loader hook is not left behind
    assert isinstance(library.rtlsdr_get_device_count, ctypes._CFuncPtr)  # the real C function
    if not _lib_has("rtlsdr_set_dithering"):
        assert library.rtlsdr_set_dithering(None, 1) == 0  # stock librtlsdr always dithers
        assert library.rtlsdr_set_dithering(None, 0) == -1
        assert "rtlsdr_set_dithering" in library.missing_functions()


def test_opening_a_dongle_that_is_not_there_says_how_to_fix_it():
    if import_pyrtlsdr().rtlsdr.librtlsdr.rtlsdr_get_device_count() > 0:
        pytest.skip("a real RTL-SDR is plugged in")
    with pytest.raises(DeviceNotFound) as caught:
        RtlSdrSource(0, sample_rate_hz=2.4e6)
    message = str(caught.value)
    assert "sees 0 dongle(s)" in message and "0bda:2838" in message
    assert "dvb_usb_rtl28xxu" in message


class FakeDongle:
    """librtlsdr's C API for one R820T dongle, in Python. After each retune the dongle streams
    bytes k % 251 (k counting from the retune), so a test can tell which bytes it was given."""

    GAINS_TENTHS_DB = [0, 9, 14, 27, 37, 77, 87, 125, 144, 157, 166, 197, 207, 229, 254, 280,
                       297, 328, 338, 364, 372, 386, 402, 421, 434, 439, 445, 480, 496]

    def __init__(self):
        self.calls = []
        self.freq_hz, self.rate_hz, self.ppm, self.gain, self.manual = 0, 0, 0, 0, False
        self.streamed = 0

    def rtlsdr_get_device_count(self):
        return 1

    def rtlsdr_open(self, dev_p, index):
        dev_p.value = 0xD06
        return 0

    def rtlsdr_set_testmode(self, dev, on):
        return 0

    def rtlsdr_set_dithering(self, dev, on):
        return 0

    def rtlsdr_reset_buffer(self, dev):
        return 0

    def rtlsdr_close(self, dev):
        return 0

    def rtlsdr_get_tuner_gains(self, dev, buffer):
        for i, gain in enumerate(self.GAINS_TENTHS_DB):
            buffer[i] = gain
        return len(self.GAINS_TENTHS_DB)

    def rtlsdr_set_sample_rate(self, dev, rate):
        self.rate_hz = rate
        return 0

    def rtlsdr_get_sample_rate(self, dev):
        return self.rate_hz

    def rtlsdr_set_center_freq(self, dev, freq):
        self.calls.append(("tune", freq))
        self.freq_hz, self.streamed = freq, 0
        return 0

    def rtlsdr_get_center_freq(self, dev):
        return self.freq_hz

    def rtlsdr_set_freq_correction(self, dev, ppm):
        if ppm == self.ppm:
            return -2  # what librtlsdr answers when the correction would not change
        self.ppm = ppm
        return 0

    def rtlsdr_set_tuner_gain_mode(self, dev, manual):
        self.manual = bool(manual)
        return 0

    def rtlsdr_set_tuner_gain(self, dev, gain):
        self.gain = gain
        return 0

    def rtlsdr_get_tuner_gain(self, dev):
        return self.gain

    def rtlsdr_read_sync(self, dev, buffer, n_bytes, n_read_ref):
        self.calls.append(("read", n_bytes))
        data = (np.arange(self.streamed, self.streamed + n_bytes) % 251).astype(np.uint8)
        ctypes.memmove(buffer, data.tobytes(), n_bytes)
        n_read_ref._obj.value = n_bytes
        self.streamed += n_bytes
        return 0


@pytest.fixture
def dongle(monkeypatch):
    fake = FakeDongle()
    monkeypatch.setattr(import_pyrtlsdr().rtlsdr, "librtlsdr", fake)
    return fake


def stream_bytes(start, count):
    return (np.arange(start, start + count) % 251).astype(np.float64)


def as_bytes(samples):
    return np.rint(samples.view(np.float32).astype(np.float64) * 127.5 + 127.5)


def test_retuning_discards_one_buffer_as_rtl_power_does(dongle):
    radio = RtlSdrSource(0, sample_rate_hz=2.4e6, gain_db=40.0, settle_s=0.0)
    radio.tune(1_200_000_000)
    assert dongle.calls[-2:] == [("tune", 1_200_000_000), ("read", DISCARD_BYTES)]
    assert radio.center_freq_hz == 1_200_000_000
    np.testing.assert_array_equal(as_bytes(radio.read(1000)), stream_bytes(DISCARD_BYTES, 2000))


def test_consecutive_reads_are_one_unbroken_stream_in_whole_usb_packets(dongle):
    radio = RtlSdrSource(0, sample_rate_hz=2.4e6, settle_s=0.0)
    radio.tune(900_000_000)
    got = np.concatenate([radio.read(n) for n in (100, 300, 1, 4000)])
    assert got.dtype == np.complex64
    np.testing.assert_array_equal(as_bytes(got), stream_bytes(DISCARD_BYTES, 2 * 4401))
    assert all(n % 512 == 0 for kind, n in dongle.calls if kind == "read")


def test_ppm_and_the_nearest_tuner_gain_are_applied(dongle):
    radio = RtlSdrSource(0, sample_rate_hz=2.048e6, gain_db=40.2, ppm=-7, settle_s=0.0)
    assert dongle.ppm == -7
    assert dongle.manual and dongle.gain == 402
    assert radio.gain_db == 40.2
    radio.set_gain(None)
    assert not dongle.manual and radio.gain_db is None


def test_a_zero_ppm_profile_leaves_the_correction_alone(dongle):
    RtlSdrSource(0, sample_rate_hz=2.4e6, ppm=0, settle_s=0.0)
    assert dongle.ppm == 0


@pytest.mark.parametrize("freq_hz", [10e6, 2.4e9])
def test_frequencies_the_tuner_cannot_reach_are_refused(dongle, freq_hz):
    radio = RtlSdrSource(0, sample_rate_hz=2.4e6, settle_s=0.0)
    with pytest.raises(TuningError, match="outside the tuner's"):
        radio.tune(freq_hz)


def test_sample_rates_the_rtl2832u_cannot_make_are_refused(dongle):
    radio = RtlSdrSource(0, sample_rate_hz=2.4e6, settle_s=0.0)
    with pytest.raises(TuningError, match="not an RTL2832U sample rate"):
        radio.set_sample_rate(500_000)
