"""The simulated Wi-Fi world, checked the way a sceptic would: every figure here is read back
by Debian's tshark from the pcapng the world produced, never from the simulator's own state.

Scenes use the TRAINING encoder traces (the default material)."""

import shutil
import subprocess
from collections import defaultdict

import numpy as np
import pytest

from hardware.clock import SimulatedClock
from hardware.gpio.illuminator import Illuminator
from hardware.sim.handheld import SimulatedHandheld
from hardware.sim.restroom import ZONE_TARGETS_M, build_restroom
from hardware.sim.wifi_world import WifiWorld, ring_stimuli, simulate_wifi_scene
from hardware.wifi.pcapfile import write_pcapng

TSHARK = shutil.which("tshark")
pytestmark = pytest.mark.skipif(TSHARK is None, reason="needs Debian's tshark package")
BIN_S = 0.5


def _code(seed: int, duration_s: float, chip_s: float = 1.0):
    """A pseudo-random on/off ring code with ``chip_s`` chips."""
    rng = np.random.default_rng(seed)
    return [(t, float(rng.integers(0, 2))) for t in np.arange(0.0, duration_s, chip_s)]


def _flicker_code(seed: int, n_chips: int):
    """1-s chips, half of them flickering (rings on or off at random every 0.1 s), half dark:
    returns the rings' drive and each chip's envelope (1 = flickering)."""
    rng = np.random.default_rng(seed)
    envelope = rng.permutation(np.arange(n_chips) % 2)
    drive = []
    for chip, flickering in enumerate(envelope):
        levels = rng.integers(0, 2, 10) if flickering else np.zeros(10)
        drive += [(chip + 0.1 * k, float(v)) for k, v in enumerate(levels)]
    return drive, envelope.astype(float)


def _tshark(scene, tmp_path, name="scene"):
    """Per frame, as tshark reads our pcapng: time, TA, RA, length, signal, retry."""
    path = tmp_path / f"{name}.pcapng"
    write_pcapng(path, scene.packets)
    out = subprocess.run(
        [TSHARK, "-r", str(path), "-T", "fields", "-E", "separator=|",
         "-e", "frame.time_epoch", "-e", "wlan.ta", "-e", "wlan.ra", "-e", "frame.len",
         "-e", "radiotap.dbm_antsignal", "-e", "wlan.fc.retry", "-e", "_ws.malformed"],
        capture_output=True, text=True, check=True).stdout
    rows = [line.split("|") for line in out.splitlines()]
    return {
        "time_s": np.array([float(r[0]) for r in rows]) - scene.epoch_s,
        "ta": [r[1] for r in rows], "ra": [r[2] for r in rows],
        "bytes": np.array([int(r[3]) for r in rows]),
        "signal_dbm": np.array([int(r[4]) for r in rows]),
        "retry": np.array([r[5] in ("1", "True") for r in rows]),
        "malformed": [r[6] for r in rows],
    }


def _bytes_per_bin(frames, mac, duration_s, *, receiver=None):
    pick = np.array([ta == mac and (receiver is None or ra == receiver)
                     for ta, ra in zip(frames["ta"], frames["ra"])])
    edges = np.arange(0.0, duration_s + BIN_S, BIN_S)
    return np.histogram(frames["time_s"][pick], edges, weights=frames["bytes"][pick])[0]


def _follows_code(series_per_chip, envelope) -> float:
    """Correlation of bytes per chip with the chips' envelope."""
    return float(np.corrcoef(series_per_chip, envelope)[0, 1])


def _mac(scene, **match):
    return next(m for m, t in scene.truth.items()
                if all(getattr(t, k) == v for k, v in match.items()))


def test_tshark_reads_every_frame_and_every_transmitter(tmp_path):
    scene = simulate_wifi_scene(11, duration_s=10.0, stimulus_log=_code(1, 10.0))
    frames = _tshark(scene, tmp_path)
    assert len(frames["time_s"]) == len(scene.packets) > 1000
    assert not any(frames["malformed"])
    transmitters = {ta for ta in frames["ta"] if ta}
    assert transmitters <= set(scene.truth)
    kinds = {scene.truth[m].kind for m in transmitters}
    assert {"camera", "ap", "other"} <= kinds
    assert frames["retry"].any() and not frames["retry"].all()  # some frames are resent


