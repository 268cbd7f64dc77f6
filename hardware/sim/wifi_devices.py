"""The devices of the simulated Wi-Fi world and what each one sends.

Every device owns a ``RadioState`` (position, power, link, counters) and an ``emit(world,
t0_s, t1_s)`` that hands the air (``world.air``) whatever it starts sending in that window.
Traffic is built from the protocols' real sizes: an MSDU is LLC/SNAP (8) + IPv4 (20) + UDP
(8) or TCP (32, with timestamps) + the application's bytes.

- ``AccessPoint``: beacons every 102.4 ms at 1 Mbit/s, answers probe requests; it also sends
  every station's downlink (the world asks it to).
- ``Camera``: a Wi-Fi IP camera streaming H.264 in UDP packets (P2P cloud protocols of the
  V380 / "HDWiFiCam" kind) through the building's AP (``cloud``), or as its own AP to a
  viewer's phone (``own_ap``); frame sizes from ``FrameSizeComposer`` (real libx264 traces)
  for the ring light it sees; optional audio (G.711, 25 packets/s); keep-alives to its cloud;
  ``motion`` cameras send video only for a while after their picture changed.
- ``Phone``: ``video_call`` (both directions ~0.6-1.5 Mbit/s at 30 fps, keyframes only on
  request, Opus audio 50 packets/s each way), ``browsing`` (page loads over TCP), ``idle``
  (probe-request bursts, each from a new randomised MAC).
- ``Laptop``: a TCP download in bursts; ``SmartPlug``: MQTT keep-alives, power save.
"""

import math
import random


from hardware.sim import wifi_frames as wf
from hardware.sim.wifi_radio import RadioState

LLC_IP_UDP_BYTES = 8 + 20 + 8
LLC_IP_TCP_BYTES = 8 + 20 + 32
RTP_HEADER_BYTES = 12
BEACON_INTERVAL_S = 102.4e-3


def random_mac(rng: random.Random, oui: str | None = None) -> bytes:
    """A MAC with the vendor's ``oui`` (hex), or a randomised (locally administered) one."""
    if oui is not None:
        return bytes.fromhex(oui) + rng.randbytes(3)
    first = (rng.randrange(256) & 0xFC) | 0x02
    return bytes([first]) + rng.randbytes(5)


def mac_text(mac: bytes) -> str:
    return mac.hex(":")


class Device:
    """A transmitter of the simulated world: its radio, and what it sends in a time window.
    The base device sends nothing of its own: a camera's viewer is one, its acknowledgements
    made by the camera's stream; every other kind overrides ``emit``."""

    def __init__(self, radio: RadioState, rng: random.Random):
        self.radio = radio
        self.rng = rng

    @property
    def mac(self) -> bytes:
        return self.radio.mac

    def emit(self, world, t0_s: float, t1_s: float) -> None:
        """Queue this device's own frames for ``t0_s`` to ``t1_s`` in ``world`` (none here)."""


def _data(tx: bytes, rx: bytes, other: bytes, to_ap: bool, payload_bytes: int, rng):
    def build(sequence, packet_number):
        return wf.qos_data(tx, rx, other, to_ap=to_ap, seq=sequence,
                           packet_number=packet_number, payload_bytes=payload_bytes, rng=rng)
    return build


