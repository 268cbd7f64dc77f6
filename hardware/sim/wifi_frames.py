"""Byte-exact 802.11 frames with a radiotap header, as a monitor-mode adapter captures them.

Radiotap (https://www.radiotap.org): version 0, then the fields this adapter reports, each
aligned to its own size: TSFT (u64, microseconds), Flags (u8), Rate (u8, 500 kbit/s units,
legacy rates only) or MCS (3 bytes, HT rates), Channel (u16 MHz, u16 flags), dBm antenna
signal (s8). No FCS is appended (Flags bit 0x10 clear), as most Linux drivers deliver frames.

802.11 (IEEE 802.11-2020, 9.2-9.3): the frame control's type/subtype, To/From DS, Retry and
Protected bits are set as a real station sets them; addresses follow the To/From DS table;
data frames are QoS data (26-byte header) protected by CCMP (8-byte header with the packet
number, 8-byte MIC) around an LLC/SNAP + IP payload whose bytes are random (they would be
ciphertext). Beacons and probe responses carry SSID, supported rates, DS parameter set, TIM
(beacons) and RSN (WPA2-PSK, CCMP) elements; probe requests a wildcard SSID and rates.
"""

import struct

BROADCAST = b"\xff" * 6

# Frame control byte 0: subtype << 4 | type << 2 (protocol version 0).
FC_BEACON = 0x80
FC_PROBE_REQUEST = 0x40
FC_PROBE_RESPONSE = 0x50
FC_QOS_DATA = 0x88
FC_QOS_NULL = 0xC8
FC_ACK = 0xD4
# Frame control byte 1 flags.
TO_DS = 0x01
FROM_DS = 0x02
RETRY = 0x08
PROTECTED = 0x40

QOS_DATA_HEADER_BYTES = 26
CCMP_HEADER_BYTES = 8
CCMP_MIC_BYTES = 8
LLC_SNAP_BYTES = 8

# Radiotap present bits and channel flags.
_RT_TSFT, _RT_FLAGS, _RT_RATE, _RT_CHANNEL, _RT_DBM_SIGNAL, _RT_MCS = 0, 1, 2, 3, 5, 19
_CHAN_CCK, _CHAN_OFDM, _CHAN_2GHZ, _CHAN_5GHZ = 0x0020, 0x0040, 0x0080, 0x0100
_MCS_KNOWN = 0x7F  # bandwidth, index, guard interval, HT format, FEC, STBC, Ness are valid
_RSN_WPA2_PSK_CCMP = bytes.fromhex("0100" "000fac04" "0100" "000fac04" "0100" "000fac02" "0000")
_RATES_2GHZ = bytes([0x82, 0x84, 0x8B, 0x96, 0x0C, 0x12, 0x18, 0x24])  # 1,2,5.5,11 basic; 6-18


def channel_freq_mhz(channel: int) -> int:
    """Centre frequency of a 2.4 GHz (1-13) or 5 GHz (36-177) channel."""
    if 1 <= channel <= 13:
        return 2407 + 5 * channel
    if 36 <= channel <= 177:
        return 5000 + 5 * channel
    raise ValueError(f"no Wi-Fi channel {channel}")


_LEGACY_PRESENT = (1 << _RT_TSFT) | (1 << _RT_FLAGS) | (1 << _RT_RATE) | (1 << _RT_CHANNEL) \
    | (1 << _RT_DBM_SIGNAL)
_HT_PRESENT = (1 << _RT_TSFT) | (1 << _RT_FLAGS) | (1 << _RT_CHANNEL) | (1 << _RT_DBM_SIGNAL) \
    | (1 << _RT_MCS)
# Header (version, pad, length, present), TSFT at 8, Flags at 16, then for legacy frames Rate at
# 17 and Channel at 18; for HT frames a pad byte at 17 (Channel is 2-byte aligned), Channel at
# 18; dBm signal at 22; HT frames end with MCS (known, flags, index) at 23.
_LEGACY = struct.Struct("<BBHIQBBHHb")
_HT = struct.Struct("<BBHIQBxHHbBBB")


def radiotap(tsft_us: int, channel: int, signal_dbm: float, *, rate_mbps: float | None = None,
             mcs: int | None = None) -> bytes:
    """A radiotap header for a frame received at ``signal_dbm`` on ``channel``.

    Give ``rate_mbps`` for a legacy (DSSS/OFDM) rate or ``mcs`` for an HT rate (20 MHz, long
    guard interval).
    """
    if (rate_mbps is None) == (mcs is None):
        raise ValueError("give exactly one of rate_mbps and mcs")
    freq_mhz = channel_freq_mhz(channel)
    band = _CHAN_2GHZ if freq_mhz < 3000 else _CHAN_5GHZ
    signal = min(max(int(round(signal_dbm)), -127), 0)
    if rate_mbps is not None:
        modulation = _CHAN_CCK if rate_mbps in (1, 2, 5.5, 11) else _CHAN_OFDM
        return _LEGACY.pack(0, 0, _LEGACY.size, _LEGACY_PRESENT, tsft_us, 0,
                            int(round(rate_mbps * 2)), freq_mhz, band | modulation, signal)
    return _HT.pack(0, 0, _HT.size, _HT_PRESENT, tsft_us, 0, freq_mhz, band | _CHAN_OFDM,
                    signal, _MCS_KNOWN, 0, mcs)


