"""The registry of restrooms, imported from and exported to CSV.

The CSV's header names its columns, in any order, from ``id,name,address,lat,lon,stalls,risk,
schedule,district,assignee``; only ``id`` and ``name`` are required. ``district`` is the city
district (gu) the hub's coverage views group by; without it, it is read from a Korean address
(``서울특별시 종로구 ...`` is 종로구). ``assignee`` is the username of the inspector the site is
assigned to. Text is UTF-8 (with or without the byte-order
mark spreadsheet programs add) or CP949, which Korean Excel writes. An import checks every row
first and reports every problem with its line number, column and what is wrong; if there is any
problem nothing is imported. Importing a site that exists updates it, so importing the same file
twice changes nothing.

Example::

    summary = import_sites(store, "examples/sites.csv")
    export_sites(store, sys.stdout)
"""

import csv
import io
import math
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from sqlalchemy import select

from detector.errors import DetectorError
from detector.log.csv_cells import neutralise, unescape
from detector.log.storage.models import Site
from detector.places import MAX_DISTRICT_LENGTH, MAX_STALLS, SCHEDULES, district_of
from detector.textcheck import refused_character
from detector.timestamps import utc_now
from hardware.errors import os_reason

COLUMNS = ("id", "name", "address", "lat", "lon", "stalls", "risk", "schedule", "district",
           "assignee")
REQUIRED = ("id", "name")
RISKS = ("low", "medium", "high")
_ID_PATTERN = re.compile(r"^[^\s/\\]{1,64}$")
_MAX_REPORTED = 50


@dataclass(frozen=True)
class SiteRecord:
    id: str
    name: str
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    stalls: int | None = None
    risk: str | None = None
    schedule: str | None = None
    district: str | None = None
    assignee: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RowError:
    """One problem of the file: where (its line and column) and what, in English (``problem``,
    for developers and logs) and as a problem code with its figures (``code``, ``params``: the
    sentence ``problem.<code>`` says, filled with these and the line and column)."""

    line: int
    column: str
    problem: str
    code: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.problem}"

    @property
    def part(self) -> tuple[str, dict]:
        """This problem as one of ``SiteImportError``'s ``problem_parts``."""
        return self.code, {"line": self.line, "column": self.column, **self.params}


class SiteImportError(DetectorError, ValueError):
    """The file cannot be imported; ``errors`` holds every problem found (nothing was imported).

    Said in the user's language as the file, how many problems, then each problem with its line
    and column (``problem_parts``, joined by ``detector.i18n.describe_problem``)."""

    def __init__(self, source: str, errors: list[RowError]):
        self.source = source
        self.errors = errors
        shown = "\n".join(f"  {e}" for e in errors[:_MAX_REPORTED])
        more = len(errors) - _MAX_REPORTED
        super().__init__(f"{source}: {len(errors)} problem(s), nothing imported:\n{shown}"
                         + (f"\n  ... and {more} more" if more > 0 else ""),
                         problem="sites_not_imported", count=len(errors))
        self.where = source
        self.problem_parts = [e.part for e in errors]


@dataclass(frozen=True)
class ImportSummary:
    added: int
    updated: int
    unchanged: int


