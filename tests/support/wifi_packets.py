"""Radiotap + 802.11 records built byte by byte for the Wi-Fi analysis tests, and small seeded
traffic patterns (a video stream whose bitrate may follow a stimulus, a video call, browsing).

The records follow the radiotap and 802.11 specifications; ``tests/rf/test_wifi_frames.py``
checks them against scapy's own encoders so the tests do not rest on this file alone.
"""

import struct

import numpy as np

RT_FLAGS_FCS = 0x10
CAMERA_MAC = "44:47:cc:12:34:56"  # Hangzhou Hikvision (MA-L 4447CC)
AP_MAC = "00:1a:2b:3c:4d:5e"


def mac_bytes(mac: str) -> bytes:
    return bytes(int(o, 16) for o in mac.split(":"))


def radiotap(freq_mhz: int = 2437, rssi_dbm: int = -50, fcs: bool = False) -> bytes:
    """A radiotap header with Flags, Rate, Channel and dBm antenna signal (and TSFT first, so
    the channel field needs alignment padding)."""
    present = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5)
    fields = struct.pack("<QBBHHb", 0, RT_FLAGS_FCS if fcs else 0, 12, freq_mhz, 0x00A0,
                         rssi_dbm)
    return struct.pack("<BBHI", 0, 0, 8 + len(fields), present) + fields


def beacon(bssid: str, ssid: str, channel: int = 6) -> bytes:
    header = struct.pack("<BBH", 0x80, 0, 0) + b"\xff" * 6 + mac_bytes(bssid) * 2 + b"\0\0"
    fixed = bytes(8) + struct.pack("<HH", 100, 0x0431)
    elements = bytes([0, len(ssid.encode())]) + ssid.encode() + bytes([3, 1, channel])
    return header + fixed + elements


def data_frame(transmitter: str, receiver: str, third: str, *, to_ds: bool, from_ds: bool,
               size: int, protected: bool = True, retry: bool = False) -> bytes:
    """A QoS data frame of ``size`` bytes (header included), payload zeros."""
    flags = (0x01 if to_ds else 0) | (0x02 if from_ds else 0) | (0x40 if protected else 0)
    flags |= 0x08 if retry else 0
    header = (struct.pack("<BBH", 0x88, flags, 44) + mac_bytes(receiver)
              + mac_bytes(transmitter) + mac_bytes(third) + b"\0\0" + b"\0\0")
    return header + bytes(max(size - len(header), 0))


def uplink(station: str, ap: str, size: int, *, rssi_dbm: int = -50, freq_mhz: int = 2437
           ) -> bytes:
    """A station's frame to the internet through ``ap`` (To-DS)."""
    return radiotap(freq_mhz, rssi_dbm) + data_frame(station, ap, "00:00:5e:00:01:01",
                                                     to_ds=True, from_ds=False, size=size)


def downlink(ap: str, station: str, size: int, *, rssi_dbm: int = -45, freq_mhz: int = 2437
             ) -> bytes:
    """An AP's frame from the internet to ``station`` (From-DS)."""
    return radiotap(freq_mhz, rssi_dbm) + data_frame(ap, station, "00:00:5e:00:01:01",
                                                     to_ds=False, from_ds=True, size=size)


def video_frame_sizes(rng, duration_s: float, *, fps: float = 15.0, bitrate_bps: float = 1e6,
                      gop_s: float = 2.0, level=None, gain: float = 2.0):
    """(time_s, bytes) of each encoded video frame: P-frames around the mean, an I-frame eight
    times larger each GOP; with ``level(t)``, P-frames grow by ``gain`` x level (the encoder
    spends bits on the scene change the stimulus makes)."""
    n = int(duration_s * fps)
    times = np.arange(n) / fps
    per_frame = bitrate_bps / 8 / fps
    gop_frames = max(int(gop_s * fps), 1)
    sizes = per_frame * 0.7 * rng.lognormal(0.0, 0.25, n)
    sizes[::gop_frames] = per_frame * 8
    if level is not None:
        sizes *= 1.0 + gain * np.array([level(t) for t in times])
    return times, sizes


