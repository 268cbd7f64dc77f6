"""Every transmitter in a capture: who it is, what role it plays, how much it sends and receives.

A transmitter is an address seen as a frame's transmitter (addr2). Its role is ``ap`` when it
sends beacons or probe responses or relays frames from the distribution system (From-DS), else
``station``. Its **uplink** is the data it originates on the air: data frames it transmits
whose source address is itself (addr2 for To-DS and ad-hoc frames, addr3 for From-DS frames).
Frames an access point relays on behalf of another station carry that station as their source,
so an AP that forwards a camera's stream to a phone on the same network is not mistaken for the
camera. Its **downlink** is the data addressed to it (the destination address is itself).
Null-data frames (power-save signalling) carry no payload and count as neither, nor do
retransmissions (the Retry bit: the same frame again after a lost acknowledgement), so a poor
link does not look like more traffic.

Sizes are the 802.11 frame's bytes (header, encrypted payload, MIC); they are what a camera's
encoder and its packetiser make visible on the air, encryption or not.
"""

from dataclasses import dataclass

import numpy as np

from rf.wifi.frames import (FROM_DS, NO_ADDRESS, NO_PAYLOAD_DATA_SUBTYPES, RETRY, SUBTYPE_BEACON,
                            SUBTYPE_PROBE_RESPONSE, TO_DS, TYPE_DATA, TYPE_MANAGEMENT,
                            ParsedFrames, freq_to_channel, mac_text)
from rf.wifi.oui import OuiRegistry, is_locally_administered

#: Edges of the uplink frame-size histogram, in bytes: acknowledgements and control chatter,
#: small application messages, audio-sized, mid, and full-MTU frames (video is packetised into
#: frames near the 1500-byte Ethernet MTU plus 802.11 overhead).
SIZE_BIN_EDGES = (0, 128, 256, 512, 1024, 1400, 1_000_000)


@dataclass(frozen=True)
class RssiStats:
    """Received signal strength over a transmitter's frames, in dBm (None when not measured)."""

    mean_dbm: float | None
    min_dbm: float | None
    max_dbm: float | None
    std_db: float | None


@dataclass(frozen=True)
class Transmitter:
    """One transmitter's identity and traffic over the analysed span."""

    mac: str
    vendor: str | None
    randomised: bool
    role: str
    ssid: str | None
    bssid: str | None
    channel: int | None
    rssi: RssiStats
    frames: int
    bytes: int
    first_s: float
    last_s: float
    up_frames_per_s: float
    up_bytes_per_s: float
    down_frames_per_s: float
    down_bytes_per_s: float
    up_size_histogram: tuple[int, ...]


@dataclass(frozen=True)
class Traffic:
    """Per-frame attribution, kept so lock-in and classification need not redo it.

    ``transmitter`` and ``up_of`` index into ``addresses`` (-1 when the frame is not any
    transmitter's / not anyone's uplink); ``down_of`` likewise for the downlink.
    """

    addresses: np.ndarray
    transmitter: np.ndarray
    up_of: np.ndarray
    down_of: np.ndarray
    span_s: float


def attribute(parsed: ParsedFrames) -> Traffic:
    """Which transmitter sent each frame, and whose uplink/downlink data it is."""
    frames = parsed.frames
    addr2 = frames["addr2"]
    has_tx = addr2 != NO_ADDRESS
    addresses = np.unique(addr2[has_tx])
    transmitter = _index_of(addresses, addr2, has_tx)
    ds = frames["flags"] & (TO_DS | FROM_DS)
    payload = ((frames["type"] == TYPE_DATA) & ((frames["flags"] & RETRY) == 0)
               & ~np.isin(frames["subtype"], NO_PAYLOAD_DATA_SUBTYPES))
    source = np.where(ds == FROM_DS, frames["addr3"], addr2)
    up = payload & (ds != (TO_DS | FROM_DS)) & (source == addr2) & has_tx
    destination = np.where(ds == TO_DS, frames["addr3"], frames["addr1"])
    down = payload & (ds != (TO_DS | FROM_DS))
    span_s = float(frames["time_s"][-1] - frames["time_s"][0]) if len(frames) else 0.0
    return Traffic(addresses, transmitter, np.where(up, transmitter, -1),
                   _index_of(addresses, destination, down), span_s)


