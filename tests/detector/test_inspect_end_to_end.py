"""A whole simulated inspection from the command line: the real RF and optical pipelines on the
simulated restroom, fused, signed into the log, verifiable, with its evidence; judged against
the scene's truth."""

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from detector.appliance.backends import open_hardware
from detector.appliance.profile import load_profile
from detector.engine import checklist
from detector.engine.inspections import open_service
from detector.engine.sites import import_sites
from detector.log.evidence import EvidenceStore
from detector.log.verify import verify_log
from hardware.sim.restroom import build_restroom

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "sites.csv"

pytestmark = pytest.mark.slow


def _ansim(*argv, data):
    return subprocess.run([sys.executable, "-m", "ansim", "--lang", "en", *argv,
                           "--data", str(data)], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def test_a_whole_simulated_inspection_from_the_cli(tmp_path):
    data = tmp_path / "data"
    assert _ansim("sites", "import", str(EXAMPLES), data=data).returncode == 0
    done = _ansim("inspect", "--site", "jongno-001", "--simulate", "--stalls", "1",
                  "--inspector", "Kim Inspector", "--json", data=data)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)

    truth = build_restroom(0)  # what `--simulate` inspects (seed 0)
    camera = truth.hidden_camera_emitters()[0]
    lens_zone = truth.hidden_camera_lenses()[0].zone
    assert summary["verdict"] == "found"
    located = [a for a in summary["alerts"] if a["type"] == "camera_located"]
    assert len(located) == 1, summary["alerts"]  # one strong alert, not two
    assert located[0]["zone"] == lens_zone
    assert abs(located[0]["freq_hz"] - camera.freq_hz) < 2e6
    assert located[0]["video_standard"] == camera.video_standard
    assert not [a for a in summary["alerts"] if a["type"] in ("video_transmitter", "lens")
                and a.get("zone") in (None, lens_zone)]
    # the same camera streams over Wi-Fi: it answered the rings' code at its own place, so it
    # joins the one critical alert instead of raising one of its own
    assert located[0].get("wifi_mac")
    assert located[0]["wifi_mac"] not in {a.get("mac") for a in summary["alerts"]}

    verified = _ansim("log", "verify", "--json", data=data)
    assert verified.returncode == 0 and json.loads(verified.stdout)["records_checked"] == 1
    shown = json.loads(_ansim("log", "show", summary["id"], "--json", data=data).stdout)
    body = shown["body"]
    assert body["status"] == "signed_off" and body["coverage"]["complete"]
    assert [s["zone"] for s in body["steps"] if s["kind"] == "optical_scan"] == list(
        checklist.ITEMS)
    # after the stall's last place the dimmed place check ran over every place of the stall,
    # then as many rounds on the leading places as it took, and named the lens's place
    checked = [s for s in body["steps"] if s["kind"] == "wifi_survey" and s.get("place_check")]
    assert len(checked) == 1 and checked[0]["zone"] == checklist.ITEMS[-1]
    check = checked[0]["place_check"]
    places = check["places"]
    assert {p["zone"] for p in places[:len(checklist.ITEMS)]} == set(checklist.ITEMS)
    assert check["rounds"] >= 1 and (check["rounds"] > 1) == (len(places) > len(checklist.ITEMS))
    answer = next(t["stimulus"] for t in checked[0]["transmitters"]
                  if t["mac"] == located[0]["wifi_mac"])
    assert answer["place"] == {"stall": 1, "zone": lens_zone}
    assert answer["check"]["drive"] < 1.0
    assert max(answer["check"]["slopes_bytes"], key=answer["check"]["slopes_bytes"].get) \
        == lens_zone
    evidence = EvidenceStore(data / "evidence")
    kinds = {ref["kind"] for ref in body["evidence"]}
    assert {"spectrum.csv.gz", "capture.sigmf-meta", "capture.sigmf-data", "lens_crop"} <= kinds
    for ref in body["evidence"]:
        assert evidence.problem_with(ref["sha256"], ref["size_bytes"]) is None
    spectrum = next(r for r in body["evidence"] if r["kind"] == "spectrum.csv.gz")
    assert gzip.decompress(evidence.read(spectrum["sha256"])).startswith(b"freq_hz,")
    meta = next(r for r in body["evidence"] if r["kind"] == "capture.sigmf-meta")
    captured = json.loads(evidence.read(meta["sha256"]))
    assert abs(captured["captures"][0]["core:frequency"] - camera.freq_hz) < 3e6


def test_a_restroom_without_a_camera_finds_no_camera(tmp_path):
    """Through the engine on the same simulated hardware, with the camera left out."""
    profile = load_profile()
    hardware = open_hardware(profile, simulate=True, scene=build_restroom(2, hidden_camera=False),
                             seed=2)
    try:
        with open_service(tmp_path, hardware=hardware, profile=profile) as service:
            import_sites(service.store, EXAMPLES)
            state = service.start("mapo-003", "Kim Inspector", stalls=1)
            service.run_rf_step(state.id)
            for zone in checklist.ITEMS:
                state = service.run_optical_step(state.id, 1, zone)
            assert not [a for a in state.alerts if a["confirmed"]], state.alerts
            assert not [e for s in state.steps if s["kind"] == "rf_sweep"
                        for e in s["emitters"] if e["kind"] == "analog_video"]
            assert verify_log(service.store).ok
    finally:
        hardware.close()
