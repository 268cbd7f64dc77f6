"""Capture files: what we write, tshark reads; what tshark reads, we read; bad files get a clear
error naming the file, and a capture cut off mid-packet is read up to the cut."""

import gzip
import random
import shutil
import struct
import subprocess
import warnings

import numpy as np
import pytest
from scapy.utils import RawPcapNgWriter

from hardware.sim import wifi_frames as wf
from hardware.wifi.errors import (
    CaptureError,
    CorruptCapture,
    NotACapture,
    TruncatedCaptureWarning,
    UnsupportedLinkType,
)
from hardware.wifi.pcapfile import (
    LINKTYPE_IEEE802_11,
    iter_capture,
    read_capture,
    write_pcap,
    write_pcapng,
)

TSHARK = shutil.which("tshark")
needs_tshark = pytest.mark.skipif(TSHARK is None, reason="needs Debian's tshark package")

AP = bytes.fromhex("0c8268123456")
CAMERA = bytes.fromhex("e0b94d0a0b0c")
PHONE = bytes.fromhex("da0011223344")  # locally administered: a randomised MAC
T0_S = 1_733_300_000.0


def _frames(n=40, seed=0):
    """Beacons, camera uplink data, ACKs, probe requests: (time_s, bytes, ta, signal_dbm)."""
    rng = np.random.default_rng(seed)
    payload_rng = random.Random(seed)
    out = []
    for i in range(n):
        t_s = T0_S + 0.01 * i
        signal = int(rng.integers(-85, -30))
        tsft = int(i * 10_000)
        if i % 4 == 0:
            body, ta = wf.beacon(AP, "Building-WiFi", 6, i, tsft), AP
            rt = wf.radiotap(tsft, 6, signal, rate_mbps=1)
        elif i % 4 == 1:
            body = wf.qos_data(CAMERA, AP, AP, to_ap=True, seq=i, packet_number=i,
                               payload_bytes=int(rng.integers(100, 1500)), rng=payload_rng)
            ta, rt = CAMERA, wf.radiotap(tsft, 6, signal, mcs=int(rng.integers(0, 8)))
        elif i % 4 == 2:
            body, ta = wf.ack(CAMERA), None
            rt = wf.radiotap(tsft, 6, signal, rate_mbps=24)
        else:
            body, ta = wf.probe_request(PHONE, i), PHONE
            rt = wf.radiotap(tsft, 6, signal, rate_mbps=1)
        out.append((t_s, rt + body, ta, signal))
    return out


def _tshark_fields(path, *fields):
    result = subprocess.run(
        [TSHARK, "-r", str(path), "-T", "fields", "-E", "separator=|"]
        + [arg for f in fields for arg in ("-e", f)],
        capture_output=True, text=True, check=True,
    )
    return [line.split("|") for line in result.stdout.splitlines()]


def test_pcapng_and_pcap_round_trip_times_bytes_and_link_type(tmp_path):
    frames = _frames()
    for writer, fmt in ((write_pcapng, "pcapng"), (write_pcap, "pcap")):
        path = tmp_path / f"c.{fmt}"
        assert writer(path, [(t, b) for t, b, _, _ in frames]) == len(frames)
        capture = read_capture(path)
        assert capture.format == fmt and capture.truncated_at_byte is None
        assert [f.data for f in capture.frames] == [b for _, b, _, _ in frames]
        assert [f.linktype for f in capture.frames] == [127] * len(frames)
        assert np.allclose([f.time_s for f in capture.frames], [t for t, *_ in frames],
                           atol=2e-6)


def test_plain_80211_link_type_is_read(tmp_path):
    path = tmp_path / "plain.pcap"
    write_pcap(path, [(T0_S, wf.beacon(AP, "x", 1, 0, 0))], linktype=LINKTYPE_IEEE802_11)
    assert read_capture(path).frames[0].linktype == 105


@needs_tshark
def test_tshark_reads_our_pcapng_frames_macs_and_radiotap(tmp_path):
    frames = _frames(seed=3)
    path = tmp_path / "ours.pcapng"
    write_pcapng(path, [(t, b) for t, b, _, _ in frames])
    rows = _tshark_fields(path, "frame.time_epoch", "wlan.ta", "radiotap.dbm_antsignal",
                          "radiotap.channel.freq", "_ws.malformed")
    assert len(rows) == len(frames)
    for (t_s, _, ta, signal), (epoch, tshark_ta, tshark_signal, freq, malformed) in zip(
            frames, rows):
        assert abs(float(epoch) - t_s) < 2e-6
        assert tshark_ta == (ta.hex(":") if ta else "")
        assert int(tshark_signal) == signal
        assert freq == "2437" and malformed == ""


@needs_tshark
def test_we_read_what_tshark_writes(tmp_path):
    ours = tmp_path / "ours.pcapng"
    write_pcapng(ours, [(t, b) for t, b, _, _ in _frames(seed=5)])
    theirs = tmp_path / "theirs.pcap"
    subprocess.run([shutil.which("editcap") or "editcap", "-F", "pcap", str(ours), str(theirs)],
                   check=True, capture_output=True)
    assert [f.data for f in read_capture(theirs).frames] == [f.data for f in
                                                            read_capture(ours).frames]


