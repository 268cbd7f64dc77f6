"""Fixtures for the inspection engine and its log: a data directory with example sites, and
services whose steps come from outcome doubles (``tests.support.inspection_doubles``)."""

import pytest

from detector.engine.inspections import open_service
from detector.engine.sites import import_sites
from detector.log.storage import open_store
from tests.support.inspection_doubles import FakeRestroom, FakeSteps
from tests.support.postgres import postgres_server, postgres_url  # noqa: F401 - fixtures

SITES_CSV = """id,name,address,lat,lon,stalls,risk,schedule
jongno-1,Jongno Tower public restroom,"Jongno-gu, Seoul",37.5704,126.9831,2,high,weekly
mapo-7,Mapo station restroom,"Mapo-gu, Seoul",37.5395,126.9459,1,medium,monthly
"""


@pytest.fixture
def data_dir(tmp_path):
    """A data directory holding the two example sites."""
    path = tmp_path / "data"
    csv_path = tmp_path / "sites.csv"
    csv_path.write_text(SITES_CSV, encoding="utf-8")
    path.mkdir()
    with open_store(path, write=True) as store:
        import_sites(store, csv_path)
    return path


@pytest.fixture
def make_service(data_dir):
    """``make_service(restroom=None, bus=None)``: an engine on ``data_dir`` with fake steps."""
    opened = []

    def make(restroom: FakeRestroom | None = None, bus=None):
        service = open_service(data_dir, steps=FakeSteps(restroom), bus=bus)
        opened.append(service)
        return service

    yield make
    for service in opened:
        service.store.close()
