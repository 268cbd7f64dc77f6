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

The Wi-Fi environment is a model of the same kind: each site hears 1-4 access points of its
own building and neighbours (``SITE_APS``, BSSIDs drawn per site, as real BSSIDs are unique),
each at a level of its own (``AP_LEVEL_DBM``); a survey hears an AP when its level plus
per-survey fading (``AP_FADING_DB``) is above the adapter's sensitivity (``SENSITIVITY_DBM``),
and passers' phones with made-up addresses come and go. The site's Wi-Fi baseline is the real
``rf.wifi.baseline`` learned from three earlier surveys, and each inspection's survey step is
annotated by the real ``detector.engine.wifi_site.annotate``, so the Wi-Fi witness is the real
``detector.engine.presence`` one. No two sites share an AP here; in a city, two restrooms a
few tens of metres apart can (then the witness recognises some of the other's APs, and the
places and the RF still say which site it is).
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.stats import rate
from detector.engine.place_history import rf_presence
from detector.engine.presence import CONTRADICTED_FRACTION, presence_summary
from detector.engine.wifi_site import annotate
from optics.change import compare_keyframes
from rf.baseline import KnownEmitter, SiteBaseline
from rf.wifi.baseline import WifiBaseline, observations

PLACES_PER_SITE = 4
LATER_VISITS = ("same", "hole", "object")
BROADCAST_STATIONS = 12
SITE_LEVEL_DB = (-75.0, -30.0)
SWEEP_SPREAD_DB = 1.5
DETECTABLE_DB = -85.0
RF_SEED = 4242
WIFI_SEED = 80211
SITE_APS = (1, 4)
AP_LEVEL_DBM = (-85.0, -45.0)
AP_FADING_DB = 3.0
SENSITIVITY_DBM = -92.0


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


def _aps(site: int) -> list[tuple[str, float]]:
    """(BSSID, usual level) of the access points a site hears."""
    rng = np.random.default_rng([WIFI_SEED, site])
    count = int(rng.integers(SITE_APS[0], SITE_APS[1] + 1))
    return [(":".join(f"{b:02x}" for b in [0x00, 0x0B, 0x86, *rng.integers(0, 256, 3)]),
             float(rng.uniform(*AP_LEVEL_DBM))) for _ in range(count)]


def _survey(site: int, day: int) -> list[dict]:
    """The transmitters one survey at the site hears: its APs above the sensitivity after
    fading, and two passers' phones with made-up addresses."""
    rng = np.random.default_rng([WIFI_SEED, site, day])
    heard = [{"mac": mac, "role": "ap", "kind": "ap", "randomised": False,
              "rssi_dbm": round(level + float(rng.normal(0.0, AP_FADING_DB)), 1)}
             for mac, level in _aps(site)]
    heard = [t for t in heard if t["rssi_dbm"] > SENSITIVITY_DBM]
    phones = [{"mac": ":".join(f"{b:02x}" for b in [0x92, *rng.integers(0, 256, 5)]),
               "role": "station", "kind": "other", "randomised": True,
               "rssi_dbm": float(rng.uniform(-70, -35))} for _ in range(2)]
    return heard + phones


def _wifi_baseline_json(site: int) -> str:
    baseline = WifiBaseline.empty()
    for day in (1, 2, 3):
        baseline = baseline.updated_with(observations([_survey(site, day)]))
    return baseline.to_json()


def _summary(today_site, reference_site, visit, load, aligned_cache) -> dict:
    wifi = annotate({"kind": "wifi_survey", "transmitters": _survey(today_site[0], 10)},
                    _wifi_baseline_json(reference_site[0]))
    steps = [{"kind": "rf_sweep",
              "presence": rf_presence(_baseline(reference_site), _sweep(today_site, 10))}, wifi]
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
    wifi_own = wifi_contradicts_other = 0
    levels_own, levels_other = {}, {}
    for k, site in enumerate(sites):
        other = sites[(k + 1) % len(sites)]
        for visit in LATER_VISITS:
            own = _summary(site, site, visit, load, cache)
            replayed = _summary(site, other, visit, load, cache)
            n += 1
            strong_own += own["level"] == "strong"
            flagged_other += replayed["flagged"]
            own_wifi = own.get("wifi", {"known": 0, "recognised": 0})
            wifi_own += own_wifi["known"] > 0 and own_wifi["recognised"] == own_wifi["known"]
            other_wifi = replayed.get("wifi", {"known": 0, "recognised": 0})
            wifi_contradicts_other += other_wifi["known"] > 0 and \
                other_wifi["recognised"] < CONTRADICTED_FRACTION * other_wifi["known"]
            levels_own[own["level"]] = levels_own.get(own["level"], 0) + 1
            levels_other[replayed["level"]] = levels_other.get(replayed["level"], 0) + 1
    return {"presence_strong_own": rate(strong_own, n),
            "presence_flagged_other": rate(flagged_other, n),
            "presence_wifi_all_aps_own": rate(wifi_own, n),
            "presence_wifi_contradicts_other": rate(wifi_contradicts_other, n),
            "presence_levels_own": levels_own, "presence_levels_other": levels_other,
            "presence_sites": len(sites)}
