"""Listing, filtering and exporting the log, fast on a busy device's years of records.

Everything here reads only the compact, indexed ``records`` table (plus, for JSON export, the
stored body text from ``record_bodies``, written out as it is, never re-parsed), pages by keyset
(``signed_at``, ``id``) rather than offset, and streams exports, so a page or a filtered export
costs the same on day one and after 180,000 inspections.
"""

import csv
import functools
import json
from dataclasses import dataclass

from sqlalchemy import JSON, String, case, cast, func, literal_column, or_, select, tuple_

from detector.log.csv_cells import ESCAPE, FORMULA_TRIGGERS
from detector.log.storage.models import RECORD_BODY, Device, Record, RecordBody, Site

LIST_COLUMNS = ("id", "device_id", "seq", "type", "supersedes", "site_id", "inspector",
                "status", "verdict", "presence", "max_severity", "alert_count", "started_at",
                "signed_at")
#: Who was told of a camera and the report's number, from the record's escalation.
ESCALATION_COLUMNS = ("notified", "report_ref")
CSV_COLUMNS = (*LIST_COLUMNS[:6], "site_name", *LIST_COLUMNS[6:], *ESCALATION_COLUMNS,
               "record_hash")
_STREAM_ROWS = 5000


@dataclass(frozen=True)
class LogFilter:
    """Which records: signed in [since, until] (stored timestamps), at a site, with a verdict."""

    since: str | None = None
    until: str | None = None
    site_id: str | None = None
    verdict: str | None = None
    type: str | None = None

    def apply(self, query):
        if self.since:
            query = query.where(Record.signed_at >= self.since)
        if self.until:
            query = query.where(Record.signed_at <= self.until)
        if self.site_id:
            query = query.where(Record.site_id == self.site_id)
        if self.verdict:
            query = query.where(Record.verdict == self.verdict)
        if self.type:
            query = query.where(Record.type == self.type)
        return query


def list_records(store, log_filter: LogFilter = LogFilter(), *, limit: int = 50,
                 before: str | None = None) -> tuple[list[dict], str | None]:
    """One page of records, newest first, and the cursor of the next page (None at the end)."""
    columns = [getattr(Record, c) for c in LIST_COLUMNS]
    query = log_filter.apply(select(*columns)).order_by(Record.signed_at.desc(),
                                                        Record.id.desc())
    if before:
        signed_at, _, record_id = before.partition("|")
        query = query.where(tuple_(Record.signed_at, Record.id) < tuple_(signed_at, record_id))
    with store.read() as session:
        rows = [dict(r) for r in session.execute(query.limit(limit + 1)).mappings()]
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = f"{rows[-1]['signed_at']}|{rows[-1]['id']}" if more and rows else None
    return rows, cursor


def export_csv(store, log_filter: LogFilter, out) -> int:
    """Write the matching records, oldest first, as CSV (one row each) to a text stream.

    The database builds each CSV line itself (quoting only the free-text columns, the others
    being ids, numbers and fixed words), so a whole busy log streams out in about a second
    instead of costing a Python object per field.
    """
    csv.writer(out, lineterminator="\n").writerow(CSV_COLUMNS)
    count = 0
    with store.read() as session:
        line = _csv_line(session.bind.dialect.name)
        query = (log_filter.apply(select(line).outerjoin(Site, Site.id == Record.site_id)
                                  .outerjoin(RecordBody, RECORD_BODY))
                 .order_by(Record.signed_at, Record.id).execution_options(yield_per=_STREAM_ROWS))
        for lines in _line_batches(session, query):
            out.write("\n".join(lines))
            out.write("\n")
            count += len(lines)
    return count


