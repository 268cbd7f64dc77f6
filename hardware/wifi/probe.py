"""Which Wi-Fi adapters this machine has, and whether one is in monitor mode, from sysfs alone.

An 802.11 interface has a ``phy80211`` link in ``/sys/class/net/IFACE``; its ``type`` is 1
(ARPHRD_ETHER) as a station or access point and 803 (ARPHRD_IEEE80211_RADIOTAP) in monitor
mode; its ``device/driver`` link names the kernel driver. The survey adapter is a USB one
(``mt76x2u`` for the MT7612U, ``mt7921u`` for the MT7921AU); the Pi's own SDIO Wi-Fi
(``brcmfmac``) serves the phones' hotspot and cannot be used for monitoring at the same time.
"""

from dataclasses import dataclass
from pathlib import Path

from hardware.wifi.live import ARPHRD_IEEE80211_RADIOTAP

#: In-kernel drivers of the adapters the bill of materials names (monitor mode, 2.4 + 5 GHz).
MONITOR_CAPABLE_DRIVERS = ("mt76x2u", "mt7921u", "mt76x0u", "rt2800usb", "ath9k_htc")
ONBOARD_DRIVERS = ("brcmfmac",)


@dataclass(frozen=True)
class WifiInterface:
    name: str
    driver: str | None
    monitor: bool
    usb: bool


def wifi_interfaces(sysfs_net: Path = Path("/sys/class/net")) -> list[WifiInterface]:
    """Every 802.11 interface the kernel lists (empty in a container without Wi-Fi)."""
    found = []
    for entry in sorted(sysfs_net.glob("*")):
        if not (entry / "phy80211").exists():
            continue
        driver_link = entry / "device" / "driver"
        driver = driver_link.resolve().name if driver_link.exists() else None
        try:
            kind = int((entry / "type").read_text().strip())
        except (OSError, ValueError):
            kind = None
        usb = "/usb" in str((entry / "device").resolve()) if (entry / "device").exists() else False
        found.append(WifiInterface(entry.name, driver, kind == ARPHRD_IEEE80211_RADIOTAP, usb))
    return found


def survey_adapter(interfaces: list[WifiInterface]) -> WifiInterface | None:
    """The interface to survey with: a monitor-mode one first, else a USB adapter."""
    candidates = [i for i in interfaces if i.driver not in ONBOARD_DRIVERS]
    candidates.sort(key=lambda i: (not i.monitor, not i.usb, i.name))
    return candidates[0] if candidates else None
