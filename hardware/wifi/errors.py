"""The Wi-Fi seam's exceptions: each names the file (or device) and the problem.

``CaptureError`` is a ``RecordingError`` (``hardware.errors``), so a caller that already
handles bad recordings of the radio handles bad captures too.
"""

from hardware.errors import RecordingError


class CaptureError(RecordingError):
    """A capture file cannot be read: ``"scan.pcapng: corrupt block at byte 4096: ..."``."""


class NotACapture(CaptureError):
    """The file is neither pcap nor pcapng (wrong magic, empty, too short, compressed)."""


class CorruptCapture(CaptureError):
    """A block or record inside the file is malformed (bad lengths, bad options, bad header)."""


class UnsupportedLinkType(CaptureError):
    """The capture holds frames of a link type other than 802.11 (105) or 802.11 + radiotap
    (127), e.g. Ethernet captures."""


class TruncatedCaptureWarning(UserWarning):
    """The capture ends in the middle of a packet (the adapter was pulled out, the disk filled):
    every whole packet before the cut is read, as Wireshark does, and this warning says where."""

    def __init__(self, path, offset: int, problem: str, *, code: str, **params):
        self.path = str(path)
        self.where = self.path
        self.offset = offset
        self.problem = problem
        #: As ``RecordingError``'s: the problem named for translation, and its figures.
        self.problem_code = code
        self.problem_params = params
        super().__init__(f"{self.path}: cut off in the middle of a packet at byte {offset} "
                         f"({problem}); the packets before it were read")
