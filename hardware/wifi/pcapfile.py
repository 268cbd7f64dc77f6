"""Wi-Fi captures on disk: pcap and pcapng files of raw 802.11 frames, read and written.

Link types: 127 (``LINKTYPE_IEEE802_11_RADIOTAP``, what a monitor-mode adapter captures: a
radiotap header with signal strength, rate and channel, then the 802.11 frame) and 105
(``LINKTYPE_IEEE802_11``, the bare frame). Anything else (Ethernet, Bluetooth) is refused.

Library: scapy's ``RawPcapReader`` / ``RawPcapNgReader`` parse the records and
``RawPcapWriter`` / ``RawPcapNgWriter`` write them. Scapy is maintained and released several
times a year, reads both formats (every pcapng block type Wireshark writes, both byte orders,
any timestamp resolution), and its raw readers hand back bytes without dissecting them, which
is what a traffic analysis that only needs sizes and headers wants. python-pcapng was the
alternative; its last release is years old and it reads pcapng only.

Scapy alone is forgiving in ways evidence must not be: it stops quietly at a corrupt block as
if the file had ended, returns a cut-off last packet as if it were whole, and reads whatever
length a hostile header declares. So before scapy parses a file, ``_walk_records`` checks the
record framing (every length in bounds, every pcapng block's two lengths equal, nothing
larger than ``MAX_BLOCK_BYTES``) by seeking, without reading bodies, and scapy is only shown
the well-framed prefix through a reader that never hands out more bytes than the file holds.
What the walk found decides the outcome:

- the file ends inside its last record (the adapter was pulled out mid-packet): every whole
  packet is read and a ``TruncatedCaptureWarning`` names the byte where the cut is, as
  Wireshark does ("The capture file appears to have been cut short in the middle of a
  packet");
- a malformed record or block anywhere else: the frames before it are yielded, then
  ``CorruptCapture`` names the file, the byte offset and the problem;
- a file that is not a capture at all: ``NotACapture``; frames of another link type:
  ``UnsupportedLinkType``.

Example::

    write_pcapng("survey.pcapng", [(1733300000.0, frame_bytes)])
    capture = read_capture("survey.pcapng")
    time_s, data, linktype = capture.frames[0]
"""

import logging
import os
import struct
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from scapy.error import Scapy_Exception
from scapy.utils import RawPcapNgReader, RawPcapNgWriter, RawPcapReader, RawPcapWriter

from hardware.errors import os_reason
from hardware.wifi.errors import (
    CorruptCapture,
    NotACapture,
    TruncatedCaptureWarning,
    UnsupportedLinkType,
)

LINKTYPE_IEEE802_11 = 105
LINKTYPE_IEEE802_11_RADIOTAP = 127
WIFI_LINKTYPES = frozenset({LINKTYPE_IEEE802_11, LINKTYPE_IEEE802_11_RADIOTAP})

#: No 802.11 frame is larger than ~11.5 kB (a VHT MPDU); libpcap never captures more than
#: 262,144 bytes of one packet. A record claiming more is corrupt, not a big frame.
MAX_FRAME_BYTES = 262_144
#: Wireshark refuses pcapng blocks over 16 MiB for the same reason.
MAX_BLOCK_BYTES = 16 * 1024 * 1024

_PCAP_MAGICS = {  # magic bytes -> (struct byte order, nanosecond timestamps)
    b"\xd4\xc3\xb2\xa1": ("<", False),
    b"\xa1\xb2\xc3\xd4": (">", False),
    b"\x4d\x3c\xb2\xa1": ("<", True),
    b"\xa1\xb2\x3c\x4d": (">", True),
}
_PCAPNG_SHB = b"\x0a\x0d\x0d\x0a"
_PCAPNG_BYTE_ORDER = {b"\x4d\x3c\x2b\x1a": "<", b"\x1a\x2b\x3c\x4d": ">"}
_PCAP_FILE_HEADER_BYTES = 24
_PCAP_RECORD_HEADER_BYTES = 16


