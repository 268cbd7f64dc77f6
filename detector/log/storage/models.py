"""The tables of the inspection log, on one declarative ``Base`` shared by every area.

Two kinds of table:

- **Working tables** (``sites``, ``site_fixtures``, ``inspections``, ``inspection_steps``,
  ``checklist_marks``, ``alert_dismissals``, ``evidence``): an inspection in progress is written
  here step by step, each step committed as it completes, so a crash loses nothing that finished.
- **The log** (``records``, ``record_bodies``, ``devices``): append-only, hash-chained, signed
  records. Once an inspection is signed off, everything anyone reads about it comes from its
  record's body (canonical JSON, byte-exact, in ``record_bodies``); the ``records`` columns are
  copies of body fields kept only so the log can be listed and filtered by index, and
  ``ansim log verify`` checks them against the body.

Timestamps are ISO 8601 UTC strings with microseconds (``2026-05-09T07:35:25.123456Z``): they sort
as text, compare byte-for-byte with the signed body, and behave the same on SQLite and PostgreSQL.
Another area adding tables (e.g. the dashboard's accounts) declares them on this ``Base`` and adds
an Alembic revision after ``0001_log``.
"""

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DAY_LENGTH = 10  # an ISO date, YYYY-MM-DD
TIMESTAMP_LENGTH = 27  # len("2026-05-09T07:35:25.123456Z")


class Base(DeclarativeBase):
    """The one declarative base of ansim's database."""


class Site(Base):
    """A restroom that gets inspected, with its RF and Wi-Fi baselines from earlier clear
    inspections."""

    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(400))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    stalls: Mapped[int | None] = mapped_column(Integer)
    risk: Mapped[str | None] = mapped_column(String(16))
    schedule: Mapped[str | None] = mapped_column(String(16))
    district: Mapped[str | None] = mapped_column(String(64), index=True)
    assignee: Mapped[str | None] = mapped_column(String(200))
    #: The city-time day of the newest inspection signed off here (the hub keeps it, so
    #: finding overdue sites never scans the records).
    last_inspected_on: Mapped[str | None] = mapped_column(String(DAY_LENGTH))
    baseline_json: Mapped[str | None] = mapped_column(Text)
    baseline_record_id: Mapped[str | None] = mapped_column(String(36))
    #: The site's known Wi-Fi transmitters (``rf.wifi.baseline``), from clear inspections.
    wifi_baseline_json: Mapped[str | None] = mapped_column(Text)
    wifi_baseline_record_id: Mapped[str | None] = mapped_column(String(36))
    updated_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))


class Inspection(Base):
    """One inspection while it is under way (status ``in_progress``) and after it ends."""

    __tablename__ = "inspections"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    inspector: Mapped[str] = mapped_column(String(200))
    stalls: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    started_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))
    updated_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))
    verdict: Mapped[str | None] = mapped_column(String(16))
    escalation_json: Mapped[str | None] = mapped_column(Text)
    record_id: Mapped[str | None] = mapped_column(String(36))


class InspectionStep(Base):
    """A completed step (RF sweep or optical scan of one stall's zone), committed when done."""

    __tablename__ = "inspection_steps"
    __table_args__ = (UniqueConstraint("inspection_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspections.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    stall: Mapped[int | None] = mapped_column(Integer)
    zone: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))
    finished_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))
    result_json: Mapped[str] = mapped_column(Text)
    baseline_candidate_json: Mapped[str | None] = mapped_column(Text)


class ChecklistMark(Base):
    """One mark of a checklist item; a later mark of the same stall and item replaces it."""

    __tablename__ = "checklist_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspections.id"), index=True)
    stall: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    marked_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))


class AlertDismissal(Base):
    """An inspector's review of an alert: not a camera, and why (e.g. a flush sensor's LED)."""

    __tablename__ = "alert_dismissals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspections.id"), index=True)
    alert_id: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)
    dismissed_by: Mapped[str] = mapped_column(String(200))
    dismissed_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))
    #: The inspector says it is one of the restroom's own lights: once the inspection is signed
    #: off, the site remembers a fixture at the alert's place (``site_fixtures``).
    as_fixture: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class SiteFixture(Base):
    """A known optical fixture of a site (a flush sensor's LED): an IR glow an inspector
    dismissed as the restroom's own at this stall and zone, in the signed record ``record_id``.
    Later scans of the place report such a glow as information, not as an alert."""

    __tablename__ = "site_fixtures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    stall: Mapped[int] = mapped_column(Integer)
    zone: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    marked_by: Mapped[str] = mapped_column(String(200))
    marked_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))
    record_id: Mapped[str] = mapped_column(String(36))
    alert_id: Mapped[str] = mapped_column(String(120))


class Evidence(Base):
    """A file in the content-addressed evidence store, named by its SHA-256."""

    __tablename__ = "evidence"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    media_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))


