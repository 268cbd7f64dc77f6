"""A site's known Wi-Fi transmitters: who was on the air at this restroom in earlier clear
inspections, and how loud, so today's survey can say who is new and who is suddenly close.

The building's access points are heard at every inspection, each at a level set by where it
hangs (the corridor ceiling, the next room). A spy camera is a transmitter that was not there
before, or one whose level jumped because it is now inside the restroom: received power falls
about 6 dB per doubling of distance (free space, exponent 2), so ``STRONGER_DB`` (10 dB)
above the loudest it was ever heard here is roughly three times closer than it has ever been.

Per transmitter the baseline keeps its role, SSID, vendor and kind, how many inspections heard
it, its level of each of the last ``RECENT_INSPECTIONS`` (an inspection's level is the loudest
of its steps' mean RSSI: the place the handheld came closest) and the loudest level ever.

**Randomised addresses.** A locally administered MAC (bit 0x02 of the first octet) is not
assigned by the IEEE. Phones make one up per network and change it every few hours or
reconnections (Android 10+, iOS 14+), so a *station* with such an address would be "new" at
every inspection and never recognised: it is ``transient``, neither learned nor judged new
(its traffic is still judged by kind: a camera streaming from a made-up address is still a
``wifi_video``). An *access point*'s locally administered BSSID is configuration, not privacy
(multi-SSID APs derive their second and third BSSIDs by setting that bit; a camera in
access-point mode keeps its own), so APs are learned and judged whatever their address.

Immutable: ``updated_with`` returns a new baseline, stored as JSON with the site
(``FORMAT``) beside the RF one (``rf.baseline``). Pure Python: reading a log needs no numpy.

Example::

    baseline = WifiBaseline.empty().updated_with(observations(steps_transmitters))
    statuses = baseline.compare(today_transmitters)   # {mac: TransmitterStatus}
"""

import json
import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

from rf.errors import ProblemError, loads_json

FORMAT = "ansim-wifi-baseline/1"
RECENT_INSPECTIONS = 9
#: A known transmitter this much above the loudest it was ever heard here is "stronger"
#: (about 3x closer at a path-loss exponent of 2; a room's fading and the handheld's pose move
#: one spot's mean RSSI by a few dB, well inside this).
STRONGER_DB = 10.0
#: Heard in this many clear inspections, a transmitter is one of the site's stable ones.
STABLE_COUNT = 2
#: A new transmitter heard at least this loud is as close as inside the restroom: a 15 dBm
#: phone-class radio within ~3 m with no wall between (40 dB at 1 m + 20 log10(3) ~ 50 dB
#: path loss, plus a few dB of body and fading); quieter new ones are probably next door.
NEAR_DBM = -45.0
LOCALLY_ADMINISTERED_BIT = 0x02
STATUSES = ("new", "stronger", "known", "transient")


class WifiBaselineError(ProblemError):
    """A stored Wi-Fi baseline (or a transmitter given to it) that cannot be read; the message
    names the field and the problem."""


@dataclass(frozen=True)
class Observation:
    """One transmitter as one inspection heard it (the loudest of its steps)."""

    mac: str
    role: str
    rssi_dbm: float | None
    randomised: bool = False
    ssid: str | None = None
    vendor: str | None = None
    kind: str = "other"

    @property
    def transient(self) -> bool:
        """A station with a made-up address: never learned, never new (module docstring)."""
        return self.randomised and self.role != "ap"


@dataclass(frozen=True)
class KnownTransmitter:
    mac: str
    role: str
    ssid: str | None
    vendor: str | None
    kind: str
    recent_rssi_dbm: tuple[float, ...]
    max_rssi_dbm: float | None
    count: int

    @property
    def usual_dbm(self) -> float | None:
        return round(statistics.median(self.recent_rssi_dbm), 1) if self.recent_rssi_dbm \
            else None

    @property
    def stable(self) -> bool:
        return self.count >= STABLE_COUNT