class _Framing(NamedTuple):
    """What the framing walk found wrong, at which byte, in English and as a problem code."""

    kind: str  # "truncated" | "corrupt"
    offset: int
    what: str
    code: str
    params: dict | None = None  # the figures the problem's sentence names


class CaptureFrame(NamedTuple):
    """One captured frame: when (epoch seconds), its bytes, and their link type."""

    time_s: float
    data: bytes
    linktype: int


@dataclass
class Capture:
    """A whole capture file read into memory."""

    path: str
    format: str  # "pcap" or "pcapng"
    frames: list[CaptureFrame]
    truncated_at_byte: int | None = None  # where the file was cut mid-packet, if it was


def read_capture(path) -> Capture:
    """Read every frame of ``path`` (pcap or pcapng); see the module docstring for errors."""
    path = Path(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TruncatedCaptureWarning)
        frames = list(iter_capture(path))
    truncated_at = None
    for w in caught:
        if issubclass(w.category, TruncatedCaptureWarning):
            truncated_at = w.message.offset
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return Capture(str(path), capture_format(path), frames, truncated_at)


def capture_format(path) -> str:
    """``"pcap"`` or ``"pcapng"`` from the file's magic bytes; ``NotACapture`` otherwise."""
    with open(path, "rb") as f:
        return _format_of(path, f.read(4))


def iter_capture(path) -> Iterator[CaptureFrame]:
    """Yield the frames of ``path`` in file order, without holding the file in memory."""
    path = Path(path)
    try:
        f = open(path, "rb")
    except OSError as e:
        raise NotACapture(path, f"cannot open: {e.strerror}", code="unreadable",
                          reason=os_reason(e)) from e
    with f:
        size = os.fstat(f.fileno()).st_size
        fmt = _format_of(path, f.read(4))
        f.seek(0)
        good_end, problem = _walk_records(path, f, size, fmt)
        f.seek(0)
        yield from _parse_prefix(path, _BoundedReader(f, good_end), fmt, good_end)
    if problem is not None:
        if problem.kind == "truncated":
            warnings.warn(TruncatedCaptureWarning(path, problem.offset, problem.what,
                                                  code=problem.code, **(problem.params or {})),
                          stacklevel=2)
        else:
            raise CorruptCapture(path, f"corrupt {fmt} at byte {problem.offset}: {problem.what}",
                                 code=problem.code, format=fmt, offset=problem.offset,
                                 **(problem.params or {}))


def write_pcapng(path, packets: Iterable, *, linktype: int = LINKTYPE_IEEE802_11_RADIOTAP) -> int:
    """Write ``(time_s, bytes)`` pairs as a pcapng file; return the number of frames.

    The file appears whole or not at all: it is written beside ``path`` and renamed.
    """
    return _write(path, packets, linktype, _open_pcapng_writer)


def write_pcap(path, packets: Iterable, *, linktype: int = LINKTYPE_IEEE802_11_RADIOTAP) -> int:
    """Write ``(time_s, bytes)`` pairs as a classic (microsecond) pcap file."""
    return _write(path, packets, linktype, _open_pcap_writer)


def _open_pcapng_writer(path: str, linktype: int):
    writer = RawPcapNgWriter(path)
    writer.linktype = linktype
    writer.write_header(None)
    return writer, lambda t_s, data: writer.write_packet(data, sec=t_s)


