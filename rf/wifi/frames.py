"""Radiotap and 802.11 headers of many captured frames at once, as one numpy structured array.

A monitor-mode capture is a list of raw records: a radiotap header (what the adapter measured:
channel frequency, signal strength, whether the frame check sequence is attached) followed by
the 802.11 frame (link type 127), or the bare 802.11 frame (link type 105). Payloads of
protected frames are encrypted; what the analysis needs is in the clear headers: who sent the
frame (addr2), to whom (addr1), through which access point (addr3 and the To/From-DS bits),
its type, its length, when it was heard and how strongly.

Parsing is vectorised: the first ``HEAD_BYTES`` of every record (all the headers need; the
payload is never copied) are laid side by side in one array and every field is gathered for
all frames with numpy indexing. The radiotap header has a variable layout (a bitmap of the
fields present, each aligned to its own size), but a capture holds only a handful of distinct
layouts, so field offsets are worked out once per layout. A frame that is too short for the
fields its type must carry, or whose radiotap header says its FCS was bad, is counted in
``n_skipped`` and left out: corrupt frames are normal on the air, not an error of the file.
SSIDs and the announced channel are read from one beacon or probe response per access point.

Example::

    parsed = parse_frames([0.0, 0.01], [packet_a, packet_b], linktype=LINKTYPE_RADIOTAP)
    parsed.frames["addr2"], parsed.ssids
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from rf.wifi.errors import WifiAnalysisError

LINKTYPE_IEEE802_11 = 105
LINKTYPE_RADIOTAP = 127

#: Sentinel for an address the frame does not carry (ACK and CTS frames have no transmitter).
NO_ADDRESS = np.uint64(0xFFFF_FFFF_FFFF_FFFF)

FRAME_DTYPE = np.dtype([
    ("time_s", "f8"),
    ("freq_mhz", "u2"),      # 0 when the record has no radiotap channel field
    ("rssi_dbm", "f4"),      # NaN when the record has no antenna signal field
    ("length", "u4"),        # the 802.11 frame's bytes, without radiotap and FCS
    ("type", "u1"),          # 0 management, 1 control, 2 data
    ("subtype", "u1"),
    ("flags", "u1"),         # the frame control's second byte (To/From DS, retry, protected)
    ("addr1", "u8"), ("addr2", "u8"), ("addr3", "u8"),
])

TYPE_MANAGEMENT, TYPE_CONTROL, TYPE_DATA = 0, 1, 2
SUBTYPE_PROBE_RESPONSE, SUBTYPE_BEACON = 5, 8
#: Data subtypes that carry no payload (Null, QoS Null, CF-Ack/Poll without data).
NO_PAYLOAD_DATA_SUBTYPES = (4, 5, 6, 7, 12, 13, 14, 15)
TO_DS, FROM_DS, RETRY = 0x01, 0x02, 0x08
#: Control frames that carry a transmitter address: BlockAckReq, BlockAck, PS-Poll, RTS,
#: CF-End, CF-End+Ack.
_CONTROL_WITH_ADDR2 = (8, 9, 10, 11, 14, 15)

# Radiotap: (alignment, size) of the fields of the first presence word that precede the ones we
# read (bit 0 TSFT, 1 Flags, 2 Rate, 3 Channel, 4 FHSS, 5 dBm antenna signal).
_RADIOTAP_FIELDS = ((8, 8), (1, 1), (1, 1), (2, 4), (2, 2), (1, 1))
_RT_FLAGS, _RT_CHANNEL, _RT_SIGNAL = 1, 3, 5
_RT_FLAG_FCS_AT_END, _RT_FLAG_BAD_FCS = 0x10, 0x40
_RT_EXT = 0x8000_0000
_MAX_PRESENCE_WORDS = 8
#: Bytes of each record kept for parsing: the longest radiotap header seen from multi-chain
#: HE adapters (~100 bytes) plus the 24-byte 802.11 header, with room to spare. A record whose
#: headers reach past it is re-read whole.
HEAD_BYTES = 192
_PAD = 64  # zero bytes after each head so gathers past a short record stay in bounds
# Management frames: 24-byte header, then beacon/probe-response fixed fields (timestamp,
# interval, capabilities: 12 bytes), then information elements.
_MGMT_HEADER, _BEACON_FIXED = 24, 12
_IE_SSID, _IE_DS_PARAMETER = 0, 3


@dataclass
class ParsedFrames:
    """The frames of a capture in time order, and what the access points announced.

    ``ssids`` maps an access point's address (as an int) to its SSID ("" when hidden);
    ``announced_channels`` maps it to the channel its beacons' DS parameter set names.
    """

    frames: np.ndarray
    ssids: dict[int, str] = field(default_factory=dict)
    announced_channels: dict[int, int] = field(default_factory=dict)
    n_skipped: int = 0


def parse_frames(timestamps_s: Sequence[float], packets: Sequence[bytes],
                 linktype: int = LINKTYPE_RADIOTAP) -> ParsedFrames:
    """Parse every record's headers; records that cannot be frames are counted, not raised."""
    if linktype not in (LINKTYPE_RADIOTAP, LINKTYPE_IEEE802_11):
        raise WifiAnalysisError(f"link type {linktype} is neither 802.11 (105) nor radiotap "
                                "(127)", code="link_type", linktype=linktype)
    if len(timestamps_s) != len(packets):
        raise WifiAnalysisError(f"{len(timestamps_s)} timestamps for {len(packets)} packets",
                                code="timestamp_count", timestamps=len(timestamps_s),
                                packets=len(packets))
    n = len(packets)
    if n == 0:
        return ParsedFrames(np.zeros(0, FRAME_DTYPE))
    lengths = np.fromiter(map(len, packets), np.int64, count=n)
    buf, starts = _heads(packets, HEAD_BYTES + _PAD)
    if linktype == LINKTYPE_RADIOTAP and np.any(
            (_u16(buf, starts + 2) + 24 > HEAD_BYTES) & (lengths > HEAD_BYTES)):
        buf, starts = _heads(packets, int(lengths.max()) + _PAD)
    out = np.zeros(n, FRAME_DTYPE)
    out["time_s"] = np.asarray(timestamps_s, np.float64)
    if linktype == LINKTYPE_RADIOTAP:
        header_len, fcs_len, good = _radiotap(buf, starts, lengths, out)
    else:
        header_len, fcs_len, good = np.zeros(n, np.int64), np.zeros(n, np.int64), np.ones(n, bool)
        out["rssi_dbm"] = np.nan
    good &= _dot11(buf, starts + header_len, lengths - header_len - fcs_len, out)
    frames = out[good]
    if len(frames) > 1 and np.any(np.diff(frames["time_s"]) < 0):
        frames = frames[np.argsort(frames["time_s"], kind="stable")]
    ssids, channels = _beacon_elements(packets, header_len, lengths - header_len - fcs_len,
                                       out, good)
    return ParsedFrames(frames, ssids, channels, int(n - good.sum()))


