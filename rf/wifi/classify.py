"""What each transmitter is, from passive traffic alone: ``camera``, ``video_stream``, ``ap`` or
``other``, with a calibrated confidence.

Encryption hides payloads, not sizes and timing. A video encoder emits a frame every 1/fps
seconds and an I-frame (several times larger) every group of pictures (GOP, 1-4 s on spy
cameras); packetised, that is a steady uplink of near-MTU frames with a burst at the GOP
period. What tells the kinds apart:

- ``log_up_rate``: log10 of uplink bytes/s (video: 60-250 kB/s; a smart plug: tens of bytes/s);
- ``up_share``: the uplink's share of the device's data (a camera sends, a browsing phone or a
  downloading laptop receives, a video call does both);
- ``occupancy``: the share of seconds with uplink traffic (a stream never pauses);
- ``periodicity``: the autocorrelation peak of the uplink byte series at lags of 0.5-5 s (the
  GOP's I-frame bursts);
- ``large_share``: the share of uplink frames of 1024 bytes or more (video fills frames);
- ``log_down_rate``: log10 of downlink bytes/s (a video call receives a stream too);
- ``announces``: it sends beacons (an access point; a camera in AP mode does too).

The vendor (a camera-module maker, ``is_camera_vendor``) and a randomised address are reported
but are not terms of the model: in the simulator they follow the label by construction, and a
model leaning on them would be judged on its own assumptions.

The kind is the most probable class of a multinomial logistic model over these terms, and its
probability is the confidence. The weights (``MODEL_PATH``) are fitted by
``python -m bench.fit_wifi_classifier`` on the simulator's TRAINING seeds only; the benchmark
(``ansim bench wifi``) scores a separate block of seeds the model has never seen.
"""

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rf.wifi.inventory import SIZE_BIN_EDGES, Traffic, Transmitter
from rf.wifi.lockin import uplink_series

KINDS = ("camera", "video_stream", "ap", "other")
TERMS = ("bias", "log_up_rate", "up_share", "occupancy", "periodicity", "large_share",
         "log_down_rate", "announces")
MODEL_PATH = Path(__file__).with_name("classifier.json")
#: Makers whose Wi-Fi modules and SoCs sit in cheap IP and spy cameras (the V380 and
#: HDWiFiCam families), matched case-insensitively against the registry's organisation name.
CAMERA_MODULE_VENDORS = ("hikvision", "dahua", "ezviz", "shenzhen bilian", "altobeam",
                         "fn-link", "hisilicon", "ingenic", "anyka", "imou", "tp-link tapo",
                         "shenzhen ogemray", "xiongmai", "reolink", "wyze", "yi technology")
_PERIODICITY_BIN_S = 0.1
_PERIODICITY_LAGS_S = (0.5, 5.0)
_LARGE_BYTES = 1024


@dataclass(frozen=True)
class Classification:
    kind: str
    confidence: float
    probabilities: dict[str, float]
    terms: dict[str, float]


def is_camera_vendor(vendor: str | None) -> bool:
    return bool(vendor) and any(name in vendor.lower() for name in CAMERA_MODULE_VENDORS)


def traffic_terms(time_s: np.ndarray, length: np.ndarray, traffic: Traffic,
                  inventory: list[Transmitter]) -> np.ndarray:
    """The model's terms, one row per transmitter (rows in ``inventory`` order)."""
    n = len(inventory)
    terms = np.zeros((n, len(TERMS)))
    if n == 0:
        return terms
    start_s = float(time_s[0])
    span_s = max(float(time_s[-1]) - start_s, 1.0)
    n_bins = max(int(span_s / _PERIODICITY_BIN_S), 1)
    fine = uplink_series(time_s, length, traffic.up_of, n, start_s, n_bins)
    seconds = fine[:, :n_bins - n_bins % 10].reshape(n, -1, 10).sum(axis=2)
    for i, tx in enumerate(inventory):
        up_frames = sum(tx.up_size_histogram)
        large = sum(c for c, edge in zip(tx.up_size_histogram, SIZE_BIN_EDGES)
                    if edge >= _LARGE_BYTES)
        total = tx.up_bytes_per_s + tx.down_bytes_per_s
        terms[i] = (
            1.0, math.log10(1.0 + tx.up_bytes_per_s),
            tx.up_bytes_per_s / total if total > 0 else 0.0,
            float(np.mean(seconds[i] > 0)) if seconds.shape[1] else 0.0,
            _periodicity(fine[i]), large / up_frames if up_frames else 0.0,
            math.log10(1.0 + tx.down_bytes_per_s), float(tx.role == "ap"))
    return terms


def _periodicity(series: np.ndarray) -> float:
    """The highest autocorrelation of the byte series at lags of 0.5-5 s (0 for no traffic)."""
    lo, hi = (int(s / _PERIODICITY_BIN_S) for s in _PERIODICITY_LAGS_S)
    if len(series) < 2 * hi:
        hi = len(series) // 2
    x = series - series.mean()
    energy = float(x @ x)
    if energy == 0 or hi <= lo:
        return 0.0
    spectrum = np.fft.rfft(x, 2 * len(x))
    autocorrelation = np.fft.irfft(spectrum * np.conj(spectrum))[:hi + 1] / energy
    return float(max(autocorrelation[lo:hi + 1].max(), 0.0))


@dataclass(frozen=True)
class KindModel:
    """Multinomial logistic weights: one row per kind, one column per term."""

    weights: np.ndarray

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "KindModel":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("terms") != list(TERMS) or data.get("kinds") != list(KINDS):
            raise ValueError(f"{path}: fitted for other terms or kinds; re-run "
                             "python -m bench.fit_wifi_classifier")
        return cls(np.array(data["weights"], np.float64))

    def probabilities(self, terms: np.ndarray) -> np.ndarray:
        logits = terms @ self.weights.T
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def classify(self, terms: np.ndarray) -> list[Classification]:
        result = []
        for row, p in zip(terms, self.probabilities(terms)):
            best = int(np.argmax(p))
            result.append(Classification(
                KINDS[best], round(float(p[best]), 4),
                {k: round(float(v), 4) for k, v in zip(KINDS, p)},
                {t: round(float(v), 4) for t, v in zip(TERMS, row)}))
        return result
