"""detector's errors: one root, and the kind of refusal each one is.

Every error ``detector`` raises for a user to fix or to know about derives from
``DetectorError``; the kind below it says how the dashboard and the command line answer it, so
each maps the whole hierarchy in one place (``web/errors.py``, ``ansim/cli/output.py``) instead
of listing every class:

| kind            | meaning                                        | HTTP |
|-----------------|------------------------------------------------|------|
| ``NotFound``    | the thing asked for does not exist             | 404  |
| ``Conflict``    | the state forbids it now (closed, busy, refused verdict) | 409 |
| ``Unavailable`` | storage or the hub cannot serve it now          | 503  |
| any other       | the request itself is refused                   | 400  |

Bugs (a missing translation key, a broken invariant) are not ``DetectorError``s.
"""


class DetectorError(Exception):
    """Anything detector refuses or cannot do that a user should be told about.

    Its text is for logs and developers; ``problem`` (the code of a ``problem.*`` translation
    key) and its parameters, where given, are what a front end says in the user's language
    (``detector.i18n.describe_problem``), so nothing English follows a Korean lead-in."""

    #: The machine-readable reason the dashboard's JSON answer carries.
    code = "refused"

    def __init__(self, *args, problem: str | None = None, **params):
        super().__init__(*args)
        if problem is not None:
            self.problem_code, self.problem_params = problem, params


class NotFound(DetectorError):
    """The site, inspection, record, device or evidence asked for does not exist."""

    code = "not_found"


class Conflict(DetectorError):
    """The request is well formed, but the current state forbids it."""

    code = "conflict"


class Unavailable(DetectorError):
    """Storage (busy, full, read-only) or the hub cannot serve the request now."""

    code = "unavailable"
