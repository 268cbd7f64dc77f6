"""Proximity mode: follow one emitter's power at ten or more readings a second, for the buzzer
(``rf.proximity.beep_interval_s``) and the dashboard meter, as the inspector closes in.

The radio stays tuned a quarter of the sample rate beside the emitter (away from the DC leak)
and reads one block per update. When the emitter gets so strong that the 8-bit ADC clips, the
gain steps down; readings are referred to the tuner input, so the power keeps rising smoothly
through gain changes.

``follow_wifi`` does the same for a Wi-Fi transmitter on the monitor-mode adapter: parked on
its channel, each update is the median RSSI of its frames in the last ``1 / updates_per_s``
(``rf.wifi.proximity``), turned into the same level and beep.

Example::

    for reading in follow(radio, 1.2e9, duration_s=5):
        buzzer.beep_every(beep_interval_s(reading.level))
    for reading in follow_wifi(wifi, "44:47:cc:12:34:56", channel=6, duration_s=5):
        buzzer.beep_every(beep_interval_s(reading.level))
"""

from dataclasses import dataclass

import numpy as np

from rf.proximity import band_power_db, level_from_power
from rf.wifi.frames import LINKTYPE_RADIOTAP, mac_int, parse_frames
from rf.wifi.proximity import FLOOR_DBM, level_from_rssi, window_rssi_dbm

GAIN_STEP_DB = 10.0
_CLIP_FRACTION = 1e-4


@dataclass(frozen=True)
class ProximityReading:
    t_s: float
    power_db: float  # input-referred dBFS in the emitter's band (RSSI in dBm for Wi-Fi)
    level: float  # 0..1, rising with power
    heard: bool = True  # False: nothing from the transmitter this update (level held)


def follow(radio, freq_hz: float, *, updates_per_s: float = 10, bandwidth_hz: float = 1.0e6,
           duration_s: float | None = None, noise_floor_db: float | None = None, clock=None):
    """Yield a ``ProximityReading`` per update, for ``duration_s`` (None: until closed).

    ``noise_floor_db`` anchors level 0; if not given it is measured once beside the emitter
    (well outside its band) before following starts.
    """
    if updates_per_s < 1:
        raise ValueError(f"updates_per_s must be at least 1, not {updates_per_s}")
    base_gain_db = radio.gain_db
    try:
        yield from _follow(radio, freq_hz, updates_per_s, bandwidth_hz, duration_s,
                           noise_floor_db, clock or getattr(radio, "clock", None))
    finally:  # the next user of the radio gets the gain it had
        if radio.gain_db != base_gain_db:
            radio.set_gain(base_gain_db)


def _follow(radio, freq_hz, updates_per_s, bandwidth_hz, duration_s, noise_floor_db, clock):
    rate_hz = radio.sample_rate_hz
    offset_hz = -rate_hz / 4
    block = int(rate_hz / updates_per_s)
    if noise_floor_db is None:
        noise_floor_db = _floor_beside(radio, freq_hz, bandwidth_hz, block)
    radio.tune(freq_hz - offset_hz)
    start_s = clock.now_s() if clock is not None else 0.0
    t_s = start_s
    while duration_s is None or t_s - start_s < duration_s:
        iq = radio.read(block)
        while _clipped(iq) and radio.gain_db:
            radio.set_gain(max(radio.gain_db - GAIN_STEP_DB, 0.0))
            iq = radio.read(block)
        gain_db = radio.gain_db or 0.0
        power_db = band_power_db(iq, rate_hz, offset_hz, min(bandwidth_hz, rate_hz / 2)) - gain_db
        t_s = clock.now_s() if clock is not None else t_s + block / rate_hz
        yield ProximityReading(round(t_s, 4), round(power_db, 2),
                               round(level_from_power(power_db, noise_floor_db), 4))


def _floor_beside(radio, freq_hz, bandwidth_hz, block) -> float:
    """The noise in an emitter-wide band far enough away to hold none of it."""
    rate_hz = radio.sample_rate_hz
    radio.tune(freq_hz + bandwidth_hz + rate_hz)
    iq = radio.read(block)
    return band_power_db(iq, rate_hz, rate_hz / 4, min(bandwidth_hz, rate_hz / 2)) \
        - (radio.gain_db or 0.0)


def _clipped(iq: np.ndarray) -> bool:
    at_full_scale = (np.abs(iq.real) >= 0.999) | (np.abs(iq.imag) >= 0.999)
    return float(np.mean(at_full_scale)) > _CLIP_FRACTION


def follow_wifi(capture, mac: str, *, channel: int | None = None, updates_per_s: float = 10,
                duration_s: float | None = None):
    """Yield a ``ProximityReading`` of ``mac`` per update (``power_db`` is its RSSI in dBm),
    for ``duration_s`` of the capture's clock (None: until closed).

    An update in which the transmitter sent nothing holds the last level (``heard=False``):
    an idle station sends only now and then, and a meter that dropped to nothing between its
    frames would send the inspector away. Before its first frame the level is 0.
    """
    if updates_per_s < 1:
        raise ValueError(f"updates_per_s must be at least 1, not {updates_per_s}")
    address = mac_int(mac)
    if channel is not None:
        capture.set_channel(channel)
    window_s = 1.0 / updates_per_s
    start_s = capture.now_s()
    rssi_dbm = None
    while duration_s is None or capture.now_s() - start_s < duration_s - 1e-9:
        frames = capture.read(window_s)
        linktype = frames[0].linktype if frames else LINKTYPE_RADIOTAP
        parsed = parse_frames([f.time_s for f in frames], [f.data for f in frames], linktype)
        heard = window_rssi_dbm(parsed, address)
        rssi_dbm = heard if heard is not None else rssi_dbm
        power = FLOOR_DBM if rssi_dbm is None else rssi_dbm
        yield ProximityReading(round(capture.now_s(), 4), power,
                               round(level_from_rssi(power), 4), heard is not None)
