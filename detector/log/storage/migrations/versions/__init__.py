"""Alembic revisions, oldest first: ``0001_log``, ``0002_accounts``, ``0003_hub``."""