def _heads(packets, stride):
    """The first ``stride`` bytes of every record, zero-padded, side by side; and their
    offsets."""
    buf = np.frombuffer(b"".join([p[:stride].ljust(stride, b"\0") for p in packets]), np.uint8)
    return buf, np.arange(len(packets), dtype=np.int64) * stride


def _u16(buf, offsets):
    return buf[offsets].astype(np.uint32) | (buf[offsets + 1].astype(np.uint32) << 8)


def _u32(buf, offsets):
    return _u16(buf, offsets) | (_u16(buf, offsets + 2) << 16)


def _mac(buf, offsets) -> np.ndarray:
    octets = buf[offsets[:, None] + np.arange(6)].astype(np.uint64)
    return (octets << np.arange(40, -1, -8, dtype=np.uint64)).sum(axis=1, dtype=np.uint64)


def _radiotap(buf, starts, lengths, out):
    """Fill frequency and signal; return the radiotap length, FCS length and validity."""
    ok = (lengths >= 8) & (buf[starts] == 0)
    it_len = _u16(buf, starts + 2).astype(np.int64)
    first = _u32(buf, starts + 4)
    words = np.ones(len(starts), np.int64)
    extended = (first & _RT_EXT) != 0
    for k in range(1, _MAX_PRESENCE_WORDS):
        fits = 8 + 4 * k <= lengths
        ok &= ~extended | fits
        extended &= fits
        words += extended
        extended &= (_u32(buf, starts + 4 + 4 * k) & _RT_EXT) != 0
    ok &= ~extended & (it_len >= 4 + 4 * words) & (it_len <= lengths)
    layout = (first & 0x3F).astype(np.int64) | (words << 6)
    flags_off = np.full(len(starts), -1, np.int64)
    chan_off, sig_off = flags_off.copy(), flags_off.copy()
    keys, inverse = np.unique(layout, return_inverse=True)
    for index, key in enumerate(keys):
        offsets = _field_offsets(int(key) & 0x3F, 4 + 4 * (int(key) >> 6))
        members = inverse == index
        flags_off[members], chan_off[members], sig_off[members] = offsets
    ok &= (chan_off + 4 <= it_len) & (sig_off + 1 <= it_len) & (flags_off + 1 <= it_len)
    has_flags, has_chan, has_sig = flags_off >= 0, chan_off >= 0, sig_off >= 0
    flags = np.where(has_flags, buf[starts + np.maximum(flags_off, 0)], 0)
    ok &= (flags & _RT_FLAG_BAD_FCS) == 0
    out["freq_mhz"] = np.where(has_chan, _u16(buf, starts + np.maximum(chan_off, 0)), 0)
    signal = buf[starts + np.maximum(sig_off, 0)].view(np.int8).astype(np.float32)
    out["rssi_dbm"] = np.where(has_sig, signal, np.nan)
    fcs_len = np.where((flags & _RT_FLAG_FCS_AT_END) != 0, 4, 0)
    return np.where(ok, it_len, 0), fcs_len, ok


