"""A USB Wi-Fi adapter in monitor mode (MT7612U / MT7921AU class, in-kernel mt76 drivers).

Frames are read from a Linux packet socket on the monitor interface through scapy's
``L2ListenSocket`` (``conf.L2listen``), which hands back each frame's raw bytes (radiotap
header + 802.11 frame, link type 127) with the kernel's receive timestamp; nothing is
dissected. The channel is set with ``iw dev IFACE set channel N`` (nl80211); only its exit
status is read, never its text. The service puts the interface in monitor mode at boot
(``firmware_config/``); ``MonitorCapture`` checks it is and says how to fix it when not.

Wiring: the adapter on a USB 3 port of the Pi (blue), its antennas upright; udev names it
``wlan-mon`` (firmware_config/udev) so it never swaps with the Pi's own ``wlan0``, which keeps
serving the phones' hotspot.

Example::

    with MonitorCapture("wlan-mon") as wifi:
        wifi.set_channel(6)
        frames = wifi.read(2.0)
"""

import select
import shutil
import subprocess
import time
from pathlib import Path

from hardware.errors import DeviceNotFound, TuningError
from hardware.wifi.capture import CapturedFrame, WifiCapture

LINKTYPE_RADIOTAP = 127
ARPHRD_IEEE80211_RADIOTAP = 803  # /sys/class/net/IFACE/type of a monitor interface
DEFAULT_INTERFACE = "wlan-mon"
_POLL_S = 0.05


def interface_type(interface: str) -> int | None:
    """The ARPHRD type the kernel reports for ``interface`` (803: monitor), None if absent."""
    path = Path("/sys/class/net") / interface / "type"
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


class MonitorCapture(WifiCapture):
    """Live capture from ``interface``, which must exist and be in monitor mode."""

    def __init__(self, interface: str = DEFAULT_INTERFACE):
        kind = interface_type(interface)
        if kind is None:
            raise DeviceNotFound(f"Wi-Fi adapter {interface!r} is not present: plug in the "
                                 "monitor-mode adapter (see hardware/README.md)")
        if kind != ARPHRD_IEEE80211_RADIOTAP:
            raise DeviceNotFound(f"{interface} is not in monitor mode (type {kind}): run "
                                 f"'ip link set {interface} down; iw dev {interface} set type "
                                 f"monitor; ip link set {interface} up' or restart "
                                 "ansim-wifi-monitor.service")
        if shutil.which("iw") is None:
            raise DeviceNotFound("iw is not installed: apt-get install iw")
        from scapy.config import conf  # noqa: PLC0415 (only the live backend needs scapy)

        self.interface = interface
        self._socket = conf.L2listen(iface=interface)

    def now_s(self) -> float:
        return time.time()  # the kernel stamps received frames with the wall clock

    def set_channel(self, channel: int) -> None:
        result = subprocess.run(["iw", "dev", self.interface, "set", "channel", str(channel)],
                                capture_output=True, check=False)
        if result.returncode != 0:
            raise TuningError(f"{self.interface}: cannot tune to channel {channel} "
                              f"(iw exit status {result.returncode})")
        self.channel = channel

    def read(self, duration_s: float) -> list[CapturedFrame]:
        frames = []
        deadline = time.monotonic() + duration_s
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self._socket], [], [], min(left, _POLL_S))
            if not ready:
                continue
            _, data, timestamp = self._socket.recv_raw()
            if data:
                frames.append(CapturedFrame(timestamp if timestamp is not None else time.time(),
                                            self.channel, data, LINKTYPE_RADIOTAP))
        return frames

    def close(self) -> None:
        self._socket.close()
