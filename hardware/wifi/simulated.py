"""The simulated restroom's Wi-Fi, heard through a simulated monitor-mode adapter.

``SimulatedCapture`` wraps a ``hardware.sim.wifi_world.WifiWorld`` on the session's
``SimulatedClock``: ``read(duration_s)`` advances the clock (simulated time moves only when a
backend reads, as for the radio and camera) and returns the frames the world put on the air in
that time on the tuned channel, as the adapter captured them (radiotap + 802.11, link type 127,
epoch timestamps). What the world's cameras film follows the handheld: the illuminator's own
switch logs (IR rings, and the red ring a camera with an IR-cut filter sees) and the place the
simulated inspector stands at, so the same ring switching that the optical scan and the Wi-Fi
stimulus make is what the hidden camera's encoder responds to.

Example::

    with SimulatedCapture(WifiWorld(1), SimulatedClock()) as wifi:
        frames = wifi.read(5.0)
"""

import struct

from hardware.clock import SimulatedClock
from hardware.sim.wifi_world import WifiWorld
from hardware.wifi.capture import KR_CHANNELS_2G, CapturedFrame, WifiCapture

LINKTYPE_RADIOTAP = 127


class SimulatedCapture(WifiCapture):
    """Frames of ``world`` on the tuned channel, read on ``clock``; ``illuminator`` and
    ``handheld`` (optional) say what light reaches the world's cameras."""

    channels = KR_CHANNELS_2G

    def __init__(self, world: WifiWorld, clock: SimulatedClock, *, illuminator=None,
                 handheld=None):
        self.world = world
        self.clock = clock
        self.illuminator = illuminator
        self.handheld = handheld
        self.channel = world.channel
        self._place_log: list[tuple[float, str | None]] = []

    def now_s(self) -> float:
        return self.world.epoch_s + self.clock.now_s()

    def set_channel(self, channel: int) -> None:
        self.channel = channel

    def read(self, duration_s: float) -> list[CapturedFrame]:
        self._note_place()
        self.clock.advance(duration_s)
        packets = self.world.advance_to(self.clock.now_s(), **self._logs())
        return [CapturedFrame(t, self.channel, data, LINKTYPE_RADIOTAP) for t, data in packets
                if radiotap_channel(data) in (None, self.channel)]

    def _note_place(self) -> None:
        zone = self.handheld.zone if self.handheld is not None else None
        if not self._place_log or self._place_log[-1][1] != zone:
            self._place_log.append((self.clock.now_s(), zone))

    def _logs(self) -> dict:
        logs = {"place_log": list(self._place_log)} if self.handheld is not None else {}
        if self.illuminator is not None:
            logs["ir_stimulus_log"] = self.illuminator.switch_log("on_axis")
            visible = "red" if self.illuminator.has_red_ring else "on_axis"
            logs["stimulus_log"] = self.illuminator.switch_log(visible)
        return logs


def radiotap_channel(data: bytes) -> int | None:
    """The channel in a radiotap header's Channel field (None when absent)."""
    if len(data) < 8:
        return None
    present = struct.unpack_from("<I", data, 4)[0]
    if not present & (1 << 3):
        return None
    offset, word = 8, present
    while word & 0x8000_0000:  # further presence words
        word = struct.unpack_from("<I", data, offset)[0]
        offset += 4
    for bit, (align, size) in enumerate(((8, 8), (1, 1), (1, 1))):  # TSFT, Flags, Rate
        if present & (1 << bit):
            offset = -(-offset // align) * align + size
    offset = -(-offset // 2) * 2
    freq_mhz = struct.unpack_from("<H", data, offset)[0]
    if freq_mhz == 2484:
        return 14
    return (freq_mhz - 2407) // 5 if 2412 <= freq_mhz <= 2472 else (freq_mhz - 5000) // 5
