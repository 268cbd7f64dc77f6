"""The pin table in hardware/README.md and the wiring diagram match the device profile."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from detector.appliance.profile import load_profile

HARDWARE = Path(__file__).resolve().parents[2] / "hardware"
HEADER = {2: 3, 3: 5, 4: 7, 5: 29, 6: 31, 7: 26, 8: 24, 9: 21, 10: 19, 11: 23, 12: 32, 13: 33,
          14: 8, 15: 10, 16: 36, 17: 11, 18: 12, 19: 35, 20: 38, 21: 40, 22: 15, 23: 16,
          24: 18, 25: 22, 26: 37, 27: 13}  # BCM -> physical pin on the 40-pin header


def _readme_pins():
    rows = re.findall(r"^\| `(\w+)` \| (\d+) \| (\d+) \|", (HARDWARE / "README.md").read_text(),
                      re.MULTILINE)
    return {key: (int(bcm), int(physical)) for key, bcm, physical in rows}


def test_the_readme_pin_table_is_the_profile():
    pins = load_profile().pins
    table = _readme_pins()
    assert set(table) == set(vars(pins))
    for key, (bcm, physical) in table.items():
        assert getattr(pins, key) == bcm, key
        assert HEADER[bcm] == physical, f"{key}: GPIO{bcm} is header pin {HEADER[bcm]}"


def test_the_wiring_diagram_is_valid_svg_showing_every_pin():
    root = ET.parse(HARDWARE / "wiring.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for key, (bcm, physical) in _readme_pins().items():
        assert re.search(rf"GPIO{bcm}\b", text), key
        assert f"[{physical}]" in text, key
