"""The site's known Wi-Fi transmitters: learned from clear inspections, new and much louder
ones told apart, made-up addresses of phones neither learned nor called new."""

import pytest

from rf.wifi.baseline import (
    STRONGER_DB,
    WifiBaseline,
    WifiBaselineError,
    observation,
    observations,
)

BUILDING_AP = "00:0b:86:a6:ca:c2"
SECOND_SSID = "02:0b:86:a6:ca:c3"  # a multi-SSID AP's derived BSSID: locally administered
PLUG = "24:6f:28:10:20:30"
PHONE = "92:d8:52:82:51:4b"  # a randomised station address
CAMERA = "58:03:fb:b1:f7:1f"


def _tx(mac, rssi_dbm, role="station", kind="other", randomised=None, **extra):
    if randomised is None:
        randomised = bool(int(mac[:2], 16) & 0x02)
    return {"mac": mac, "role": role, "rssi_dbm": rssi_dbm, "randomised": randomised,
            "kind": kind, "ssid": None, "vendor": None, **extra}


def _clear_visit(phone_mac=PHONE, ap_dbm=-60.0):
    return [_tx(BUILDING_AP, ap_dbm, "ap", "ap"), _tx(SECOND_SSID, ap_dbm - 1, "ap", "ap"),
            _tx(PLUG, -70.0), _tx(phone_mac, -40.0)]


def _site(visits=3):
    baseline = WifiBaseline.empty()
    for i in range(visits):
        baseline = baseline.updated_with(observations([_clear_visit(f"{0x92 + 4 * i:02x}:d8:52:82:51:4b",
                                                                    -60.0 + i)]))
    return baseline


def test_clear_visits_teach_the_aps_and_stations_but_not_made_up_addresses():
    baseline = _site()
    assert baseline.inspections == 3
    assert sorted(k.mac for k in baseline.transmitters) == sorted([BUILDING_AP, SECOND_SSID,
                                                                  PLUG])
    assert sorted(baseline.stable_bssids) == sorted([BUILDING_AP, SECOND_SSID])
    ap = baseline.known(BUILDING_AP)
    assert (ap.count, ap.max_rssi_dbm, ap.usual_dbm) == (3, -58.0, -59.0)


def test_new_stronger_known_and_transient_are_told_apart():
    baseline = _site()
    today = [_tx(BUILDING_AP, -58.0 + STRONGER_DB - 1, "ap"),  # louder, but within reach
             _tx(PLUG, -70.0 + STRONGER_DB + 5),  # the plug is suddenly close
             _tx(CAMERA, -25.0, kind="camera"),
             _tx("7e:9f:3d:2d:72:e8", -30.0),  # a passer's phone, address made up today
             _tx("06:aa:bb:cc:dd:ee", -35.0, "ap")]  # a new AP, locally administered BSSID
    statuses = {mac: s.status for mac, s in baseline.compare(today).items()}
    assert statuses == {BUILDING_AP: "known", PLUG: "stronger", CAMERA: "new",
                        "7e:9f:3d:2d:72:e8": "transient", "06:aa:bb:cc:dd:ee": "new"}
    plug = baseline.compare([today[1]])[PLUG]
    assert (plug.max_dbm, plug.inspections, plug.stable) == (-70.0, 3, True)


def test_an_inspection_is_learned_at_its_loudest_step_and_an_ap_stays_an_ap():
    steps = [[_tx(BUILDING_AP, -70.0, "ap")], [_tx(BUILDING_AP, -52.0, "station")],
             [_tx(BUILDING_AP, None, "ap")]]
    (heard,) = observations(steps)
    assert (heard.rssi_dbm, heard.role) == (-52.0, "ap")


def test_the_baseline_survives_json_and_bad_json_is_named():
    baseline = _site()
    assert WifiBaseline.from_json(baseline.to_json()) == baseline
    with pytest.raises(WifiBaselineError, match="format"):
        WifiBaseline.from_json('{"format": "ansim-rf-baseline/1"}')
    with pytest.raises(WifiBaselineError, match="not JSON"):
        WifiBaseline.from_json("{")
    broken = baseline.to_json().replace(BUILDING_AP, "not-a-mac")
    with pytest.raises(WifiBaselineError, match="not a MAC"):
        WifiBaseline.from_json(broken)


@pytest.mark.parametrize("bad", [{"role": "ap"}, {"mac": "00:11:22:33:44", "role": "ap"},
                                 {"mac": BUILDING_AP, "rssi_dbm": "loud"},
                                 {"mac": BUILDING_AP, "rssi_dbm": 400}])
def test_a_transmitter_that_is_not_one_is_refused_with_what_is_wrong(bad):
    with pytest.raises(WifiBaselineError, match="transmitter"):
        observation(bad)
