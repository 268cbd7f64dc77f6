"""The Wi-Fi world of the simulated restroom: who transmits, from where, and what.

A seeded world holds, on the building AP's 2.4 GHz channel:

- the **hidden camera** in the stall (a camera-module vendor's OUI), hidden at one of the
  checklist's places, streaming through the building's AP (``cloud``) or as its own AP to a
  viewer's phone next door (``own_ap``); continuous or ``motion``-triggered; its frame sizes
  come from real libx264 traces (``wifi_traces``) for the ring light its sensor receives;
- the **building's AP** in the corridor (beacons, probe responses, everyone's downlink);
- **passers' phones** outside the stall: a video call, browsing, idle ones probing from
  randomised MACs; a **laptop** downloading next door; a **smart plug**;
- a **camera in another room** (``other_room_cameras``: one, or also one across the
  corridor) that streams all the time but cannot see the stall: its picture changes with
  that room's own goings-on, never with our rings.

What reaches a camera's sensor (``_CameraView.light``): the handheld's ring drive
(``stimulus_log``; the IR rings' ``ir_stimulus_log`` only for cameras without an IR-cut
filter, 5 % through one), averaged over the frame's exposure, times how much of the light
shone on the place being scanned (``place_log``) the camera sees: 1.0 when its own place is
scanned (the rings shine into its lens), otherwise by geometry (inside its ~100 degree field
of view, falling with distance), 0 for the camera in another room.

Truth per MAC (``DeviceTruth``): ``kind`` is ``camera``, ``ap`` or ``other`` (a phone's
video call is ``other``, with ``activity="video_call"``: it is not a camera and sends no
encoder GOP upstream), ``sees_stall``, ``place``, ``activity``, ``vendor_oui``.

Two ways in:

- ``simulate_wifi_scene(seed, duration_s=..., stimulus_log=...)`` returns a ``WifiScene``:
  ``packets`` as ``(epoch time_s, radiotap + 802.11 bytes)`` (link type 127), ``truth`` by MAC
  text, and the stimulus and place logs on the packets' clock;
- ``WifiWorld`` for a survey during a simulated inspection on the shared ``SimulatedClock``:
  ``world.advance_to(clock.now_s(), stimulus_log=..., place_log=...)`` returns the frames
  captured since the last call, from the illuminator's switch log so far
  (``ring_stimuli(illuminator)``) and the handheld's pose.

Material: ``material="training"`` (default) composes from the TRAINING encoder traces, for
tests and fitting; ``material="benchmark"`` from the BENCHMARK traces, for the benchmark only.
"""

import bisect
import random
from dataclasses import dataclass, field

import numpy as np

from hardware.sim import wifi_devices as dev
from hardware.sim.restroom import ZONE_TARGETS_M, build_restroom
from hardware.sim.wifi_encoder import FPS, SETTINGS
from hardware.sim.wifi_radio import Air, new_radio
from hardware.sim.wifi_traces import FrameSizeComposer, setting_named

DEFAULT_EPOCH_S = 1_733_300_000.0  # 2024-12-04T08:13:20Z: captures carry epoch timestamps
CAMERA_OUIS = ("203233", "0C8C24", "10A4BE", "AC5D5C", "805E4F", "4447CC", "5803FB")
AP_OUIS = ("883A30", "000B86", "D8C7C8")  # Aruba
LAPTOP_OUIS = ("ACED5C", "34F64B", "9061AE")  # Intel
PLUG_OUIS = ("246F28", "807D3A", "68C63A")  # Espressif
CAMERA_SSID_PREFIXES = ("HDWiFiCam-", "IPC-", "MV", "CAM-")
FIELD_OF_VIEW_HALF_DEG = 50.0
IR_CUT_LEAK = 0.05
STALL_INSIDE_M = np.array([0.45, 1.2, 0.75])
AP_POSITION_M = np.array([2.5, 2.6, 3.5])  # corridor ceiling, through the stall's partition
#: Cameras in other rooms (the first in every world; ``other_room_cameras`` asks for more):
#: behind the stall's wall, and across the corridor.
OTHER_ROOM_CAMERAS_M = (np.array([-3.5, 2.0, 1.0]), np.array([-2.0, 2.3, 4.5]))