def _field_offsets(present: int, offset: int) -> tuple[int, int, int]:
    """Offsets of the Flags, Channel and antenna-signal fields (-1 when absent) in a radiotap
    header whose first presence word's low bits are ``present``, fields starting at ``offset``."""
    found = {}
    for bit, (align, size) in enumerate(_RADIOTAP_FIELDS):
        if present & (1 << bit):
            offset = -(-offset // align) * align
            found[bit] = offset
            offset += size
    return found.get(_RT_FLAGS, -1), found.get(_RT_CHANNEL, -1), found.get(_RT_SIGNAL, -1)


def _dot11(buf, heads, frame_len, out) -> np.ndarray:
    """Fill the 802.11 header fields; return which records hold a whole header."""
    fc0 = buf[heads]
    kind = (fc0 >> 2) & 3
    subtype = fc0 >> 4
    out["type"], out["subtype"], out["flags"] = kind, subtype, buf[heads + 1]
    out["length"] = np.maximum(frame_len, 0)
    full_header = (kind != TYPE_CONTROL) & (frame_len >= 24)
    control_addr2 = (kind == TYPE_CONTROL) & np.isin(subtype, _CONTROL_WITH_ADDR2)
    ok = (frame_len >= 10) & ((fc0 & 3) == 0) & (kind != 3)
    ok &= full_header | (kind == TYPE_CONTROL)
    ok &= ~control_addr2 | (frame_len >= 16)
    out["addr1"] = _mac(buf, heads + 4)
    out["addr2"] = np.where(full_header | control_addr2, _mac(buf, heads + 10), NO_ADDRESS)
    out["addr3"] = np.where(full_header, _mac(buf, heads + 16), NO_ADDRESS)
    return ok


def _beacon_elements(packets, heads, frame_len, out, good):
    """SSID and DS-parameter channel from the first beacon/probe response of each sender."""
    announcing = (good & (out["type"] == TYPE_MANAGEMENT)
                  & np.isin(out["subtype"], (SUBTYPE_BEACON, SUBTYPE_PROBE_RESPONSE))
                  & (frame_len >= _MGMT_HEADER + _BEACON_FIXED))
    index = np.flatnonzero(announcing)
    _, first = np.unique(out["addr2"][index], return_index=True)
    ssids, channels = {}, {}
    for i in index[first]:
        body_start = int(heads[i]) + _MGMT_HEADER + _BEACON_FIXED
        body = bytes(packets[i][body_start:int(heads[i]) + int(frame_len[i])])
        sender = int(out["addr2"][i])
        ssid, channel = _elements(body)
        if ssid is not None:
            ssids[sender] = ssid
        if channel is not None:
            channels[sender] = channel
    return ssids, channels


def _elements(body: bytes) -> tuple[str | None, int | None]:
    ssid = channel = None
    pos = 0
    while pos + 2 <= len(body):
        element_id, size = body[pos], body[pos + 1]
        value = body[pos + 2:pos + 2 + size]
        if len(value) < size:
            break
        if element_id == _IE_SSID and ssid is None:
            ssid = "" if not value.strip(b"\0") else value.decode("utf-8", "replace")
        elif element_id == _IE_DS_PARAMETER and size == 1 and channel is None:
            channel = value[0]
        pos += 2 + size
    return ssid, channel


def freq_to_channel(freq_mhz: int) -> int | None:
    """The 802.11 channel number of a 2.4 or 5 GHz centre frequency (None when unknown)."""
    if freq_mhz == 2484:
        return 14
    if 2412 <= freq_mhz <= 2472:
        return (freq_mhz - 2407) // 5
    if 5000 <= freq_mhz <= 5925:
        return (freq_mhz - 5000) // 5
    return None


def mac_text(address: int) -> str:
    """``aa:bb:cc:dd:ee:ff`` for an address held as an int."""
    return ":".join(f"{(address >> shift) & 0xFF:02x}" for shift in range(40, -1, -8))


def mac_int(text: str) -> int:
    """The int of ``aa:bb:cc:dd:ee:ff`` (or with dashes)."""
    octets = text.replace("-", ":").split(":")
    if len(octets) != 6 or not all(len(o) == 2 for o in octets):
        raise WifiAnalysisError(f"{text[:40]!r} is not a MAC address", code="not_a_mac",
                                value=text[:40])
    return int("".join(octets), 16)
