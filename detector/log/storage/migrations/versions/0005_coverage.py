"""City coverage: each site's district and assigned inspector, the day it was last inspected,
and one row per site and day with that day's inspections and verdicts (what the hub's city
views read, so they never scan the records themselves).

Revision ID: 0005_coverage
Revises: 0004_fixtures
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_coverage"
down_revision = "0004_fixtures"
branch_labels = None
depends_on = None

DAY = 10  # an ISO date, YYYY-MM-DD, in the city's time zone


def upgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("district", sa.String(64)))
        batch.add_column(sa.Column("assignee", sa.String(200)))
        batch.add_column(sa.Column("last_inspected_on", sa.String(DAY)))
    op.create_index("ix_sites_district", "sites", ["district"])
    op.create_table(
        "coverage_days",
        sa.Column("site_id", sa.String(64), sa.ForeignKey("sites.id"), primary_key=True),
        sa.Column("day", sa.String(DAY), primary_key=True),
        sa.Column("inspections", sa.Integer, nullable=False),
        sa.Column("clear", sa.Integer, nullable=False),
        sa.Column("suspicious", sa.Integer, nullable=False),
        sa.Column("found", sa.Integer, nullable=False),
        sa.Column("alerts", sa.Integer, nullable=False),
        sa.Column("weak_presence", sa.Integer, nullable=False),
    )
    op.create_index("ix_coverage_days_day", "coverage_days", ["day"])


def downgrade() -> None:
    op.drop_index("ix_coverage_days_day", "coverage_days")
    op.drop_table("coverage_days")
    op.drop_index("ix_sites_district", "sites")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("last_inspected_on")
        batch.drop_column("assignee")
        batch.drop_column("district")