@dataclass(frozen=True)
class DeviceTruth:
    mac: str
    kind: str  # "camera", "video_stream", "ap" or "other"
    sees_stall: bool
    place: str  # a checklist zone for the hidden camera; "corridor", "other_room", ...
    activity: str  # "streaming", "motion_triggered", "video_call", "beacons", ...
    vendor_oui: str | None  # None for randomised MACs


class StimulusLog:
    """A drive level over time, 0..1, held from each ``(time_s, level)`` step to the next."""

    def __init__(self, steps=()):
        steps = sorted((float(t), float(v)) for t, v in steps)
        for t, v in steps:
            if not (np.isfinite(t) and np.isfinite(v) and 0.0 <= v <= 1.0):
                raise ValueError(f"stimulus step ({t}, {v}): time must be finite, level 0..1")
        self.times_s = np.array([t for t, _ in steps])
        self.levels = np.array([v for _, v in steps])
        areas = np.diff(self.times_s) * self.levels[:-1] if steps else np.array([])
        self._area = np.concatenate([[0.0], np.cumsum(areas)])

    @property
    def steps(self) -> list[tuple[float, float]]:
        return list(zip(self.times_s.tolist(), self.levels.tolist()))

    def _integral(self, t_s: float) -> float:
        i = int(np.searchsorted(self.times_s, t_s, side="right")) - 1
        if i < 0:
            return 0.0
        return float(self._area[i] + self.levels[i] * (t_s - self.times_s[i]))

    def mean_level(self, t0_s: float, t1_s: float) -> float:
        """The mean drive over [t0_s, t1_s] (0 before the first step)."""
        if len(self.times_s) == 0 or t1_s <= t0_s:
            return 0.0
        return (self._integral(t1_s) - self._integral(t0_s)) / (t1_s - t0_s)


def ring_stimuli(illuminator) -> tuple[StimulusLog, StimulusLog]:
    """(visible, IR) ring drive so far from an ``Illuminator``'s switch logs.

    Both IR rings light the scene (the on-axis one a little more of it than the other, which
    does not matter to a camera's exposure), so the IR drive is their sum, at most 1; the
    visible drive is the red ring's, or nothing on a handheld without one.
    """
    on_axis, off_axis = illuminator.switch_log("on_axis"), illuminator.switch_log("off_axis")
    times = sorted({t for t, _ in on_axis} | {t for t, _ in off_axis})
    on, off = StimulusLog(on_axis), StimulusLog(off_axis)
    ir = StimulusLog((t, min(_level_at(on, t) + _level_at(off, t), 1.0)) for t in times)
    red = StimulusLog(illuminator.switch_log("red") if illuminator.has_red_ring else ())
    return red, ir


def _level_at(log: StimulusLog, t_s: float) -> float:
    i = int(np.searchsorted(log.times_s, t_s, side="right")) - 1
    return float(log.levels[i]) if i >= 0 else 0.0


class PlaceLog:
    """Which checklist place the handheld's rings shine on, from each ``(time_s, place)``."""

    def __init__(self, steps=()):
        steps = sorted(steps)
        self.times_s = [float(t) for t, _ in steps]
        self.places = [p for _, p in steps]

    def place_at(self, t_s: float) -> str | None:
        i = bisect.bisect_right(self.times_s, t_s) - 1
        return self.places[i] if i >= 0 else None


