"""The city hub's enrolled devices: each device's public key, a hash of its upload token, who
enrolled it and when, and whether it has been revoked.

Revision ID: 0003_hub
Revises: 0002_accounts
Create Date: 2026-05-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_hub"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None

TS = 27  # ISO 8601 UTC timestamps with microseconds, see detector/log/storage/models.py


def upgrade() -> None:
    op.create_table(
        "hub_devices",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("enrolled_at", sa.String(TS), nullable=False),
        sa.Column("enrolled_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", sa.String(TS)),
        sa.Column("last_upload_at", sa.String(TS)),
    )


def downgrade() -> None:
    op.drop_table("hub_devices")
