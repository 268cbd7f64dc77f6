"""The hotspot: a password made on each device, kept, rendered into NetworkManager's keyfile, and
shown on the screen with a QR code a phone can read."""

import configparser

import cv2
import numpy as np
import pytest

from detector.appliance import hotspot


@pytest.fixture
def device_root(tmp_path):
    """A device's root with a Pi serial number, as the device tree exposes it."""
    serial = tmp_path / "sys/firmware/devicetree/base/serial-number"
    serial.parent.mkdir(parents=True)
    serial.write_bytes(b"10000000a1b2c3d4\x00")
    return tmp_path


def _keyfile(root):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(root / hotspot.KEYFILE)
    return parser


def test_up_makes_a_password_and_a_wpa2_access_point_profile(device_root):
    ssid, password = hotspot.bring_up(device_root)
    assert ssid == "ansim-c3d4"
    keyfile = _keyfile(device_root)
    assert keyfile["wifi"]["mode"] == "ap" and keyfile["wifi"]["ssid"] == ssid
    assert keyfile["wifi-security"]["key-mgmt"] == "wpa-psk"
    assert keyfile["wifi-security"]["psk"] == password
    assert keyfile["ipv4"]["method"] == "shared"
    assert keyfile["ipv4"]["address1"].startswith(hotspot.ADDRESS + "/")


def test_secrets_are_readable_by_root_only(device_root):
    hotspot.bring_up(device_root)
    psk = device_root / hotspot.STATE_DIR / "psk"
    assert psk.stat().st_mode & 0o777 == 0o600
    assert psk.parent.stat().st_mode & 0o777 == 0o700
    assert (device_root / hotspot.KEYFILE).stat().st_mode & 0o777 == 0o600  # else NM ignores it


def test_the_password_is_kept_across_boots_and_renewed_on_request(device_root):
    _, first = hotspot.bring_up(device_root)
    _, again = hotspot.bring_up(device_root)
    _, renewed = hotspot.bring_up(device_root, renew=True)
    assert first == again != renewed
    assert _keyfile(device_root)["wifi-security"]["psk"] == renewed


def test_no_two_devices_share_a_password(tmp_path):
    passwords = set()
    for index in range(20):
        root = tmp_path / str(index)
        (root / "etc").mkdir(parents=True)
        (root / "etc/machine-id").write_text(f"{index:032x}\n")
        passwords.add(hotspot.bring_up(root)[1])
    assert len(passwords) == 20


def test_passwords_are_long_and_avoid_look_alike_characters():
    for _ in range(200):
        password = hotspot.make_password()
        assert 8 <= len(password) <= 63  # WPA2 passphrase
        assert not set(password) & set("0o1li")
        assert len(password.replace("-", "")) == 16


def test_a_damaged_password_file_is_refused_with_its_name(device_root):
    hotspot.bring_up(device_root)
    (device_root / hotspot.STATE_DIR / "psk").write_text("short\n")
    with pytest.raises(hotspot.HotspotError, match="psk: not a WPA2 passphrase"):
        hotspot.bring_up(device_root)


def test_a_device_with_no_serial_says_so(tmp_path):
    with pytest.raises(hotspot.HotspotError, match="serial-number: no serial number"):
        hotspot.device_ssid(tmp_path)


def test_the_qr_code_joins_the_network(device_root, tmp_path):
    """Decoded by OpenCV's QR reader, independent of the library that drew it (its ArUco-based
    detector: the older ``QRCodeDetector`` misread 3 of 700 random passwords' codes, each a
    valid code, and failed CI once)."""
    ssid, password = hotspot.bring_up(device_root)
    png = tmp_path / "qr.png"
    hotspot.wifi_qr(ssid, password).save(png, scale=8)
    image = cv2.imread(str(png), cv2.IMREAD_GRAYSCALE)
    text, _, _ = cv2.QRCodeDetectorAruco().detectAndDecode(image)
    assert text == f"WIFI:T:WPA;S:{ssid};P:{password};;"


def test_the_screen_shows_network_password_and_a_qr_code(device_root, capsys):
    assert hotspot.main(["up", "--root", str(device_root)]) == 0
    screen = capsys.readouterr().out
    password = (device_root / hotspot.STATE_DIR / "psk").read_text().strip()
    assert "ansim-c3d4" in screen and password in screen and hotspot.DASHBOARD_URL in screen
    qr_rows = [line for line in screen.splitlines() if "█" in line]
    assert len(qr_rows) >= 15 and len({len(row) for row in qr_rows}) == 1  # a square block


def test_a_korean_device_screen_holds_only_what_a_console_font_can_draw(device_root, tmp_path,
                                                                       capsys):
    """Linux console fonts have no Hangul: tty1 shows Latin text and QR blocks even on a
    device whose profile speaks Korean (its dashboard does)."""
    from tests.firmware.conftest import FIRMWARE

    profile = tmp_path / "profile.toml"
    profile.write_text((FIRMWARE / "profile.toml").read_text())  # language = "ko"
    assert hotspot.main(["up", "--root", str(device_root), "--profile", str(profile)]) == 0
    screen = capsys.readouterr().out
    password = (device_root / hotspot.STATE_DIR / "psk").read_text().strip()
    assert password in screen
    assert all(ord(ch) < 128 or ch in "█▀▄" for ch in screen), "a glyph the console can't draw"


def test_new_password_replaces_the_old_one(device_root, capsys):
    hotspot.main(["up", "--root", str(device_root)])
    old = (device_root / hotspot.STATE_DIR / "psk").read_text()
    assert hotspot.main(["new-password", "--root", str(device_root)]) == 0
    assert (device_root / hotspot.STATE_DIR / "psk").read_text() != old


def test_a_failure_is_reported_not_raised(tmp_path, capsys):
    assert hotspot.main(["up", "--root", str(tmp_path)]) == 1
    assert "serial" in capsys.readouterr().err


def test_the_terminal_qr_is_the_same_code(device_root):
    """The half-block QR on tty1 carries the same modules as the PNG one."""
    ssid, password = hotspot.bring_up(device_root)
    qr = hotspot.wifi_qr(ssid, password)
    modules = np.array([[bool(v) for v in row] for row in qr.matrix])
    screen = hotspot.screen_text(ssid, password)
    rows = [line for line in screen.splitlines() if "█" in line or "▀" in line or "▄" in line]
    # Each text row holds two module rows: upper half "▀", lower "▄", both "█", neither " ".
    # segno draws light modules as ink (for dark terminals), so ink = light module.
    light = []
    for line in rows:
        upper = [ch in "█▀" for ch in line]
        lower = [ch in "█▄" for ch in line]
        light.extend([upper, lower])
    light = np.array(light[: len(light)])
    border = (light.shape[1] - modules.shape[1]) // 2
    inner = light[border : border + modules.shape[0], border : border + modules.shape[1]]
    assert np.array_equal(inner, ~modules)
