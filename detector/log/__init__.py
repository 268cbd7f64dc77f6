"""The signed log: records hash-chained and signed by the device's key, their evidence stored by
content hash, verification of both, queries and exports, and the storage under them (SQLite on
the device, PostgreSQL on the hub). See docs/log.md.

May import: ``detector.errors``, ``detector.i18n``, ``detector.timestamps``; nothing else of
detector's.
"""
