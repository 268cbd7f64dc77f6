"""How detector's errors reach the API: a status code and a translated sentence the page shows.

``@api_errors`` wraps a view and maps the whole ``detector.errors`` hierarchy in one place: the
kind of error gives the status (not found 404, conflict 409, unavailable 503, any other refusal
400), the error's ``code`` the machine-readable reason, and a refused verdict adds the
translated reasons that are missing.
"""

import functools
import json

from flask import abort, g, jsonify, request

from detector.errors import Conflict, DetectorError, NotFound, Unavailable
from detector.i18n import describe_error, t


def bad_request(field: str):
    return jsonify(error="bad_request", field=field), 400


def text_field(body, name: str) -> str:
    """``body[name]`` as text (``""`` when absent); 400 naming the field when it is not text."""
    value = body.get(name, "")
    if not isinstance(value, str):
        response = jsonify(error="bad_request", field=name)
        response.status_code = 400
        abort(response)
    return value


def json_object() -> dict:
    """The request's JSON body, which must be an object: ``{}`` when there is none (or it is
    not JSON at all), 400 naming ``body`` when it is a list, a number, a string or ``true``,
    nested deeper than Python parses, or holds text that is not Unicode (a lone surrogate
    such as ``"\\ud800"``, which JSON can spell but no record can store or sign)."""
    try:
        body = request.get_json(silent=True)
        if body is not None:
            json.dumps(body, ensure_ascii=False).encode("utf-8")
    except (RecursionError, UnicodeEncodeError):
        body = []
    if body is None:
        return {}
    if not isinstance(body, dict):
        response = jsonify(error="bad_request", field="body")
        response.status_code = 400
        abort(response)
    return body


def status_of(exc: DetectorError) -> int:
    """The HTTP status for a detector error, by its kind."""
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, Unavailable):
        return 503
    return 400


def api_errors(view):
    @functools.wraps(view)
    def answered(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except DetectorError as exc:
            body = {"error": exc.code, "message": describe_error(exc, g.lang)}
            if getattr(exc, "reasons", None):
                body["reasons"] = [t(key, g.lang) for key in exc.reasons]
            return jsonify(body), status_of(exc)

    return answered
