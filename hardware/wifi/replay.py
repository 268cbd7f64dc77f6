"""Captures from files: pcap and pcapng, link types 127 (radiotap) and 105 (plain 802.11).

The files are read with ``hardware.wifi.pcapfile`` (its errors name the file and the problem;
a capture cut off mid-packet is read up to the cut with a ``TruncatedCaptureWarning``). Frames
come back on the files' own clock in time order, with ``channel`` None: a file holds what was
captured and cannot be retuned, so ``set_channel`` changes nothing (the analysis reads each
frame's frequency from its radiotap header).

Example::

    with ReplayCapture(["a.pcapng", "b.pcap"]) as wifi:
        first_ten_seconds = wifi.read(10.0)
"""

from collections.abc import Sequence

from hardware.wifi.capture import CapturedFrame, WifiCapture
from hardware.wifi.pcapfile import read_capture


class ReplayCapture(WifiCapture):
    """Every frame of ``paths`` merged in time order, read out by duration."""

    def __init__(self, paths: Sequence):
        frames = []
        self.truncated = {}
        for path in paths:
            capture = read_capture(path)
            if capture.truncated_at_byte is not None:
                self.truncated[str(path)] = capture.truncated_at_byte
            frames.extend(CapturedFrame(f.time_s, None, f.data, f.linktype)
                          for f in capture.frames)
        frames.sort(key=lambda f: f.time_s)
        self.frames = frames
        self._next = 0
        self._clock_s = frames[0].time_s if frames else 0.0
        self.channels = ()

    def now_s(self) -> float:
        return self._clock_s

    def set_channel(self, channel: int) -> None:
        self.channel = channel

    def read(self, duration_s: float) -> list[CapturedFrame]:
        end_s = self._clock_s + duration_s
        out = []
        while self._next < len(self.frames) and self.frames[self._next].time_s < end_s:
            out.append(self.frames[self._next])
            self._next += 1
        self._clock_s = end_s
        return out