def _line_batches(session, query):
    """Batches of a one-column query's values. On SQLite, straight from the driver's (lazy)
    cursor inside the session's transaction: skipping SQLAlchemy's per-row objects is what
    keeps a whole-log export near a second. Elsewhere (a server-side cursor on PostgreSQL),
    through SQLAlchemy's streaming."""
    if session.bind.dialect.name != "sqlite":
        yield from session.execute(query).scalars().partitions()
        return
    compiled = query.compile(dialect=session.bind.dialect)
    params = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = session.connection().connection.driver_connection.cursor()
    try:
        cursor.execute(compiled.string, params)
        while rows := cursor.fetchmany(_STREAM_ROWS):
            yield [row[0] for row in rows]
    finally:
        cursor.close()


_FREE_TEXT = {"site_id", "site_name", "inspector", *ESCALATION_COLUMNS}  # commas, quotes...
# As SQL literals, not bound parameters: the SQLite path runs the compiled string itself.
_TRIGGER_LITERALS = [literal_column(f"'{ch}'", String) for ch in FORMULA_TRIGGERS]
_ESCAPE_LITERAL = literal_column("'" + ESCAPE.replace("'", "''") + "'", String)


def _escalation(name: str, dialect: str):
    """The record's escalation field ``name``, read from its body only where there can be
    one (a verdict other than clear, or a correction), so the clear majority costs no JSON
    parsing."""
    if dialect == "sqlite":  # names are ESCALATION_COLUMNS, never input: safe as literals
        value = func.json_extract(RecordBody.body, literal_column(f"'$.escalation.{name}'"))
    else:
        value = cast(RecordBody.body, JSON).op("#>>")(literal_column(f"'{{escalation,{name}}}'"))
    may_have_one = or_(Record.verdict == "found", Record.verdict == "suspicious",
                       Record.type == "correction")
    return case((may_have_one, value), else_=None)


def _csv_line(dialect: str):
    """One SQL expression that renders a record's CSV line, on SQLite and PostgreSQL alike."""
    def text(sql):
        return literal_column(sql, String)

    fields = []
    for name in CSV_COLUMNS:
        if name in ESCALATION_COLUMNS:
            column = _escalation(name, dialect)
        else:
            column = Site.name if name == "site_name" else getattr(Record, name)
        value = func.coalesce(cast(column, String), text("''"))
        # Never a formula in a spreadsheet (detector.log.csv_cells): on the hub every column
        # came from a device. Numbers here are never negative, so none is touched.
        value = case((func.substr(value, 1, 1).in_(_TRIGGER_LITERALS), _ESCAPE_LITERAL + value),
                     else_=value)
        if name in _FREE_TEXT:  # RFC 4180: quoted, with quotes doubled
            value = text("'\"'") + func.replace(value, text("'\"'"), text("'\"\"'")) \
                + text("'\"'")
        fields.append(value)
    return functools.reduce(lambda line, field: line + text("','") + field, fields)


def export_json(store, log_filter: LogFilter, out) -> int:
    """Write the matching records, oldest first, as one JSON document anyone can verify.

    ``{"format": "ansim.log/1", "devices": [{"id", "public_key"}], "records": [{"body",
    "record_hash", "signature"}]}``: each body is the exact signed text, so hashing it
    reproduces ``record_hash`` and the device's public key checks ``signature``.
    """
    query = (log_filter.apply(select(RecordBody.body, Record.record_hash, Record.signature)
                              .join(RecordBody, RECORD_BODY))
             .order_by(Record.signed_at, Record.id).execution_options(yield_per=_STREAM_ROWS))
    count = 0
    with store.read() as session:
        devices = [{"id": d, "public_key": k} for d, k in
                   session.execute(select(Device.id, Device.public_key).order_by(Device.id))]
        out.write(f'{{"format":"ansim.log/1","devices":{json.dumps(devices)},"records":[')
        for partition in session.execute(query).partitions():
            out.write(("," if count else "") + ",".join(
                f'{{"body":{body},"record_hash":"{h}","signature":"{s}"}}'
                for body, h, s in partition))
            count += len(partition)
        out.write("]}\n")
    return count