def _open_pcap_writer(path: str, linktype: int):
    writer = RawPcapWriter(path, linktype=linktype, endianness="<", snaplen=MAX_FRAME_BYTES)
    writer.write_header(None)

    def write(t_s, data):
        usec = round(t_s * 1e6)
        writer.write_packet(data, sec=usec // 1_000_000, usec=usec % 1_000_000)

    return writer, write


def _write(path, packets, linktype, open_writer) -> int:
    if linktype not in WIFI_LINKTYPES:
        raise UnsupportedLinkType(path, f"cannot write link type {linktype}; "
                                        f"only {sorted(WIFI_LINKTYPES)}",
                                  code="link_type", linktype=linktype)
    path = Path(path)
    part = path.with_name(path.name + ".part")
    n = 0
    writer, write = open_writer(str(part), linktype)
    try:
        for t_s, data in packets:
            if len(data) > MAX_FRAME_BYTES:
                raise ValueError(f"{path}: frame {n} is {len(data)} bytes, more than any frame")
            write(float(t_s), bytes(data))
            n += 1
    except BaseException:
        writer.close()
        part.unlink(missing_ok=True)
        raise
    writer.close()
    os.replace(part, path)
    return n


def _format_of(path, magic: bytes) -> str:
    if magic in _PCAP_MAGICS:
        return "pcap"
    if magic == _PCAPNG_SHB:
        return "pcapng"
    if not magic:
        raise NotACapture(path, "the file is empty", code="empty")
    if magic[:2] == b"\x1f\x8b":
        raise NotACapture(path, "gzip-compressed; decompress it first", code="gzip")
    raise NotACapture(path, f"not a pcap or pcapng capture (starts with {magic.hex()})",
                      code="not_a_capture", magic=magic.hex())


def _walk_records(path, f, size: int, fmt: str):
    """Check the framing of every record: return (end of the well-framed prefix, problem).

    ``problem`` is None or a ``_Framing``: ``"truncated"`` when the last record runs past the
    end of the file, ``"corrupt"`` otherwise.
    """
    walk = _walk_pcap if fmt == "pcap" else _walk_pcapng
    return walk(path, f, size)


def _walk_pcap(path, f, size):
    header = f.read(_PCAP_FILE_HEADER_BYTES)
    if len(header) < _PCAP_FILE_HEADER_BYTES:
        raise NotACapture(path, f"a pcap file header is 24 bytes; the file has {len(header)}",
                          code="short_pcap_header", size=len(header))
    order, _ = _PCAP_MAGICS[header[:4]]
    offset = _PCAP_FILE_HEADER_BYTES
    while offset < size:
        f.seek(offset)
        record = f.read(_PCAP_RECORD_HEADER_BYTES)
        if len(record) < _PCAP_RECORD_HEADER_BYTES:
            return offset, _Framing("truncated", offset, "the file ends inside a record "
                                    "header", code="ends_in_record_header")
        caplen = struct.unpack(order + "I", record[8:12])[0]
        if caplen > MAX_FRAME_BYTES:
            return offset, _Framing("corrupt", offset, f"record claims {caplen} bytes",
                                    code="record_too_large", params={"size": caplen})
        end = offset + _PCAP_RECORD_HEADER_BYTES + caplen
        if end > size:
            have = size - offset - _PCAP_RECORD_HEADER_BYTES
            return offset, _Framing("truncated", offset,
                                    f"the last packet has {have} of its {caplen} bytes",
                                    code="last_packet_cut", params={"have": have, "size": caplen})
        offset = end
    return offset, None


def _walk_pcapng(path, f, size):
    order = "<"
    offset = 0
    while offset < size:
        f.seek(offset)
        head = f.read(12)
        if len(head) < 8:
            return offset, _Framing("truncated", offset, "the file ends inside a block header",
                                    code="ends_in_block_header")
        if head[:4] == _PCAPNG_SHB:
            if len(head) < 12:
                return offset, _Framing("truncated", offset, "the file ends inside a section "
                                        "header", code="ends_in_block_header")
            if head[8:12] not in _PCAPNG_BYTE_ORDER:
                return offset, _Framing("corrupt", offset, "section header with no byte-order "
                                        "magic", code="no_byte_order")
            order = _PCAPNG_BYTE_ORDER[head[8:12]]
        (length,) = struct.unpack(order + "I", head[4:8])
        if length < 12 or length % 4:
            return offset, _Framing("corrupt", offset, f"block length {length} is not a whole "
                                    "block", code="block_length", params={"size": length})
        if length > MAX_BLOCK_BYTES:
            return offset, _Framing("corrupt", offset, f"block claims {length} bytes",
                                    code="record_too_large", params={"size": length})
        if offset + length > size:
            return offset, _Framing("truncated", offset,
                                    f"the last block has {size - offset} of its {length} bytes",
                                    code="last_packet_cut",
                                    params={"have": size - offset, "size": length})
        f.seek(offset + length - 4)
        (trailer,) = struct.unpack(order + "I", f.read(4))
        if trailer != length:
            return offset, _Framing("corrupt", offset,
                                    f"block length {length} at its start but {trailer} at its "
                                    "end", code="block_lengths_differ",
                                    params={"size": length, "trailer": trailer})
        offset += length
    return offset, None


def _parse_prefix(path, reader_file, fmt: str, good_end: int) -> Iterator[CaptureFrame]:
    """Let scapy parse the well-framed prefix; a record it rejects there is corrupt."""
    with _scapy_messages() as messages:
        try:
            if fmt == "pcap":
                yield from _pcap_frames(path, RawPcapReader(reader_file))
            else:
                yield from _pcapng_frames(path, RawPcapNgReader(reader_file))
        except Scapy_Exception as e:
            why = "; ".join(messages + [str(e)])
            raise CorruptCapture(path, f"bad {fmt} file header: {why}", code="bad_header",
                                 format=fmt) from e
        stopped_at = reader_file.pos
    if stopped_at < good_end:
        why = messages[-1] if messages else "unreadable block"
        raise CorruptCapture(path, f"corrupt {fmt} near byte {stopped_at}: {why}",
                             code="unreadable_block", format=fmt, offset=stopped_at)


def _pcap_frames(path, reader) -> Iterator[CaptureFrame]:
    linktype = reader.linktype
    if linktype not in WIFI_LINKTYPES:
        raise UnsupportedLinkType(path, f"link type {linktype} is not 802.11 "
                                        f"(105) or 802.11 with radiotap (127)",
                                  code="link_type", linktype=linktype)
    scale = 1e-9 if reader.nano else 1e-6
    for data, meta in reader:
        yield CaptureFrame(meta.sec + meta.usec * scale, data, linktype)


def _pcapng_frames(path, reader) -> Iterator[CaptureFrame]:
    for data, meta in reader:
        if meta.linktype not in WIFI_LINKTYPES:
            raise UnsupportedLinkType(path, f"an interface of link type {meta.linktype}, not "
                                            f"802.11 (105) or 802.11 with radiotap (127)",
                                      code="link_type", linktype=meta.linktype)
        if meta.tsresol <= 0:
            raise CorruptCapture(path, f"timestamp resolution {meta.tsresol}",
                                 code="timestamp_resolution", value=meta.tsresol)
        yield CaptureFrame(((meta.tshigh << 32) | meta.tslow) / meta.tsresol, data, meta.linktype)


class _BoundedReader:
    """A file object that ends at ``limit``: no read is ever larger than what is left there."""

    def __init__(self, f, limit: int):
        self._f = f
        self._limit = limit
        self.pos = f.tell()
        self.name = getattr(f, "name", "capture")

    def read(self, n: int = -1) -> bytes:
        left = self._limit - self.pos
        n = left if n is None or n < 0 else min(n, left)
        data = self._f.read(max(n, 0))
        self.pos += len(data)
        return data

    def tell(self) -> int:
        return self.pos

    def close(self) -> None:
        """The caller owns the underlying file."""


@contextmanager
def _scapy_messages():
    """Collect scapy's runtime warnings (why it stopped) instead of printing them."""
    logger = logging.getLogger("scapy.runtime")
    messages: list[str] = []

    def keep(record):
        messages.append(record.getMessage())
        return False

    logger.addFilter(keep)
    try:
        yield messages
    finally:
        logger.removeFilter(keep)
