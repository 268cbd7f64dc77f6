"""The command line end to end, as an inspector runs it: a subprocess, real files."""

import json
import subprocess
import sys

import numpy as np

from hardware.radio.sigmf import write_sigmf
from hardware.sim.restroom import build_restroom


def _ansim(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "ansim", "--lang", "en", *args],
                          capture_output=True, text=True, timeout=300, cwd=cwd)


def test_sweep_simulate_finds_and_classifies_the_hidden_camera(tmp_path):
    result = _ansim("sweep", "--simulate", "--json", "--evidence", str(tmp_path / "ev"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    camera = build_restroom(seed=0).hidden_camera_emitters()[0]  # --seed defaults to 0
    videos = [e for e in data["emitters"] if e["kind"] == "analog_video"]
    assert len(videos) == 1
    video = videos[0]
    assert video["video_standard"] == camera.video_standard == "PAL"
    assert abs(video["freq_hz"] - camera.freq_hz) < 3e6
    assert abs(video["line_rate_hz"] - 15_625) < 1
    assert len(data["captures"]) == 1

    # the evidence it saved is a SigMF recording that `rf analyze` classifies the same way
    analysed = _ansim("rf", "analyze", "--json", data["captures"][0])
    assert analysed.returncode == 0, analysed.stderr
    line = json.loads(analysed.stdout.splitlines()[0])
    assert [(e["kind"], e["video_standard"]) for e in line["emitters"]] == [
        ("analog_video", "PAL")]


def test_sweep_with_a_baseline_reports_the_camera_as_new_the_first_time(tmp_path):
    baseline = tmp_path / "site.json"
    first = _ansim("sweep", "--simulate", "--json", "--bands", "1190-1210", "--baseline",
                   str(baseline), "--update-baseline")
    data = json.loads(first.stdout)
    assert [e["kind"] for e in data["comparison"]["new"]] == ["analog_video"]
    again = json.loads(_ansim("sweep", "--simulate", "--json", "--bands", "1190-1210",
                              "--baseline", str(baseline)).stdout)
    assert again["comparison"]["new"] == [] and len(again["comparison"]["unchanged"]) == 1


def test_rf_analyze_reads_raw_cu8_and_reports_bad_files_without_stopping(tmp_path):
    rng = np.random.default_rng(2)
    n = 120_000
    tone = 0.3 * np.exp(2j * np.pi * 300e3 * np.arange(n) / 2.4e6)
    iq = tone + 0.01 * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    raw = np.empty(2 * n, dtype=np.uint8)
    raw[0::2] = np.clip(np.rint(iq.real * 127.5 + 127.5), 0, 255)
    raw[1::2] = np.clip(np.rint(iq.imag * 127.5 + 127.5), 0, 255)
    (tmp_path / "tone.cu8").write_bytes(raw.tobytes())
    (tmp_path / "broken.cu8").write_bytes(b"\x01")
    meta, _ = write_sigmf(tmp_path / "tone", iq.astype(np.complex64), 2.4e6, 433.0e6)
    result = _ansim("rf", "analyze", "--json", "--rate", "2400000", "--freq", "433000000",
                    str(tmp_path / "tone.cu8"), str(tmp_path / "broken.cu8"), str(meta))
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["path"] for line in lines] == [str(tmp_path / "tone.cu8"), str(meta)]
    for line in lines:
        assert [(e["kind"], round(e["freq_hz"] / 1e3)) for e in line["emitters"]] == [
            ("carrier", 433_300)]
        assert set(line["emitters"][0]) == {"freq_hz", "bandwidth_hz", "power_db", "kind",
                                            "video_standard", "line_rate_hz", "confidence"}
    assert "broken.cu8" in result.stderr
