"""Presence figures for ``ansim bench change``: simulated inspections at their own site, and the
same inspections replayed against another site's history.

A *site* is ``PLACES_PER_SITE`` consecutive ray-traced places of ``bench.raytrace.change_scenes``
(its checklist places) plus a radio environment. An inspection at its own site films each place
again on a later day (the ``same``, ``hole`` and ``object`` visits: the three inspections of the
site) and sweeps the radio there; replayed against another site's history, the same pictures
and sweep are compared with the *next* site's reference keyframes and RF baseline, as when an
inspection is run anywhere but at the restroom it names. Places are compared by the real
``optics.change.compare_keyframes``; the summary is the real ``detector.engine.presence``; the
RF witness is the real ``detector.engine.place_history.rf_presence`` on a site baseline.

The radio environment is a simple seeded model, not a simulation of propagation (say so when
quoting it): the city's ``BROADCAST_STATIONS`` reach every site, each at a level of its own
(path loss drawn per site and station, ``SITE_LEVEL_DB``), and each site has 0-3 local
emitters of its own; a sweep reads each level again within ``SWEEP_SPREAD_DB``, and the
baseline holds the median of three earlier sweeps.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.stats import rate
from detector.engine.place_history import rf_presence
from detector.engine.presence import presence_summary
from optics.change import compare_keyframes
from rf.baseline import KnownEmitter, SiteBaseline

PLACES_PER_SITE = 4
LATER_VISITS = ("same", "hole", "object")
BROADCAST_STATIONS = 12
SITE_LEVEL_DB = (-75.0, -30.0)
SWEEP_SPREAD_DB = 1.5
DETECTABLE_DB = -85.0
RF_SEED = 4242


@dataclass(frozen=True)
class Heard:
    freq_hz: float
    bandwidth_hz: float
    power_db: float


def _radio(site: int) -> list[tuple[float, float]]:
    """(frequency, usual level) of every emitter a site hears."""
    rng = np.random.default_rng([RF_SEED, site])
    city = np.random.default_rng(RF_SEED).uniform(88e6, 800e6, BROADCAST_STATIONS)
    heard = [(float(f), float(rng.uniform(*SITE_LEVEL_DB))) for f in city]
    heard += [(float(rng.uniform(300e6, 1700e6)), float(rng.uniform(-70, -40)))
              for _ in range(int(rng.integers(0, 4)))]
    return heard


def _sweep(site: int, day: int) -> list[Heard]:
    rng = np.random.default_rng([RF_SEED, site, day])
    out = []
    for freq_hz, level_db in _radio(site):
        power = level_db + rng.normal(0.0, SWEEP_SPREAD_DB)
        if power > DETECTABLE_DB:
            out.append(Heard(freq_hz, 200e3, power))
    return out


def _baseline(site: int) -> SiteBaseline:
    sweeps = [_sweep(site, day) for day in (1, 2, 3)]
    known = []
    for freq_hz, _ in _radio(site):
        powers = tuple(h.power_db for s in sweeps for h in s if h.freq_hz == freq_hz)
        if powers:
            known.append(KnownEmitter(freq_hz, 200e3, powers, max(powers), len(powers),
                                      "unknown"))
    return SiteBaseline(3, {}, tuple(known))


def _summary(today_site, reference_site, visit, load, aligned_cache) -> dict:
    steps = [{"kind": "rf_sweep",
              "presence": rf_presence(_baseline(reference_site), _sweep(today_site, 10))}]
    for today_place, reference_place in zip(today_site, reference_site, strict=True):
        key = (today_place, reference_place, visit)
        if key not in aligned_cache:
            aligned_cache[key] = compare_keyframes(load(reference_place, "reference"),
                                                   load(today_place, visit)).aligned
        steps.append({"kind": "optical_scan", "change": {"aligned": aligned_cache[key]}})
    return presence_summary(steps)


def presence_figures(pairs_dir: Path, seeds: list[int], load) -> dict:
    """``presence_strong_own`` and ``presence_flagged_other`` (rates with intervals)."""
    sites = [tuple(seeds[i:i + PLACES_PER_SITE])
             for i in range(0, len(seeds) - PLACES_PER_SITE + 1, PLACES_PER_SITE)]
    cache: dict = {}
    strong_own = flagged_other = n = 0
    levels_own, levels_other = {}, {}
    for k, site in enumerate(sites):
        other = sites[(k + 1) % len(sites)]
        for visit in LATER_VISITS:
            own = _summary(site, site, visit, load, cache)
            replayed = _summary(site, other, visit, load, cache)
            n += 1
            strong_own += own["level"] == "strong"
            flagged_other += replayed["flagged"]
            levels_own[own["level"]] = levels_own.get(own["level"], 0) + 1
            levels_other[replayed["level"]] = levels_other.get(replayed["level"], 0) + 1
    return {"presence_strong_own": rate(strong_own, n),
            "presence_flagged_other": rate(flagged_other, n),
            "presence_levels_own": levels_own, "presence_levels_other": levels_other,
            "presence_sites": len(sites)}
