"""The step-runner seam between the inspection engine and the RF and optical pipelines.

The engine asks a ``StepRunner`` for three things: an RF sweep (``sweep``, a ``SweepOutcome``),
an optical scan of one place (``scan``, a ``ScanOutcome``) and a few proximity readings of one
emitter (``follow``, ``ProximityReading``s). ``detector.engine.hardware_steps.HardwareSteps``
does them on a hardware session; tests pass a runner that returns outcomes they built. While a
step runs it reports how far it is (``on_progress``) and what a phone shows live
(``on_live``: the spectrum swept so far, or each frame's optics status, see
``detector.engine.live_view``).

This module also turns outcomes into the plain dicts a record keeps (``rf_result``,
``optical_result``, ``change_result``, ``wifi_result``: the Wi-Fi inventory, kinds and lock-in
decisions, with the capture as pcapng evidence), writing the evidence behind them (gzipped
spectrum CSV, SigMF captures, PNG crops of each optical finding, the place's keyframe, both crops
of each change since last time) to the evidence store; the sweep's captures are moved there from
the scratch directory it wrote them to.
"""

import dataclasses
import gzip
import io
import math
from pathlib import Path
from typing import Protocol

from detector.engine.fusion import is_video
from detector.errors import DetectorError
from detector.log.evidence import EvidenceRef, EvidenceStore
from hardware.wifi.capture import pcapng_bytes

PROXIMITY_READINGS = 5
WIFI_EVIDENCE_KIND = "wifi_capture"
PCAPNG_MEDIA_TYPE = "application/x-pcapng"
MAX_TRACKED_EMITTERS = 3


class StepError(DetectorError):
    """A step could not be run or its outcome not recorded."""


class StepRunner(Protocol):
    """What the engine needs from the sensing side. ``on_progress(fraction)`` takes 0..1;
    ``on_live(payload)`` a ``spectrum`` (sweep) or ``optics_status`` (scan) event's fields."""

    def sweep(self, baseline, on_progress, on_live): ...

    def scan(self, stall: int, zone: str, on_progress, on_live): ...

    def spectrum_csv(self, spectrum) -> str:
        """The sweep's spectrum as CSV text (the evidence kept of it)."""

    def follow(self, freq_hz: float, n_readings: int) -> list:
        """Readings with ``power_db`` and ``level`` (0..1), like ``ProximityReading``."""

    def wifi_passive(self):
        """A passive Wi-Fi survey beside the sweep (``WifiOutcome``), or None without Wi-Fi."""

    def wifi_place(self, stall: int, zone: str, on_check=None):
        """The Wi-Fi stimulus at the place just scanned and the lock-in over its stall so far
        (``WifiOutcome``), or None without Wi-Fi; after the stall's last place, the place
        check too (``on_check(place, seconds)``: where the inspector points the handheld)."""

    def wifi_follow(self, mac: str, channel: int | None, duration_s: float, on_reading):
        """Readings of one Wi-Fi transmitter's RSSI (``ProximityReading``), each handed to
        ``on_reading`` as it comes; None without Wi-Fi."""

    def baseline_from_json(self, text: str): ...

    def empty_baseline(self): ...

    def rf_presence(self, baseline, emitters) -> dict:
        """``{"stable_known", "stable_seen"}``: the site's stable emitters seen today."""


def plain(value):
    """``value`` as JSON-ready data: numpy scalars and arrays to Python, NaN/inf to None."""
    if hasattr(value, "to_dict"):
        return plain(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist"):  # a numpy array or scalar (numpy is not imported to read logs)
        return plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def rf_result(outcome, spectrum_csv: str, evidence: EvidenceStore) -> tuple[dict, list]:
    """The record's view of a sweep, and the evidence written for it (the spectrum as CSV,
    and the SigMF captures the sweep kept)."""
    # gzip shrinks a sweep's spectrum CSV about eightfold (3.5 MB to 0.4 MB for the default
    # bands); mtime=0 keeps the bytes, and so the evidence hash, reproducible.
    refs = [evidence.put_bytes(gzip.compress(spectrum_csv.encode("utf-8"), mtime=0),
                               kind=SPECTRUM_EVIDENCE_KIND, media_type="application/gzip")]
    refs += [_store_capture(path, evidence) for path in _capture_files(outcome.captures)]
    emitters = [plain(e) for e in outcome.emitters]
    result = {
        "kind": "rf_sweep",
        "duration_s": float(outcome.duration_s),
        "emitters": emitters,
        "comparison": _comparison(outcome.comparison),
        "evidence": [r.to_dict() for r in refs],
    }
    return result, refs


SPECTRUM_EVIDENCE_KIND = "spectrum.csv.gz"


def read_spectrum_evidence(evidence: EvidenceStore, sha256: str):
    """A stored sweep spectrum's frequencies and powers (the first two CSV columns), as numpy
    arrays."""
    import numpy as np  # noqa: PLC0415 (import cost: reading the log needs no numpy)

    text = gzip.decompress(evidence.read(sha256)).decode("utf-8")
    columns = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1, usecols=(0, 1), ndmin=2)
    return columns[:, 0], columns[:, 1]


def tracked_emitters(rf_step: dict | None) -> list[dict]:
    """Emitters worth following while scanning: video first, strongest first, a few at most."""
    if rf_step is None:
        return []
    video = [e for e in rf_step["emitters"] if is_video(e)]
    return sorted(video, key=lambda e: -e["power_db"])[:MAX_TRACKED_EMITTERS]


