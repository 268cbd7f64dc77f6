"""Presence: how strongly what the device measured says it was at this restroom.

A record proves what a device did and saw; presence asks whether what it saw is *this site*,
by comparing the inspection's measurements with the site's own history. Each witness reads
the inspection's steps and says how much of the site's history it recognised:

==========  ==================================================  =================================
witness     known (from the site's history)                     recognised today
==========  ==================================================  =================================
``places``  places with a keyframe from a signed-off inspection  keyframes aligned with it (same
                                                                 place, ``optics.change``)
``rf``      the RF baseline's stable emitters (seen at >= 2      seen at their usual level (within
            inspections)                                         4 dB)
``wifi``    the Wi-Fi baseline's stable access points (BSSIDs    heard by any survey step
            heard in >= 2 clear inspections)
==========  ==================================================  =================================

A witness is a function from the steps to ``(known, recognised)`` or None when it has nothing
to say (``WITNESSES``). An access point's BSSID is heard only within a few tens of metres of it,
so, unlike a broadcast station, hearing it at all places the device (its level varies too much
with the handheld's pose and the people in between to add anything).

The level:

- ``strong``: at least ``STRONG_PLACES`` places (or every place, if fewer were known) look as
  they did, at least half of the known places do, and no witness contradicts it (recognises
  less than ``CONTRADICTED_FRACTION`` of what it knows);
- ``weak``: some witness recognises something and none contradicts it, or places match but
  another witness contradicts them;
- ``none``: nothing recognised, or nothing known (a site's first inspection).

``reasons`` are translation keys (``presence.reason.*``) with the counts behind them, so a
supervisor reads why an inspection is flagged. ``weak`` and ``none`` are flagged.

Pure: steps (as records keep them) in, a dict out.
"""

STRONG_PLACES = 2
MIN_PLACE_FRACTION = 0.5
CONTRADICTED_FRACTION = 0.3
FLAGGED_LEVELS = ("weak", "none")


def _places(steps: list[dict]) -> tuple[int, int] | None:
    compared = [s["change"] for s in steps
                if s.get("kind") == "optical_scan" and s.get("change") is not None
                and "aligned" in s["change"]]
    if not compared:
        return None
    return len(compared), sum(1 for c in compared if c["aligned"])


def _rf(steps: list[dict]) -> tuple[int, int] | None:
    sweeps = [s for s in steps if s.get("kind") == "rf_sweep" and s.get("presence")]
    if not sweeps or not sweeps[-1]["presence"]["stable_known"]:
        return None
    presence = sweeps[-1]["presence"]
    return presence["stable_known"], presence["stable_seen"]


def _wifi(steps: list[dict]) -> tuple[int, int] | None:
    surveys = [s for s in steps if s.get("kind") == "wifi_survey"
               and (s.get("site_baseline") or {}).get("stable_bssids")]
    if not surveys:
        return None
    stable = set(surveys[-1]["site_baseline"]["stable_bssids"])
    heard = {tx["mac"] for s in surveys for tx in s.get("transmitters", [])}
    return len(stable), len(stable & heard)


WITNESSES = {"places": _places, "rf": _rf, "wifi": _wifi}


def presence_summary(steps: list[dict]) -> dict:
    """``{"level", "flagged", "reasons": [{"key", "known", "recognised"}], <witness>: {...}}``."""
    measured = {name: witness(steps) for name, witness in WITNESSES.items()}
    known = {name: m for name, m in measured.items() if m is not None}
    reasons = [{"key": f"presence.reason.{name}", "known": k, "recognised": r}
               for name, (k, r) in known.items()]
    contradicted = [name for name, (k, r) in known.items() if r < CONTRADICTED_FRACTION * k]
    places = known.get("places")
    places_agree = places is not None and places[1] >= min(STRONG_PLACES, places[0]) and \
        places[1] >= MIN_PLACE_FRACTION * places[0]
    if places_agree and not contradicted:
        level = "strong"
    elif any(r > 0 for _, r in known.values()) and (places_agree or not contradicted):
        level = "weak"
    else:
        level = "none"
    if not known:
        reasons.append({"key": "presence.reason.no_history", "known": 0, "recognised": 0})
    summary = {"level": level, "flagged": level in FLAGGED_LEVELS, "reasons": reasons}
    summary.update({name: {"known": k, "recognised": r} for name, (k, r) in known.items()})
    return summary
