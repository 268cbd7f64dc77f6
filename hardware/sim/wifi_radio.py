"""The air between the simulated Wi-Fi devices and the handheld's monitor-mode adapter.

Received power at the handheld (what radiotap's dBm antenna signal reports):
``tx_power_dbm - PL(d) - wall_loss_db + shadowing_db + fading``, with the log-distance model
``PL(d) = 40.2 dB + 10 n log10(d / 1 m)`` at 2.44 GHz (40.2 dB is free space at 1 m),
``n = 2`` (free space: the stall is small and in line of sight) plus each device's wall loss
(plasterboard and tile ~4-8 dB a wall), a fixed per-device shadowing (sigma 3 dB) and
per-frame fading (sigma 2 dB, Rician-like: there is a direct path). Frames below the adapter's
sensitivity (``SENSITIVITY_DBM``) are not captured.

Rates and retries (what a Minstrel-style rate control does): each device's link to its peer
has an SNR that drifts (0.3 dB a frame, pulled 2 % back to its mean); a frame goes at the top
HT MCS whose required SNR is 3 dB under it, one MCS higher on 10 % of frames (probing). With
the SNR of that moment (the link's, give or take 1.5 dB) it is lost with probability
``1 / (1 + exp((snr - required) / 1.5))``; lost frames are sent again with the Retry bit
(same sequence and packet numbers), one MCS lower after two losses, at most
``MAX_TRANSMISSIONS`` times; received ones are acknowledged after SIFS at 24 Mbit/s.

Timing: a transmitter sends one frame at a time (DIFS + random backoff slots, preamble,
payload at the chosen rate, SIFS, ACK), so a video frame's packets leave in a burst paced
by the air rate. Devices do not contend with one another (no collisions between them).
"""

import bisect
import math
import random
from dataclasses import dataclass

import numpy as np

from hardware.sim import wifi_frames as wf

REFERENCE_LOSS_DB = 40.2  # free-space loss at 1 m, 2.44 GHz
PATH_LOSS_EXPONENT = 2.0
SHADOWING_SIGMA_DB = 3.0
FADING_SIGMA_DB = 2.0
SENSITIVITY_DBM = -92.0
NOISE_FLOOR_DBM = -95.0

HT_MCS_RATE_MBPS = (6.5, 13.0, 19.5, 26.0, 39.0, 52.0, 58.5, 65.0)  # 20 MHz, 1 stream, long GI
HT_MCS_REQUIRED_SNR_DB = (2.0, 5.0, 9.0, 11.0, 15.0, 18.0, 20.0, 25.0)
MAX_TRANSMISSIONS = 7
SLOT_US, SIFS_US, DIFS_US = 9.0, 10.0, 28.0
HT_PREAMBLE_US, LEGACY_PREAMBLE_US = 36.0, 20.0
ACK_RATE_MBPS = 24.0


@dataclass
class RadioState:
    """One device's radio: where it is, how loud, and its link and counters."""

    mac: bytes
    position_m: tuple[float, float, float]
    channel: int
    tx_power_dbm: float
    wall_loss_db: float
    shadowing_db: float
    link_snr_db: float
    mean_snr_db: float
    busy_until_s: float = 0.0
    sequence: int = 0
    packet_number: int = 1

    @property
    def ack_frame(self) -> bytes:
        """The ACK this device's peers send it (it names only the receiver)."""
        return wf.ack(self.mac)

    def next_sequence(self) -> int:
        self.sequence = (self.sequence + 1) & 0xFFF
        return self.sequence


