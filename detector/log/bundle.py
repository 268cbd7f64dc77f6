"""The evidence bundle: one record, everything it names, and how to check it without ansim.

``write_bundle(store, evidence, record_id, out, data_dir)`` writes a ZIP holding

- ``record/record.json``: the record's exact signed bytes (canonical JSON, see
  ``detector.signing``: the Ed25519 signature is over exactly these bytes, and the record's
  hash is their SHA-256), ``record/record.sig`` (the 64-byte raw signature) and
  ``record/record.sha256``;
- ``device/public_key.pem``: the signing device's Ed25519 public key (SubjectPublicKeyInfo);
- ``evidence/<sha256>``: every evidence file the record names, under its own hash;
- ``chain/``: the device's records from the last one a hub acknowledged before this record
  (or the device's first) up to this one, each as signed bytes and signature, so each link's
  ``prev_hash`` can be checked against the SHA-256 of the record before it;
- ``report.html``: a printable report, Korean then English;
- ``VERIFY.txt``: the checks, with ``sha256sum`` and ``openssl pkeyutl -verify -rawin``;
- ``SHA256SUMS``: every other file's SHA-256 (``sha256sum -c SHA256SUMS``).

The bytes come from the log as stored, never re-serialised.
"""

import hashlib
import io
import zipfile

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from detector.log import records
from detector.log.bundle_report import report_html, verify_text
from detector.log.storage.models import RECORD_BODY, Device, Record, RecordBody

#: Fixed ZIP timestamps: the same record gives the same bundle bytes.
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def write_bundle(store, evidence, record_id: str, out, acked_heads: list[int]) -> list[str]:
    """Write the bundle of ``record_id`` as a ZIP to the binary file ``out``; returns the
    names written. ``acked_heads`` are the chain positions (seq) hubs acknowledged."""
    with store.read() as session:
        record = records.get(session, record_id)
        device = session.get(Device, record.device_id)
        anchor = max([s for s in acked_heads if s < record.seq], default=1)
        chain = _chain(session, record.device_id, anchor, record.seq)
    files = {"record/record.json": record.body_text.encode("utf-8"),
             "record/record.sig": bytes.fromhex(record.signature),
             "record/record.sha256": f"{record.record_hash}  record.json\n".encode()}
    files["device/public_key.pem"] = _public_pem(device.public_key)
    names = {}
    for ref in record.body.get("evidence", []):
        files[f"evidence/{ref['sha256']}"] = evidence.read(ref["sha256"])
        names[ref["sha256"]] = f"evidence/{ref['sha256']}"
    chain_lines = []
    for row in chain:
        stem = f"chain/{row.seq:08d}-{row.id}"
        files[f"{stem}.json"] = row.body_text.encode("utf-8")
        files[f"{stem}.sig"] = bytes.fromhex(row.signature)
        chain_lines.append(f"{row.seq} {row.id} {row.record_hash} "
                           f"{row.body['prev_hash']}\n")
    files["chain/CHAIN.txt"] = "".join(chain_lines).encode()
    files["report.html"] = report_html(record, names).encode("utf-8")
    files["VERIFY.txt"] = verify_text(record).encode("utf-8")
    sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                   for name, data in sorted(files.items()))
    files["SHA256SUMS"] = sums.encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(zipfile.ZipInfo(name, _ZIP_DATE), data)
    return sorted(files)


def bundle_bytes(store, evidence, record_id: str, acked_heads: list[int]) -> bytes:
    buffer = io.BytesIO()
    write_bundle(store, evidence, record_id, buffer, acked_heads)
    return buffer.getvalue()


def _chain(session, device_id: str, first_seq: int, last_seq: int) -> list:
    rows = session.execute(select(Record, RecordBody.body)
                           .join(RecordBody, RECORD_BODY)
                           .where(Record.device_id == device_id, Record.seq >= first_seq,
                                  Record.seq <= last_seq).order_by(Record.seq))
    return [records.SignedRecord.from_row(*r) for r in rows]


def _public_pem(public_key_hex: str) -> bytes:
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo)
