"""The Wi-Fi seam: anything that hands over 802.11 frames heard on a channel.

Backends:
- ``hardware.wifi.live.MonitorCapture``: a USB adapter in monitor mode (scapy's Linux
  listening socket; the channel set through ``iw``);
- ``hardware.wifi.replay.ReplayCapture``: pcap/pcapng files (link types 127 and 105);
- ``hardware.wifi.simulated.SimulatedCapture``: the simulated restroom's Wi-Fi world.

All of them return ``CapturedFrame`` tuples: the frame's time on the capture clock (epoch
seconds for a real adapter and for files, the session clock for the simulator), the channel the
radio was tuned to, the raw bytes and their link type, so ``rf.wifi`` never needs to know which
backend fed it. Captures are kept as pcapng evidence with ``save_pcapng``.

A survey hops (``hop``) to learn who is on the air; the stimulus lock-in needs an unbroken
byte series, so during an optical scan the radio parks on the channel of the transmitters that
matter instead of hopping.

Example::

    from hardware.wifi.replay import ReplayCapture
    with ReplayCapture(["survey.pcapng"]) as wifi:
        frames = hop(wifi, wifi.channels, dwell_s=0.5, total_s=10.0)
"""

import hashlib
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

#: Channels a survey visits under Korea's rules (KR regulatory domain: 2.4 GHz 1-13; 5 GHz
#: UNII-1/2/2e/3 as allowed by the Radio Research Agency, DFS channels listen-only here).
KR_CHANNELS_2G = tuple(range(1, 14))
KR_CHANNELS_5G = (36, 40, 44, 48, 52, 56, 60, 64, 100, 104, 108, 112, 116, 120, 124, 128,
                  132, 136, 140, 144, 149, 153, 157, 161, 165)
KR_CHANNELS = KR_CHANNELS_2G + KR_CHANNELS_5G


class CapturedFrame(NamedTuple):
    time_s: float
    channel: int | None
    data: bytes
    linktype: int


class WifiCapture(ABC):
    """A source of 802.11 frames on one channel at a time."""

    channels: tuple[int, ...] = KR_CHANNELS
    channel: int | None = None

    @abstractmethod
    def now_s(self) -> float:
        """The capture clock's time now (what frames are stamped with)."""

    @abstractmethod
    def set_channel(self, channel: int) -> None:
        """Tune to ``channel`` (an 802.11 channel number)."""

    @abstractmethod
    def read(self, duration_s: float) -> list[CapturedFrame]:
        """The frames heard over the next ``duration_s`` of the capture clock."""

    def close(self) -> None:
        """Release the adapter or files."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def hop(capture: WifiCapture, channels: Sequence[int], *, dwell_s: float, total_s: float
        ) -> list[CapturedFrame]:
    """Visit ``channels`` round-robin, ``dwell_s`` each, for ``total_s``; every frame heard."""
    frames: list[CapturedFrame] = []
    elapsed_s = 0.0
    k = 0
    while elapsed_s < total_s and channels:
        capture.set_channel(channels[k % len(channels)])
        frames.extend(capture.read(min(dwell_s, total_s - elapsed_s)))
        elapsed_s += dwell_s
        k += 1
    return frames


def save_pcapng(frames: Sequence[CapturedFrame], path) -> str:
    """Write ``frames`` (all of one link type) as pcapng; return the file's SHA-256."""
    from hardware.wifi.pcapfile import write_pcapng  # noqa: PLC0415 (scapy loads lazily)

    linktypes = {f.linktype for f in frames} or {127}
    if len(linktypes) > 1:
        raise ValueError(f"{path}: frames of several link types {sorted(linktypes)}")
    write_pcapng(path, [(f.time_s, f.data) for f in frames], linktype=linktypes.pop())
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def pcapng_bytes(frames: Sequence[CapturedFrame]) -> bytes:
    """``frames`` as the bytes of a pcapng file (evidence to store by its hash)."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "capture.pcapng"
        save_pcapng(frames, path)
        return path.read_bytes()
