"""The command line end to end, as an inspector runs it (a real subprocess)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from detector.appliance.backends import open_hardware
from detector.appliance.profile import load_profile
from detector.engine.scanning import STATES, blink_code
from hardware.sim.optics_truth import project
from hardware.sim.restroom import build_restroom

REPO = Path(__file__).resolve().parents[2]


def ansim(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "ansim", "--lang", "en", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_scan_finds_the_simulated_lens_and_no_distractor(tmp_path):
    result = ansim("scan", "--simulate", "--zone", "door_hook", "--json", "--data",
                   str(tmp_path), "--save", str(tmp_path / "capture"))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [f["kind"] for f in report["findings"]] == ["lens"]
    finding = report["findings"][0]
    assert Path(report["evidence"][0]).is_file()
    # Where the default stall hides its camera, seen in the frame the finding names: the same
    # seeded session, replayed in-process to that frame for its pose.
    lens = build_restroom(seed=0).hidden_camera_lenses()[0]
    assert lens.zone == "door_hook"
    session = open_hardware(load_profile(None), simulate=True, seed=0)
    session.move_to("door_hook")
    for state in blink_code(finding["frame"] + 1):
        session.illuminator.set_rings(*STATES[state])
        frame = session.camera.read_frame()
    session.close()
    camera = session.camera
    x, y = project(lens.position_m, frame.pose, camera)
    assert np.hypot(x - finding["x"], y - finding["y"]) < 4

    # The saved capture replays through `ansim optics analyze` to the same finding.
    replay = ansim("optics", "analyze", str(tmp_path / "capture"), "--json", "--data",
                   str(tmp_path))
    assert replay.returncode == 0, replay.stderr
    line = json.loads(replay.stdout.splitlines()[0])
    assert line["findings"][0]["kind"] == "lens"
    assert np.hypot(line["findings"][0]["x"] - finding["x"],
                    line["findings"][0]["y"] - finding["y"]) < 2


def test_scan_refuses_a_zone_the_stall_does_not_have(tmp_path):
    result = ansim("scan", "--simulate", "--zone", "rooftop", "--data", str(tmp_path))
    assert result.returncode == 2
    assert "rooftop" in result.stderr and "door_hook" in result.stderr


def test_analyze_names_a_bad_capture_and_carries_on(tmp_path):
    result = ansim("optics", "analyze", str(tmp_path / "nothing-here"), "--json", "--data",
                   str(tmp_path))
    assert result.returncode == 1
    assert "nothing-here: not a capture directory" in result.stderr
    assert json.loads(result.stdout)["error"].endswith("not a capture directory")


def test_the_optics_benchmark_refuses_a_folder_without_captures_before_scoring(tmp_path):
    """A mistyped block folder is named at once, not after minutes of scoring the rest."""
    empty = ansim("bench", "optics", "--raytraced", str(tmp_path), "--json")
    assert empty.returncode == 2 and not empty.stdout
    assert f"--raytraced {tmp_path}: no ray-traced captures there" in empty.stderr
    (tmp_path / "truth.json").write_text("{not json", encoding="utf-8")
    broken = ansim("bench", "optics", "--dev-data", str(tmp_path), "--json")
    assert broken.returncode == 2 and not broken.stdout
    assert f"--dev-data {tmp_path}: its truth.json cannot be read" in broken.stderr