@pytest.mark.parametrize("fmt", ["pcapng", "pcap"])
def test_a_capture_cut_mid_packet_is_read_up_to_the_cut_with_a_warning(tmp_path, fmt):
    frames = _frames()
    path = tmp_path / f"cut.{fmt}"
    (write_pcapng if fmt == "pcapng" else write_pcap)(path, [(t, b) for t, b, _, _ in frames])
    whole = path.read_bytes()
    path.write_bytes(whole[:-7])  # the adapter was pulled out 7 bytes before the end
    with pytest.warns(TruncatedCaptureWarning, match="cut.*middle of a packet"):
        capture = read_capture(path)
    assert [f.data for f in capture.frames] == [b for _, b, _, _ in frames[:-1]]
    assert 0 < capture.truncated_at_byte < len(whole)


@needs_tshark
def test_we_read_as_many_frames_of_a_cut_capture_as_tshark(tmp_path):
    path = tmp_path / "cut.pcapng"
    write_pcapng(path, [(t, b) for t, b, _, _ in _frames()])
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.warns(TruncatedCaptureWarning):
        ours = read_capture(path)
    tshark = subprocess.run([TSHARK, "-r", str(path)], capture_output=True, text=True)
    assert "cut short in the middle of a packet" in tshark.stderr
    assert len(ours.frames) == len(tshark.stdout.splitlines())


def test_a_corrupt_block_in_the_middle_is_an_error_after_the_frames_before_it(tmp_path):
    path = tmp_path / "corrupt.pcapng"
    write_pcapng(path, [(t, b) for t, b, _, _ in _frames()])
    data = bytearray(path.read_bytes())
    offset = _pcapng_block_offsets(data)[10]
    data[offset + 4:offset + 8] = struct.pack("<I", 36)  # its two lengths disagree now
    path.write_bytes(bytes(data))
    seen = []
    with pytest.raises(CorruptCapture, match=r"corrupt\.pcapng: corrupt pcapng at byte \d+"):
        for frame in iter_capture(path):
            seen.append(frame)
    assert len(seen) == 10 - 2  # the section and interface blocks come first


def test_a_hostile_block_length_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "hostile.pcapng"
    write_pcapng(path, [(t, b) for t, b, _, _ in _frames()])
    data = bytearray(path.read_bytes())
    offset = _pcapng_block_offsets(data)[3]
    data[offset + 4:offset + 8] = struct.pack("<I", 0xFFFFFFF0)
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptCapture, match="claims 4294967280 bytes"):
        read_capture(path)


@pytest.mark.parametrize("content, problem", [
    (b"", "empty"),
    (b"time_s,level\n0,1\n", "not a pcap or pcapng"),
    (gzip.compress(b"\xd4\xc3\xb2\xa1" + bytes(20), mtime=0), "gzip"),  # the same bytes
    # in every process (a gzip header holds its time): pytest-xdist's workers collect alike
], ids=["empty", "csv", "gzip"])
def test_a_file_that_is_no_capture_is_named_in_the_error(tmp_path, content, problem):
    path = tmp_path / "notes.pcapng"
    path.write_bytes(content)
    with pytest.raises(NotACapture, match=f"notes.pcapng: .*{problem}"):
        read_capture(path)


def test_a_missing_file_is_named_in_the_error(tmp_path):
    with pytest.raises(NotACapture, match="absent.pcap: cannot open"):
        read_capture(tmp_path / "absent.pcap")


def test_an_ethernet_capture_is_refused_by_link_type(tmp_path):
    path = tmp_path / "ethernet.pcap"
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    path.write_bytes(header + struct.pack("<IIII", 0, 0, 14, 14) + bytes(14))
    with pytest.raises(UnsupportedLinkType, match="ethernet.pcap: link type 1 "):
        read_capture(path)


def test_a_pcapng_with_an_ethernet_interface_is_refused_by_link_type(tmp_path):
    path = tmp_path / "ethernet.pcapng"
    writer = RawPcapNgWriter(str(path))
    writer.linktype = 1
    writer.write_header(None)
    writer.write_packet(bytes(60), sec=T0_S)
    writer.close()
    with pytest.raises(UnsupportedLinkType, match="ethernet.pcapng: an interface of link type 1"):
        read_capture(path)


def test_damaged_files_never_crash_the_reader(tmp_path):
    """Seeded damage of every kind (flipped bytes, cuts, overwritten lengths): the reader
    either reads the file or raises a CaptureError; it never raises anything else."""
    frames = [(t, b) for t, b, _, _ in _frames(12)]
    rng = np.random.default_rng(2024)
    for fmt, writer in (("pcapng", write_pcapng), ("pcap", write_pcap)):
        clean = tmp_path / f"clean.{fmt}"
        writer(clean, frames)
        original = clean.read_bytes()
        for trial in range(150):
            data = bytearray(original)
            for _ in range(int(rng.integers(1, 4))):
                i = int(rng.integers(0, len(data) - 4))
                if rng.random() < 0.5:
                    data[i] = int(rng.integers(0, 256))
                else:
                    data[i:i + 4] = rng.bytes(4)
            if rng.random() < 0.3:
                data = data[:int(rng.integers(0, len(data)))]
            path = tmp_path / f"damaged{trial}.{fmt}"
            path.write_bytes(bytes(data))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", TruncatedCaptureWarning)
                try:
                    read_capture(path)
                except CaptureError as e:
                    assert str(path) in str(e)


def _pcapng_block_offsets(data) -> list[int]:
    offsets, offset = [], 0
    while offset < len(data):
        offsets.append(offset)
        offset += struct.unpack_from("<I", data, offset + 4)[0]
    return offsets
