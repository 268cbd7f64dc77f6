"""How detector's errors reach the API: a status code and a translated sentence the page shows.

``@api_errors`` wraps a view and maps the whole ``detector.errors`` hierarchy in one place: the
kind of error gives the status (not found 404, conflict 409, unavailable 503, any other refusal
400), the error's ``code`` the machine-readable reason, and a refused verdict adds the
translated reasons that are missing.
"""

import functools

from flask import g, jsonify

from detector.errors import Conflict, DetectorError, NotFound, Unavailable
from detector.i18n import describe_error, t


def bad_request(field: str):
    return jsonify(error="bad_request", field=field), 400


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
