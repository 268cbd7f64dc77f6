"""Known optical fixtures per site: an IR glow dismissed as the restroom's own light (a flush
sensor's LED) is remembered at its stall and zone, and a dismissal says whether it was one.

Revision ID: 0004_fixtures
Revises: 0003_hub
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_fixtures"
down_revision = "0003_hub"
branch_labels = None
depends_on = None

TS = 27  # ISO 8601 UTC timestamps with microseconds, see detector/log/storage/models.py


def upgrade() -> None:
    op.create_table(
        "site_fixtures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.String(64), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("stall", sa.Integer, nullable=False),
        sa.Column("zone", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("marked_by", sa.String(200), nullable=False),
        sa.Column("marked_at", sa.String(TS), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("alert_id", sa.String(120), nullable=False),
    )
    op.create_index("ix_site_fixtures_site_id", "site_fixtures", ["site_id"])
    op.add_column("alert_dismissals",
                  sa.Column("as_fixture", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("alert_dismissals") as batch:
        batch.drop_column("as_fixture")
    op.drop_index("ix_site_fixtures_site_id", table_name="site_fixtures")
    op.drop_table("site_fixtures")
