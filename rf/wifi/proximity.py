"""Wi-Fi proximity: one transmitter's received signal strength, a few times a second, as the
same level (0..1) and beep interval (``rf.proximity.beep_interval_s``) the RF follow mode
gives, so the buzzer and the dashboard meter work the same whichever radio heard the camera.

Each update takes the frames the adapter heard from the transmitter (its address as the
frame's transmitter, addr2) in that window and uses their median RSSI: a frame caught in a
deep multipath fade, or one that came round a wall, moves the median little. Received power
falls 20 dB per decade of distance in free space (about 6 dB per halving of it), so the level
rises evenly in dB as the inspector closes in: ``FLOOR_DBM`` (a transmitter at the far end of
a building, near the adapter's sensitivity) is level 0, ``FLOOR_DBM + SPAN_DB`` = -10 dBm (a
15 dBm radio about 20 cm away: 40 dB of path loss at 1 m, 14 dB less at 20 cm) is level 1, so
the meter still climbs over the last half metre, where the inspector looks for the spot.

Pure: parsed frames in, numbers out (``hardware.wifi`` captures, ``detector.engine.proximity``
follows).
"""

import numpy as np

from rf.wifi.frames import ParsedFrames

FLOOR_DBM = -85.0
SPAN_DB = 75.0


def window_rssi_dbm(parsed: ParsedFrames, address: int) -> float | None:
    """The median RSSI of ``address``'s frames in ``parsed`` (None if it sent none there, or
    the capture carries no signal strength, as plain 802.11 captures do not)."""
    frames = parsed.frames
    mine = frames["rssi_dbm"][frames["addr2"] == np.uint64(address)]
    mine = mine[~np.isnan(mine)]
    return round(float(np.median(mine)), 1) if len(mine) else None


def level_from_rssi(rssi_dbm: float) -> float:
    """0 at ``FLOOR_DBM`` and below, rising linearly in dB to 1 at ``FLOOR_DBM + SPAN_DB``."""
    return float(np.clip((rssi_dbm - FLOOR_DBM) / SPAN_DB, 0.0, 1.0))
