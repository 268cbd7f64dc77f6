"""Outcome doubles for the inspection engine: plain dataclasses shaped like the RF and optics
pipelines' results, and a step runner that returns them for a described restroom.

``FakeRestroom`` says what is there (emitters, lenses and IR LEDs by stall and zone, and how
strong a transmitter reads at each zone); ``FakeSteps`` answers the engine's sweep, scan and
follow calls from it, so tests compare the engine's alerts, verdicts and records with that truth.
"""

import json
from dataclasses import asdict, dataclass, field

import numpy as np

from optics.keyframe import Keyframe


@dataclass
class FakeEmitter:
    freq_hz: float
    bandwidth_hz: float
    power_db: float
    kind: str
    video_standard: str | None = None
    line_rate_hz: float | None = None
    confidence: float = 0.9

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class FakeSpectrum:
    freqs_hz: np.ndarray
    power_db: np.ndarray

    def to_dict(self) -> dict:
        return {"freqs_hz": self.freqs_hz.tolist(), "power_db": self.power_db.tolist()}


@dataclass
class FakeComparison:
    new: list
    stronger: list
    vanished: list
    friendly: list


@dataclass
class FakeSweepOutcome:
    spectrum: FakeSpectrum
    emitters: list
    comparison: FakeComparison | None
    captures: list
    duration_s: float


@dataclass
class FakeFinding:
    kind: str
    frame: int
    x: float
    y: float
    radius_px: float
    confidence: float
    crop: np.ndarray

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "crop"}


@dataclass
class FakeScanOutcome:
    findings: list
    n_frames: int
    code: str
    keyframe: object = None  # an optics.keyframe.Keyframe, when the restroom has pictures


@dataclass
class FakeReading:
    t_s: float
    power_db: float
    level: float


@dataclass
class FakeBaseline:
    """Remembers which frequencies (100 kHz bins) a site normally has."""

    freqs_hz: tuple = ()

    @classmethod
    def empty(cls):
        return cls()

    def updated_with(self, spectrum, emitters):
        return FakeBaseline(tuple(sorted({*self.freqs_hz, *(round(e.freq_hz, -5)
                                                           for e in emitters)})))

    def to_json(self) -> str:
        return json.dumps({"freqs_hz": list(self.freqs_hz)})

    @classmethod
    def from_json(cls, text: str):
        return cls(tuple(json.loads(text)["freqs_hz"]))

    def knows(self, emitter) -> bool:
        return round(emitter.freq_hz, -5) in self.freqs_hz


AMBIENT = (FakeEmitter(95.9e6, 200e3, -40.0, "broadcast"),
           FakeEmitter(575e6, 5.6e6, -45.0, "broadcast"))


def video_emitter(freq_hz=1.2e9, power_db=-50.0):
    return FakeEmitter(freq_hz, 18e6, power_db, "analog_video", "PAL", 15625.0)


@dataclass
class FakeRestroom:
    """The truth the doubles answer from."""

    emitters: tuple = AMBIENT
    lenses: dict = field(default_factory=dict)  # (stall, zone) -> confidence
    ir_leds: set = field(default_factory=set)  # {(stall, zone)}
    power_by_zone_db: dict = field(default_factory=dict)  # zone -> a transmitter's power there
    pictures: dict = field(default_factory=dict)  # (stall, zone) -> the place's keyframe
    captures: list = field(default_factory=list)


class FakeSteps:
    """A step runner answering from a ``FakeRestroom``; counts the calls it gets."""

    def __init__(self, restroom: FakeRestroom | None = None):
        self.restroom = restroom or FakeRestroom()
        self.calls = []
        self._zone = "rf_sweep"

    def sweep(self, baseline, on_progress, on_live):
        self.calls.append(("sweep", baseline))
        on_progress(0.5)
        emitters = list(self.restroom.emitters)
        comparison = None
        if baseline is not None:
            comparison = FakeComparison([e for e in emitters if not baseline.knows(e)], [], [], [])
        freqs = np.linspace(24e6, 1.766e9, 64)
        return FakeSweepOutcome(FakeSpectrum(freqs, np.full(64, -90.0)), emitters, comparison,
                                list(self.restroom.captures), 12.5)

    def scan(self, stall, zone, on_progress, on_live):
        self.calls.append(("scan", stall, zone))
        self._zone = zone
        on_progress(1)
        findings = []
        if (stall, zone) in self.restroom.lenses:
            findings.append(FakeFinding("lens", 7, 320.0, 240.0, 2.5,
                                        self.restroom.lenses[(stall, zone)],
                                        _crop(stall, zone, 1)))
        if (stall, zone) in self.restroom.ir_leds:
            findings.append(FakeFinding("ir_emitter", 3, 100.0, 80.0, 4.0, 0.7,
                                        _crop(stall, zone, 2)))
        picture = self.restroom.pictures.get((stall, zone))
        keyframe = None if picture is None else Keyframe(picture, picture.shape[1],
                                                         picture.shape[0])
        return FakeScanOutcome(findings, 48, "on-off-on-off", keyframe)

    def follow(self, freq_hz, n_readings):
        self.calls.append(("follow", freq_hz))
        power_db = self.restroom.power_by_zone_db.get(self._zone, -60.0)
        return [FakeReading(0.1 * i, power_db + 0.1 * i, min(max((power_db + 70) / 50, 0), 1))
                for i in range(n_readings)]

    def wifi_passive(self):
        return None  # these inspections have no Wi-Fi capture

    def wifi_place(self, stall, zone, on_check=None):
        return None

    def spectrum_csv(self, spectrum):
        return "freq_hz,power_db\n" + "".join(f"{f:.0f},{p:.1f}\n" for f, p in
                                             zip(spectrum.freqs_hz, spectrum.power_db, strict=True))

    def baseline_from_json(self, text):
        return FakeBaseline.from_json(text)

    def empty_baseline(self):
        return FakeBaseline.empty()

    def rf_presence(self, baseline, emitters):
        known = len(baseline.freqs_hz) if baseline is not None else 0
        seen = sum(1 for e in emitters if baseline is not None and baseline.knows(e))
        return {"stable_known": known, "stable_seen": min(seen, known)}


def _crop(stall, zone, salt) -> np.ndarray:
    """A small distinct image per place, so each crop is its own evidence file."""
    seed = stall * 1000 + sum(map(ord, zone)) * 10 + salt
    return np.random.default_rng(seed).integers(0, 255, (24, 24), dtype=np.uint8)