@dataclass
class WifiScene:
    """What ``simulate_wifi_scene`` returns; every time is on the packets' (epoch) clock."""

    seed: int
    packets: list[tuple[float, bytes]]
    truth: dict[str, DeviceTruth]
    stimulus_log: list[tuple[float, float]]
    ir_stimulus_log: list[tuple[float, float]]
    place_log: list[tuple[float, str]]
    epoch_s: float
    camera_setting: str
    linktype: int = 127
    channel: int = 6


@dataclass
class _CameraView:
    """How much of the rings' light reaches one camera's sensor, per scanned place."""

    coupling_by_place: dict[str, float]
    own_place: str | None
    sees_ir: bool
    room_activity: StimulusLog = field(default_factory=StimulusLog)

    def light(self, t0_s, t1_s, stimulus, ir_stimulus, place_log) -> float:
        place = place_log.place_at(t1_s) if place_log is not None else self.own_place
        coupling = self.coupling_by_place.get(place, 0.0)
        drive = stimulus.mean_level(t0_s, t1_s)
        if ir_stimulus is not None:
            drive += (1.0 if self.sees_ir else IR_CUT_LEAK) * ir_stimulus.mean_level(t0_s, t1_s)
        return float(min(coupling * drive + self.room_activity.mean_level(t0_s, t1_s), 1.0))


def camera_couplings(zone: str) -> dict[str, float]:
    """How much of the rings' light on each place a camera hidden at ``zone`` sees.

    Its own place: 1.0 (the rings shine into its lens). Others inside its field of view (the
    lens looks from its place towards the middle of the stall): 0.6 at 0.5 m, falling as
    1/distance; outside the field of view 0.01 (light scattered off the walls).
    """
    position = np.asarray(ZONE_TARGETS_M[zone], dtype=float)
    axis = STALL_INSIDE_M - position
    axis /= np.linalg.norm(axis)
    couplings = {}
    for place, target in ZONE_TARGETS_M.items():
        if place == zone:
            couplings[place] = 1.0
            continue
        offset = np.asarray(target, dtype=float) - position
        distance_m = float(np.linalg.norm(offset))
        angle_deg = np.degrees(np.arccos(np.clip(offset @ axis / distance_m, -1, 1)))
        inside = angle_deg < FIELD_OF_VIEW_HALF_DEG
        couplings[place] = float(min(0.6 * 0.5 / distance_m, 0.6)) if inside else 0.01
    return couplings