def _index_of(sorted_addresses: np.ndarray, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    if len(sorted_addresses) == 0:
        return np.full(len(values), -1, np.int64)
    pos = np.clip(np.searchsorted(sorted_addresses, values), 0, len(sorted_addresses) - 1)
    return np.where(mask & (sorted_addresses[pos] == values), pos, -1)


def build_inventory(parsed: ParsedFrames, traffic: Traffic, registry: OuiRegistry
                    ) -> list[Transmitter]:
    """One ``Transmitter`` per address in ``traffic.addresses``, in that order."""
    frames = parsed.frames
    n = len(traffic.addresses)
    if n == 0:
        return []
    tx = traffic.transmitter
    sent = tx >= 0
    span_s = max(traffic.span_s, 1.0)
    counts = np.bincount(tx[sent], minlength=n)
    byte_totals = np.bincount(tx[sent], weights=frames["length"][sent], minlength=n)
    rssi = _rssi_stats(tx[sent], frames["rssi_dbm"][sent], n)
    up, down = traffic.up_of >= 0, traffic.down_of >= 0
    up_frames = np.bincount(traffic.up_of[up], minlength=n)
    up_bytes = np.bincount(traffic.up_of[up], weights=frames["length"][up], minlength=n)
    down_frames = np.bincount(traffic.down_of[down], minlength=n)
    down_bytes = np.bincount(traffic.down_of[down], weights=frames["length"][down], minlength=n)
    size_bin = np.searchsorted(SIZE_BIN_EDGES, frames["length"][up], side="right") - 1
    histogram = np.bincount(traffic.up_of[up] * (len(SIZE_BIN_EDGES) - 1) + size_bin,
                            minlength=n * (len(SIZE_BIN_EDGES) - 1)).reshape(n, -1)
    first = np.full(n, np.inf)
    last = np.full(n, -np.inf)
    np.minimum.at(first, tx[sent], frames["time_s"][sent])
    np.maximum.at(last, tx[sent], frames["time_s"][sent])
    is_ap, bssid, freq = _roles(frames, traffic, n)
    result = []
    for i, address in enumerate(int(a) for a in traffic.addresses):
        channel = parsed.announced_channels.get(address) or freq_to_channel(int(freq[i]))
        bss = int(bssid[i]) if bssid[i] != NO_ADDRESS else None
        result.append(Transmitter(
            mac=mac_text(address), vendor=registry.vendor(address),
            randomised=is_locally_administered(address),
            role="ap" if is_ap[i] else "station",
            ssid=parsed.ssids.get(address if is_ap[i] else bss),
            bssid=mac_text(bss) if bss is not None else None, channel=channel,
            rssi=RssiStats(*rssi[i]), frames=int(counts[i]), bytes=int(byte_totals[i]),
            first_s=float(first[i]), last_s=float(last[i]),
            up_frames_per_s=float(up_frames[i] / span_s),
            up_bytes_per_s=float(up_bytes[i] / span_s),
            down_frames_per_s=float(down_frames[i] / span_s),
            down_bytes_per_s=float(down_bytes[i] / span_s),
            up_size_histogram=tuple(int(c) for c in histogram[i])))
    return result


def _rssi_stats(index, rssi_dbm, n):
    measured = ~np.isnan(rssi_dbm)
    index, values = index[measured], rssi_dbm[measured].astype(np.float64)
    count = np.bincount(index, minlength=n)
    total = np.bincount(index, weights=values, minlength=n)
    squares = np.bincount(index, weights=values * values, minlength=n)
    low = np.full(n, np.inf)
    high = np.full(n, -np.inf)
    np.minimum.at(low, index, values)
    np.maximum.at(high, index, values)
    stats = []
    for i in range(n):
        if count[i] == 0:
            stats.append((None, None, None, None))
            continue
        mean = total[i] / count[i]
        std = float(np.sqrt(max(squares[i] / count[i] - mean * mean, 0.0)))
        stats.append((round(float(mean), 1), float(low[i]), float(high[i]), round(std, 2)))
    return stats


def _roles(frames, traffic: Traffic, n):
    """Which transmitters are access points, each one's BSSID and its most used frequency."""
    tx = traffic.transmitter
    sent = tx >= 0
    announces = (frames["type"] == TYPE_MANAGEMENT) & np.isin(
        frames["subtype"], (SUBTYPE_BEACON, SUBTYPE_PROBE_RESPONSE))
    from_ds = (frames["type"] == TYPE_DATA) & ((frames["flags"] & (TO_DS | FROM_DS)) == FROM_DS)
    to_ds = (frames["type"] == TYPE_DATA) & ((frames["flags"] & (TO_DS | FROM_DS)) == TO_DS)
    is_ap = np.zeros(n, bool)
    is_ap[tx[sent & (announces | from_ds)]] = True
    bssid = np.full(n, NO_ADDRESS, np.uint64)
    bssid[is_ap] = traffic.addresses[is_ap]
    station_frames = np.flatnonzero(sent & to_ds)
    for i in np.unique(tx[station_frames]):
        if not is_ap[i]:
            values, counts = np.unique(frames["addr1"][station_frames[tx[station_frames] == i]],
                                       return_counts=True)
            bssid[i] = values[np.argmax(counts)]
    freq = np.zeros(n, np.int64)
    heard = sent & (frames["freq_mhz"] > 0)
    if heard.any():
        pairs, counts = np.unique(tx[heard] * 65536 + frames["freq_mhz"][heard],
                                  return_counts=True)
        order = np.argsort(counts, kind="stable")
        freq[pairs[order] // 65536] = pairs[order] % 65536  # the most frequent is written last
    return is_ap, bssid, freq
