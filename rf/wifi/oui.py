"""Who made a radio: the IEEE registry of MAC address blocks (OUI, MA-M, MA-S).

The IEEE publishes its registries as CSV (``Registry,Assignment,Organization Name,Organization
Address``); Debian's ``ieee-data`` package installs them as ``/usr/share/ieee-data/oui.csv``
(MA-L: 24-bit prefixes), ``mam.csv`` (28-bit) and ``oui36.csv`` (36-bit), and the device reads
those. Elsewhere ``SNAPSHOT_PATH`` is a small extract of Debian's ``oui.csv`` (ieee-data
20220827.1), rows copied unchanged: the prefixes of the vendors the simulated restroom and the
tests use (camera modules: Bilian, FN-Link, Hikvision; Aruba APs; Intel laptops; Espressif
plugs; an Apple phone), so results do not depend on what the machine has installed.

A MAC whose first octet has the locally-administered bit (0x02) set was not assigned by the
IEEE: phones randomise their addresses this way for privacy, so such a transmitter has no
vendor and is flagged ``randomised``.
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from rf.wifi.errors import OuiRegistryError

DEBIAN_IEEE_DATA = Path("/usr/share/ieee-data")
DEBIAN_REGISTRY_FILES = ("oui.csv", "mam.csv", "oui36.csv")
SNAPSHOT_PATH = Path(__file__).with_name("oui-snapshot.csv")
_HEADER = ["Registry", "Assignment", "Organization Name", "Organization Address"]
_PREFIX_BITS = {6: 24, 7: 28, 9: 36}  # hex digits of an assignment -> prefix length in bits
LOCALLY_ADMINISTERED_BIT = 0x02
MULTICAST_BIT = 0x01


def is_locally_administered(address: int) -> bool:
    """True for addresses not assigned by the IEEE (randomised phones, virtual interfaces)."""
    return bool((address >> 40) & LOCALLY_ADMINISTERED_BIT)


@dataclass
class OuiRegistry:
    """Organisation names by prefix; the longest assigned prefix of an address wins."""

    by_prefix: dict[tuple[int, int], str] = field(default_factory=dict)

    def vendor(self, address: int) -> str | None:
        """The organisation the address's block is assigned to, or None (unknown or local)."""
        if is_locally_administered(address):
            return None
        for bits in (36, 28, 24):
            name = self.by_prefix.get((bits, address >> (48 - bits)))
            if name is not None:
                return name
        return None

    def __len__(self) -> int:
        return len(self.by_prefix)


def parse_registry_csv(text: str, source: str, registry: OuiRegistry | None = None
                       ) -> OuiRegistry:
    """Add the assignments of one IEEE registry CSV text to ``registry`` (a new one if None)."""
    registry = registry if registry is not None else OuiRegistry()
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header is None or [h.strip() for h in header[:4]] != _HEADER:
        raise OuiRegistryError(source, f"line 1: expected the header {','.join(_HEADER)}",
                               code="csv_header", header=",".join(_HEADER))
    for line, row in enumerate(rows, start=2):
        if not row:
            continue
        if len(row) < 3:
            raise OuiRegistryError(source, f"line {line}: {len(row)} fields, expected 4",
                                   code="field_count", line=line, count=len(row), expected=4)
        assignment = row[1].strip()
        bits = _PREFIX_BITS.get(len(assignment))
        try:
            prefix = int(assignment, 16)
        except ValueError:
            prefix = None
        if bits is None or prefix is None:
            raise OuiRegistryError(source, f"line {line}: {assignment[:40]!r} is not an "
                                           "assignment", code="oui_assignment", line=line)
        registry.by_prefix[(bits, prefix)] = row[2].strip()
    return registry


def read_registry(paths) -> OuiRegistry:
    """A registry from IEEE CSV files (the ones that exist; unreadable ones raise)."""
    registry = OuiRegistry()
    for path in map(Path, paths):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise OuiRegistryError(path, "not UTF-8 text", code="not_utf8") from None
        parse_registry_csv(text, str(path), registry)
    return registry


def default_registry() -> OuiRegistry:
    """Debian's ``ieee-data`` when installed (the device), else the vendored snapshot."""
    installed = [DEBIAN_IEEE_DATA / name for name in DEBIAN_REGISTRY_FILES
                 if (DEBIAN_IEEE_DATA / name).is_file()]
    return read_registry(installed or [SNAPSHOT_PATH])