@pytest.mark.slow
def test_a_camera_that_sees_the_stall_follows_the_code_one_in_another_room_does_not(tmp_path):
    n_chips = 48  # a stall's optical step: six places of eight 1-s chips
    drive, envelope = _flicker_code(7, n_chips)
    scores = defaultdict(list)
    for seed in (21, 22):
        for sees in (True, False):
            scene = simulate_wifi_scene(seed, duration_s=n_chips + 1.0, stimulus_log=drive,
                                        camera_sees=sees, camera_mode="cloud")
            frames = _tshark(scene, tmp_path, f"s{seed}{sees}")
            other_room = _mac(scene, place="other_room")
            hidden = next(m for m, t in scene.truth.items()
                          if t.kind == "camera" and m != other_room)
            for name, mac in ((f"hidden_sees={sees}", hidden), ("other_room", other_room)):
                per_chip = _bytes_per_bin(frames, mac, float(n_chips))
                per_chip = per_chip[0::2] + per_chip[1::2]
                scores[name].append(_follows_code(per_chip, envelope))
    # 48 chips: a chance correlation has a standard deviation of 0.14
    assert min(scores["hidden_sees=True"]) > 0.5, scores
    assert max(scores["hidden_sees=False"]) < 0.35, scores
    assert max(scores["other_room"]) < 0.35, scores


def test_a_phone_video_call_goes_both_ways(tmp_path):
    seed = next(s for s in range(100) if any(
        t.activity == "video_call" for t in WifiWorld(s, hidden_camera="none").truth.values()))
    scene = simulate_wifi_scene(seed, duration_s=10.0, stimulus_log=[], hidden_camera="none")
    frames = _tshark(scene, tmp_path)
    phone = _mac(scene, activity="video_call")
    ap = _mac(scene, kind="ap")
    up_kbps = _bytes_per_bin(frames, phone, 10.0, receiver=ap).sum() * 8 / 10.0 / 1000
    down_kbps = _bytes_per_bin(frames, ap, 10.0, receiver=phone).sum() * 8 / 10.0 / 1000
    assert up_kbps > 400 and down_kbps > 400
    assert 0.5 < up_kbps / down_kbps < 2.0


def test_received_power_falls_with_distance_from_the_camera(tmp_path):
    camera_m = np.array(ZONE_TARGETS_M["toilet_flush"])
    means = {}
    for distance_m in (0.3, 1.2):
        where = camera_m + np.array([0.0, 0.0, distance_m])
        scene = simulate_wifi_scene(5, duration_s=4.0, stimulus_log=[], camera_zone="toilet_flush",
                                    camera_mode="cloud", receiver_at=lambda t, w=where: w)
        frames = _tshark(scene, tmp_path, f"d{distance_m}")
        camera = _mac(scene, kind="camera", place="toilet_flush")
        pick = np.array([ta == camera for ta in frames["ta"]])
        means[distance_m] = frames["signal_dbm"][pick].mean()
    # free space: 20 log10(1.2 / 0.3) = 12 dB, less a little for the rounding of radiotap's dBm
    assert means[0.3] - means[1.2] == pytest.approx(12.0, abs=2.0)


def test_idle_phones_probe_from_randomised_macs(tmp_path):
    scene = simulate_wifi_scene(3, duration_s=25.0, stimulus_log=[], hidden_camera="none")
    frames = _tshark(scene, tmp_path)
    idle = {ta for ta in frames["ta"] if ta and scene.truth[ta].activity == "idle"}
    assert len(idle) >= 2  # one phone, several MACs over time
    assert all(int(mac[:2], 16) & 0x02 for mac in idle)  # locally administered bit set


def test_a_motion_camera_uploads_only_after_its_picture_changes(tmp_path):
    code = [(0.0, 0.0), (20.0, 1.0), (20.5, 0.0)]
    scene = simulate_wifi_scene(8, duration_s=30.0, stimulus_log=code, hidden_camera="motion",
                                camera_mode="cloud", camera_zone="paper_holder")
    frames = _tshark(scene, tmp_path)
    camera = _mac(scene, activity="motion_triggered_cloud")
    per_s = _bytes_per_bin(frames, camera, 30.0)[::2] + _bytes_per_bin(frames, camera, 30.0)[1::2]
    kbps = per_s * 8 / 1000
    assert kbps[12:20].max() < 5  # only keep-alives once the inspector stands still
    assert kbps[20:24].mean() > 100  # the rings changed its picture: it records and uploads


