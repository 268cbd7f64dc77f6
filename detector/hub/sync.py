"""The device's side of the city hub: upload the signed log, in order, resumably.

``sync_log(data_dir, hub_url, token)`` asks the hub for the newest record of this device it
holds, checks that record is this log's own (same hash at the same place in the chain), then
uploads every later record in chain order, in batches. Before each batch, the evidence files
its records name that the hub lacks are uploaded by SHA-256; then the records, as their exact
signed text with hash and signature. After each batch the hub's acknowledgement (its head of
this device's chain) is written to ``DATA/hub-sync.json``.

Every step is idempotent on the hub (the same record or file sent twice is kept once), so a
sync cut off anywhere (network gone, hub restarted, power cut on either side) is resumed by
running it again: nothing is lost, nothing is duplicated. A hub whose head is behind what it
acknowledged earlier (restored from an old backup) is noticed (``SyncReport.hub_was_behind``)
and simply sent the records again.

Only the standard library speaks HTTP here (``urllib``), so the handheld needs nothing more.

Example::

    report = sync_log("/var/lib/ansim", "https://hub.example.go.kr", token)
    print(report.stored, report.duplicates, report.head_seq)
"""

import http.client
import json
import os
import socket
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import select

from detector.errors import DetectorError, Unavailable
from detector.i18n import current_language
from detector.log.evidence import EvidenceError, EvidenceStore
from detector.log.signing import KEY_FILENAME, DeviceKey
from detector.log.storage import DB_FILENAME, open_store
from detector.log.storage.files import fsync_dir
from detector.log.storage.models import RECORD_BODY, Record, RecordBody
from detector.timestamps import utc_now

STATE_FILENAME = "hub-sync.json"
DEFAULT_BATCH_RECORDS = 100
DEFAULT_BATCH_BYTES = 4 * 1024 * 1024
DEFAULT_TIMEOUT_S = 60.0
_NETWORK_ERRORS = (urllib.error.URLError, http.client.HTTPException, ConnectionError,
                   TimeoutError, socket.timeout)


class SyncError(DetectorError):
    """The log could not be (fully) synced; the message says why."""


class HubUnreachable(SyncError, Unavailable):
    """The network or the hub failed; what was acknowledged is kept, run again to resume."""


class SyncRefused(SyncError):
    """The hub refused a request: ``code`` (e.g. ``uuid_conflict``, ``bad_signature``,
    ``unknown_device``), the HTTP ``status``, the ``record_id`` it names, if any, and the
    hub's whole ``answer`` (for a batch: what it took before the refused record, its head)."""

    def __init__(self, code: str, message: str, status: int, record_id: str | None = None,
                 answer: dict | None = None):
        super().__init__(message)
        self.code, self.status, self.record_id = code, status, record_id
        self.answer = answer or {}


class LogDiverged(SyncError):
    """The hub holds a record of this device that this log does not have at that place."""


@dataclass
class SyncReport:
    device_id: str
    hub_url: str
    stored: int = 0
    duplicates: int = 0
    batches: int = 0
    evidence_sent: int = 0
    head_seq: int = 0
    local_seq: int = 0
    hub_was_behind: bool = False
    evidence_unavailable: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


