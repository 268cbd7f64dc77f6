"""The site's Wi-Fi baseline in an inspection: each survey step says, per transmitter, what
the site's history (``rf.wifi.baseline``) makes of it, and a clear sign-off teaches the site
the transmitters of that inspection.

- ``annotate(result, baseline_json)``: adds to a ``wifi_survey`` step's result
  ``site_baseline`` (how many clear inspections the baseline holds, and the site's stable
  access points) and to each transmitter ``baseline`` (``new`` / ``stronger`` / ``known`` /
  ``transient``, with its usual and loudest level). With no baseline yet (the site's first
  clear inspection has not happened), both are None: nothing is "new" against nothing, as for
  the RF sweep; an unreadable stored baseline is said in ``site_baseline.error`` and the
  survey is kept.
- ``updated_baseline_json(baseline_json, steps)``: the baseline plus the inspection's
  transmitters, stored with the site when an inspection is signed off ``clear`` (the only
  inspections that say the restroom held no camera); an unreadable stored one is relearnt
  from this inspection.

Fusion (``detector.engine.wifi_alerts``) turns ``new`` and ``stronger`` into alerts; presence
(``detector.engine.presence``) counts the stable access points seen.
"""

from detector.errors import DetectorError
from rf.wifi.baseline import WifiBaseline, WifiBaselineError, observations


class WifiBaselineUnreadable(DetectorError):
    """The site's stored Wi-Fi baseline cannot be read (its message says why)."""


def load(baseline_json: str | None) -> WifiBaseline | None:
    if not baseline_json:
        return None
    try:
        return WifiBaseline.from_json(baseline_json)
    except WifiBaselineError as exc:
        raise WifiBaselineUnreadable(f"the site's {exc}", problem=exc.problem_code,
                                     **exc.problem_params) from exc


def annotate(result: dict, baseline_json: str | None) -> dict:
    """``result`` (a ``wifi_survey`` step) with the site's history per transmitter."""
    try:
        baseline = load(baseline_json)
    except WifiBaselineUnreadable as exc:  # the survey itself is kept, saying why
        baseline, unreadable = None, {"error": str(exc)}
    else:
        unreadable = None
    if baseline is None:
        result["site_baseline"] = unreadable
        for tx in result["transmitters"]:
            tx["baseline"] = None
        return result
    statuses = baseline.compare(result["transmitters"])
    for tx in result["transmitters"]:
        tx["baseline"] = statuses[tx["mac"].lower()].to_dict()
    result["site_baseline"] = {"inspections": baseline.inspections,
                               "stable_bssids": baseline.stable_bssids}
    return result


def updated_baseline_json(baseline_json: str | None, steps: list[dict]) -> str | None:
    """The site's Wi-Fi baseline after a clear inspection with these steps (None when the
    inspection surveyed no Wi-Fi: the baseline stays as it was)."""
    surveys = [s["transmitters"] for s in steps if s.get("kind") == "wifi_survey"]
    if not surveys:
        return None
    try:
        baseline = load(baseline_json) or WifiBaseline.empty()
    except WifiBaselineUnreadable:
        baseline = WifiBaseline.empty()  # unreadable history is relearnt from this clear one
    return baseline.updated_with(observations(surveys)).to_json()
