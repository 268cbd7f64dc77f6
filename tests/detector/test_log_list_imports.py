"""``ansim log list`` answers quickly because it loads only the database layer: not the
inspection engine, the signing key (cryptography), Alembic (the schema is current), nor any
numeric or imaging library. A guard on what listing imports (the time itself is a benchmark
figure, never asserted); and the cheap path still seals an inspection a crash cut off."""

import json
import subprocess
import sys

from ansim.cli import main

#: Modules a listing must never load (prefixes of module names).
NOT_FOR_LISTING = ("numpy", "scipy", "cv2", "av", "alembic", "cryptography", "urllib.request",
                   "detector.engine.inspections", "detector.log.signing", "detector.log.verify",
                   "detector.log.evidence", "rf", "optics", "hardware.sim", "web")

LIST_AND_REPORT_MODULES = """
import json, sys
from ansim.cli import main
code = main(["--lang", "en", "--json", "--data", sys.argv[1], "log", "list"])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _loaded(modules, prefix):
    return [m for m in modules if m == prefix or m.startswith(prefix + ".")]


def test_listing_loads_no_engine_signing_migrations_or_numerics(make_service, data_dir):
    service = make_service()
    state = service.start("jongno-1", "Kim Inspector", stalls=1)
    record = service.cancel(state.id, "the restroom was closed")
    service.close()

    result = subprocess.run([sys.executable, "-c", LIST_AND_REPORT_MODULES, str(data_dir)],
                            capture_output=True, text=True, check=True)
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report["code"] == 0
    assert [r["id"] for r in json.loads(result.stdout)["records"]] == [record.id]
    loaded = {prefix: _loaded(report["modules"], prefix) for prefix in NOT_FOR_LISTING}
    assert {p: mods for p, mods in loaded.items() if mods} == {}


def test_listing_still_seals_an_inspection_a_crash_cut_off(make_service, data_dir, capsys):
    service = make_service()
    service.start("mapo-7", "Kim Inspector", stalls=1)
    service.store.close()  # the process dies mid-inspection: the row stays in progress

    assert main(["--lang", "en", "--json", "--data", str(data_dir), "log", "list"]) == 0
    rows = json.loads(capsys.readouterr().out)["records"]
    assert [(r["site_id"], r["status"]) for r in rows] == [("mapo-7", "interrupted")]
