"""The site's Wi-Fi baseline (``rf.wifi.baseline``, its known transmitters from clear
inspections) beside the RF one: a JSON column of sites and the record that last set it, like
``baseline_json`` and ``baseline_record_id``.

Revision ID: 0008_wifi_baseline
Revises: 0007_presence
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_wifi_baseline"
down_revision = "0007_presence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sites", sa.Column("wifi_baseline_json", sa.Text(), nullable=True))
    op.add_column("sites", sa.Column("wifi_baseline_record_id", sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("wifi_baseline_record_id")
        batch.drop_column("wifi_baseline_json")
