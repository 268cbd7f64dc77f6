"""``ansim hub`` and ``ansim log sync`` as an admin and an inspector type them."""

import json
import re
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ansim.cli import main

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def run_json(capsys, *argv) -> tuple[int, dict]:
    code = main(["--lang", "en", *argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def test_enrol_sync_list_and_verify_from_the_command_line(capsys, hub, served, make_device,
                                                          postgres_url, tmp_path):
    device = make_device("handheld")
    device.inspect("mapo-7")
    device.add_records(30, seed=21)
    data = str(device.data_dir)

    code, identity = run_json(capsys, "log", "sync", "--identity", "--data", data)
    assert code == 0 and identity["device_id"] == device.key.device_id
    code, enrolment = run_json(capsys, "hub", "enroll-device", "--db", postgres_url,
                               "--public-key", identity["public_key"], "--label", "Mapo 1")
    assert code == 0 and enrolment["device_id"] == identity["device_id"]

    code, report = run_json(capsys, "log", "sync", "--data", data, "--hub", served.url,
                            "--token", enrolment["token"], "--batch", "8")
    assert (code, report["stored"], report["head_seq"], report["batches"]) == (0, 31, 31, 4)
    kept = Path(data) / "hub.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    code, again = run_json(capsys, "log", "sync", "--data", data)  # the kept hub and token
    assert (code, again["stored"], again["head_seq"]) == (0, 0, 31)

    code, listed = run_json(capsys, "hub", "devices", "--db", postgres_url)
    assert [(d["label"], d["records"]) for d in listed["devices"]] == [("Mapo 1", 31)]
    hub_data = str(tmp_path / "hub")  # where the served hub keeps its evidence
    code, verified = run_json(capsys, "hub", "--db", postgres_url, "verify", "--data", hub_data,
                              "--device", device.key.device_id)
    assert code == 0 and verified["ok"] and verified["records_checked"] == 31
    assert verified["evidence_checked"] > 0

    code, _ = run_json(capsys, "hub", "revoke", device.key.device_id, "--db", postgres_url)
    assert code == 0
    assert main(["--lang", "en", "log", "sync", "--data", data]) == 1
    assert "revoked" in capsys.readouterr().err


def test_sync_says_what_is_missing_and_that_a_rerun_resumes(capsys, make_device, monkeypatch):
    device = make_device("handheld")
    device.add_records(1, seed=22)
    assert main(["--lang", "en", "log", "sync", "--data", str(device.data_dir)]) == 2
    assert "--hub URL --token TOKEN" in capsys.readouterr().err
    closed_port = "http://127.0.0.1:9"  # discard: nothing listens
    assert main(["--lang", "en", "log", "sync", "--data", str(device.data_dir), "--hub",
                 closed_port, "--token", "t"]) == 1
    assert "run the same command again" in capsys.readouterr().err
    monkeypatch.delenv("ANSIM_HUB_DB", raising=False)
    assert main(["--lang", "en", "hub", "devices"]) == 2
    assert "--db URL" in capsys.readouterr().err


def test_ansim_hub_serves_the_dashboard_on_postgresql(postgres_url, tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "ansim", "--lang", "en", "hub", "--db", postgres_url,
         "--port", "0", "--data", str(tmp_path / "hub")],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        url = re.search(r"(http://\S+?)/? ", line)
        assert url, line + process.stderr.read()
        with urllib.request.urlopen(url.group(1) + "/healthz", timeout=10) as answer:
            assert json.loads(answer.read())["status"] == "ok"
        request = urllib.request.Request(url.group(1) + "/api/hub/sync/head",
                                         headers={"X-Ansim-Device": "dev-0000000000000000"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 401
    finally:
        process.terminate()  # a service manager's stop: served requests end, the database closes
        assert process.wait(timeout=20) == 0


def test_the_hub_benchmark_runs_and_counts_every_record(capsys, postgres_url):
    assert main(["--lang", "en", "bench", "hub", "--db", postgres_url, "--records", "60",
                 "--devices", "3", "--batch", "7", "--city-sites", "400", "--city-days", "30",
                 "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert (figures["records"], figures["devices"]) == (60, 3)
    assert figures["records_per_s"] > 0
    # 400 restrooms for 30 days, less the days the ten that stopped (every 40th) skipped
    skipped = sum(min(30, 1 + (g // 40) % 30) for g in range(0, 400, 40))
    assert figures["coverage_rows"] == 400 * 30 - skipped
    assert figures["coverage_district_sites"] == 16  # 400 restrooms in 25 districts
    assert figures["coverage_city_view_s"] > 0 and figures["coverage_district_view_s"] > 0
