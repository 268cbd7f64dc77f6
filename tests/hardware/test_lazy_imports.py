"""Importing any hardware module must not import the Pi-only picamera2 or load librtlsdr: those
happen only when a real backend is opened."""

import subprocess
import sys


def test_importing_every_hardware_module_imports_no_device_library():
    code = (
        "import importlib, pkgutil, sys, hardware\n"
        "for m in pkgutil.walk_packages(hardware.__path__, 'hardware.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted(n for n in ('picamera2', 'libcamera', 'rtlsdr') if n in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