class WifiWorld:
    """A seeded Wi-Fi world that produces, window by window, what the handheld captures."""

    def __init__(self, seed: int, *, hidden_camera: str = "continuous",
                 camera_mode: str | None = None, camera_sees: bool = True,
                 camera_zone: str | None = None, camera_setting: str | None = None,
                 material: str = "training", receiver_at=None,
                 epoch_s: float = DEFAULT_EPOCH_S, other_room_cameras: int = 1):
        if not 1 <= other_room_cameras <= len(OTHER_ROOM_CAMERAS_M):
            raise ValueError(f"other_room_cameras must be 1..{len(OTHER_ROOM_CAMERAS_M)}")
        if hidden_camera not in ("continuous", "motion", "none"):
            raise ValueError(f"hidden_camera must be continuous, motion or none, "
                             f"not {hidden_camera!r}")
        self.seed = seed
        self.rng = np.random.default_rng([seed, 802_11])  # the world's layout
        self._mac_rng = random.Random(int(self.rng.integers(2**63)))
        self.epoch_s = epoch_s
        self.material = material
        self.receiver_at = receiver_at or _walk_the_stall(seed)
        self.air = Air(random.Random(int(self.rng.integers(2**63))), self._receiver_position,
                       epoch_s)
        self.truth: dict[str, DeviceTruth] = {}
        self.devices: list[dev.Device] = []
        self.views: dict[bytes, _CameraView] = {}
        self._position_cache: dict[int, tuple] = {}
        self._t_s = 0.0
        self._stimulus = StimulusLog()
        self._ir_stimulus: StimulusLog | None = None
        self._place_log: PlaceLog | None = None
        self.channel = int(self.rng.choice([1, 6, 11]))
        self.ap = self._building_ap()
        self.camera_setting = camera_setting or SETTINGS[int(self.rng.integers(len(SETTINGS)))].name
        self._passers()
        self._other_room_camera(OTHER_ROOM_CAMERAS_M[0])
        if hidden_camera != "none":
            mode = camera_mode or str(self.rng.choice(["cloud", "own_ap"], p=[0.7, 0.3]))
            zone = camera_zone or str(self.rng.choice(list(ZONE_TARGETS_M)))
            self._hidden_camera(hidden_camera == "motion", mode, zone, camera_sees)
        for position in OTHER_ROOM_CAMERAS_M[1:other_room_cameras]:  # after the hidden camera,
            self._other_room_camera(position)  # whose draws are then those of one-camera worlds

    # -- running ---------------------------------------------------------------------------
    def advance_to(self, t_s: float, *, stimulus_log=None, ir_stimulus_log=None,
                   place_log=None, step_s: float = 0.25) -> list[tuple[float, bytes]]:
        """Frames captured up to clock time ``t_s`` that were not returned before.

        ``stimulus_log`` / ``ir_stimulus_log``: ``StimulusLog`` or ``(time_s, level)`` steps
        on the world's clock (the ``SimulatedClock``'s seconds), as far as they are known;
        ``place_log``: ``PlaceLog`` or ``(time_s, place)`` steps. Each replaces the last one
        given. A frame is returned once its whole exchange has finished before ``t_s``.
        """
        if stimulus_log is not None:
            self._stimulus = _as_stimulus(stimulus_log)
        if ir_stimulus_log is not None:
            self._ir_stimulus = _as_stimulus(ir_stimulus_log)
        if place_log is not None:
            self._place_log = place_log if isinstance(place_log, PlaceLog) else PlaceLog(place_log)
        while self._t_s < t_s:
            t1 = min(self._t_s + step_s, t_s)
            for device in self.devices:
                device.emit(self, self._t_s, t1)
            self._t_s = t1
        cutoff = self.epoch_s + t_s
        self.air.captured.sort(key=lambda p: p[0])
        split = bisect.bisect_left(self.air.captured, cutoff, key=lambda p: p[0])
        ready, self.air.captured = self.air.captured[:split], self.air.captured[split:]
        return ready

    def new_randomised_mac(self, device: dev.Device) -> bytes:
        mac = dev.random_mac(self._mac_rng)
        old = self.truth[dev.mac_text(device.mac)]
        self._register(mac, old.kind, old.sees_stall, old.place, old.activity, None)
        return mac

    # -- building the world ------------------------------------------------------------------
    def _register(self, mac, kind, sees_stall, place, activity, oui):
        self.truth[dev.mac_text(mac)] = DeviceTruth(dev.mac_text(mac), kind, sees_stall, place,
                                                    activity, oui)

    def _radio(self, mac, position_m, *, tx_power_dbm, wall_loss_db, link_snr_db, channel=None):
        return new_radio(self.rng, mac, position_m, channel or self.channel,
                         tx_power_dbm=tx_power_dbm, wall_loss_db=wall_loss_db,
                         link_snr_db=link_snr_db)

    def _oui(self, ouis) -> str:
        return str(self.rng.choice(ouis))

    def _building_ap(self) -> dev.AccessPoint:
        oui = self._oui(AP_OUIS)
        mac = dev.random_mac(self._mac_rng, oui)
        radio = self._radio(mac, AP_POSITION_M, tx_power_dbm=20.0, wall_loss_db=6.0,
                            link_snr_db=30.0)
        ssid = str(self.rng.choice(["Public_WiFi_Free", "KT_GiGA_Free", "SeoulWiFi", "Guest"]))
        ap = dev.AccessPoint(radio, self._device_rng(), ssid, dev.random_mac(self._mac_rng, oui))
        self._register(mac, "ap", False, "corridor", "beacons", oui)
        self.devices.append(ap)
        return ap

    def _passers(self):
        activities = ["browsing", "idle"] + [str(a) for a in self.rng.choice(
            ["video_call", "idle", "browsing"], size=int(self.rng.integers(0, 3)), replace=False)]
        for activity in activities:
            mac = dev.random_mac(self._mac_rng)
            position = np.array([self.rng.uniform(-1.5, 3.0), 1.3, self.rng.uniform(1.8, 4.0)])
            radio = self._radio(mac, position, tx_power_dbm=15.0,
                                wall_loss_db=float(self.rng.uniform(3, 8)),
                                link_snr_db=float(self.rng.uniform(18, 30)))
            self._register(mac, "other", False, "corridor", activity, None)
            self.devices.append(dev.Phone(radio, self._device_rng(), activity, self.ap))
        if self.rng.random() < 0.5:
            self._station(dev.Laptop, LAPTOP_OUIS, [4.0, 1.0, 2.5], 18.0, 10.0, "downloading")
        if self.rng.random() < 0.6:
            self._station(dev.SmartPlug, PLUG_OUIS, [-1.8, 0.4, 0.5], 12.0, 7.0, "keepalive")

    def _station(self, cls, ouis, position, tx_power_dbm, wall_loss_db, activity):
        oui = self._oui(ouis)
        mac = dev.random_mac(self._mac_rng, oui)
        radio = self._radio(mac, position, tx_power_dbm=tx_power_dbm,
                            wall_loss_db=wall_loss_db, link_snr_db=float(self.rng.uniform(15, 30)))
        self._register(mac, "other", False, "next_door", activity, oui)
        self.devices.append(cls(radio, self._device_rng(), self.ap))

    def _other_room_camera(self, position_m):
        view = _CameraView({}, None, sees_ir=False, room_activity=self._room_activity())
        self._camera(view, position_m, 14.0, "cloud", False, "other_room", False)

    def _hidden_camera(self, motion: bool, mode: str, zone: str, sees: bool):
        couplings = camera_couplings(zone) if sees else {}
        view = _CameraView(couplings, zone, sees_ir=bool(self.rng.random() < 0.5))
        position = np.asarray(ZONE_TARGETS_M[zone], dtype=float)
        self._camera(view, position, 0.0, mode, motion, zone if sees else "facing_away", sees,
                     setting=self.camera_setting)

    def _camera(self, view, position, wall_loss_db, mode, motion, place, sees, setting=None):
        oui = self._oui(CAMERA_OUIS)
        mac = dev.random_mac(self._mac_rng, oui)
        rng = self._device_rng()
        setting = setting_named(setting) if setting else SETTINGS[int(self.rng.integers(
            len(SETTINGS)))]
        channel = self.channel if mode == "cloud" else int(self.rng.choice([1, 6, 11]))
        radio = self._radio(mac, position, tx_power_dbm=float(self.rng.uniform(13, 17)),
                            wall_loss_db=wall_loss_db, link_snr_db=float(self.rng.uniform(16, 30)),
                            channel=channel)
        viewer = beacons = None
        if mode == "own_ap":  # its beacons leave from the camera's own radio and queue
            viewer = self._viewer(channel)
            beacons = dev.CameraAccessPoint(
                radio, rng, str(self.rng.choice(CAMERA_SSID_PREFIXES)) + mac[3:].hex().upper())
        composer = FrameSizeComposer(setting, self.material,
                                     np.random.default_rng(self.rng.integers(2**63)))
        camera = dev.Camera(
            radio, rng, composer=composer, fps=FPS,
            mode=mode, motion_triggered=motion, ap=self.ap, viewer=viewer,
            light_at=lambda t0, t1: view.light(t0, t1, self._stimulus, self._ir_stimulus,
                                               self._place_log),
            audio=bool(self.rng.random() < 0.5),
            chunk_bytes=int(self.rng.choice([1024, 1200, 1400])), beacons=beacons)
        self.views[mac] = view
        activity = "motion_triggered" if motion else "streaming"
        self._register(mac, "camera", sees, place, f"{activity}_{mode}", oui)
        self.devices.append(camera)

    def _viewer(self, channel) -> dev.Device:
        mac = dev.random_mac(self._mac_rng)
        radio = self._radio(mac, [1.4, 1.3, 0.8], tx_power_dbm=15.0, wall_loss_db=5.0,
                            link_snr_db=28.0, channel=channel)
        self._register(mac, "other", False, "next_stall", "viewing_camera", None)
        return dev.Device(radio, self._device_rng())

    def _room_activity(self) -> StimulusLog:
        """The other room's own changes (lights, people): steps every 2-20 s, for an hour."""
        steps, t = [], 0.0
        while t < 3600.0:
            steps.append((t, float(self.rng.choice([0.0, 0.0, 0.2, 0.5]))))
            t += float(self.rng.uniform(2.0, 20.0))
        return StimulusLog(steps)

    def _device_rng(self) -> random.Random:
        return random.Random(int(self.rng.integers(2**63)))

    def _receiver_position(self, t_s: float) -> tuple[float, float, float]:
        key = int(t_s * 20)  # the handheld moves little in 50 ms
        position = self._position_cache.get(key)
        if position is None:
            position = tuple(float(v) for v in self.receiver_at(key / 20))
            self._position_cache[key] = position
        return position


