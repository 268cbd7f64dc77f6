"""The Wi-Fi analysis's exceptions: each names what was wrong with the input it was given
(``rf.errors.ProblemError``: a problem code for translation, ``where`` the input when known).
"""

from rf.errors import ProblemError


class WifiAnalysisError(ProblemError):
    """Base of every error raised by ``rf.wifi`` (``locate`` names the capture file an error
    about frames came from)."""


class StimulusError(WifiAnalysisError):
    """A stimulus switch log that cannot drive a lock-in: out of order, a gap, NaN, a level
    outside 0..1. The message names the source (a file name when it came from a file) and the
    problem, e.g. ``"stim.csv: line 7: level is NaN"``."""

    def __init__(self, source, problem: str, *, code: str, **params):
        self.source = str(source)
        super().__init__(problem, code=code, where=source, **params)


class OuiRegistryError(WifiAnalysisError):
    """An IEEE OUI registry file that is not in the registry's CSV format."""

    def __init__(self, source, problem: str, *, code: str, **params):
        self.source = str(source)
        super().__init__(problem, code=code, where=source, **params)
