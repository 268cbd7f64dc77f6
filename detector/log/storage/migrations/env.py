"""Alembic's environment: always online, on the connection ``open_store`` hands over.

``open_store`` puts its open connection (inside a transaction) in
``config.attributes["connection"]``; the migrations run in that transaction, so a failed
upgrade leaves the database as it was (SQLite and PostgreSQL both have transactional DDL).
"""

from alembic import context

from detector.log.storage.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