def _as_stimulus(log) -> StimulusLog:
    return log if isinstance(log, StimulusLog) else StimulusLog(log)


def _walk_the_stall(seed: int):
    """The handheld's position along the default inspection path, round and round."""
    scene = build_restroom(seed)
    return lambda t_s: scene.pose_at(t_s % scene.duration_s).position_m


def simulate_wifi_scene(seed: int, *, duration_s: float, stimulus_log, ir_stimulus_log=None,
                        place_log=None, camera_sees: bool = True,
                        hidden_camera: str = "continuous", camera_mode: str | None = None,
                        camera_zone: str | None = None, camera_setting: str | None = None,
                        material: str = "training", receiver_at=None,
                        epoch_s: float = DEFAULT_EPOCH_S, other_room_cameras: int = 1
                        ) -> WifiScene:
    """Simulate ``duration_s`` of the seeded Wi-Fi world under the given ring drive.

    Logs are on the scene's own clock (0 = start); the returned scene's logs and packets are
    on the epoch clock (``epoch_s`` + scene time), as a capture and its stimulus CSV are.
    """
    world = WifiWorld(seed, hidden_camera=hidden_camera, camera_mode=camera_mode,
                      camera_sees=camera_sees, camera_zone=camera_zone,
                      camera_setting=camera_setting, material=material,
                      receiver_at=receiver_at, epoch_s=epoch_s,
                      other_room_cameras=other_room_cameras)
    stimulus = _as_stimulus(stimulus_log)
    ir = _as_stimulus(ir_stimulus_log) if ir_stimulus_log is not None else None
    places = place_log if isinstance(place_log, PlaceLog) or place_log is None \
        else PlaceLog(place_log)
    packets = world.advance_to(duration_s, stimulus_log=stimulus, ir_stimulus_log=ir,
                               place_log=places)
    return WifiScene(
        seed=seed, packets=packets, truth=world.truth,
        stimulus_log=[(epoch_s + t, v) for t, v in stimulus.steps],
        ir_stimulus_log=[(epoch_s + t, v) for t, v in ir.steps] if ir else [],
        place_log=[(epoch_s + t, p) for t, p in zip(places.times_s, places.places)]
        if places else [],
        epoch_s=epoch_s, camera_setting=world.camera_setting, channel=world.channel)
