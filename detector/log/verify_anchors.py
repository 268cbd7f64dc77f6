"""What ``ansim log verify`` compares the log against besides itself: the chain-head witness
beside the database, each hub's acknowledged head, and the working ``inspections`` table.

A log can lose its newest records and still be consistent with itself (a deleted or truncated
WAL, an older ``ansim.db`` copied in place, an empty one, the newest rows deleted and the
``devices`` head moved back). The witness (``detector.log.witness``) and the hub's
acknowledgement (``detector.hub.sync``) remember the head from outside the database, so each such
loss is named: which records (seq and id) and when they were signed. The live lists read the
``inspections`` table, which is not signed, so its verdict, status and site are compared with
the signed record each finished row names.
"""

from sqlalchemy import func, select

from detector.log.storage.models import Inspection, Record
from detector.log.witness import Mark

FINISHED = ("signed_off", "cancelled", "interrupted")


def check_witness(session, witness: dict, add) -> None:
    """Every witnessed record must still be in the log with its witnessed hash."""
    device_id = witness["device_id"]
    recent: list[Mark] = witness["recent"]
    for lost in witness["lost"]:
        add(None, device_id, lost["from_seq"], "verify.lost_before",
            first=lost["from_seq"], last=lost["to_seq"], since=lost["first_signed_at"],
            until=lost["last_signed_at"], noticed=lost["noticed_at"])
    if not recent:
        return
    held = _held(session, device_id, [m.seq for m in recent])
    newest_held = session.scalar(select(func.max(Record.seq)).where(
        Record.device_id == device_id)) or 0
    head = recent[-1]
    gone = [m for m in recent if m.seq not in held]
    if head.seq > newest_held and recent[0].seq > newest_held + 1:
        # older witnessed records than the ones remembered are gone too
        add(None, device_id, newest_held + 1, "verify.gone_unremembered",
            first=newest_held + 1, last=recent[0].seq - 1)
    for first, last in _runs(gone):
        add(last.record_id, device_id, first.seq, "verify.gone",
            first=first.seq, last=last.seq, since=first.signed_at, until=last.signed_at)
    for mark in recent:
        if mark.seq in held and held[mark.seq] != (mark.record_id, mark.record_hash):
            add(mark.record_id, device_id, mark.seq, "verify.replaced", seq=mark.seq,
                signed_at=mark.signed_at)


def check_hub_acks(session, acks: dict, add) -> None:
    """Each hub's acknowledged head must still be in the log, unchanged."""
    for hub_url, ack in acks.items():
        if not isinstance(ack, dict) or not isinstance(ack.get("acked_seq"), int) \
                or ack["acked_seq"] < 1:
            continue
        device_id, seq = str(ack.get("device_id")), ack["acked_seq"]
        held = _held(session, device_id, [seq])
        if seq not in held:
            newest = session.scalar(select(func.max(Record.seq)).where(
                Record.device_id == device_id)) or 0
            add(ack.get("acked_id"), device_id, seq, "verify.hub_gone", hub=hub_url,
                first=newest + 1, last=seq, synced_at=ack.get("synced_at"))
        elif held[seq][1] != ack.get("acked_hash"):
            add(ack.get("acked_id"), device_id, seq, "verify.hub_differs", hub=hub_url,
                seq=seq, synced_at=ack.get("synced_at"))


def check_working_rows(session, add) -> None:
    """Each finished inspection row must say what its signed record says."""
    rows = session.execute(
        select(Inspection.id, Inspection.status, Inspection.verdict, Inspection.site_id,
               Inspection.record_id, Record.status, Record.verdict, Record.site_id,
               Record.device_id, Record.seq)
        .outerjoin(Record, Record.id == Inspection.record_id)
        .where(Inspection.status.in_(FINISHED)))
    for (insp_id, status, verdict, site_id, record_id, signed_status, signed_verdict,
         signed_site, device_id, seq) in rows:
        if record_id is None or device_id is None:
            add(record_id, "-", None, "verify.row_unsigned", inspection=insp_id, status=status)
            continue
        for column, working, signed in (("status", status, signed_status),
                                        ("verdict", verdict, signed_verdict),
                                        ("site_id", site_id, signed_site)):
            if working != signed:
                add(record_id, device_id, seq, "verify.row_differs", column=column,
                    working=working, signed=signed)


def _held(session, device_id: str, seqs: list[int]) -> dict[int, tuple[str, str]]:
    rows = session.execute(select(Record.seq, Record.id, Record.record_hash).where(
        Record.device_id == device_id, Record.seq.in_(seqs)))
    return {seq: (record_id, record_hash) for seq, record_id, record_hash in rows}


def _runs(marks: list[Mark]) -> list[tuple[Mark, Mark]]:
    """Consecutive seqs grouped: [(first, last), ...]."""
    runs = []
    for mark in marks:
        if runs and runs[-1][1].seq == mark.seq - 1:
            runs[-1] = (runs[-1][0], mark)
        else:
            runs.append((mark, mark))
    return runs
