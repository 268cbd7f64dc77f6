"""Importing pyrtlsdr against the librtlsdr a Raspberry Pi really has.

The trap: pyrtlsdr 0.4 and later bind ``rtlsdr_set_dithering`` and seven ``rtlsdr_*_gpio_*``
functions when the ``rtlsdr`` package is imported. Those exist only in forks of librtlsdr
(librtlsdr/librtlsdr, rtl-sdr-blog); the library Debian and Raspberry Pi OS ship (librtlsdr0
0.6.0) lacks them, so ``import rtlsdr`` dies with ``AttributeError: ...librtlsdr.so.0: undefined
symbol: rtlsdr_set_dithering`` before any code runs. pyrtlsdr 0.3.0 binds none of them and
imports cleanly; 0.5 also calls ``rtlsdr_set_dithering(dev, 1)`` every time a device is opened.

The fix uses the loader hook pyrtlsdr itself provides: its ``load_librtlsdr()`` first asks a
module named ``pyrtlsdrlib`` for the library. While importing pyrtlsdr we offer one that loads
the system librtlsdr with fallbacks for those fork-only functions:

- ``rtlsdr_set_dithering(dev, on)``: stock librtlsdr always dithers the R820T PLL, so asking for
  dithering succeeds (returns 0) and asking to turn it off fails (returns -1, which pyrtlsdr
  reports as an error). ansim never turns it off.
- the GPIO functions return -1 (not supported); ansim drives no dongle GPIO.

Every function the library does have is used as is. If the real ``pyrtlsdrlib`` package (which
bundles its own librtlsdr) is installed, it is left to do its job. This supports pyrtlsdr
0.3.0 to 0.5.x (pyproject pins that range).
"""

import ctypes
import ctypes.util
import importlib
import importlib.util
import sys
import types

#: Functions pyrtlsdr >= 0.4 binds that Debian's librtlsdr 0.6.0 lacks, and what stands in.
_DITHERING_ALWAYS_ON = "rtlsdr_set_dithering"
_FORK_ONLY_GPIO = (
    "rtlsdr_set_gpio_output", "rtlsdr_set_gpio_input", "rtlsdr_set_gpio_bit",
    "rtlsdr_get_gpio_bit", "rtlsdr_set_gpio_byte", "rtlsdr_get_gpio_byte",
    "rtlsdr_set_gpio_status",
)


class LibrtlsdrMissing(ImportError):
    """No librtlsdr shared library is installed."""


class _Fallback:
    """Stands in for a C function the library lacks; takes ctypes' restype/argtypes settings."""

    def __init__(self, name, result):
        self.__name__ = name
        self._result = result
        self.restype = None
        self.argtypes = None

    def __call__(self, *args):
        return self._result(*args)


def _dithering(_dev, on):
    return 0 if on else -1


class _LibrtlsdrWithFallbacks(ctypes.CDLL):
    """The system librtlsdr, answering for the fork-only functions it does not export."""

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            if name == _DITHERING_ALWAYS_ON:
                fallback = _Fallback(name, _dithering)
            elif name in _FORK_ONLY_GPIO:
                fallback = _Fallback(name, lambda *args: -1)
            else:
                raise
            setattr(self, name, fallback)
            return fallback

    def missing_functions(self) -> list[str]:
        """The fork-only functions this library lacks (answered by fallbacks)."""
        names = (_DITHERING_ALWAYS_ON, *_FORK_ONLY_GPIO)
        return [name for name in names if not hasattr(ctypes.CDLL(self._name), name)]


def find_librtlsdr() -> str | None:
    """The system librtlsdr's file name (e.g. ``librtlsdr.so.0``), or None if not installed."""
    return ctypes.util.find_library("rtlsdr")


def load_librtlsdr() -> _LibrtlsdrWithFallbacks:
    """The system librtlsdr with fallbacks; ``LibrtlsdrMissing`` if it is not installed."""
    name = find_librtlsdr()
    if name is None:
        raise LibrtlsdrMissing("librtlsdr is not installed (Debian/Raspberry Pi OS: "
                               "apt install librtlsdr0)")
    return _LibrtlsdrWithFallbacks(name)


def import_pyrtlsdr() -> types.ModuleType:
    """Import the ``rtlsdr`` package (pyrtlsdr) bound to the system librtlsdr, and return it.

    Raises ``LibrtlsdrMissing`` when there is no librtlsdr, ``ModuleNotFoundError`` when pyrtlsdr
    is not installed, and whatever pyrtlsdr raises for anything else.
    """
    if "rtlsdr" in sys.modules:
        return sys.modules["rtlsdr"]
    if importlib.util.find_spec("pyrtlsdrlib") is not None:
        return importlib.import_module("rtlsdr")
    library = load_librtlsdr()
    hook = types.ModuleType("pyrtlsdrlib", "ansim: hands pyrtlsdr the system librtlsdr")
    hook.load_librtlsdr = lambda: library
    sys.modules["pyrtlsdrlib"] = hook
    try:
        return importlib.import_module("rtlsdr")
    finally:
        # The hook is only read while pyrtlsdr loads its library; leave no fake package behind.
        del sys.modules["pyrtlsdrlib"]
