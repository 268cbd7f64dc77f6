"""The inspection log: sites, inspections and their steps and checklist marks, evidence, devices
and the signed, hash-chained records (their bodies in a table of their own).

Revision ID: 0001_log
Revises:
Create Date: 2026-05-09
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_log"
down_revision = None
branch_labels = None
depends_on = None

TS = 27  # ISO 8601 UTC timestamps with microseconds, see detector/log/storage/models.py


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(400)),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("stalls", sa.Integer),
        sa.Column("risk", sa.String(16)),
        sa.Column("schedule", sa.String(16)),
        sa.Column("baseline_json", sa.Text),
        sa.Column("baseline_record_id", sa.String(36)),
        sa.Column("updated_at", sa.String(TS), nullable=False),
    )
    op.create_table(
        "inspections",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("site_id", sa.String(64), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("inspector", sa.String(200), nullable=False),
        sa.Column("stalls", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", sa.String(TS), nullable=False),
        sa.Column("updated_at", sa.String(TS), nullable=False),
        sa.Column("verdict", sa.String(16)),
        sa.Column("escalation_json", sa.Text),
        sa.Column("record_id", sa.String(36)),
    )
    op.create_index("ix_inspections_status", "inspections", ["status"])
    op.create_table(
        "inspection_steps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("inspection_id", sa.String(36), sa.ForeignKey("inspections.id"),
                  nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("stall", sa.Integer),
        sa.Column("zone", sa.String(32)),
        sa.Column("started_at", sa.String(TS), nullable=False),
        sa.Column("finished_at", sa.String(TS), nullable=False),
        sa.Column("result_json", sa.Text, nullable=False),
        sa.Column("baseline_candidate_json", sa.Text),
        sa.UniqueConstraint("inspection_id", "position"),
    )
    op.create_index("ix_inspection_steps_inspection_id", "inspection_steps", ["inspection_id"])
    op.create_table(
        "checklist_marks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("inspection_id", sa.String(36), sa.ForeignKey("inspections.id"),
                  nullable=False),
        sa.Column("stall", sa.Integer, nullable=False),
        sa.Column("item", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("marked_at", sa.String(TS), nullable=False),
    )
    op.create_index("ix_checklist_marks_inspection_id", "checklist_marks", ["inspection_id"])
    op.create_table(
        "alert_dismissals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("inspection_id", sa.String(36), sa.ForeignKey("inspections.id"),
                  nullable=False),
        sa.Column("alert_id", sa.String(120), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("dismissed_by", sa.String(200), nullable=False),
        sa.Column("dismissed_at", sa.String(TS), nullable=False),
    )
    op.create_index("ix_alert_dismissals_inspection_id", "alert_dismissals", ["inspection_id"])
    op.create_table(
        "evidence",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(TS), nullable=False),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("head_seq", sa.Integer, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("head_id", sa.String(36)),
        sa.Column("registered_at", sa.String(TS), nullable=False),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(64), sa.ForeignKey("devices.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("supersedes", sa.String(36)),
        sa.Column("site_id", sa.String(64)),
        sa.Column("inspector", sa.String(200)),
        sa.Column("status", sa.String(16)),
        sa.Column("verdict", sa.String(16)),
        sa.Column("max_severity", sa.String(16)),
        sa.Column("alert_count", sa.Integer, nullable=False),
        sa.Column("started_at", sa.String(TS)),
        sa.Column("signed_at", sa.String(TS), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("record_hash", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.UniqueConstraint("device_id", "seq"),
    )
    op.create_table(
        "record_bodies",
        sa.Column("id", sa.String(36), sa.ForeignKey("records.id"), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_records_signed_at", "records", ["signed_at", "id"])
    op.create_index("ix_records_site_signed_at", "records", ["site_id", "signed_at"])
    op.create_index("ix_records_verdict_signed_at", "records", ["verdict", "signed_at"])
    op.create_index("ix_records_supersedes", "records", ["supersedes"])


def downgrade() -> None:
    for table in ("record_bodies", "records", "devices", "evidence", "alert_dismissals",
                  "checklist_marks", "inspection_steps", "inspections", "sites"):
        op.drop_table(table)
