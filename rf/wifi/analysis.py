"""The Wi-Fi analysis in one visible place: frames -> inventory -> kinds -> stimulus lock-in.

``analyze(timestamps_s, packets)`` parses the headers, attributes every frame, builds the
inventory, classifies each transmitter and, given the illuminator's switch log, tests each one
for a response to the light. Everything is pure: captures are read in ``hardware.wifi``.

A station watching a camera's stream (the viewer's phone of a camera in access-point mode)
acknowledges what it receives, so its small uplink follows the light too, through the camera.
The answer is the sender's: a transmitter that receives more than ``RECEIVER_RATIO`` times what
it sends is never called responding (its score and p-value are still reported).

Example::

    survey = analyze(times, packets, stimulus=StimulusLog.from_steps([(0, 0), (1, 1), (60, 0)]))
    [(t.transmitter.mac, t.kind.kind, t.stimulus) for t in survey.transmitters]
"""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from rf.wifi.classify import Classification, KindModel, traffic_terms
from rf.wifi.frames import LINKTYPE_RADIOTAP, parse_frames
from rf.wifi.inventory import Transmitter, attribute, build_inventory
from rf.wifi.lockin import StimulusLog, StimulusResponse, lock_in
from rf.wifi.oui import OuiRegistry
from rf.wifi.place import PlaceWindow

RECEIVER_RATIO = 2.0


@dataclass(frozen=True)
class TransmitterReport:
    transmitter: Transmitter
    kind: Classification
    stimulus: StimulusResponse | None

    def to_dict(self) -> dict:
        """The JSON shape of ``ansim wifi analyze`` (and of the inspection record)."""
        tx, kind = self.transmitter, self.kind
        stimulus = None
        if self.stimulus is not None:
            s = self.stimulus
            stimulus = {"responds": s.responds, "score": s.score, "lag_s": s.lag_s,
                        "p_value": float(f"{s.p_value:.3g}"), "place": s.place,
                        "places": list(s.places), "check": _check_dict(s.check)}
        return {
            "mac": tx.mac, "vendor": tx.vendor, "randomised": tx.randomised, "role": tx.role,
            "ssid": tx.ssid, "bssid": tx.bssid, "channel": tx.channel,
            "rssi_dbm": tx.rssi.mean_dbm,
            "rssi": {"mean_dbm": tx.rssi.mean_dbm, "min_dbm": tx.rssi.min_dbm,
                     "max_dbm": tx.rssi.max_dbm, "std_db": tx.rssi.std_db},
            "frames": tx.frames, "bytes": tx.bytes,
            "frames_per_s": {"up": round(tx.up_frames_per_s, 3),
                             "down": round(tx.down_frames_per_s, 3)},
            "bytes_per_s": {"up": round(tx.up_bytes_per_s, 1),
                            "down": round(tx.down_bytes_per_s, 1)},
            "up_size_histogram": list(tx.up_size_histogram),
            "kind": kind.kind, "confidence": kind.confidence, "stimulus": stimulus}


def _check_dict(check) -> dict | None:
    """The place check's reading (``rf.wifi.place_check``): the rings' brightness, and per
    place checked the bytes a unit of light change cost there with its standard error."""
    if check is None:
        return None
    return {"drive": round(check.drive, 3),
            "slopes_bytes": {p: round(v, 1) for p, v in check.slopes_bytes.items()},
            "errors_bytes": {p: round(v, 1) for p, v in check.errors_bytes.items()}}


@dataclass(frozen=True)
class WifiSurvey:
    transmitters: list[TransmitterReport]
    n_frames: int
    n_skipped: int
    start_s: float | None
    end_s: float | None

    def places_to_check(self) -> tuple[str, ...]:
        """The places the most evident responding transmitter (lowest p-value) leaves for the
        place check's next round (``StimulusResponse.to_check``): none when nothing answers,
        or once the check is done."""
        answers = [r.stimulus for r in self.transmitters
                   if r.stimulus is not None and r.stimulus.responds]
        return min(answers, key=lambda a: a.p_value).to_check if answers else ()


def analyze(timestamps_s: Sequence[float], packets: Sequence[bytes], *,
            linktype: int = LINKTYPE_RADIOTAP, registry: OuiRegistry | None = None,
            model: KindModel | None = None, stimulus: StimulusLog | None = None,
            places: Sequence[PlaceWindow] = (), drive: StimulusLog | None = None,
            check: Sequence[PlaceWindow] = ()) -> WifiSurvey:
    """Inventory, kinds and (with ``stimulus``, and the rings' switch log ``drive`` when it
    is known) lock-in of one capture; ``check``: the place check's windows
    (``rf.wifi.place_check``), whose dimmed switches are in ``drive``."""
    parsed = parse_frames(timestamps_s, packets, linktype)
    frames = parsed.frames
    traffic = attribute(parsed)
    inventory = build_inventory(parsed, traffic, registry or OuiRegistry())
    model = model or KindModel.load()
    kinds = model.classify(traffic_terms(frames["time_s"], frames["length"], traffic, inventory))
    responses = [None] * len(inventory)
    if stimulus is not None and inventory:
        responses = lock_in(frames["time_s"], frames["length"].astype(float), traffic.up_of,
                            len(inventory), stimulus, places, drive=drive, check=check)
        responses = [dataclasses.replace(r, responds=False, place=None, places=(), check=None,
                                         to_check=())
                     if tx.down_bytes_per_s > RECEIVER_RATIO * tx.up_bytes_per_s else r
                     for tx, r in zip(inventory, responses)]
    reports = [TransmitterReport(tx, kind, response)
               for tx, kind, response in zip(inventory, kinds, responses)]
    reports.sort(key=lambda r: (-r.transmitter.frames, r.transmitter.mac))
    times = frames["time_s"]
    return WifiSurvey(reports, len(frames), parsed.n_skipped,
                      float(times[0]) if len(times) else None,
                      float(times[-1]) if len(times) else None)
