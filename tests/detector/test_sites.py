"""The site registry's CSV import and export."""

import io
from pathlib import Path

import pytest

from detector.engine.sites import (
    SiteImportError,
    SiteRecord,
    export_sites,
    import_sites,
    list_sites,
    parse_sites,
)
from detector.log.storage import open_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "sites.csv"


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "ansim.db", write=True) as store:
        yield store


def _write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "sites.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_columns_may_come_in_any_order_and_only_id_and_name_are_needed():
    sites = parse_sites("name,stalls,id\nGwanghwamun square,3,jongno-9\nCity hall,,jung-1\n")
    assert sites == [SiteRecord("jongno-9", "Gwanghwamun square", stalls=3),
                     SiteRecord("jung-1", "City hall")]


def test_every_bad_row_is_reported_with_line_column_and_problem():
    text = ("id,name,lat,lon,stalls,risk,schedule\n"
            "a-1,Fine,37.5,127.0,2,low,weekly\n"
            "a-2,,37.5,127.0,2,low,weekly\n"
            "a-3,Lat off,137.5,127.0,2,low,weekly\n"
            "\n"
            "a-4,No lon,37.5,,1,low,weekly\n"
            "a-5,Many stalls,37.5,127.0,two,extreme,hourly\n"
            "a-1,Again,,,,,\n")
    with pytest.raises(SiteImportError) as info:
        parse_sites(text, "sites.csv")
    found = {(e.line, e.column) for e in info.value.errors}
    assert found == {(3, "name"), (4, "lat"), (6, "lon"), (7, "stalls"), (7, "risk"),
                     (7, "schedule"), (8, "id")}
    message = str(info.value)
    assert "sites.csv" in message and "nothing imported" in message
    assert "line 8, column id: 'a-1' is already on line 2" in message


def test_a_header_without_id_or_with_unknown_columns_is_refused():
    with pytest.raises(SiteImportError) as info:
        parse_sites("name,colour\nX,red\n")
    assert {(e.line, e.column) for e in info.value.errors} == {(1, "colour"), (1, "id")}


def test_a_bad_file_imports_nothing(store, tmp_path):
    import_sites(store, _write(tmp_path, "id,name\nkeep-1,Existing\n"))
    bad = _write(tmp_path, "id,name,stalls\nnew-1,Good row,2\nnew-2,Bad row,-1\n")
    with pytest.raises(SiteImportError, match="line 3, column stalls"):
        import_sites(store, bad)
    assert [s.id for s in list_sites(store)] == ["keep-1"]


def test_importing_twice_changes_nothing_and_a_changed_row_updates(store, tmp_path):
    first = import_sites(store, EXAMPLES)
    assert first.added >= 5 and first.updated == 0
    again = import_sites(store, EXAMPLES)
    assert (again.added, again.updated, again.unchanged) == (0, 0, first.added)
    changed = _write(tmp_path, "id,name,stalls\n" + f"{list_sites(store)[0].id},Renamed,4\n")
    assert import_sites(store, changed).updated == 1


def test_export_round_trips_through_import(store, tmp_path):
    import_sites(store, EXAMPLES)
    out = io.StringIO()
    assert export_sites(store, out) == len(list_sites(store))
    assert out.getvalue().splitlines()[0] == ("id,name,address,lat,lon,stalls,risk,schedule,"
                                              "district,assignee")
    assert parse_sites(out.getvalue()) == list_sites(store)


def test_korean_excel_files_in_cp949_and_utf8_with_bom_are_read(store, tmp_path):
    text = "id,name,address\nseodaemun-2,신촌역 공중화장실,서울 서대문구\n"
    for encoding in ("cp949", "utf-8-sig"):
        import_sites(store, _write(tmp_path, text, encoding))
        assert list_sites(store)[0].name == "신촌역 공중화장실"


def test_the_examples_are_plausible_seoul_restrooms():
    sites = parse_sites(EXAMPLES.read_text(encoding="utf-8"))
    assert len(sites) >= 5
    for site in sites:
        assert 37.4 < site.lat < 37.7 and 126.7 < site.lon < 127.2  # inside Seoul
