"""Alembic migrations of ansim's database, run programmatically by ``open_store``.

Revisions live in ``versions/``: ``0001_log`` (sites, inspections, evidence and the signed log);
later revisions chain after it (the dashboard's ``0002_accounts`` has ``down_revision =
"0001_log"``). Write a revision by hand or with ``alembic revision --autogenerate`` against a
scratch database; ``tests/detector/test_log_storage.py`` checks that the migrated schema matches
the models on SQLite and PostgreSQL.
"""