def optical_result(outcome, stall: int, zone: str, evidence: EvidenceStore,
                   proximity: list[dict]) -> tuple[dict, list[EvidenceRef]]:
    """The record's view of one place's scan, with a PNG crop of every finding as evidence."""
    refs, findings = [], []
    for finding in outcome.findings:
        data = {k: v for k, v in plain(finding).items() if k != "crop"}
        crop = getattr(finding, "crop", None)
        if crop is not None and getattr(crop, "size", 0):
            ref = evidence.put_bytes(_png_bytes(crop), kind=f"{finding.kind}_crop",
                                     media_type="image/png")
            refs.append(ref)
            data["crop_sha256"] = ref.sha256
        findings.append(data)
    keyframe = getattr(outcome, "keyframe", None)
    if keyframe is not None:
        ref = evidence.put_bytes(keyframe.png(), kind=KEYFRAME_EVIDENCE_KIND,
                                 media_type="image/png")
        refs.append(ref)
    result = {
        "kind": "optical_scan",
        "stall": stall,
        "zone": zone,
        "n_frames": int(outcome.n_frames),
        "code": plain(outcome.code),
        "findings": findings,
        "proximity": proximity,
        "evidence": [r.to_dict() for r in refs],
    }
    if keyframe is not None:
        result["keyframe"] = {"sha256": ref.sha256, "width": int(keyframe.image.shape[1]),
                              "height": int(keyframe.image.shape[0])}
    return result, refs


KEYFRAME_EVIDENCE_KIND = "keyframe"


def change_result(comparison, reference: dict, evidence: EvidenceStore
                  ) -> tuple[dict, list[EvidenceRef]]:
    """The record's view of what changed at a place since ``reference`` (the keyframe of the
    site's last signed-off inspection there), with each change's side-by-side crop."""
    refs, changes = [], []
    for change in comparison.changes:
        ref = evidence.put_bytes(_png_bytes(change.crop), kind="change_crop",
                                 media_type="image/png")
        refs.append(ref)
        changes.append({**plain(change.to_dict()), "crop_sha256": ref.sha256})
    result = {"reference": reference, "aligned": bool(comparison.aligned),
              "reason": comparison.alignment.reason, "changes": changes}
    return result, refs


def _comparison(comparison) -> dict | None:
    if comparison is None:
        return None
    return {name: [plain(e) for e in getattr(comparison, name, [])]
            for name in ("new", "stronger", "vanished", "friendly")}


def _capture_files(captures) -> list[Path]:
    """Every file of the sweep's captures (a SigMF pair counts as its two files)."""
    files = []
    for capture in captures or []:
        path = Path(capture)
        files.append(path)
        if path.suffix == ".sigmf-meta":
            files.append(path.with_suffix(".sigmf-data"))
    return [f for f in dict.fromkeys(files)]


def _store_capture(path: Path, evidence: EvidenceStore) -> EvidenceRef:
    """Move a capture the sweep wrote (to the scratch directory) into the evidence store."""
    media_type = ("application/sigmf-meta+json" if path.suffix == ".sigmf-meta"
                  else "application/octet-stream")
    ref = evidence.put_file(path, kind=f"capture{path.suffix}", media_type=media_type)
    path.unlink()
    return ref


def _png_bytes(image) -> bytes:
    import cv2  # noqa: PLC0415 (import cost: reading the log needs no OpenCV or numpy)
    import numpy as np  # noqa: PLC0415

    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(image))
    if not ok:
        raise StepError("could not encode an optical finding's crop as PNG")
    return encoded.tobytes()


def _stall_place(window: str) -> dict:
    """A survey window's name (``stall:zone``) as the record's place."""
    stall, zone = window.split(":", 1)
    return {"stall": int(stall), "zone": zone}


def _stall_places_of(check: dict) -> dict:
    """The place check's reading with its per-place figures keyed by zone (the check runs
    within one stall)."""
    return {**check, **{key: {_stall_place(p)["zone"]: v for p, v in check[key].items()}
                        for key in ("slopes_bytes", "errors_bytes")}}


def wifi_result(outcome, evidence: EvidenceStore, *, stall=None, zone=None):
    """The record's view of a survey step, and the pcapng evidence of what it captured."""
    refs = []
    if outcome.frames:
        refs.append(evidence.put_bytes(pcapng_bytes(outcome.frames), kind=WIFI_EVIDENCE_KIND,
                                       media_type=PCAPNG_MEDIA_TYPE))
    transmitters = []
    for report in outcome.survey.transmitters:
        data = report.to_dict()
        stimulus = data["stimulus"]
        if stimulus is not None and stimulus["place"]:
            stimulus["place"] = _stall_place(stimulus["place"])
            stimulus["places"] = [_stall_place(p) for p in stimulus["places"]]
        if stimulus is not None and stimulus["check"] is not None:
            stimulus["check"] = _stall_places_of(stimulus["check"])
        transmitters.append(data)
    result = {"kind": "wifi_survey", "stall": stall, "zone": zone,
              "frames": outcome.survey.n_frames, "places": outcome.places,
              "place_check": {"places": [_stall_place(p) for p in outcome.checked],
                              "seconds": outcome.check_s, "rounds": outcome.check_rounds}
              if outcome.checked else None,
              "transmitters": transmitters, "evidence": [r.to_dict() for r in refs]}
    return result, refs
