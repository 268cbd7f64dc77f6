"""Radiotap and 802.11 header parsing, checked against scapy's encoders and on bad records."""

import struct

import numpy as np
import pytest
from scapy.layers.dot11 import Dot11, Dot11Beacon, Dot11Elt, Dot11QoS, RadioTap

from rf.wifi.errors import WifiAnalysisError
from rf.wifi.frames import (LINKTYPE_IEEE802_11, NO_ADDRESS, TYPE_DATA, freq_to_channel,
                            mac_int, mac_text, parse_frames)
from tests.support import wifi_packets as w


def _scapy_data(fcs: bool):
    rt = RadioTap(present="TSFT+Flags+Rate+Channel+dBm_AntSignal+dBm_AntNoise+Antenna",
                  Flags="FCS" if fcs else 0, Rate=2, ChannelFrequency=5180, ChannelFlags=0x140,
                  dBm_AntSignal=-67, dBm_AntNoise=-95, Antenna=1)
    frame = Dot11(type=2, subtype=8, FCfield="to_DS+protected", addr1="00:1a:2b:3c:4d:5e",
                  addr2="44:47:cc:12:34:56", addr3="01:00:5e:00:00:fb") / Dot11QoS() / (
        b"\xaa" * 1000)
    raw = bytes(rt / frame)
    return raw + (b"\x12\x34\x56\x78" if fcs else b""), len(bytes(frame))


@pytest.mark.parametrize("fcs", [False, True])
def test_headers_match_what_scapy_encodes(fcs):
    raw, frame_len = _scapy_data(fcs)
    parsed = parse_frames([10.0], [raw])
    f = parsed.frames[0]
    assert (f["freq_mhz"], f["rssi_dbm"], f["length"], f["type"]) == (5180, -67, frame_len,
                                                                      TYPE_DATA)
    assert mac_text(int(f["addr2"])) == "44:47:cc:12:34:56"
    assert mac_text(int(f["addr1"])) == "00:1a:2b:3c:4d:5e"
    assert f["flags"] & 0x01


def test_beacon_ssid_and_announced_channel_from_scapy():
    raw = bytes(RadioTap(present="Channel+dBm_AntSignal", ChannelFrequency=2462,
                         dBm_AntSignal=-40)
                / Dot11(type=0, subtype=8, addr1="ff:ff:ff:ff:ff:ff", addr2="00:1a:2b:3c:4d:5e",
                        addr3="00:1a:2b:3c:4d:5e")
                / Dot11Beacon() / Dot11Elt(ID="SSID", info="화장실-Wi-Fi")
                / Dot11Elt(ID="DSset", info=b"\x0b"))
    parsed = parse_frames([0.0], [raw])
    assert parsed.ssids == {mac_int("00:1a:2b:3c:4d:5e"): "화장실-Wi-Fi"}
    assert parsed.announced_channels == {mac_int("00:1a:2b:3c:4d:5e"): 11}


def test_ack_frames_have_no_transmitter_and_plain_802_11_has_no_radiotap():
    ack = bytes(Dot11(type=1, subtype=13, addr1="44:47:cc:12:34:56"))
    data = w.data_frame("44:47:cc:12:34:56", "00:1a:2b:3c:4d:5e", "00:1a:2b:3c:4d:5e",
                        to_ds=True, from_ds=False, size=300)
    parsed = parse_frames([0.0, 0.1], [ack, data], linktype=LINKTYPE_IEEE802_11)
    assert parsed.frames["addr2"][0] == NO_ADDRESS
    assert parsed.frames["length"][1] == 300
    assert np.isnan(parsed.frames["rssi_dbm"]).all()


def test_short_corrupt_and_bad_fcs_records_are_counted_not_parsed():
    good = w.uplink(w.CAMERA_MAC, w.AP_MAC, 500)
    bad_fcs = bytearray(w.radiotap() + w.data_frame(w.CAMERA_MAC, w.AP_MAC, w.AP_MAC,
                                                     to_ds=True, from_ds=False, size=100))
    bad_fcs[16] |= 0x40  # radiotap Flags (after the 8-byte header and TSFT): bad FCS
    too_long_radiotap = bytearray(good)
    too_long_radiotap[2:4] = (5000).to_bytes(2, "little")
    records = [good, good[:30], b"\x00", bytes(bad_fcs), bytes(too_long_radiotap), b""]
    parsed = parse_frames(list(range(len(records))), records)
    assert len(parsed.frames) == 1 and parsed.n_skipped == 5


def test_unknown_link_type_is_refused():
    with pytest.raises(WifiAnalysisError, match="link type 1 "):
        parse_frames([0.0], [b"\0" * 60], linktype=1)


def test_channels_and_addresses():
    assert [freq_to_channel(f) for f in (2412, 2484, 5180, 5825, 900)] == [1, 14, 36, 165,
                                                                          None]
    assert mac_text(mac_int("AC-CF-85-12-34-56")) == "ac:cf:85:12:34:56"
    with pytest.raises(WifiAnalysisError):
        mac_int("not a mac")


def test_a_radiotap_header_longer_than_the_parsed_head_is_read_whole():
    fields = struct.pack("<HHb", 5745, 0x0140, -71)
    header = struct.pack("<BBHI", 0, 0, 230, (1 << 3) | (1 << 5)) + fields
    header += bytes(230 - len(header))  # vendor-namespace bytes the parser skips by length
    frame = w.data_frame(w.CAMERA_MAC, w.AP_MAC, w.AP_MAC, to_ds=True, from_ds=False, size=900)
    parsed = parse_frames([0.0, 1.0], [header + frame, w.uplink(w.CAMERA_MAC, w.AP_MAC, 80)])
    assert parsed.frames["length"].tolist() == [900, 80]
    assert parsed.frames["freq_mhz"][0] == 5745 and parsed.frames["rssi_dbm"][0] == -71
