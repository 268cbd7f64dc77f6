"""The shape of a signed record (``ansim.record/1``), checked wherever a record arrives from
outside the device that made it: the hub's intake, and verify's reading of any stored body.

A signature proves who made a record, not that it is well formed: an enrolled device (or
someone holding its key) can sign a body whose ``evidence`` is a string, whose ``site`` is a
number, or which nests ten thousand levels deep. Such a record once crashed ``ansim hub
verify`` for the whole city. ``schema_problem`` names the first field that is wrong; fields
the schema does not know are allowed (a newer ansim may add some) but must still be plain
JSON: finite numbers, text without lone surrogates, nesting at most ``MAX_DEPTH`` deep.
"""

import math
import re

from detector.log.severity import SEVERITIES

SCHEMA = "ansim.record/1"
# The verdicts a record may carry: the engine's (detector/engine/checklist.py), repeated here
# because the log sits below the engine and may not import it; a test keeps them equal.
VERDICTS = ("clear", "suspicious", "found")
MAX_DEPTH = 32  # a record nests about six levels (steps > findings > proximity > ...)
STATUSES = ("signed_off", "cancelled", "interrupted")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z")
_ID = re.compile(r"[0-9A-Za-z-]{1,36}")


class _Bad(Exception):
    """One field of an upload is not what the schema allows; the message names it."""


def schema_problem(body) -> str | None:
    """None if ``body`` is a well-formed record, else ``"field: what is wrong"``."""
    try:
        _plain(body, "body", 0)
        _record(body)
    except _Bad as exc:
        return str(exc)
    return None


def _plain(value, where: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _Bad(f"{where}: nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, float) and not math.isfinite(value):
        raise _Bad(f"{where}: not a finite number")
    if isinstance(value, str):
        if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            raise _Bad(f"{where}: holds a lone surrogate")
    elif isinstance(value, dict):
        for key, item in value.items():
            _plain(key, where, depth + 1)
            _plain(item, f"{where}.{key}"[:120], depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _plain(item, f"{where}[{i}]"[:120], depth + 1)


def _record(body) -> None:
    if not isinstance(body, dict):
        raise _Bad("body: must be a JSON object")
    _field(body, "schema", lambda v: v == SCHEMA, f'"{SCHEMA}"')
    _field(body, "type", lambda v: v in ("inspection", "correction"),
           '"inspection" or "correction"')
    _field(body, "id", _is_id, "an id of up to 36 letters, digits and dashes")
    _field(body, "device_id", lambda v: isinstance(v, str) and 0 < len(v) <= 64, "a device id")
    _field(body, "seq", lambda v: type(v) is int and 1 <= v < 2**63, "a positive integer")
    _field(body, "prev_hash", _is_hex64, "a SHA-256 (64 lowercase hex digits)")
    _field(body, "prev_id", lambda v: v is None or _is_id(v), "null or a record id")
    _field(body, "signed_at", _is_timestamp, "a UTC time stamp")
    _field(body, "site", _is_site, "an object with a text id (at most 64) and name",
           required=body.get("type") == "inspection")
    for name in ("inspector", "signed_by", "reason", "cancel_reason", "software"):
        _field(body, name, _is_text_or_none, "text or null", required=False)
    _field(body, "verdict", lambda v: v is None or v in VERDICTS, f"null or one of {VERDICTS}",
           required=False)
    _field(body, "escalation", _is_escalation, "null or an object of text", required=False)
    if body["type"] == "inspection":
        _inspection(body)
    else:
        _field(body, "supersedes", _is_id, "the id of the record it corrects")
        _field(body, "supersedes_hash", _is_hex64, "a SHA-256")


def _inspection(body: dict) -> None:
    _field(body, "status", lambda v: v in STATUSES, f"one of {STATUSES}")
    _field(body, "started_at", _is_timestamp, "a UTC time stamp", required=False)
    _field(body, "stalls", lambda v: type(v) is int and 1 <= v <= 50, "1 to 50", required=False)
    for name in ("steps", "checklist", "alerts", "evidence"):
        _field(body, name, _is_list_of_objects, "a list of objects", required=False)
    _field(body, "coverage", lambda v: isinstance(v, dict), "an object", required=False)
    for i, alert in enumerate(body.get("alerts") or []):
        if "severity" in alert and alert["severity"] not in SEVERITIES:
            raise _Bad(f"alerts[{i}].severity: must be one of {SEVERITIES}")
    for i, ref in enumerate(body.get("evidence") or []):
        if not _is_hex64(ref.get("sha256")):
            raise _Bad(f"evidence[{i}].sha256: must be a SHA-256")
        size = ref.get("size_bytes")
        if size is not None and not (type(size) is int and size >= 0):
            raise _Bad(f"evidence[{i}].size_bytes: must be a whole number of bytes")


def _field(body: dict, name: str, ok, expected: str, *, required: bool = True) -> None:
    if name not in body:
        if required:
            raise _Bad(f"{name}: missing")
        return
    if not ok(body[name]):
        raise _Bad(f"{name}: must be {expected}")


def _is_id(v) -> bool:
    return isinstance(v, str) and bool(_ID.fullmatch(v))


def _is_hex64(v) -> bool:
    return isinstance(v, str) and bool(_HEX64.fullmatch(v))


def _is_timestamp(v) -> bool:
    return isinstance(v, str) and bool(_TIMESTAMP.fullmatch(v))


def _is_text_or_none(v) -> bool:
    return v is None or isinstance(v, str)


def _is_site(v) -> bool:
    return (isinstance(v, dict) and isinstance(v.get("id"), str) and 0 < len(v["id"]) <= 64
            and isinstance(v.get("name", ""), str))


def _is_escalation(v) -> bool:
    return v is None or (isinstance(v, dict) and all(isinstance(x, str) for x in v.values()))


def _is_list_of_objects(v) -> bool:
    return isinstance(v, list) and all(isinstance(x, dict) for x in v)