def packetise(times, sizes, mtu: int = 1500):
    """Split each encoded frame into MTU-sized 802.11 payloads spaced 0.5 ms apart."""
    out = []
    for t, size in zip(times, sizes):
        remaining = int(size)
        k = 0
        while remaining > 0:
            chunk = min(remaining, mtu)
            out.append((t + 0.0005 * k, chunk + 60))  # + 802.11 QoS/CCMP/LLC/IP/UDP headers
            remaining -= chunk
            k += 1
    return out


def capture(streams):
    """Merge (time_s, packet) lists into one time-ordered capture: (times, packets)."""
    merged = sorted((p for s in streams for p in s), key=lambda p: p[0])
    return [t for t, _ in merged], [p for _, p in merged]


def camera_stream(rng, duration_s: float, *, camera: str = CAMERA_MAC, ap: str = AP_MAC,
                  start_s: float = 0.0, lag_s: float = 0.8, level=None, **video):
    """A camera's uplink through ``ap``; ``level(t)`` on the stimulus clock drives its bitrate
    ``lag_s`` later."""
    shifted = None if level is None else (lambda t: level(start_s + t - lag_s))
    times, sizes = video_frame_sizes(rng, duration_s, level=shifted, **video)
    return [(start_s + t, uplink(camera, ap, size)) for t, size in packetise(times, sizes)]


def video_call(rng, duration_s: float, phone: str, ap: str = AP_MAC, start_s: float = 0.0):
    """A phone's two-way video call: a 600 kbit/s stream each way."""
    up = camera_stream(rng, duration_s, camera=phone, ap=ap, start_s=start_s,
                       bitrate_bps=6e5, gop_s=3.0)
    t, sizes = video_frame_sizes(rng, duration_s, bitrate_bps=6e5, gop_s=3.0)
    down = [(start_s + ti, downlink(ap, phone, s)) for ti, s in packetise(t, sizes)]
    return up + down


def beacons(duration_s: float, bssid: str = AP_MAC, ssid: str = "City-Hall-Guest",
            start_s: float = 0.0, channel: int = 6):
    frame = radiotap(2407 + 5 * channel, -40) + beacon(bssid, ssid, channel)
    return [(start_s + k * 0.1024, frame) for k in range(int(duration_s / 0.1024))]


def browsing(rng, duration_s: float, phone: str, ap: str = AP_MAC, start_s: float = 0.0):
    """Page loads every few seconds: a few small requests up, a burst of full frames down."""
    out = []
    t = start_s
    while t < start_s + duration_s:
        out += [(t + 0.01 * k, uplink(phone, ap, 200)) for k in range(5)]
        out += [(t + 0.05 + 0.002 * k, downlink(ap, phone, 1560))
                for k in range(int(rng.integers(50, 400)))]
        t += float(rng.exponential(5.0)) + 1.0
    return out


def square_code(period_s: float, start_s: float = 0.0):
    """A level(t) that is 1 for the first half of each period and 0 for the second."""
    return lambda t: 1.0 if ((t - start_s) % period_s) < period_s / 2 else 0.0


def pn_steps(rng, start_s: float, duration_s: float, chip_s: float = 1.0):
    """Switch-log steps of a pseudo-random 0/1 code with ``chip_s`` chips, ending at 0."""
    n = int(duration_s / chip_s)
    levels = rng.integers(0, 2, n).astype(float)
    steps = [(start_s + k * chip_s, float(levels[k])) for k in range(n)]
    steps.append((start_s + n * chip_s, 0.0))

    def level(t):
        k = int((t - start_s) // chip_s)
        return float(levels[k]) if 0 <= k < n else 0.0
    return steps, level