class AccessPoint(Device):
    """An access point: beacons, probe responses, and the downlink of its stations."""

    def __init__(self, radio, rng, ssid: str, gateway_mac: bytes):
        super().__init__(radio, rng)
        self.ssid = ssid
        self.gateway_mac = gateway_mac
        self._next_beacon_s = rng.uniform(0, BEACON_INTERVAL_S)
        self._beacons = 0

    def emit(self, world, t0_s, t1_s):
        while self._next_beacon_s < t1_s:
            tsf_us = int(self._next_beacon_s * 1e6)
            self._beacons += 1
            frame = wf.beacon(self.mac, self.ssid, self.radio.channel,
                              self.radio.next_sequence(), tsf_us)
            world.air.send_management(self.radio, self._next_beacon_s, frame)
            self._next_beacon_s += BEACON_INTERVAL_S

    def answer_probe(self, world, t_s: float, station: bytes) -> None:
        frame = wf.probe_response(self.mac, station, self.ssid, self.radio.channel,
                                  self.radio.next_sequence(), int(t_s * 1e6))
        world.air.send_management(self.radio, t_s + 0.001, frame, rate_mbps=6.0)

    def downlink(self, world, t_s: float, station: "Device", payload_bytes: int) -> float:
        return world.air.send_unicast(self.radio, station.radio, t_s, _data(
            self.mac, station.mac, self.gateway_mac, False, payload_bytes, self.rng))


def uplink(world, station: Device, ap: AccessPoint, t_s: float, payload_bytes: int) -> float:
    return world.air.send_unicast(station.radio, ap.radio, t_s, _data(
        station.mac, ap.mac, ap.gateway_mac, True, payload_bytes, station.rng))


class Camera(Device):
    """A Wi-Fi camera streaming what it sees; see the module docstring."""

    def __init__(self, radio, rng, *, composer, fps: float, mode: str, motion_triggered: bool,
                 light_at, ap: AccessPoint, viewer: Device | None = None, audio: bool,
                 chunk_bytes: int, beacons: "CameraAccessPoint | None" = None):
        super().__init__(radio, rng)
        self.beacons = beacons  # its own AP's beacons (own_ap), sent from the same radio
        self.composer = composer
        self.frame_period_s = 1.0 / fps
        self.mode = mode
        self.motion_triggered = motion_triggered
        self.light_at = light_at  # (t0_s, t1_s) -> ring light reaching the sensor, 0..1
        self.ap = ap  # the AP it streams through (cloud), or itself (own_ap)
        self.viewer = viewer
        self.audio = audio
        self.chunk_bytes = chunk_bytes
        self._next_frame_s = rng.uniform(0, self.frame_period_s)
        self._next_audio_s = rng.uniform(0, 0.04)
        self._next_keepalive_s = rng.uniform(0, 5)
        self._recording_until_s = 8.0 if motion_triggered else math.inf  # the inspector walked in
        self._previous_light = 0.0
        self._packets = 0

    def emit(self, world, t0_s, t1_s):
        """Video frames, audio, keep-alives and (as its own AP) beacons in the order of their
        times: the camera has one radio and one queue, so a packet due earlier leaves
        earlier (handing the window's video over first and its audio after would bunch the
        audio behind the last picture, and a beacon late in the window would hold back every
        picture before it)."""
        while (due_s := min(self._next_frame_s, self._next_audio_due_s,
                            self._next_keepalive_s)) < t1_s:
            if self.beacons is not None:
                self.beacons.emit(world, t0_s, due_s)
            if due_s == self._next_frame_s:
                self._frame(world, due_s)
                self._next_frame_s += self.frame_period_s * (1 + self.rng.gauss(0, 0.002))
            elif due_s == self._next_audio_due_s:
                if due_s < self._recording_until_s:
                    self._send(world, due_s, 160 + RTP_HEADER_BYTES + LLC_IP_UDP_BYTES)
                self._next_audio_s += 0.04
            else:
                self._send(world, due_s, 48 + LLC_IP_UDP_BYTES)
                self._receive(world, due_s + self.rng.uniform(0.03, 0.12),
                              32 + LLC_IP_UDP_BYTES)
                self._next_keepalive_s += self.rng.uniform(3.0, 8.0)
        if self.beacons is not None:
            self.beacons.emit(world, t0_s, t1_s)

    @property
    def _next_audio_due_s(self) -> float:
        return self._next_audio_s if self.audio else math.inf

    def _frame(self, world, t_s):
        light = self.light_at(t_s - self.frame_period_s, t_s)
        changed = abs(light - self._previous_light) > 0.08
        self._previous_light = light
        if self.motion_triggered:
            if changed and t_s >= self._recording_until_s:
                self.composer.restart_gop()  # a new clip starts with an I-frame
            if changed:
                self._recording_until_s = max(self._recording_until_s, t_s + 4.0)
            if t_s >= self._recording_until_s:
                return
        size, _ = self.composer.next_frame(light)
        t = t_s + self.rng.uniform(0.015, 0.04)  # encoder latency
        for start in range(0, size, self.chunk_bytes):
            chunk = min(self.chunk_bytes, size - start)
            t = self._send(world, t, chunk + RTP_HEADER_BYTES + LLC_IP_UDP_BYTES)
            self._packets += 1
            if self._packets % 8 == 0:  # the P2P protocol's receiver acknowledges in batches
                self._receive(world, t + self.rng.uniform(0.02, 0.08),
                              24 + LLC_IP_UDP_BYTES)

    def _send(self, world, t_s, payload_bytes) -> float:
        if self.mode == "own_ap":
            return world.air.send_unicast(self.radio, self.viewer.radio, t_s, _data(
                self.mac, self.viewer.mac, self.mac, False, payload_bytes, self.rng))
        return uplink(world, self, self.ap, t_s, payload_bytes)

    def _receive(self, world, t_s, payload_bytes) -> None:
        if self.mode == "own_ap":
            world.air.send_unicast(self.viewer.radio, self.radio, t_s, _data(
                self.viewer.mac, self.mac, self.mac, True, payload_bytes, self.viewer.rng))
        else:
            self.ap.downlink(world, t_s, self, payload_bytes)


