"""Records keyed by (device, id), their bodies too.

Records signed before ids named their device carry random (version 4) ids. Keyed by id alone,
the hub let one enrolled device upload, first, a record under another device's id and so block
that device's sync for good (409 ``uuid_conflict``). Keyed by (device, id), each device's
records have ids of their own; a lookup by id alone keeps an index (``ix_records_id``).

SQLite cannot change a primary key in place, so both tables are rebuilt (the same on
PostgreSQL, to keep one path): new tables, the rows copied, the old dropped, the new renamed.

Revision ID: 0008_record_keys
Revises: 0007_presence
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_record_keys"
down_revision = "0007_presence"
branch_labels = None
depends_on = None

TS = 27  # ISO 8601 UTC timestamps with microseconds, see detector/log/storage/models.py
INDEXES = {  # name -> columns, of records
    "ix_records_signed_at": ["signed_at", "id"],
    "ix_records_site_signed_at": ["site_id", "signed_at"],
    "ix_records_verdict_signed_at": ["verdict", "signed_at"],
    "ix_records_supersedes": ["supersedes"],
}
RECORD_COLUMNS = ("device_id", "id", "seq", "type", "supersedes", "site_id", "inspector",
                  "status", "verdict", "presence", "max_severity", "alert_count", "started_at",
                  "signed_at", "prev_hash", "record_hash", "signature")


def _records_table(name: str, primary_key: list[str]) -> None:
    op.create_table(
        name,
        sa.Column("device_id", sa.String(64), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("supersedes", sa.String(36)),
        sa.Column("site_id", sa.String(64)),
        sa.Column("inspector", sa.String(200)),
        sa.Column("status", sa.String(16)),
        sa.Column("verdict", sa.String(16)),
        sa.Column("presence", sa.String(8)),
        sa.Column("max_severity", sa.String(16)),
        sa.Column("alert_count", sa.Integer, nullable=False),
        sa.Column("started_at", sa.String(TS)),
        sa.Column("signed_at", sa.String(TS), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("record_hash", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint(*primary_key),
        sa.UniqueConstraint("device_id", "seq"),
    )


def _rebuild(primary_key: list[str], body_key: list[str]) -> None:
    """Rebuild ``records`` with ``primary_key`` and ``record_bodies`` referring to it by
    ``body_key`` (its columns of the records' key), copying every row."""
    _records_table("records_rebuilt", primary_key)
    body_columns = [sa.Column(c, sa.String(64 if c == "device_id" else 36), nullable=False)
                    for c in body_key]
    op.create_table(
        "record_bodies_rebuilt", *body_columns,
        sa.Column("body", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint(*body_key),
        sa.ForeignKeyConstraint(body_key, [f"records_rebuilt.{c}" for c in body_key]),
    )
    columns = ", ".join(RECORD_COLUMNS)
    op.execute(f"INSERT INTO records_rebuilt ({columns}) SELECT {columns} FROM records")
    op.execute(f"INSERT INTO record_bodies_rebuilt ({', '.join(body_key)}, body) "
               f"SELECT {', '.join('r.' + c for c in body_key)}, b.body "
               "FROM record_bodies b JOIN records r ON r.id = b.id")
    op.drop_table("record_bodies")
    op.drop_table("records")
    op.rename_table("records_rebuilt", "records")
    op.rename_table("record_bodies_rebuilt", "record_bodies")
    for name, index_columns in INDEXES.items():
        op.create_index(name, "records", index_columns)


def upgrade() -> None:
    _rebuild(["device_id", "id"], ["device_id", "id"])
    op.create_index("ix_records_id", "records", ["id"])


def downgrade() -> None:
    _rebuild(["id"], ["id"])