def _seq_ctrl(seq: int) -> bytes:
    return struct.pack("<H", (seq & 0xFFF) << 4)


def _elements(*pairs) -> bytes:
    return b"".join(bytes([eid, len(value)]) + value for eid, value in pairs)


def beacon(bssid: bytes, ssid: str, channel: int, seq: int, tsf_us: int,
           *, interval_tu: int = 100) -> bytes:
    """A beacon of a WPA2 access point (an empty ``ssid`` is a hidden network)."""
    return _management(FC_BEACON, BROADCAST, bssid, seq, tsf_us, ssid, channel, interval_tu,
                       with_tim=True)


def probe_response(bssid: bytes, client: bytes, ssid: str, channel: int, seq: int,
                   tsf_us: int) -> bytes:
    return _management(FC_PROBE_RESPONSE, client, bssid, seq, tsf_us, ssid, channel, 100,
                       with_tim=False)


def _management(fc, receiver, bssid, seq, tsf_us, ssid, channel, interval_tu, with_tim):
    header = struct.pack("<BBH", fc, 0, 0) + receiver + bssid + bssid + _seq_ctrl(seq)
    fixed = struct.pack("<QHH", tsf_us, interval_tu, 0x0411)  # ESS, privacy, short slot
    elements = [(0, ssid.encode()), (1, _RATES_2GHZ), (3, bytes([channel]))]
    if with_tim:
        elements.append((5, bytes([0, 1, 0, 0])))  # DTIM count, period, bitmap control, bitmap
    elements.append((48, _RSN_WPA2_PSK_CCMP))
    return header + fixed + _elements(*elements)


def probe_request(station: bytes, seq: int, ssid: str = "") -> bytes:
    """A probe request (wildcard SSID unless ``ssid``), as phones send while scanning."""
    header = struct.pack("<BBH", FC_PROBE_REQUEST, 0, 0) + BROADCAST + station + BROADCAST \
        + _seq_ctrl(seq)
    return header + _elements((0, ssid.encode()), (1, _RATES_2GHZ))


def qos_data(transmitter: bytes, receiver: bytes, other: bytes, *, to_ap: bool, seq: int,
             packet_number: int, payload_bytes: int, retry: bool = False,
             rng=None) -> bytes:
    """A CCMP-protected QoS data frame carrying ``payload_bytes`` of (encrypted) MSDU.

    ``to_ap``: a station sends to its AP (To DS: addr1 = BSSID = receiver, addr2 = station,
    addr3 = final destination ``other``); otherwise the AP sends to a station (From DS:
    addr1 = station, addr2 = BSSID, addr3 = original source ``other``).
    ``payload_bytes`` counts the LLC/SNAP header and everything above it; ``rng`` (a
    ``random.Random``) fills it with ciphertext-like bytes, zeros without one.
    """
    flags = (TO_DS if to_ap else FROM_DS) | PROTECTED | (RETRY if retry else 0)
    header = struct.pack("<BBH", FC_QOS_DATA, flags, 44) + receiver + transmitter + other \
        + _seq_ctrl(seq) + struct.pack("<H", 5 if payload_bytes > 600 else 0)  # TID: video/BE
    pn = packet_number.to_bytes(6, "little")
    ccmp = pn[0:2] + b"\x00" + b"\x20" + pn[2:6]  # PN0 PN1 rsvd ExtIV|KeyID0 PN2..PN5
    body = (rng.randbytes(payload_bytes + CCMP_MIC_BYTES) if rng is not None
            else bytes(payload_bytes + CCMP_MIC_BYTES))
    return header + ccmp + body


def qos_null(station: bytes, bssid: bytes, seq: int, *, power_save: bool = True) -> bytes:
    """A QoS null frame: an idle station telling its AP it dozes (or wakes)."""
    flags = TO_DS | (0x10 if power_save else 0)
    return struct.pack("<BBH", FC_QOS_NULL, flags, 44) + bssid + station + bssid \
        + _seq_ctrl(seq) + b"\x00\x00"


def ack(receiver: bytes) -> bytes:
    """An ACK: 10 bytes with only the receiver address (an ACK names no transmitter)."""
    return struct.pack("<BBH", FC_ACK, 0, 0) + receiver


def data_frame_overhead_bytes() -> int:
    """Bytes a protected QoS data frame adds around its LLC/SNAP payload."""
    return QOS_DATA_HEADER_BYTES + CCMP_HEADER_BYTES + CCMP_MIC_BYTES
