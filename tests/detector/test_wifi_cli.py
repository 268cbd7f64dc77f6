"""``ansim wifi analyze`` end to end, as an inspector or analyst runs it: a subprocess on real
pcap/pcapng files, one JSON object per capture."""

import json
import struct
import subprocess
import sys

import numpy as np
import pytest

from hardware.wifi.pcapfile import write_pcap, write_pcapng
from tests.support import wifi_packets as w

START_S = 1_733_300_000.0
BLIND = "44:47:cc:00:00:02"


def _ansim(*args):
    return subprocess.run([sys.executable, "-m", "ansim", "--lang", "en", *args],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def capture_and_stimulus(tmp_path_factory):
    """A capture: a camera whose bitrate follows the code, one that does not, a phone's video
    call from a randomised address, browsing, the AP's beacons; and the switch log."""
    tmp = tmp_path_factory.mktemp("wifi")
    rng = np.random.default_rng(11)
    steps, level = w.pn_steps(rng, START_S + 10, 40.0, chip_s=0.5)
    streams = [w.camera_stream(rng, 55, start_s=START_S, lag_s=0.6, level=level),
               w.camera_stream(rng, 55, camera=BLIND, start_s=START_S),
               w.video_call(rng, 55, "5a:11:22:33:44:55", start_s=START_S),
               w.browsing(rng, 55, "f0:99:b6:00:00:02", start_s=START_S),
               w.beacons(55, start_s=START_S)]
    times, packets = w.capture(streams)
    path = tmp / "stall.pcapng"
    write_pcapng(path, zip(times, packets))
    stimulus = tmp / "stimulus.csv"
    stimulus.write_text("time_s,level\n" + "".join(f"{t:.3f},{v}\n" for t, v in steps))
    return path, stimulus


def test_the_camera_that_follows_the_code_answers_and_the_others_do_not(capture_and_stimulus):
    path, stimulus = capture_and_stimulus
    result = _ansim("wifi", "analyze", str(path), "--stimulus", str(stimulus), "--json")
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    data = json.loads(line)
    assert data["path"] == str(path)
    by_mac = {tx["mac"]: tx for tx in data["transmitters"]}
    camera = by_mac[w.CAMERA_MAC]
    assert camera["stimulus"]["responds"] and camera["stimulus"]["lag_s"] == pytest.approx(
        0.6, abs=0.3)
    assert "Hikvision" in camera["vendor"]
    responding = {mac for mac, tx in by_mac.items() if tx["stimulus"]["responds"]}
    assert responding == {w.CAMERA_MAC}
    call = by_mac["5a:11:22:33:44:55"]
    assert call["randomised"] and call["vendor"] is None
    assert by_mac[w.AP_MAC]["role"] == "ap" and by_mac[w.AP_MAC]["ssid"] == "City-Hall-Guest"
    for tx in data["transmitters"]:
        assert set(tx) >= {"mac", "vendor", "role", "ssid", "channel", "rssi_dbm", "frames",
                           "bytes_per_s", "kind", "confidence", "stimulus"}


def test_plain_80211_pcap_and_a_capture_cut_mid_packet(capture_and_stimulus, tmp_path):
    path, _ = capture_and_stimulus
    plain = tmp_path / "plain.pcap"
    data = [(t, p[len(w.radiotap()):]) for t, p in zip(*w.capture([w.beacons(3)]))]
    write_pcap(plain, data, linktype=105)
    cut = tmp_path / "pulled-out.pcapng"
    cut.write_bytes(path.read_bytes()[:-700])
    result = _ansim("wifi", "analyze", str(plain), str(cut), "--json")
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert [tx["mac"] for tx in first["transmitters"]] == [w.AP_MAC]
    assert second["warnings"] and "cut" in result.stderr and "pulled-out.pcapng" in result.stderr
    assert len(second["transmitters"]) == 5


def test_bad_files_are_named_with_their_problem_and_the_rest_still_analysed(
        capture_and_stimulus, tmp_path):
    path, _ = capture_and_stimulus
    notes = tmp_path / "notes.pcapng"
    notes.write_text("time_s,level\n0,1\n")
    ethernet = tmp_path / "ethernet.pcap"
    ethernet.write_bytes(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
                         + struct.pack("<IIII", 0, 0, 14, 14) + bytes(14))
    corrupt = tmp_path / "corrupt.pcapng"
    data = bytearray(path.read_bytes())
    offset = 0
    for _ in range(10):  # the 11th block: the section and interface headers come first
        offset += struct.unpack_from("<I", data, offset + 4)[0]
    data[offset + 4:offset + 8] = struct.pack("<I", 36)  # its two lengths disagree now
    corrupt.write_bytes(bytes(data))
    result = _ansim("wifi", "analyze", str(notes), str(ethernet), str(corrupt), str(path),
                    "--json")
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 1  # the good capture
    errors = result.stderr
    assert "notes.pcapng" in errors and "ethernet.pcap: link type 1" in errors
    assert "corrupt.pcapng: corrupt pcapng at byte" in errors


@pytest.mark.parametrize("text, problem", [
    ("time_s,level\n1733300000,0\n1733300001,nan\n1733300002,0\n", "line 3: level is nan"),
    ("time_s,level\n1733300000,0\n,\n1733300002,0\n", "line 3: a gap"),
    ("when,how\n1,0\n", "line 1: expected the header time_s,level"),
])
def test_a_bad_stimulus_file_is_named_with_its_problem(capture_and_stimulus, tmp_path, text,
                                                       problem):
    path, _ = capture_and_stimulus
    stimulus = tmp_path / "bad-stimulus.csv"
    stimulus.write_text(text)
    result = _ansim("wifi", "analyze", str(path), "--stimulus", str(stimulus), "--json")
    assert result.returncode == 2 and result.stdout == ""
    assert f"bad-stimulus.csv: {problem}" in result.stderr


def test_survey_on_the_simulated_restroom_lists_its_transmitters():
    result = _ansim("wifi", "survey", "--simulate", "--seconds", "6", "--seed", "3", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    roles = {tx["role"] for tx in data["transmitters"]}
    assert "ap" in roles and data["frames"] > 0