def test_a_survey_during_a_simulated_scan_follows_the_illuminator(mock_factory):
    """The inspection engine's way in: the shared clock, the handheld's pose, the rings."""
    clock = SimulatedClock()
    handheld = SimulatedHandheld(build_restroom(4), clock)
    rings = Illuminator(17, 27, pin_factory=mock_factory, clock=clock, red_pin=22)
    world = WifiWorld(4, camera_zone="door_hook", camera_mode="cloud",
                      receiver_at=lambda t: handheld.pose_at(t).position_m)
    handheld.move_to("door_hook")
    captured = []
    code = _code(9, 20.0, chip_s=0.5)
    for t_s, level in code:
        rings.set_rings(on_axis=bool(level), off_axis=False, red=bool(level))
        clock.advance(0.5)
        red, ir = ring_stimuli(rings)
        window = world.advance_to(clock.now_s(), stimulus_log=red, ir_stimulus_log=ir,
                                  place_log=[(0.0, "door_hook")])
        assert all(world.epoch_s + t_s - 1e-9 <= t < world.epoch_s + clock.now_s()
                   for t, _ in window) or not window
        captured.extend(window)
    times = [t for t, _ in captured]
    assert times == sorted(times) and len(captured) > 1000


def test_an_own_ap_camera_beacons_its_ssid_and_streams_to_its_viewer(tmp_path):
    scene = simulate_wifi_scene(6, duration_s=5.0, stimulus_log=[], camera_mode="own_ap",
                                camera_zone="vent")
    path = tmp_path / "own_ap.pcapng"
    write_pcapng(path, scene.packets)
    camera = _mac(scene, kind="camera", place="vent")
    viewer = _mac(scene, activity="viewing_camera")
    out = subprocess.run(
        [TSHARK, "-r", str(path), "-Y", f"wlan.ta == {camera}", "-T", "fields",
         "-E", "separator=|", "-e", "wlan.fc.type_subtype", "-e", "wlan.ssid",
         "-e", "wlan.fc.ds", "-e", "wlan.ra"],
        capture_output=True, text=True, check=True).stdout.splitlines()
    rows = [line.split("|") for line in out]
    beacons = [r for r in rows if int(r[0], 16) == 0x08]
    data = [r for r in rows if int(r[0], 16) == 0x28]
    assert beacons and all(bytes.fromhex(r[1]).decode().startswith(
        ("HDWiFiCam-", "IPC-", "MV", "CAM-")) for r in beacons)
    assert len(data) > 100 and all(r[3] == viewer and int(r[2], 16) == 2 for r in data)


@pytest.mark.parametrize("mode", ["own_ap", "cloud"])
def test_a_camera_sends_each_picture_when_it_is_encoded(tmp_path, mode):
    """One radio, one queue in time order: a camera's pictures leave one frame interval
    apart (15 fps), and neither its beacons (as its own AP) nor its audio hold them back into
    lumps of several pictures, nor is its audio bunched behind them."""
    for seed in (6, 14):
        scene = simulate_wifi_scene(seed, duration_s=10.0, stimulus_log=[], camera_mode=mode,
                                    camera_zone="vent")
        frames = _tshark(scene, tmp_path, f"{mode}{seed}")
        camera = _mac(scene, kind="camera", place="vent")
        mine = np.array([ta == camera for ta in frames["ta"]]) & ~frames["retry"]
        times, sizes = frames["time_s"][mine], frames["bytes"][mine]
        starts = np.concatenate([[True], np.diff(times) > 0.015])
        burst_bytes = np.add.reduceat(sizes, np.flatnonzero(starts))
        pictures_s = times[starts][burst_bytes > 1000]
        assert np.median(np.diff(pictures_s)) == pytest.approx(1 / 15, rel=0.1)
        assert np.percentile(np.diff(pictures_s), 95) < 2 / 15
        assert len(pictures_s) == pytest.approx(150, rel=0.05)
