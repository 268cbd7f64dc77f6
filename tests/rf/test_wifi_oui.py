"""Vendors from the IEEE registry in Debian's ieee-data format; randomised addresses flagged."""

import pytest

from rf.wifi.errors import OuiRegistryError
from rf.wifi.frames import mac_int
from rf.wifi.oui import SNAPSHOT_PATH, is_locally_administered, parse_registry_csv, read_registry

#: The first lines of Debian's /usr/share/ieee-data/oui.csv, mam.csv and oui36.csv as the IEEE
#: publishes them (quoted names with commas, trailing spaces, CRLF line ends).
MA_L = ('Registry,Assignment,Organization Name,Organization Address\r\n'
        'MA-L,4447CC,"Hangzhou Hikvision Digital Technology Co.,Ltd.",No.555 Qianmo Road '
        'Hangzhou Zhejiang CN 310052 \r\n'
        'MA-L,70B3D5,IEEE Registration Authority,445 Hoes Lane Piscataway NJ US 08554 \r\n')
MA_S = ('Registry,Assignment,Organization Name,Organization Address\r\n'
        'MA-S,70B3D5F2A,"Small Camera Maker, Inc.","1 Road, Town KR 12345 "\r\n')


def test_vendor_of_an_assigned_block_and_the_longest_prefix_wins():
    registry = parse_registry_csv(MA_L, "oui.csv")
    parse_registry_csv(MA_S, "oui36.csv", registry)
    assert registry.vendor(mac_int("44:47:cc:12:34:56")) == \
        "Hangzhou Hikvision Digital Technology Co.,Ltd."
    assert registry.vendor(mac_int("70:b3:d5:f2:a1:23")) == "Small Camera Maker, Inc."
    assert registry.vendor(mac_int("70:b3:d5:00:00:01")) == "IEEE Registration Authority"
    assert registry.vendor(mac_int("00:00:00:00:00:01")) is None


def test_randomised_addresses_are_flagged_and_have_no_vendor():
    registry = parse_registry_csv(MA_L, "oui.csv")
    randomised = mac_int("46:47:cc:12:34:56")  # the Hikvision prefix with the local bit set
    assert is_locally_administered(randomised)
    assert not is_locally_administered(mac_int("44:47:cc:12:34:56"))
    assert registry.vendor(randomised) is None


def test_the_vendored_snapshot_is_in_the_registry_format():
    registry = read_registry([SNAPSHOT_PATH])
    assert len(registry) >= 4
    assert "Hikvision" in registry.vendor(mac_int("44:47:cc:00:00:01"))


@pytest.mark.parametrize("text, problem", [
    ("", "line 1: expected the header"),
    ("a,b,c,d\r\n", "line 1: expected the header"),
    (MA_L.splitlines()[0] + "\nMA-L,XYZ123,Name,Addr\n", "line 2: 'XYZ123' is not an assignment"),
    (MA_L.splitlines()[0] + "\nMA-L,4447CC\n", "line 2: 2 fields"),
])
def test_bad_registry_files_name_the_file_and_line(text, problem):
    with pytest.raises(OuiRegistryError, match=problem):
        parse_registry_csv(text, "oui.csv")


def test_non_text_registry_file(tmp_path):
    path = tmp_path / "oui.csv"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(OuiRegistryError, match="not UTF-8"):
        read_registry([path])
