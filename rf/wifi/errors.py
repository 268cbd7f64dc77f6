"""The Wi-Fi analysis's exceptions: each names what was wrong with the input it was given.

Like the hardware layer's ``RecordingError``, each carries ``problem_code`` (the problem named
for translation: ``problem.<code>`` in detector's catalogues) and ``problem_params`` (its
figures), and ``where`` names the input when it is known; the English message is for
developers and logs.
"""


class WifiAnalysisError(ValueError):
    """Base of every error raised by ``rf.wifi``."""

    def __init__(self, problem: str, *, code: str, where=None, **params):
        self.problem = problem
        self.problem_code = code
        self.problem_params = params
        self.where = None if where is None else str(where)
        super().__init__(f"{self.where}: {problem}" if self.where else problem)

    def locate(self, where) -> "WifiAnalysisError":
        """Name the input (a capture file) an error about frames came from; returns itself."""
        self.where = str(where)
        self.args = (f"{self.where}: {self.problem}",)
        return self


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
