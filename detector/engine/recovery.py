"""Whether the log holds inspections a crash cut off, asked without loading the engine.

``InspectionService.recover_interrupted`` seals such inspections as ``interrupted`` whenever
the log's writer opens it. Commands that only read signed records (``ansim log list``,
``export``) ask this first, and load the engine (its signing key, evidence store and the
checklist rules) only when there is something to recover: on a log with nothing cut off, they
cost a database open and one indexed query.
"""

from sqlalchemy import exists, select

from detector.log.storage.models import Inspection

IN_PROGRESS = "in_progress"


def has_cut_offs(store) -> bool:
    """True if some inspection is still marked in progress. Only meaningful to the log's
    writer (``store.writable``): then no other process can be running it, so it was cut off."""
    with store.read() as session:
        return bool(session.scalar(select(exists().where(Inspection.status == IN_PROGRESS))))