class HubClient:
    """The hub's device API over HTTP(S), as one device (``urllib`` only)."""

    def __init__(self, hub_url: str, device_id: str, token: str,
                 timeout_s: float = DEFAULT_TIMEOUT_S):
        self.base = hub_url.rstrip("/")
        self.device_id, self.token, self.timeout_s = device_id, token, timeout_s

    def head(self) -> dict:
        return self._call("GET", "/api/hub/sync/head")[1]

    def missing_evidence(self, hashes: list[str]) -> list[str]:
        return self._call("POST", "/api/hub/evidence/missing",
                          json.dumps({"sha256": hashes}).encode())[1]["missing"]

    def put_evidence(self, sha256: str, data: bytes, media_type: str) -> str:
        return self._call("PUT", f"/api/hub/evidence/{sha256}", data,
                          media_type or "application/octet-stream")[1]["outcome"]

    def post_records(self, uploads: list[dict]) -> dict:
        """The hub's answer; a refusal raises ``SyncRefused`` carrying it."""
        return self._call("POST", "/api/hub/records",
                          json.dumps({"records": uploads}, ensure_ascii=False).encode())[1]

    def _call(self, method: str, path: str, data: bytes | None = None,
              content_type: str = "application/json") -> tuple[int, dict]:
        request = urllib.request.Request(self.base + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "X-Ansim-Device": self.device_id,
            "Content-Type": content_type, "Accept": "application/json",
            "Accept-Language": current_language()})  # the hub's refusals in the user's words
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise _refusal(exc, self.base + path) from None
        except _NETWORK_ERRORS as exc:
            raise HubUnreachable(f"{self.base}: {_reason(exc)}", problem="network_failed",
                                 hub=self.base, reason=_reason(exc)) from exc
        except ValueError as exc:
            raise HubUnreachable(f"{self.base}{path}: the answer is not JSON ({exc})",
                                 problem="hub_answer_not_json", url=self.base + path) from exc


def _refusal(exc: urllib.error.HTTPError, url: str) -> SyncError:
    try:
        answer = json.loads(exc.read() or b"{}")
    except (ValueError, OSError, http.client.HTTPException):
        answer = {}
    if exc.code >= 500 or not isinstance(answer, dict) or "error" not in answer:
        return HubUnreachable(f"{url}: HTTP {exc.code} {exc.reason}", problem="hub_http_error",
                              url=url, status=exc.code, reason=exc.reason)
    return SyncRefused(answer["error"], answer.get("message") or f"HTTP {exc.code}", exc.code,
                       answer.get("record_id"), answer)


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason or exc) or type(exc).__name__


def sync_log(data_dir, hub_url: str, token: str, *,
             batch_records: int = DEFAULT_BATCH_RECORDS, batch_bytes: int = DEFAULT_BATCH_BYTES,
             timeout_s: float = DEFAULT_TIMEOUT_S, on_batch=None) -> SyncReport:
    """Upload this device's records the hub lacks. ``on_batch(report)`` is called after each
    acknowledged batch (for progress). Raises ``HubUnreachable`` (run again to resume),
    ``SyncRefused`` or ``LogDiverged``; what the hub acknowledged stays acknowledged."""
    data_dir = Path(data_dir)
    key = DeviceKey.load(data_dir / KEY_FILENAME, for_signing=False)  # only its id is needed
    client = HubClient(hub_url, key.device_id, token, timeout_s)
    report = SyncReport(key.device_id, client.base)
    evidence = EvidenceStore(data_dir / "evidence")
    with open_store(data_dir / DB_FILENAME, write=None) as store:
        head = client.head()
        report.head_seq = head["head_seq"]
        report.local_seq = _local_head(store, key.device_id)
        _check_same_chain(store, key.device_id, head, report.local_seq)
        acked = load_state(data_dir).get(client.base, {})
        report.hub_was_behind = acked.get("acked_seq", 0) > head["head_seq"]
        while True:
            batch = _next_batch(store, key.device_id, report.head_seq, batch_records,
                                batch_bytes)
            if not batch:
                break
            _send_evidence(client, evidence, batch, report)
            _send_records(client, data_dir, batch, report)
            if on_batch is not None:
                on_batch(report)
    return report


def _local_head(store, device_id: str) -> int:
    with store.read() as session:
        return session.scalar(select(Record.seq).where(Record.device_id == device_id)
                              .order_by(Record.seq.desc()).limit(1)) or 0