def read_sites_csv(path) -> list[SiteRecord]:
    """Every site in the file, or ``SiteImportError`` with every problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SiteImportError(str(path), [RowError(0, "-", f"cannot read: {exc.strerror}",
                                                   code="unreadable",
                                                   params={"reason": os_reason(exc)})]) from exc
    return parse_sites(_decode(raw, str(path)), str(path))


def _decode(raw: bytes, source: str) -> str:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SiteImportError(source, [RowError(1, "-", "not UTF-8 or CP949 text",
                                            code="sites_encoding")])


def parse_sites(text: str, source: str = "<csv>") -> list[SiteRecord]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise SiteImportError(source, [RowError(1, "-", "the file is empty",
                                                code="empty")]) from None
    except csv.Error as exc:
        raise SiteImportError(source, [RowError(1, "-", f"not CSV: {exc}",
                                                code="site_row_not_csv")]) from None
    header = [h.strip().lower() for h in header]
    errors = _header_errors(header)
    if errors:
        raise SiteImportError(source, errors)
    sites, errors, first_line = [], [], {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            site = _parse_row(header, row, line, errors)
            if site is None:
                continue
            if site.id in first_line:
                errors.append(RowError(line, "id", f"{site.id!r} is already on line "
                                                   f"{first_line[site.id]}",
                                       code="site_id_repeated",
                                       params={"value": repr(site.id),
                                               "first": first_line[site.id]}))
                continue
            first_line[site.id] = line
            sites.append(site)
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, "-", f"not CSV: {exc}",
                               code="site_row_not_csv"))
    if errors:
        raise SiteImportError(source, errors)
    return sites


def _header_errors(header: list[str]) -> list[RowError]:
    errors = []
    for i, name in enumerate(header):
        if name not in COLUMNS:
            errors.append(RowError(1, name or f"#{i + 1}",
                                   f"unknown column; columns are {','.join(COLUMNS)}",
                                   code="site_column_unknown",
                                   params={"columns": repr(",".join(COLUMNS))}))
        elif name in header[:i]:
            errors.append(RowError(1, name, "column appears twice", code="site_column_twice"))
    for name in REQUIRED:
        if name not in header:
            errors.append(RowError(1, name, "required column is missing",
                                   code="site_column_missing"))
    return errors


def _parse_row(header, row, line, errors) -> SiteRecord | None:
    if len(row) > len(header):
        errors.append(RowError(line, "-", f"{len(row)} fields but the header has {len(header)}",
                               code="site_field_count",
                               params={"count": len(row), "expected": len(header)}))
        return None
    values = {name: (unescape(row[i].strip()) if i < len(row) else "")
              for i, name in enumerate(header)}
    before = len(errors)

    def bad(column, problem, *, code, **params):
        errors.append(RowError(line, column, problem, code=code, params=params))

    for column, text in values.items():
        bad_char = refused_character(text)
        if bad_char is not None:
            bad(column, f"holds the control character {bad_char}",
                code="site_control_character", character=bad_char)
            values[column] = ""
    site_id, name = values.get("id", ""), values.get("name", "")
    if not _ID_PATTERN.match(site_id):
        bad("id", "required: up to 64 characters with no spaces or slashes",
            code="site_id_invalid")
    if not name:
        bad("name", "required", code="site_value_required")
    elif len(name) > 200:
        bad("name", "longer than 200 characters", code="site_too_long", limit=200)
    address = values.get("address") or None
    if address and len(address) > 400:
        bad("address", "longer than 400 characters", code="site_too_long", limit=400)
    lat = _number(values.get("lat"), "lat", -90, 90, bad)
    lon = _number(values.get("lon"), "lon", -180, 180, bad)
    if (lat is None) != (lon is None) and len(errors) == before:
        bad("lat" if lat is None else "lon", "lat and lon go together: give both or neither",
            code="site_lat_lon_pair")
    stalls = _stalls(values.get("stalls"), bad)
    risk = _choice(values.get("risk"), "risk", RISKS, bad)
    schedule = _choice(values.get("schedule"), "schedule", SCHEDULES, bad)
    district = values.get("district") or district_of(address)
    if district and len(district) > MAX_DISTRICT_LENGTH:
        bad("district", f"longer than {MAX_DISTRICT_LENGTH} characters", code="site_too_long",
            limit=MAX_DISTRICT_LENGTH)
    assignee = values.get("assignee") or None
    if assignee and len(assignee) > 200:
        bad("assignee", "longer than 200 characters", code="site_too_long", limit=200)
    if len(errors) > before:
        return None
    return SiteRecord(site_id, name, address, lat, lon, stalls, risk, schedule, district,
                      assignee)


def _number(text, column, low, high, bad) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        bad(column, f"{text!r} is not a number", code="site_not_a_number", value=repr(text))
        return None
    if not math.isfinite(value) or not low <= value <= high:
        bad(column, f"{text} is outside {low}..{high}", code="site_out_of_range", value=text,
            low=low, high=high)
        return None
    return value


def _stalls(text, bad) -> int | None:
    if not text:
        return None
    # ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
    if not re.fullmatch(r"[0-9]{1,3}", text) or not 1 <= int(text) <= MAX_STALLS:
        bad("stalls", f"{text!r} is not a whole number from 1 to {MAX_STALLS}",
            code="site_stalls", value=repr(text), max=MAX_STALLS)
        return None
    return int(text)


def _choice(text, column, allowed, bad) -> str | None:
    if not text:
        return None
    if text.lower() not in allowed:
        bad(column, f"{text!r} is not one of {', '.join(allowed)}", code="site_not_one_of",
            value=repr(text), choices=", ".join(map(repr, allowed)))
        return None
    return text.lower()


def import_sites(store, path) -> ImportSummary:
    """Add or update every site in the CSV file, all in one transaction."""
    sites = read_sites_csv(path)
    added = updated = 0
    now = utc_now()
    with store.write() as session:
        for site in sites:
            row = session.get(Site, site.id)
            if row is None:
                session.add(Site(**site.to_dict(), updated_at=now))
                added += 1
            elif _as_record(row) != site:
                for name, value in site.to_dict().items():
                    setattr(row, name, value)
                row.updated_at = now
                updated += 1
    return ImportSummary(added, updated, len(sites) - added - updated)


def list_sites(store) -> list[SiteRecord]:
    with store.read() as session:
        return [_as_record(row) for row in session.scalars(select(Site).order_by(Site.id))]


def export_sites(store, out) -> int:
    """Write every site as CSV (the import format, all columns) to the text stream ``out``."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    sites = list_sites(store)
    for site in sites:
        writer.writerow(["" if v is None else _cell(v) for v in
                         (getattr(site, name) for name in COLUMNS)])
    return len(sites)


def _cell(value) -> str:
    """Numbers as they are; text safe for a spreadsheet (``detector.log.csv_cells``)."""
    return repr(value) if isinstance(value, float) else neutralise(str(value))


def _as_record(row: Site) -> SiteRecord:
    return SiteRecord(**{f.name: getattr(row, f.name) for f in fields(SiteRecord)})
