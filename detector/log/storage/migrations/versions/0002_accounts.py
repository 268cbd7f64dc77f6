"""The dashboard's accounts: users and their roles, volunteers' join codes, the log of who
viewed which evidence, and the times the device took its clock from a phone.

Revision ID: 0002_accounts
Revises: 0001_log
Create Date: 2026-05-09
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_accounts"
down_revision = "0001_log"
branch_labels = None
depends_on = None

TS = 27  # ISO 8601 UTC timestamps with microseconds, see detector/log/storage/models.py


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(256)),
        sa.Column("created_at", sa.String(TS), nullable=False),
        sa.Column("expires_at", sa.String(TS)),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("language", sa.String(8)),
    )
    op.create_table(
        "join_codes",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.String(TS), nullable=False),
        sa.Column("expires_at", sa.String(TS), nullable=False),
    )
    op.create_table(
        "evidence_views",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("evidence_sha256", sa.String(64), nullable=False),
        sa.Column("inspection_id", sa.String(64)),
        sa.Column("viewed_at", sa.String(TS), nullable=False),
        sa.Column("remote_addr", sa.String(64), nullable=False),
    )
    op.create_index("ix_evidence_views_evidence_sha256", "evidence_views", ["evidence_sha256"])
    op.create_table(
        "clock_fixes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("system_time", sa.String(TS), nullable=False),
        sa.Column("phone_time", sa.String(TS), nullable=False),
        sa.Column("offset_s", sa.Float, nullable=False),
        sa.Column("remote_addr", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("clock_fixes")
    op.drop_index("ix_evidence_views_evidence_sha256", table_name="evidence_views")
    op.drop_table("evidence_views")
    op.drop_table("join_codes")
    op.drop_table("users")
