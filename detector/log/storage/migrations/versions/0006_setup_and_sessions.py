"""The first admin's claim (one row, at most, that says setup is done), and login sessions
kept on the server.

Creating the first admin inserts this row in the same transaction as the user; its primary key
can only be 1, so of several setups racing (on SQLite or on the hub's PostgreSQL) exactly one
commits, and setup stays closed for good even if that admin is later removed. A database that
already has an admin gets its row now.

``web_sessions`` holds one row per login (the SHA-256 of the id in the signed cookie), so
logging out or removing a user ends the session on the server, not only in the browser.

Revision ID: 0006_setup_and_sessions
Revises: 0005_coverage
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_setup_and_sessions"
down_revision = "0005_coverage"
branch_labels = None
depends_on = None

TS = 27  # ISO 8601 UTC timestamps with microseconds, see detector/storage/models.py


def upgrade() -> None:
    op.create_table(
        "setup_claim",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("claimed_at", sa.String(TS), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_setup_claim_single_row"),
    )
    op.execute(
        "INSERT INTO setup_claim (id, user_id, claimed_at) "
        "SELECT 1, id, created_at FROM users WHERE role = 'admin' ORDER BY id LIMIT 1")
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.String(TS), nullable=False),
        sa.Column("ended_at", sa.String(TS)),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("setup_claim")
