"""ansim's database: the models (``detector.log.storage.models``), ``open_store`` and its errors.

Example::

    from detector.log.storage import open_store
    with open_store("/var/lib/ansim") as store, store.read() as session:
        ...

SQLite (a path) on the device, PostgreSQL (a ``postgresql+psycopg://`` URL) on the hub, with the
same schema; Alembic migrations run at open.
"""

from detector.log.storage.store import (
    DB_FILENAME,
    DiskFull,
    ForeignDatabase,
    NotADatabase,
    ReadOnlyStore,
    Store,
    StoreBusy,
    StoreError,
    open_store,
)

__all__ = ["DB_FILENAME", "DiskFull", "ForeignDatabase", "NotADatabase", "ReadOnlyStore",
           "Store", "StoreBusy", "StoreError", "open_store"]