class CameraAccessPoint(Device):
    """The beacons of a camera in its own-AP mode (``own_ap``), e.g. ``HDWiFiCam-5F3A1C``."""

    def __init__(self, radio, rng, ssid: str):
        super().__init__(radio, rng)
        self.ssid = ssid
        self._next_beacon_s = rng.uniform(0, BEACON_INTERVAL_S)

    def emit(self, world, t0_s, t1_s):
        while self._next_beacon_s < t1_s:
            frame = wf.beacon(self.mac, self.ssid, self.radio.channel,
                              self.radio.next_sequence(), int(self._next_beacon_s * 1e6))
            world.air.send_management(self.radio, self._next_beacon_s, frame)
            self._next_beacon_s += BEACON_INTERVAL_S


class Phone(Device):
    """A passer's phone: ``video_call``, ``browsing`` or ``idle``."""

    def __init__(self, radio, rng, activity: str, ap: AccessPoint):
        super().__init__(radio, rng)
        self.activity = activity
        self.ap = ap
        self._next_s = rng.uniform(0, 2.0)
        self._up_kbps = rng.uniform(600, 1500)
        self._down_kbps = self._up_kbps * rng.uniform(0.7, 1.3)
        self._next_audio_s = rng.uniform(0, 0.02)
        self._bursts = 0

    def emit(self, world, t0_s, t1_s):
        if self.activity == "video_call":
            self._video_call(world, t1_s)
        elif self.activity == "browsing":
            while self._next_s < t1_s:
                self._page_load(world, self._next_s)
                self._next_s += self.rng.expovariate(1 / 12.0) + 1.0
        else:
            while self._next_s < t1_s:
                self._probe_burst(world, self._next_s)
                self._next_s += self.rng.uniform(8.0, 30.0)  # a phone in a hand scans often

    def _video_call(self, world, t1_s):
        while self._next_audio_s < t1_s:
            t = self._next_audio_s
            uplink(world, self, self.ap, t, 120 + RTP_HEADER_BYTES + LLC_IP_UDP_BYTES)
            self.ap.downlink(world, t + 0.007, self, 120 + RTP_HEADER_BYTES + LLC_IP_UDP_BYTES)
            self._next_audio_s += 0.02
        while self._next_s < t1_s:
            t = self._next_s
            for kbps, send in ((self._up_kbps, self._send_up), (self._down_kbps, self._send_down)):
                mean_bytes = kbps * 1000 / 8 / 30
                size = int(mean_bytes * self.rng.lognormvariate(-0.06, 0.35))
                if self.rng.random() < 1 / 300:  # a keyframe asked for by the far end
                    size *= 4
                for start in range(0, size, 1150):
                    send(world, t, min(1150, size - start))
            self._next_s += 1 / 30 * (1 + self.rng.gauss(0, 0.05))

    def _send_up(self, world, t_s, chunk):
        return uplink(world, self, self.ap, t_s, chunk + RTP_HEADER_BYTES + LLC_IP_UDP_BYTES)

    def _send_down(self, world, t_s, chunk):
        return self.ap.downlink(world, t_s + 0.005, self,
                                chunk + RTP_HEADER_BYTES + LLC_IP_UDP_BYTES)

    def _page_load(self, world, t_s):
        t = uplink(world, self, self.ap, t_s, 450 + LLC_IP_TCP_BYTES)  # the request
        segments = int(self.rng.lognormvariate(math.log(150), 1.0)) + 4
        for i in range(segments):
            t = self.ap.downlink(world, t + 0.0004, self, 1448 + LLC_IP_TCP_BYTES)
            if i % 2:
                uplink(world, self, self.ap, t + 0.0002, LLC_IP_TCP_BYTES)  # TCP ACK

    def _probe_burst(self, world, t_s):
        if self._bursts:  # every burst after the first comes from a new random MAC
            self.radio.mac = world.new_randomised_mac(self)
        self._bursts += 1
        for k in range(self.rng.randrange(2, 5)):
            t = t_s + 0.02 * k
            frame = wf.probe_request(self.mac, self.radio.next_sequence())
            world.air.send_management(self.radio, t, frame)
            self.ap.answer_probe(world, t, self.mac)


