"""A full disk is a clear error, and loses nothing already committed.

The data directory lives on a small tmpfs (a real file system that really runs out of space),
which needs root; elsewhere the test is skipped with the reason.
"""

import pytest

from ansim.cli import main
from detector.engine import checklist
from detector.engine.inspections import open_service
from detector.engine.sites import import_sites
from detector.log.storage import DiskFull
from detector.log.verify import verify_log
from tests.detector.conftest import SITES_CSV
from tests.support.inspection_doubles import (
    AMBIENT,
    FakeRestroom,
    FakeSteps,
    video_emitter,
)
from tests.support.signed_log import fill, small_tmpfs

ROOM = FakeRestroom(emitters=(*AMBIENT, video_emitter()), lenses={(1, "door_hook"): 0.9})


@pytest.fixture
def small_disk(tmp_path):
    with small_tmpfs(tmp_path / "disk") as mount_point:
        yield mount_point


def _inspect(service, state=None):
    state = state or service.start("mapo-7", "Kim Inspector")
    if not state.steps:
        service.run_rf_step(state.id)
    for zone in checklist.ITEMS:
        service.run_optical_step(state.id, 1, zone)
    service.set_verdict(state.id, "found")
    return service.sign_off(state.id, "Kim Inspector")


@pytest.mark.slow
def test_a_full_disk_is_a_clear_error_and_loses_nothing(small_disk, tmp_path, capsys):
    data = small_disk / "data"
    (tmp_path / "sites.csv").write_text(SITES_CSV)
    with open_service(data, steps=FakeSteps(ROOM)) as service:
        import_sites(service.store, tmp_path / "sites.csv")
        kept = _inspect(service)
        under_way = service.start("mapo-7", "Kim Inspector")
        under_way = service.run_rf_step(under_way.id)
        filler = fill(small_disk)
        # The lens crops repeat the first inspection's (stored once, by hash) and the WAL,
        # checkpointed at every sign-off, is reused from its start: the inspection may still
        # fit. Either it is signed off or it fails with DiskFull; nothing is lost either way.
        try:
            finished = _inspect(service, under_way)
        except DiskFull as exc:
            assert "disk is full" in str(exc)
            finished = None

    many = tmp_path / "many.csv"  # more than the log's free pages can take
    many.write_text("id,name,address\n" + "".join(f"s-{i},Restroom {i},{'x' * 300}\n"
                                                   for i in range(3000)))
    code = main(["--lang", "en", "sites", "import", str(many), "--data", str(data)])
    assert code == 1
    assert capsys.readouterr().err.startswith("The disk is full:")

    filler.unlink()
    with open_service(data, steps=FakeSteps(ROOM)) as service:
        assert verify_log(service.store, evidence=service.evidence).ok
        assert service.get(kept.id).verdict == "found"
        cut_off = service.get(under_way.id)
        if finished is None:  # the inspection the full disk stopped,
            assert cut_off.status == "interrupted"  # recovered with the step it had done
            assert [s["kind"] for s in cut_off.steps] == ["rf_sweep"]
        else:
            assert cut_off.status == "signed_off" and cut_off.verdict == "found"
        _inspect(service)  # and with space again, work goes on
