"""A site's radio baseline (the REI method): what this restroom's spectrum looked like in earlier
inspections, so today's sweep can say what is new, stronger, gone, or known to be friendly.

The baseline keeps a coarse spectrum (the median of the last few inspections and the max-hold of
all, with counts) and the emitters seen before (median and max power, how often seen, their
kind, and a supervisor's "friendly" mark). It is immutable: ``updated_with`` and
``mark_friendly`` return a new baseline, stored as JSON with the site.

Example::

    baseline = SiteBaseline.empty().updated_with(outcome.spectrum, outcome.emitters)
    comparison = compare(baseline, tomorrow.emitters)
"""

import json
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from rf.errors import ProblemError, loads_json

SPECTRUM_BIN_HZ = 250e3
RECENT_INSPECTIONS = 9
#: An emitter this much above its strongest earlier showing is "stronger".
STRONGER_DB = 6.0
#: Emitters match when their centres are closer than half the wider one plus this (cheap
#: transmitters drift by a MHz or two between days).
MATCH_SLACK_HZ = 1.0e6
FORMAT = "ansim-rf-baseline/1"


class BaselineError(ProblemError):
    """A stored baseline that cannot be read, naming the problem (``where``: the file it was
    read from, once known)."""


@dataclass(frozen=True)
class KnownEmitter:
    freq_hz: float
    bandwidth_hz: float
    recent_power_db: tuple[float, ...]
    max_power_db: float
    count: int
    kind: str
    friendly: bool = False
    note: str = ""

    @property
    def median_power_db(self) -> float:
        return float(np.median(self.recent_power_db)) if self.recent_power_db else -np.inf

    def matches(self, freq_hz: float, bandwidth_hz: float) -> bool:
        reach_hz = max(self.bandwidth_hz, bandwidth_hz) / 2 + MATCH_SLACK_HZ
        return abs(self.freq_hz - freq_hz) <= reach_hz


@dataclass(frozen=True)
class Comparison:
    """Today's emitters against the baseline. Entries are plain dicts, ready for JSON."""

    new: list = field(default_factory=list)
    stronger: list = field(default_factory=list)
    vanished: list = field(default_factory=list)
    friendly: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SiteBaseline:
    inspections: int = 0
    spectrum: dict = field(default_factory=dict)  # coarse bin index -> [recent dBs, max, count]
    emitters: tuple[KnownEmitter, ...] = ()

    @classmethod
    def empty(cls) -> "SiteBaseline":
        return cls()

    def updated_with(self, outcome_spectrum, emitters) -> "SiteBaseline":
        """This baseline plus one more inspection's spectrum and classified emitters."""
        spectrum = dict(self.spectrum)
        for index, level_db in _coarse_levels(outcome_spectrum).items():
            recent, max_db, count = spectrum.get(index, ((), -np.inf, 0))
            spectrum[index] = ((tuple(recent) + (level_db,))[-RECENT_INSPECTIONS:],
                               max(max_db, level_db), count + 1)
        known = list(self.emitters)
        for emitter in emitters:
            i = _match(known, emitter.freq_hz, emitter.bandwidth_hz)
            if i is None:
                known.append(KnownEmitter(emitter.freq_hz, emitter.bandwidth_hz,
                                          (emitter.power_db,), emitter.power_db, 1, emitter.kind))
                continue
            k = known[i]
            known[i] = replace(k, freq_hz=emitter.freq_hz,
                               bandwidth_hz=max(k.bandwidth_hz, emitter.bandwidth_hz),
                               recent_power_db=(k.recent_power_db + (emitter.power_db,))[
                -RECENT_INSPECTIONS:], max_power_db=max(k.max_power_db, emitter.power_db),
                count=k.count + 1, kind=emitter.kind)
        return SiteBaseline(self.inspections + 1, spectrum, tuple(known))

    def mark_friendly(self, freq_hz: float, bandwidth_hz: float, note: str) -> "SiteBaseline":
        """Mark the emitter at ``freq_hz`` as friendly (a supervisor's decision, with a note)."""
        known = list(self.emitters)
        i = _match(known, freq_hz, bandwidth_hz)
        if i is None:
            known.append(KnownEmitter(freq_hz, bandwidth_hz, (), -np.inf, 0, "unknown", True, note))
        else:
            known[i] = replace(known[i], friendly=True, note=note)
        return replace(self, emitters=tuple(known))

    def compare(self, emitters) -> Comparison:
        return compare(self, emitters)

    def spectrum_reference(self):
        """(freqs_hz, median_db, max_db, counts) of the coarse reference spectrum."""
        indices = sorted(self.spectrum)
        rows = [self.spectrum[i] for i in indices]
        return (np.array(indices) * SPECTRUM_BIN_HZ,
                np.array([np.median(r[0]) for r in rows]), np.array([r[1] for r in rows]),
                np.array([r[2] for r in rows]))

    def to_json(self) -> str:
        return json.dumps({
            "format": FORMAT,
            "inspections": self.inspections,
            "spectrum_bin_hz": SPECTRUM_BIN_HZ,
            "spectrum": {str(i): {"recent_db": list(r), "max_db": m, "count": c}
                         for i, (r, m, c) in sorted(self.spectrum.items())},
            "emitters": [_known_to_dict(k) for k in self.emitters],
        })

    @classmethod
    def from_json(cls, text: str) -> "SiteBaseline":
        raw = loads_json(text, BaselineError, "baseline")
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise BaselineError(f"baseline: format must be {FORMAT!r}", code="baseline_format",
                                expected=repr(FORMAT))
        try:
            spectrum = {int(i): (tuple(float(v) for v in b["recent_db"]), float(b["max_db"]),
                                 int(b["count"])) for i, b in raw["spectrum"].items()}
            known = tuple(KnownEmitter(
                float(k["freq_hz"]), float(k["bandwidth_hz"]),
                tuple(float(v) for v in k["recent_power_db"]), _float_or_inf(k["max_power_db"]),
                int(k["count"]), str(k["kind"]), bool(k["friendly"]), str(k["note"]))
                for k in raw["emitters"])
            return cls(int(raw["inspections"]), spectrum, known)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BaselineError(f"baseline: malformed entry: {exc!r}",
                                code="baseline_malformed") from None


