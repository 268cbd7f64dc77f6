"""The Wi-Fi analysis's exceptions: each names what was wrong with the input it was given."""


class WifiAnalysisError(ValueError):
    """Base of every error raised by ``rf.wifi``."""


class StimulusError(WifiAnalysisError):
    """A stimulus switch log that cannot drive a lock-in: out of order, a gap, NaN, a level
    outside 0..1. The message names the source (a file name when it came from a file) and the
    problem, e.g. ``"stim.csv: line 7: level is NaN"``."""

    def __init__(self, source, problem: str):
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")


class OuiRegistryError(WifiAnalysisError):
    """An IEEE OUI registry file that is not in the registry's CSV format."""

    def __init__(self, source, problem: str):
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")