class Device(Base):
    """A device whose records are in this log: its public key and the head of its chain."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    head_seq: Mapped[int] = mapped_column(Integer, default=0)
    head_hash: Mapped[str] = mapped_column(String(64))
    head_id: Mapped[str | None] = mapped_column(String(36))
    registered_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))


class Record(Base):
    """One signed, hash-chained record of the log: an inspection or a correction of one.

    Keyed by (device, id): records signed before ids named their device carry random ids, and
    on the hub one device must never be able to take, first, the id of another's record (it
    would block that device's sync). On a device, ids are unique on their own."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("device_id", "seq"),
        Index("ix_records_id", "id"),
        Index("ix_records_signed_at", "signed_at", "id"),
        Index("ix_records_site_signed_at", "site_id", "signed_at"),
        Index("ix_records_verdict_signed_at", "verdict", "signed_at"),
        Index("ix_records_supersedes", "supersedes"),
    )

    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16))
    supersedes: Mapped[str | None] = mapped_column(String(36))
    site_id: Mapped[str | None] = mapped_column(String(64))
    inspector: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str | None] = mapped_column(String(16))
    verdict: Mapped[str | None] = mapped_column(String(16))
    presence: Mapped[str | None] = mapped_column(String(8))  # strong | weak | none
    max_severity: Mapped[str | None] = mapped_column(String(16))
    alert_count: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[str | None] = mapped_column(String(TIMESTAMP_LENGTH))
    signed_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))
    prev_hash: Mapped[str] = mapped_column(String(64))
    record_hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))


class RecordBody(Base):
    """A record's signed body, byte-exact canonical JSON. Kept apart from ``records`` so that
    listing, filtering and CSV export read a compact table, not years of bodies."""

    __tablename__ = "record_bodies"
    __table_args__ = (
        ForeignKeyConstraint(["device_id", "id"], ["records.device_id", "records.id"]),
    )

    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    body: Mapped[str] = mapped_column(Text)


#: How a record meets its body (in a join): by device and id, the records' key.
RECORD_BODY = and_(RecordBody.device_id == Record.device_id, RecordBody.id == Record.id)


class HubDevice(Base):
    """On the city hub: a device allowed to upload its records. Its signature proves where a
    record came from; the token (kept only as a SHA-256) keeps strangers from filling the hub."""

    __tablename__ = "hub_devices"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    token_sha256: Mapped[str] = mapped_column(String(64))
    enrolled_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))
    enrolled_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[str | None] = mapped_column(String(TIMESTAMP_LENGTH))
    last_upload_at: Mapped[str | None] = mapped_column(String(TIMESTAMP_LENGTH))


class CoverageDay(Base):
    """On the city hub: one site on one day (city time), counted from the inspection records
    taken in, so the city's coverage views read 20,554 sites' days, never their records."""

    __tablename__ = "coverage_days"

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    day: Mapped[str] = mapped_column(String(DAY_LENGTH), primary_key=True, index=True)
    inspections: Mapped[int] = mapped_column(Integer)
    clear: Mapped[int] = mapped_column(Integer)
    suspicious: Mapped[int] = mapped_column(Integer)
    found: Mapped[int] = mapped_column(Integer)
    alerts: Mapped[int] = mapped_column(Integer)
    weak_presence: Mapped[int] = mapped_column(Integer)


# The dashboard's accounts (``web.accounts`` is their one user): declared with the rest of the
# schema, so the models always match what the migrations (0002_accounts,
# 0006_setup_and_sessions) create.


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(256), nullable=True)
    created_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))
    expires_at: Mapped[str | None] = mapped_column(String(TIMESTAMP_LENGTH), nullable=True)
    disabled: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)


class SetupClaim(Base):
    """At most one row (id 1), written with the first admin in one transaction: the database,
    not a check before the insert, decides which of several racing setups wins."""

    __tablename__ = "setup_claim"
    __table_args__ = (CheckConstraint("id = 1", name="ck_setup_claim_single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))


class WebSession(Base):
    """One login: ended on logout, refused once ended, whatever the browser's cookie holds."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie's id
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))
    ended_at: Mapped[str | None] = mapped_column(String(TIMESTAMP_LENGTH), nullable=True)


class JoinCode(Base):
    __tablename__ = "join_codes"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))
    expires_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))


class EvidenceView(Base):
    __tablename__ = "evidence_views"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(64))
    evidence_sha256: Mapped[str] = mapped_column(String(64), index=True)
    inspection_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    viewed_at: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))
    remote_addr: Mapped[str] = mapped_column(String(64))


class ClockFix(Base):
    __tablename__ = "clock_fixes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(64))
    system_time: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))
    phone_time: Mapped[str] = mapped_column(String(TIMESTAMP_LENGTH))
    offset_s: Mapped[float] = mapped_column(Float)
    remote_addr: Mapped[str] = mapped_column(String(64))
