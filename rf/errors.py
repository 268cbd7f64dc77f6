"""What rf's readers and analyses raise when their input is wrong: an error that names its
problem for translation.

Each carries ``problem_code`` (the problem named for translation: ``problem.<code>`` in
detector's catalogues) and ``problem_params`` (its figures), and ``where`` names the input (a
file, a file and line) once it is known (``locate``); its English message is for developers
and logs. rf imports nothing of detector: the front ends say these in the user's language
(``detector.i18n.describe_problem``), as they say the hardware layer's ``RecordingError``.
"""

import json


class ProblemError(ValueError):
    """An input rf cannot use, its problem named by a code (see the module docstring)."""

    def __init__(self, problem: str, *, code: str, where=None, **params):
        self.problem = problem
        self.problem_code = code
        self.problem_params = params
        self.where = None if where is None else str(where)
        super().__init__(f"{self.where}: {problem}" if self.where else problem)

    def locate(self, where) -> "ProblemError":
        """Name the input the error is about; returns itself."""
        self.where = str(where)
        self.args = (f"{self.where}: {self.problem}",)
        return self


def loads_json(text: str, error: type[ProblemError], label: str):
    """``json.loads(text)``, or ``error`` naming why the text is no JSON document: where it
    broke, that it nests too deep, or that it holds a number too long to convert (``label``
    names the document in the English message)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{label}: not JSON: {exc}", code="invalid_json", line=exc.lineno,
                    column=exc.colno) from None
    except RecursionError:
        raise error(f"{label}: not JSON: nested too deep", code="json_too_deep") from None
    except ValueError as exc:  # a number too long to convert
        raise error(f"{label}: not JSON: {str(exc)[:200]}", code="json_number") from None
