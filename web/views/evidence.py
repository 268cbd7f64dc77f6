"""``GET /api/evidence/<sha256>``: one evidence file (an image crop, a spectrum, a capture).

These are pictures and recordings from inside restrooms, so: staff only (never volunteers),
every view is written to the evidence-view log (who, what, when, from where) before a byte is
sent, the name must be exactly 64 hex digits (no paths, no dots, no tricks: the file is found
by hash in the evidence store, never by a name the client made), and nothing is cached.
"""

import re

from flask import Blueprint, Response, g, jsonify, request

from detector.log.evidence import EvidenceError
from detector.log.storage.models import Evidence
from web.accounts import STAFF_ROLES
from web.security import requires
from web.services import services

bp = Blueprint("evidence", __name__)
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")


@bp.route("/api/evidence/<path:name>")
@requires(*STAFF_ROLES)
def evidence_file(name):
    if not SHA256_PATTERN.fullmatch(name):
        return jsonify(error="not_found"), 404
    svc = services()
    with svc.inspections.store.read() as session:
        row = session.get(Evidence, name)
        media_type = row.media_type if row is not None else None
    if media_type is None:
        return jsonify(error="not_found"), 404
    inspection_id = request.args.get("inspection") or None
    svc.accounts.log_evidence_view(g.user, name, inspection_id, request.remote_addr)
    try:
        data = svc.inspections.evidence.read(name)
    except EvidenceError:
        return jsonify(error="evidence_unavailable"), 410
    return Response(data, mimetype=media_type, headers={
        "Cache-Control": "no-store, private",
        "Content-Disposition": f'inline; filename="{name}"',
    })


@bp.route("/api/evidence-views")
@requires("admin", "supervisor")
def evidence_views():
    """The evidence-view log, for supervisors answering 'who saw this?'."""
    return jsonify(views=services().accounts.evidence_views(request.args.get("sha256") or None))
