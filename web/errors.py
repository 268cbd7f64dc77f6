"""How engine errors reach the API: a status code and a translated sentence the page shows.

``@api_errors`` wraps a view: an unknown inspection is 404, one that has ended or a step already
running is 409, a refused verdict is 409 with the reasons, any other refusal is 400.
"""

import functools

from flask import g, jsonify

from detector.checklist import ChecklistError
from detector.fixtures import FixtureError
from detector.i18n import describe_error, t
from detector.inspections import (InspectionClosed, InspectionError, InspectionNotFound,
                                  VerdictRefused)
from detector.step_runner import StepBusy


def bad_request(field: str):
    return jsonify(error="bad_request", field=field), 400


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
