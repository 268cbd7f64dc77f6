"""Presence: each record's presence level (strong / weak / none) as a column of records, so the
log list flags weak and none without reading record bodies.

Revision ID: 0007_presence
Revises: 0006_setup_and_sessions
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_presence"
down_revision = "0006_setup_and_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("records", sa.Column("presence", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.drop_column("presence")