class Air:
    """Turns devices' transmissions into the frames the handheld captures."""

    def __init__(self, rng: random.Random, receiver_at, epoch_s: float):
        self.rng = rng  # Python's generator: scalar draws in the per-frame path are cheap
        self.receiver_at = receiver_at  # t_s -> the handheld's position (metres)
        self.epoch_s = epoch_s
        self.captured: list[tuple[float, bytes]] = []
        self._normals: list[float] = []

    def _normal(self, sigma: float) -> float:
        """A normal draw, from batches numpy makes (a per-frame random.gauss costs more)."""
        if not self._normals:
            batch = np.random.default_rng(self.rng.getrandbits(64)).standard_normal(65_536)
            self._normals = batch.tolist()
        return sigma * self._normals.pop()

    def signal_dbm(self, radio: RadioState, t_s: float) -> float:
        x, y, z = self.receiver_at(t_s)
        px, py, pz = radio.position_m
        distance_m = math.sqrt((px - x) ** 2 + (py - y) ** 2 + (pz - z) ** 2)
        loss_db = REFERENCE_LOSS_DB + 10 * PATH_LOSS_EXPONENT * math.log10(max(distance_m, 0.1))
        fading_db = self._normal(FADING_SIGMA_DB)
        return radio.tx_power_dbm - loss_db - radio.wall_loss_db + radio.shadowing_db + fading_db

    def _capture(self, radio: RadioState, t_s: float, frame: bytes, **rate) -> None:
        signal = self.signal_dbm(radio, t_s)
        if signal < SENSITIVITY_DBM:
            return
        tsft_us = int(t_s * 1e6) & 0xFFFFFFFFFFFFFFFF
        self.captured.append((self.epoch_s + t_s,
                              wf.radiotap(tsft_us, radio.channel, signal, **rate) + frame))

    def send_management(self, radio: RadioState, t_s: float, frame: bytes,
                        rate_mbps: float = 1.0) -> float:
        """Broadcast a management frame (no ACK); return when the air is free again."""
        backoff_us = DIFS_US + SLOT_US * self.rng.randrange(16)
        start_s = max(t_s, radio.busy_until_s) + backoff_us * 1e-6
        self._capture(radio, start_s, frame, rate_mbps=rate_mbps)
        radio.busy_until_s = start_s + (LEGACY_PREAMBLE_US + len(frame) * 8 / rate_mbps) * 1e-6
        return radio.busy_until_s

    def send_unicast(self, radio: RadioState, peer: RadioState, t_s: float, build) -> float:
        """Send ``build(sequence, packet_number) -> bytes`` to ``peer``, with retries.

        A retransmission is the same frame with the Retry bit set. Every transmission (and
        each ACK ``peer`` returns) is captured if loud enough. Returns when ``radio`` is free.
        """
        sequence, packet_number = radio.next_sequence(), radio.packet_number
        radio.packet_number += 1
        radio.link_snr_db += 0.02 * (radio.mean_snr_db - radio.link_snr_db) + self._normal(0.3)
        mcs = self._choose_mcs(radio)
        t = max(t_s, radio.busy_until_s)
        first = build(sequence, packet_number)
        retried = bytes([first[0], first[1] | wf.RETRY]) + first[2:]
        for attempt in range(MAX_TRANSMISSIONS):
            backoff_slots = self.rng.randrange(min(16 << attempt, 1024))
            t += (DIFS_US + SLOT_US * backoff_slots) * 1e-6
            frame = retried if attempt else first
            self._capture(radio, t, frame, mcs=mcs)
            t += (HT_PREAMBLE_US + len(frame) * 8 / HT_MCS_RATE_MBPS[mcs]) * 1e-6
            snr = radio.link_snr_db + self._normal(1.5)
            delivered = self.rng.random() > _loss_probability(snr, mcs)
            if delivered:
                t += SIFS_US * 1e-6
                self._capture(peer, t, radio.ack_frame, rate_mbps=ACK_RATE_MBPS)
                t += (LEGACY_PREAMBLE_US + 14 * 8 / ACK_RATE_MBPS) * 1e-6
                break
            if attempt % 2 == 1 and mcs > 0:
                mcs -= 1
        radio.busy_until_s = t
        return t

    def _choose_mcs(self, radio: RadioState) -> int:
        mcs = max(bisect.bisect_right(HT_MCS_REQUIRED_SNR_DB, radio.link_snr_db - 3.0) - 1, 0)
        if self.rng.random() < 0.1:
            mcs = min(mcs + 1, len(HT_MCS_RATE_MBPS) - 1)
        return mcs


def _loss_probability(snr_db: float, mcs: int) -> float:
    return 1.0 / (1.0 + math.exp((snr_db - HT_MCS_REQUIRED_SNR_DB[mcs]) / 1.5))


def new_radio(rng: np.random.Generator, mac: bytes, position_m, channel: int, *,
              tx_power_dbm: float, wall_loss_db: float, link_snr_db: float) -> RadioState:
    return RadioState(mac, tuple(float(v) for v in position_m), channel, tx_power_dbm,
                      wall_loss_db, float(rng.normal(0, SHADOWING_SIGMA_DB)), link_snr_db,
                      link_snr_db)