class Laptop(Device):
    """A laptop downloading a file over TCP, in bursts."""

    def __init__(self, radio, rng, ap: AccessPoint):
        super().__init__(radio, rng)
        self.ap = ap
        self._next_s = rng.uniform(0, 3.0)
        self._kbps = rng.uniform(1500, 4000)

    def emit(self, world, t0_s, t1_s):
        while self._next_s < t1_s:
            burst_s = self.rng.uniform(2.0, 8.0)
            segment_s = (1448 + LLC_IP_TCP_BYTES) * 8 / (self._kbps * 1000)
            t, end = self._next_s, self._next_s + burst_s
            count = 0
            while t < end:
                t = max(self.ap.downlink(world, t, self, 1448 + LLC_IP_TCP_BYTES), t + segment_s)
                count += 1
                if count % 2 == 0:
                    uplink(world, self, self.ap, t + 0.0002, LLC_IP_TCP_BYTES)
            self._next_s = end + self.rng.uniform(1.0, 6.0)


class SmartPlug(Device):
    """A smart plug: an MQTT keep-alive and its answer every 15-30 s, dozing in between."""

    def __init__(self, radio, rng, ap: AccessPoint):
        super().__init__(radio, rng)
        self.ap = ap
        self._next_s = rng.uniform(0, 15.0)

    def emit(self, world, t0_s, t1_s):
        while self._next_s < t1_s:
            t = uplink(world, self, self.ap, self._next_s, 2 + LLC_IP_TCP_BYTES)  # PINGREQ
            self.ap.downlink(world, t + self.rng.uniform(0.02, 0.2), self,
                             2 + LLC_IP_TCP_BYTES)
            world.air.send_unicast(self.radio, self.ap.radio, t + 0.3,
                                   lambda seq, _pn: wf.qos_null(self.mac, self.ap.mac, seq))
            self._next_s += self.rng.uniform(15.0, 30.0)
