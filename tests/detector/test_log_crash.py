"""kill -9 at random moments loses no signed-off inspection and leaves a log that opens and
verifies; inspections cut off mid-way come back as "interrupted"."""

import collections
import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from detector.engine.inspections import open_service
from detector.log.storage.models import Inspection
from detector.log.verify import verify_log

REPO = Path(__file__).resolve().parents[2]
KILLS = 12


def _run_until_killed(data_dir, seed, lines_before_kill) -> list[tuple[str, str]]:
    """Start a worker, read ``lines_before_kill`` events from it, then SIGKILL it."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.support.crash_worker", str(data_dir), str(seed)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    events = []
    try:
        while len(events) < lines_before_kill:
            line = worker.stdout.readline()
            if not line:
                pytest.fail(f"the worker died by itself: {worker.stderr.read()}")
            events.append(tuple(line.split()))
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        worker.stdout.close()
        worker.stderr.close()
    assert worker.returncode == -signal.SIGKILL
    return events


@pytest.mark.slow
def test_kill_9_at_random_points_loses_nothing_signed(data_dir):
    rng = random.Random(20260509)
    started, signed, interrupted = set(), set(), set()
    steps_seen = collections.Counter()
    for round_number in range(KILLS):
        events = _run_until_killed(data_dir, round_number, rng.randint(1, 45))
        started |= {i for what, i in events if what == "started"}
        signed |= {i for what, i in events if what == "signed"}
        steps_seen.update(i for what, i in events if what == "step")

        with open_service(data_dir) as service:  # the next open recovers what was cut off
            report = verify_log(service.store, evidence=service.evidence,
                                local_key=service.signer)
            assert report.ok, report.problems[:3]
            with service.store.read() as session:
                status = dict(session.execute(select(Inspection.id, Inspection.status)).all())
            assert started <= status.keys()
            assert "in_progress" not in status.values()
            for inspection_id in signed:
                state = service.get(inspection_id)
                assert state.status == "signed_off" and state.verdict in ("found", "suspicious")
            for inspection_id in started - signed:
                state = service.get(inspection_id)
                # Killed before its sign-off committed, or just after it (before "signed" was
                # printed): either way it is in the signed log, never lost.
                assert state.status in ("interrupted", "signed_off")
                assert state.record_id == inspection_id
                if state.status == "interrupted":
                    interrupted.add(inspection_id)
                    # every step and mark it reported committed before the kill is kept
                    kept = len(state.steps) + len(state.checklist)
                    assert kept >= steps_seen[inspection_id]
    assert len(signed) >= 3, "the kills should let some inspections finish"
    assert len(interrupted) >= KILLS // 2, "and cut many off mid-way"


@pytest.mark.slow
def test_kill_9_of_the_real_command_mid_inspection_leaves_it_interrupted(tmp_path):
    """``ansim inspect`` on the simulated restroom, killed once its RF sweep has committed
    (its first alert is printed then): the next command recovers it, and the log verifies."""
    data = str(tmp_path / "data")
    ansim = [sys.executable, "-m", "ansim", "--lang", "en"]
    subprocess.run([*ansim, "sites", "import", "examples/sites.csv", "--data", data], cwd=REPO,
                   check=True, capture_output=True)
    inspect = subprocess.Popen([*ansim, "inspect", "--site", "mapo-003", "--simulate",
                                "--stalls", "1", "--data", data], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in inspect.stderr:
            if line.startswith("ALERT"):
                break
        else:
            pytest.fail(f"no alert before the command ended: {inspect.stdout.read()}")
    finally:
        inspect.send_signal(signal.SIGKILL)
        inspect.wait()
        inspect.stdout.close()
        inspect.stderr.close()
    verified = subprocess.run([*ansim, "log", "verify", "--data", data], cwd=REPO,
                              capture_output=True, text=True)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    listed = subprocess.run([*ansim, "log", "list", "--json", "--data", data], cwd=REPO,
                            capture_output=True, text=True, check=True)
    [record] = json.loads(listed.stdout)["records"]
    assert record["status"] == "interrupted" and record["site_id"] == "mapo-003"
