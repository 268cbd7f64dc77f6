"""What hardware this machine has, found without opening anything or importing device libraries.

Each probe returns plain data (``detector.appliance.backends`` decides what to use, ``ansim doctor``
explains it). Probes read the kernel's own tables: USB devices from sysfs (no pyusb needed),
video devices from /dev, kernel modules from /proc/modules.
"""

import ctypes.util
import importlib.util
from dataclasses import dataclass
from pathlib import Path

#: RTL2832U dongles: the generic id (RTL-SDR Blog, NooElec, most sticks) and the older one.
RTLSDR_USB_IDS = {("0bda", "2838"), ("0bda", "2832")}
#: The DVB-T driver that claims the dongle first unless blacklisted.
DVB_MODULE = "dvb_usb_rtl28xxu"


@dataclass(frozen=True)
class UsbDevice:
    sysfs_name: str  # e.g. "1-1.3"
    vendor_id: str
    product_id: str
    product: str

    @property
    def usb_id(self) -> str:
        return f"{self.vendor_id}:{self.product_id}"


def usb_devices(sysfs_root: Path = Path("/sys/bus/usb/devices")) -> list[UsbDevice]:
    """Every USB device the kernel lists (empty where sysfs has no USB, e.g. a container)."""
    devices = []
    for entry in sorted(sysfs_root.glob("*")):
        vendor = _read(entry / "idVendor")
        product_id = _read(entry / "idProduct")
        if vendor and product_id:
            devices.append(UsbDevice(entry.name, vendor.lower(), product_id.lower(),
                                     _read(entry / "product")))
    return devices


def rtlsdr_dongles(sysfs_root: Path = Path("/sys/bus/usb/devices")) -> list[UsbDevice]:
    """RTL-SDR dongles plugged in, by their USB ids."""
    return [d for d in usb_devices(sysfs_root) if (d.vendor_id, d.product_id) in RTLSDR_USB_IDS]


def librtlsdr_name() -> str | None:
    """The system librtlsdr (e.g. ``librtlsdr.so.0``), or None if it is not installed."""
    return ctypes.util.find_library("rtlsdr")


def module_installed(name: str) -> bool:
    """Whether a Python package can be imported, without importing it."""
    return importlib.util.find_spec(name) is not None


def video_devices(dev_root: Path = Path("/dev")) -> list[str]:
    """V4L2 device nodes (/dev/video*): cameras, but also codecs and ISP nodes on a Pi."""
    return sorted(str(p) for p in dev_root.glob("video*"))


def loaded_kernel_modules(modules_path: Path = Path("/proc/modules")) -> set[str]:
    text = _read(modules_path)
    return {line.split()[0] for line in text.splitlines() if line.strip()}


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace").strip()
    except OSError:
        return ""
