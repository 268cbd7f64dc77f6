"""The hardware layer's exceptions: one small hierarchy, each naming what failed and why."""


class HardwareError(Exception):
    """Base of every error raised by ``hardware``."""


class DeviceNotFound(HardwareError):
    """A real device (radio, camera, GPIO) was asked for but is not present."""


class RecordingError(HardwareError):
    """A recorded file (SigMF, cu8, capture directory) is missing, malformed or truncated.

    The message always names the file and the problem, e.g.
    ``"rec.sigmf-data: truncated: 1001 bytes is not a whole number of cu8 samples"``.
    """

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class TuningError(HardwareError):
    """A source was asked for a frequency, rate or gain it cannot give (out of the tuner's
    range, or a recording asked to move away from the band it holds)."""
