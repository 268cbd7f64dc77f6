"""``ansim bench log`` runs end to end (on a small log; the figures come from the full one)."""

import json

from ansim.cli import main
from detector.log.storage import open_store
from detector.log.verify import verify_log


def test_the_benchmark_builds_a_verifiable_log_and_times_every_query(capsys, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    code = main(["--lang", "en", "bench", "log", "--per-day", "3", "--years", "1", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code in (0, 1)  # 1 only if a query was slow, which the figures then show
    assert report["records"] == 3 * 365
    names = [timing["name"] for timing in report["timings"]]
    assert any(n.startswith("export CSV: the whole log") for n in names)
    whole = next(t for t in report["timings"] if t["name"] == "export CSV: the whole log")
    assert whole["rows"] == 3 * 365
    cache = next(tmp_path.glob("ansim-bench-log-*"))
    with open_store(cache / "ansim.db", write=False) as store:
        assert verify_log(store).ok  # real sealed records, not filler