@dataclass(frozen=True)
class TransmitterStatus:
    """What the site's history says of one transmitter heard today."""

    status: str  # one of STATUSES
    stable: bool = False
    usual_dbm: float | None = None
    max_dbm: float | None = None
    inspections: int = 0  # how many clear inspections heard it

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class WifiBaseline:
    inspections: int = 0
    transmitters: tuple[KnownTransmitter, ...] = ()

    @classmethod
    def empty(cls) -> "WifiBaseline":
        return cls()

    def known(self, mac: str) -> KnownTransmitter | None:
        return next((k for k in self.transmitters if k.mac == mac.lower()), None)

    @property
    def stable_bssids(self) -> list[str]:
        """The site's access points heard in at least ``STABLE_COUNT`` clear inspections."""
        return [k.mac for k in self.transmitters if k.role == "ap" and k.stable]

    def updated_with(self, heard: Iterable[Observation]) -> "WifiBaseline":
        """This baseline plus one more clear inspection's transmitters (transient ones
        skipped)."""
        by_mac = {k.mac: k for k in self.transmitters}
        for obs in heard:
            if obs.transient:
                continue
            k = by_mac.get(obs.mac)
            recent = () if obs.rssi_dbm is None else (obs.rssi_dbm,)
            if k is None:
                by_mac[obs.mac] = KnownTransmitter(obs.mac, obs.role, obs.ssid, obs.vendor,
                                                   obs.kind, recent, obs.rssi_dbm, 1)
                continue
            loudest = [v for v in (k.max_rssi_dbm, obs.rssi_dbm) if v is not None]
            by_mac[obs.mac] = replace(
                k, role="ap" if "ap" in (k.role, obs.role) else obs.role,
                ssid=obs.ssid or k.ssid, vendor=obs.vendor or k.vendor, kind=obs.kind,
                recent_rssi_dbm=(k.recent_rssi_dbm + recent)[-RECENT_INSPECTIONS:],
                max_rssi_dbm=max(loudest) if loudest else None, count=k.count + 1)
        return WifiBaseline(self.inspections + 1, tuple(sorted(by_mac.values(),
                                                               key=lambda k: k.mac)))

    def status_of(self, obs: Observation) -> TransmitterStatus:
        """New, stronger, known or transient, with the history behind it."""
        if obs.transient:
            return TransmitterStatus("transient")
        k = self.known(obs.mac)
        if k is None:
            return TransmitterStatus("new")
        louder = (obs.rssi_dbm is not None and k.max_rssi_dbm is not None
                  and obs.rssi_dbm > k.max_rssi_dbm + STRONGER_DB)
        return TransmitterStatus("stronger" if louder else "known", k.stable, k.usual_dbm,
                                 k.max_rssi_dbm, k.count)

    def compare(self, transmitters: Iterable[dict]) -> dict[str, TransmitterStatus]:
        """``{mac: TransmitterStatus}`` for transmitters as a survey step records them."""
        return {obs.mac: self.status_of(obs) for obs in map(observation, transmitters)}

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "inspections": self.inspections,
                           "transmitters": [asdict(k) | {"recent_rssi_dbm": list(
                               k.recent_rssi_dbm)} for k in self.transmitters]})

    @classmethod
    def from_json(cls, text: str) -> "WifiBaseline":
        raw = loads_json(text, WifiBaselineError, "Wi-Fi baseline")
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise WifiBaselineError(f"Wi-Fi baseline: format must be {FORMAT!r}",
                                    code="wifi_baseline_format", expected=repr(FORMAT))
        try:
            known = tuple(KnownTransmitter(
                _mac(k["mac"]), str(k["role"]), _text_or_none(k["ssid"]),
                _text_or_none(k["vendor"]), str(k["kind"]),
                tuple(_dbm(v) for v in k["recent_rssi_dbm"]),
                None if k["max_rssi_dbm"] is None else _dbm(k["max_rssi_dbm"]), int(k["count"]))
                for k in raw["transmitters"])
            return cls(int(raw["inspections"]), known)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise WifiBaselineError(f"Wi-Fi baseline: malformed transmitter: {exc!r}",
                                    code="wifi_baseline_malformed") from None


def observation(tx: dict) -> Observation:
    """A survey step's transmitter (``TransmitterReport.to_dict()``) as an ``Observation``."""
    try:
        rssi = tx.get("rssi_dbm")
        return Observation(_mac(tx["mac"]), str(tx.get("role") or "station"),
                           None if rssi is None else _dbm(rssi),
                           bool(tx.get("randomised", _locally_administered(tx["mac"]))),
                           _text_or_none(tx.get("ssid")), _text_or_none(tx.get("vendor")),
                           str(tx.get("kind") or "other"))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise WifiBaselineError(f"transmitter {tx!r:.80}: {exc}",
                                code="wifi_transmitter_malformed") from None


def observations(steps_transmitters: Iterable[Iterable[dict]]) -> list[Observation]:
    """One inspection's transmitters over all its survey steps: each MAC once, at the
    loudest of its steps' mean RSSI (the place the handheld came closest to it)."""
    best: dict[str, Observation] = {}
    for transmitters in steps_transmitters:
        for obs in map(observation, transmitters):
            seen = best.get(obs.mac)
            louder = seen is None or (obs.rssi_dbm is not None and (
                seen.rssi_dbm is None or obs.rssi_dbm > seen.rssi_dbm))
            kept = obs if louder else seen
            was_ap = seen is not None and "ap" in (seen.role, obs.role)
            best[obs.mac] = replace(kept, role="ap") if was_ap else kept
    return list(best.values())


def _mac(value) -> str:
    text = str(value).strip().lower()
    parts = text.split(":")
    if len(parts) != 6 or not all(len(p) == 2 and int(p, 16) >= 0 for p in parts):
        raise ValueError(f"{value!r} is not a MAC address (six hex octets with ':')")
    return text


def _locally_administered(mac) -> bool:
    return bool(int(_mac(mac)[:2], 16) & LOCALLY_ADMINISTERED_BIT)


def _dbm(value) -> float:
    number = float(value)
    if not -150.0 <= number <= 30.0:
        raise ValueError(f"{value!r} dBm is outside -150..30")
    return number


def _text_or_none(value) -> str | None:
    return None if value is None else str(value)