def _check_same_chain(store, device_id: str, head: dict, local_seq: int) -> None:
    if head["head_seq"] == 0:
        return
    with store.read() as session:
        local_hash = session.scalar(select(Record.record_hash).where(
            Record.device_id == device_id, Record.seq == head["head_seq"]))
    if local_hash is None:
        raise LogDiverged(f"the hub holds record #{head['head_seq']} of device {device_id} "
                          f"({head['head_id']}), but this log ends at #{local_seq}: is this "
                          "log restored from an old backup?", problem="log_behind_hub",
                          seq=head["head_seq"], device=device_id, record=head["head_id"],
                          local=local_seq)
    if local_hash != head["head_hash"]:
        raise LogDiverged(f"the hub's record #{head['head_seq']} of device {device_id} "
                          f"({head['head_id']}) is not this log's record #{head['head_seq']}",
                          problem="log_differs_from_hub", seq=head["head_seq"],
                          device=device_id, record=head["head_id"])


def _next_batch(store, device_id: str, after_seq: int, max_records: int,
                max_bytes: int) -> list[tuple]:
    """The records after ``after_seq``, in chain order, up to a count and a size."""
    query = (select(Record.id, Record.seq, Record.record_hash, Record.signature, RecordBody.body)
             .join(RecordBody, RECORD_BODY)
             .where(Record.device_id == device_id, Record.seq > after_seq)
             .order_by(Record.seq).limit(max_records))
    batch, size = [], 0
    with store.read() as session:
        for row in session.execute(query):
            size += len(row.body.encode("utf-8"))
            if batch and size > max_bytes:
                break
            batch.append(tuple(row))
    return batch


def _send_evidence(client: HubClient, evidence: EvidenceStore, batch, report) -> None:
    refs = {}
    for *_, body_text in batch:
        named = json.loads(body_text).get("evidence")
        # A malformed list (a record signed by an older ansim, or by hand) is the hub's to
        # refuse with a reason the device then reports; here it just names no file.
        for ref in named if isinstance(named, list) else []:
            if isinstance(ref, dict) and isinstance(ref.get("sha256"), str):
                refs[ref["sha256"]] = ref
    if not refs:
        return
    for sha256 in client.missing_evidence(sorted(refs)):
        try:
            data = evidence.read(sha256)
        except EvidenceError as exc:
            # Never hold back the signed record for a lost file: the record is the proof,
            # and 'ansim hub verify' names the missing file on the hub too.
            report.evidence_unavailable.append(f"{sha256}: {exc}")
            continue
        client.put_evidence(sha256, data, refs[sha256].get("media_type", ""))
        report.evidence_sent += 1


def _send_records(client: HubClient, data_dir: Path, batch, report: SyncReport) -> None:
    uploads = [{"body_text": body, "record_hash": record_hash, "signature": signature}
               for _id, _seq, record_hash, signature, body in batch]
    try:
        answer = client.post_records(uploads)
    except SyncRefused as refused:
        _take_answer(refused.answer, client, data_dir, report)
        raise
    _take_answer(answer, client, data_dir, report)
    report.batches += 1


def _take_answer(answer: dict, client: HubClient, data_dir: Path, report: SyncReport) -> None:
    outcomes = [r.get("outcome") for r in answer.get("results", [])]
    report.stored += outcomes.count("stored")
    report.duplicates += outcomes.count("duplicate")
    if "head_seq" in answer:
        report.head_seq = answer["head_seq"]
        _remember(data_dir, client.base, {"device_id": client.device_id,
                                          "acked_seq": answer["head_seq"],
                                          "acked_hash": answer["head_hash"],
                                          "acked_id": answer["head_id"], "synced_at": utc_now()})


def load_state(data_dir) -> dict:
    """What each hub last acknowledged: ``{hub_url: {"acked_seq", "acked_hash", ...}}``."""
    try:
        state = json.loads((Path(data_dir) / STATE_FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        # Missing or damaged, it costs nothing: every sync starts from the hub's own head.
        return {}
    return state if isinstance(state, dict) else {}


def _remember(data_dir: Path, hub_url: str, acked: dict) -> None:
    """Write the acknowledgement durably (temporary file, fsync, rename)."""
    state = {**load_state(data_dir), hub_url: acked}
    path = data_dir / STATE_FILENAME
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump(state, out, indent=1, sort_keys=True)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    fsync_dir(data_dir)
