"""How engine errors reach the API: a status code and a translated sentence the page shows.

``@api_errors`` wraps a view: an unknown inspection is 404, one that has ended or a step already
running is 409, a refused verdict is 409 with the reasons, any other refusal is 400.
"""

import functools

from flask import abort, g, jsonify, request

from detector.checklist import ChecklistError
from detector.fixtures import FixtureError
from detector.i18n import describe_error, t
from detector.inspections import (InspectionClosed, InspectionError, InspectionNotFound,
                                  VerdictRefused)
from detector.step_runner import StepBusy


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
    not JSON at all), 400 naming ``body`` when it is a list, a number, a string or ``true``."""
    body = request.get_json(silent=True)
    if body is None:
        return {}
    if not isinstance(body, dict):
        response = jsonify(error="bad_request", field="body")
        response.status_code = 400
        abort(response)
    return body


def api_errors(view):
    @functools.wraps(view)
    def answered(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except InspectionNotFound as exc:
            return _error(404, "not_found", exc)
        except VerdictRefused as exc:
            return jsonify(error="verdict_refused", message=describe_error(exc, g.lang),
                           reasons=[t(key, g.lang) for key in exc.reasons]), 409
        except StepBusy:
            return jsonify(error="step_busy", message=t("web.error.step_busy", g.lang)), 409
        except InspectionClosed as exc:
            return _error(409, "closed", exc)
        except (InspectionError, ChecklistError, FixtureError) as exc:
            return _error(400, "refused", exc)

    return answered


def _error(status: int, reason: str, exc: Exception):
    return jsonify(error=reason, message=describe_error(exc, g.lang)), status