def compare(baseline: SiteBaseline, emitters) -> Comparison:
    """New, stronger, friendly and unchanged emitters of today, and the regulars now missing."""
    result = Comparison()
    seen = set()
    for emitter in emitters:
        entry = emitter.to_dict() if hasattr(emitter, "to_dict") else dict(emitter.__dict__)
        i = _match(list(baseline.emitters), emitter.freq_hz, emitter.bandwidth_hz)
        if i is None:
            result.new.append(entry)
            continue
        seen.add(i)
        known = baseline.emitters[i]
        entry["baseline_max_power_db"] = known.max_power_db if known.count else None
        if known.friendly:
            result.friendly.append(dict(entry, note=known.note))
        elif known.count and emitter.power_db > known.max_power_db + STRONGER_DB:
            result.stronger.append(entry)
        else:
            result.unchanged.append(entry)
    regular = max(2, (baseline.inspections + 1) // 2)
    for i, known in enumerate(baseline.emitters):
        if i not in seen and known.count >= regular:
            result.vanished.append(_known_to_dict(known))
    return result


def _match(known, freq_hz, bandwidth_hz):
    matches = [i for i, k in enumerate(known) if k.matches(freq_hz, bandwidth_hz)]
    return min(matches, key=lambda i: abs(known[i].freq_hz - freq_hz)) if matches else None


def _coarse_levels(spectrum) -> dict:
    """Mean power per SPECTRUM_BIN_HZ bin, in dB per spectrum bin."""
    index = np.floor(spectrum.freqs_hz / SPECTRUM_BIN_HZ).astype(np.int64)
    linear = 10 ** (np.asarray(spectrum.power_db, dtype=np.float64) / 10)
    unique, inverse = np.unique(index, return_inverse=True)
    mean = np.bincount(inverse, weights=linear) / np.bincount(inverse)
    return {int(i): round(float(10 * np.log10(m)), 2) for i, m in zip(unique, mean)}


def _known_to_dict(k: KnownEmitter) -> dict:
    out = asdict(k)
    out["recent_power_db"] = list(k.recent_power_db)
    out["max_power_db"] = k.max_power_db if np.isfinite(k.max_power_db) else None
    out["median_power_db"] = k.median_power_db if k.recent_power_db else None
    return out


def _float_or_inf(value) -> float:
    return -np.inf if value is None else float(value)
