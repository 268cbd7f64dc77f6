"""The hardware layer's exceptions: one small hierarchy, each naming what failed and why."""

import errno
import json
from pathlib import Path


class HardwareError(Exception):
    """Base of every error raised by ``hardware``."""


class DeviceNotFound(HardwareError):
    """A real device (radio, camera, GPIO) was asked for but is not present."""


class RecordingError(HardwareError):
    """A recorded file (SigMF, cu8, capture directory) is missing, malformed or truncated.

    The message always names the file and the problem, e.g.
    ``"rec.sigmf-data: truncated: 1001 bytes is not a whole number of cu8 samples"``.
    ``problem_code`` names the problem and ``problem_params`` its figures, so a front end can
    say it in the user's language (``problem.<code>`` in detector's catalogues) instead of the
    English ``problem``, which is for developers and logs.
    """

    def __init__(self, path, problem: str, *, code: str, **params):
        self.path = str(path)
        self.where = self.path
        self.problem = problem
        self.problem_code = code
        self.problem_params = params
        super().__init__(f"{self.path}: {problem}")


class TuningError(HardwareError):
    """A source was asked for a frequency, rate or gain it cannot give (out of the tuner's
    range, or a recording asked to move away from the band it holds)."""


def os_reason(exc: OSError) -> str:
    """The symbolic name of an ``OSError``'s errno (``EACCES``): a name, in every language,
    for the ``problem.unreadable`` sentence."""
    return errno.errorcode.get(exc.errno, "EIO") if exc.errno else "EIO"


def json_error(path: Path, exc: Exception) -> RecordingError:
    """The ``RecordingError`` for a JSON file that ``json.loads`` refused (``exc``): where it
    broke, or that it is not UTF-8, nests too deep or holds a number too long to convert."""
    if isinstance(exc, json.JSONDecodeError):
        return RecordingError(path, f"invalid JSON: {exc}", code="invalid_json",
                              line=exc.lineno, column=exc.colno)
    if isinstance(exc, UnicodeDecodeError):
        return RecordingError(path, "not UTF-8 text", code="not_utf8")
    if isinstance(exc, RecursionError):
        return RecordingError(path, "invalid JSON: nested too deep", code="json_too_deep")
    return RecordingError(path, f"invalid JSON: {str(exc)[:200]}", code="json_number")
