"""The site's Wi-Fi baseline (``rf.wifi.baseline``, its known transmitters from clear
inspections) beside the RF one: a JSON column of sites and the record that last set it, like
``baseline_json`` and ``baseline_record_id``.

Revision ID: 0009_wifi_baseline
Revises: 0008_record_keys
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_wifi_baseline"
down_revision = "0008_record_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sites", sa.Column("wifi_baseline_json", sa.Text(), nullable=True))
    op.add_column("sites", sa.Column("wifi_baseline_record_id", sa.String(36), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35): a batch copy of ``sites`` would drop the table that
    # inspections and coverage rows point at, which SQLite's foreign keys refuse.
    op.drop_column("sites", "wifi_baseline_record_id")
    op.drop_column("sites", "wifi_baseline_json")
