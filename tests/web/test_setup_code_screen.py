"""The handheld's screen (tty1) shows the one-time setup code until setup is claimed, and no
code once it is: the dashboard hands the code to the screen through a file in RAM, the
screen's service redraws when it appears, changes or goes."""

import stat

from detector.appliance import hotspot
from detector.appliance.screen import SETUP_CODE_FILE, read_setup_code
from tests.web.conftest import Browser, setup_code_of
from web import create_app

SSID, PASSWORD = "ansim-c3d4", "abcd-efgh-jkmn-pqrs"


def _app(tmp_path, clocks):
    return create_app({"data_dir": tmp_path / "data", "screen_dir": tmp_path / "run",
                       "simulate": True, "testing": True, "system_now": clocks.system_now,
                       "monotonic": clocks.monotonic})


def test_the_screen_shows_the_setup_code_until_setup_is_claimed(tmp_path, clocks):
    screen_dir = tmp_path / "run"
    readings = [read_setup_code(screen_dir)]  # the screen is up before the dashboard
    app = _app(tmp_path, clocks)
    code = setup_code_of(app)
    readings.append(read_setup_code(screen_dir))
    assert stat.S_IMODE((screen_dir / SETUP_CODE_FILE).stat().st_mode) == 0o600

    browser = Browser(app)
    browser.page("/setup")
    response = browser.form("/setup", {"setup_code": code, "username": "kim",
                                       "password": "a long enough password",
                                       "password_again": "a long enough password"})
    assert response.status_code == 302
    readings.append(read_setup_code(screen_dir))

    _stopped(app)
    drawn = list(hotspot.screens(SSID, PASSWORD, readings))
    assert len(drawn) == 3  # before the dashboard, while unclaimed, once claimed
    assert code in drawn[1] and f"{hotspot.DASHBOARD_URL}/setup" in drawn[1]
    for screen in (drawn[0], drawn[2]):
        assert code not in screen and "/setup" not in screen
        assert SSID in screen and PASSWORD in screen
    assert all(ord(ch) < 128 or ch in "█▀▄" for ch in drawn[1]), "a glyph tty1 can't draw"
    assert not (screen_dir / SETUP_CODE_FILE).exists()


def _stopped(app):
    app.extensions["ansim"].inspections.close()
    return app


def test_a_restart_shows_the_new_code_and_after_the_claim_none(tmp_path, clocks):
    screen_dir = tmp_path / "run"
    first = setup_code_of(_stopped(_app(tmp_path, clocks)))
    app = _app(tmp_path, clocks)  # the service restarted before anyone claimed setup
    second = setup_code_of(app)
    assert read_setup_code(screen_dir) == second != first

    app.extensions["ansim"].accounts.create_first_admin("kim", "a long enough password", "")
    _stopped(app)
    _stopped(_app(tmp_path, clocks))  # claimed while it was down: nothing left to show
    assert read_setup_code(screen_dir) is None


def test_a_file_that_is_not_a_code_is_not_shown(tmp_path):
    (tmp_path / SETUP_CODE_FILE).write_text("\x1b[2J" + "A" * 10, encoding="ascii")
    assert read_setup_code(tmp_path) is None
    assert read_setup_code(tmp_path / "absent") is None
