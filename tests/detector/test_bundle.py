"""``ansim log bundle``: a ZIP a court can check with sha256sum and openssl alone.

The checks below run only the standard tools (``sha256sum``, ``openssl pkeyutl -verify
-rawin``) on the unpacked bundle, following its VERIFY.txt; Python only compares their output.
"""

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import cv2
import pytest

from ansim.cli import main
from tests.support.inspection_doubles import FakeRestroom

PAIRS = Path(__file__).resolve().parents[2] / "bench" / "raytrace" / "change_pairs"
ZONES = ("door_hook", "vent")

pytestmark = pytest.mark.skipif(not (shutil.which("openssl") and shutil.which("sha256sum")),
                                reason="needs openssl and sha256sum")


def picture(place, visit):
    return cv2.imread(str(PAIRS / str(place) / f"{visit}.png"), cv2.IMREAD_GRAYSCALE)


def visit(make_service, visits):
    room = FakeRestroom(pictures={(1, z): picture(9000 + i, v)
                                  for i, (z, v) in enumerate(zip(ZONES, visits))})
    service = make_service(room)
    state = service.start("mapo-7", "Kim Inspector")
    service.run_rf_step(state.id)
    for zone in ZONES:
        state = service.run_optical_step(state.id, 1, zone)
    service.set_verdict(state.id, "suspicious")
    record = service.sign_off(state.id, "Kim Inspector")
    service.close()
    return record


def run(*argv, cwd):
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def bundle_dir(make_service, data_dir, tmp_path, capsys):
    records = [visit(make_service, ("reference", "reference")) for _ in range(2)]
    records.append(visit(make_service, ("hole", "same")))
    # A hub acknowledged the device's first record: the chain starts there.
    (data_dir / "hub-sync.json").write_text(json.dumps(
        {"https://hub.example": {"acked_seq": 1, "acked_id": records[0].id}}))
    target = tmp_path / "bundle.zip"
    code = main(["--lang", "en", "log", "bundle", records[-1].id, "--output", str(target),
                 "--data", str(data_dir)])
    assert code == 0, capsys.readouterr()
    out = tmp_path / "unpacked"
    with zipfile.ZipFile(target) as archive:
        archive.extractall(out)
    return out, records


def test_a_bundle_of_a_record_the_log_lacks_is_refused_and_leaves_no_file(
        make_service, data_dir, tmp_path, capsys):
    visit(make_service, ("reference", "reference"))
    target = tmp_path / "bundle.zip"
    code = main(["--lang", "ko", "log", "bundle", "no-such-record", "--output", str(target),
                 "--data", str(data_dir)])
    assert code != 0 and not target.exists()
    assert "no-such-record" in capsys.readouterr().err


def test_every_file_and_evidence_hash_checks_with_sha256sum(bundle_dir):
    out, records = bundle_dir
    assert run("sha256sum", "-c", "--strict", "SHA256SUMS", cwd=out).returncode == 0
    names = {p.name for p in (out / "evidence").iterdir()}
    body = json.loads((out / "record" / "record.json").read_text())
    assert names == {e["sha256"] for e in body["evidence"]}
    listing = "".join(f"{n}  evidence/{n}\n" for n in sorted(names))
    check = subprocess.run(["sha256sum", "-c", "--strict"], cwd=out, input=listing,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    record_hash = run("sha256sum", "record/record.json", cwd=out).stdout.split()[0]
    assert record_hash == records[-1].record_hash


def test_the_signature_verifies_with_openssl_and_a_changed_byte_does_not(bundle_dir):
    out, _ = bundle_dir
    verify = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "device/public_key.pem",
              "-rawin", "-in", "record/record.json", "-sigfile", "record/record.sig"]
    result = run(*verify, cwd=out)
    assert result.returncode == 0 and "Signature Verified Successfully" in result.stdout
    tampered = (out / "record" / "record.json").read_bytes().replace(b'"suspicious"',
                                                                     b'"clear"', 1)
    (out / "record" / "record.json").write_bytes(tampered)
    assert run(*verify, cwd=out).returncode != 0


def test_the_chain_links_back_to_the_hub_acknowledged_record(bundle_dir):
    out, records = bundle_dir
    chain = sorted((out / "chain").glob("*.json"))
    assert [p.stem.split("-", 1)[1] for p in chain] == [r.id for r in records]
    for earlier, later in zip(chain, chain[1:]):
        digest = run("sha256sum", str(earlier), cwd=out).stdout.split()[0]
        assert re.search(rf'"prev_hash":"{digest}"', later.read_text())
    for path in chain:
        signature = path.with_suffix(".sig")
        assert run("openssl", "pkeyutl", "-verify", "-pubin", "-inkey",
                   "device/public_key.pem", "-rawin", "-in", str(path), "-sigfile",
                   str(signature), cwd=out).returncode == 0


def test_the_report_and_instructions_are_in_korean_and_english(bundle_dir):
    out, records = bundle_dir
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "점검 기록 증거 묶음" in report and "Inspection record evidence bundle" in report
    body = json.loads((out / "record" / "record.json").read_text())
    keyframes = [s["keyframe"]["sha256"] for s in body["steps"] if s.get("keyframe")]
    assert keyframes and all(f"evidence/{k}" in report for k in keyframes)
    verify = (out / "VERIFY.txt").read_text(encoding="utf-8")
    assert "openssl pkeyutl -verify" in verify and "sha256sum -c SHA256SUMS" in verify
    assert records[-1].record_hash in verify and "해시" in verify
    device_id = body["device_id"]
    der = subprocess.run(["openssl", "pkey", "-pubin", "-in", "device/public_key.pem",
                          "-outform", "DER"], cwd=out, capture_output=True).stdout
    digest = subprocess.run(["sha256sum"], input=der[-32:], capture_output=True).stdout
    assert device_id == "dev-" + digest.decode().split()[0][:16]
