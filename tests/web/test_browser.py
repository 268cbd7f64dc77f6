"""The dashboard in a real headless Chromium (Debian's, never a downloaded one) at a phone's
360 x 740 viewport, against the real waitress server: first-run setup, login, volunteers,
the offline banner, and a whole inspection on the simulated restroom.

The tests in this module share one device (server and data directory) and run in order, as
the day goes: the admin sets the device up first.
"""

import os
import re
from pathlib import Path

import pytest

from tests.web.conftest import ADMIN
from web import create_app
from web.server import ServerThread

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "en-US"}
TIMEOUT_MS = 20_000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium package"),
]


@pytest.fixture(scope="module")
def device(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("device")
    app = create_app({"data_dir": data_dir, "simulate": True})
    with ServerThread(app) as running:
        running.data_dir = data_dir
        yield running
        app.extensions["ansim"].steps.wait(timeout_s=120)


@pytest.fixture(scope="module")
def chromium():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def screens(tmp_path_factory):
    """Where screenshots go (ANSIM_SCREENSHOTS=DIR keeps them to look at)."""
    kept = os.environ.get("ANSIM_SCREENSHOTS")
    path = Path(kept) if kept else tmp_path_factory.mktemp("screens")
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_phone(chromium, device, locale="en-US"):
    context = chromium.new_context(**{**PHONE, "locale": locale}, base_url=device.url)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def login(page, username, password):
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.stack button")
    page.wait_for_url(re.compile(r".*/(log)?$"))


def fits_the_phone(page):
    """Nothing wider than the screen: no sideways scrolling on a 360 px phone."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_first_run_creates_the_admin_then_login_works(chromium, device, screens):
    page = new_phone(chromium, device)
    page.goto("/")
    assert page.url.endswith("/setup")
    fits_the_phone(page)
    page.screenshot(path=screens / "setup.png", full_page=True)
    page.fill("input[name=username]", ADMIN[0])
    page.fill("input[name=display_name]", "Admin Kim")
    page.fill("input[name=password]", ADMIN[1])
    page.fill("input[name=password_again]", ADMIN[1])
    page.click("form.stack button")
    page.wait_for_url(re.compile(r".*/$"))
    page.click("nav .logout button")
    page.wait_for_url(re.compile(r".*/login$"))
    page.goto("/setup")
    assert page.url.endswith("/login")  # setup closed for good
    page.fill("input[name=username]", ADMIN[0])
    page.fill("input[name=password]", "not the password")
    page.click("form.stack button")
    assert page.locator("p.error").is_visible()
    fits_the_phone(page)
    page.screenshot(path=screens / "login-error.png", full_page=True)
    login(page, *ADMIN)
    assert page.locator("h1").first.inner_text() == "Inspection now"
    page.screenshot(path=screens / "live-admin.png", full_page=True)
    page.context.close()


def test_the_page_speaks_korean_to_a_korean_phone(chromium, device):
    page = new_phone(chromium, device, locale="ko-KR")
    page.goto("/login")
    assert page.locator("h1").inner_text() == "로그인"
    assert page.get_attribute("html", "lang") == "ko"
    page.context.close()


def test_a_volunteer_joins_by_code_and_sees_neither_images_nor_the_log(chromium, device,
                                                                       screens):
    admin = new_phone(chromium, device)
    login(admin, *ADMIN)
    admin.goto("/volunteers")
    admin.click("#new-code")
    admin.locator("#code-box").wait_for(state="visible")
    code = admin.locator("#code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    assert admin.locator("#qr").evaluate("img => img.complete && img.naturalWidth > 0")
    admin.screenshot(path=screens / "volunteers-qr.png", full_page=True)

    volunteer = new_phone(chromium, device)
    volunteer.goto(f"/join?code={code}")
    assert volunteer.input_value("input[name=code]") == code
    volunteer.fill("input[name=display_name]", "Lee")
    volunteer.click("form.stack button")
    volunteer.wait_for_url(re.compile(r".*/$"))
    fits_the_phone(volunteer)
    volunteer.screenshot(path=screens / "live-volunteer.png", full_page=True)
    assert volunteer.locator("nav.tabs a").all_inner_texts() == ["Live"]
    assert volunteer.locator("#start-form").count() == 0
    response = volunteer.goto("/log")
    assert response.status == 403
    status = volunteer.evaluate("fetch('/api/evidence/' + 'a'.repeat(64)).then(r => r.status)")
    assert status == 403
    admin.context.close()
    volunteer.context.close()


def test_the_offline_banner_shows_when_the_device_is_out_of_reach(chromium, device, screens):
    page = new_phone(chromium, device)
    login(page, *ADMIN)
    banner = page.locator("#offline")
    assert banner.is_hidden()
    page.context.set_offline(True)
    banner.wait_for(state="visible")
    page.screenshot(path=screens / "offline.png")
    page.context.set_offline(False)
    banner.wait_for(state="hidden")
    page.context.close()


SITES_CSV = "id,name,stalls,schedule\nS1,Station restroom,1,daily\n"
#: The share of the sweep the spectrum plot shows, once it shows a sweep under way.
LIVE_SWEEP_PART = """() => {
  const [done, total] = (document.getElementById("spectrum").dataset.live || "0/0")
    .split("/").map(Number);
  return done > 0 && done < total ? done / total : false;
}"""
#: Pixels of the spectrum's trace colour (#7fd1ff) on its canvas.
TRACE_PIXELS = """() => {
  const canvas = document.getElementById("spectrum");
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i] - 127) < 30 && Math.abs(data[i + 1] - 209) < 30 &&
        Math.abs(data[i + 2] - 255) < 30) n++;
  }
  return n;
}"""


def test_an_inspection_whose_alert_reaches_a_volunteer_live_then_the_log(chromium, device,
                                                                         screens):
    from detector.engine.sites import import_sites

    svc = device.app.extensions["ansim"]
    sites = device.data_dir / "sites.csv"
    sites.write_text(SITES_CSV, encoding="utf-8")
    import_sites(svc.inspections.store, sites)
    svc.accounts.create_user("park", "supervisor password", "supervisor", "Park")

    admin = new_phone(chromium, device)
    login(admin, *ADMIN)
    admin.goto("/admin")
    admin.fill("form.stack input[name=username]", "kim")
    admin.fill("form.stack input[name=display_name]", "Kim Inspector")
    admin.fill("form.stack input[name=password]", "inspector password")
    admin.select_option("form.stack select[name=role]", "inspector")
    admin.click("form.stack button")
    assert "Kim Inspector" in admin.locator("table").inner_text()
    admin.screenshot(path=screens / "admin.png", full_page=True)
    code = svc.accounts.issue_join_code(1).code
    admin.context.close()

    volunteer = new_phone(chromium, device)
    volunteer.goto(f"/join?code={code}")
    volunteer.fill("input[name=display_name]", "Lee")
    volunteer.click("form.stack button")
    volunteer.wait_for_url(re.compile(r".*/$"))

    inspector = new_phone(chromium, device)
    inspector.on("dialog", lambda dialog: dialog.accept())
    login(inspector, "kim", "inspector password")
    inspector.locator("#site-select option[value=S1]").wait_for(state="attached")
    inspector.select_option("#site-select", "S1")
    inspector.click("#start-button")
    inspector.wait_for_url(re.compile(r".*/inspections/[0-9a-f-]+$"))
    volunteer.locator("#current-box").wait_for(state="visible")  # the start reached the volunteer
    inspector.click("#run-rf")
    # The spectrum is drawn while the sweep runs: part of the bands first, then more of them.
    partial = inspector.wait_for_function(LIVE_SWEEP_PART, polling=20, timeout=120_000)
    assert 0 < partial.json_value() < 1
    assert int(inspector.locator("#spectrum").get_attribute("data-points")) <= 1024
    assert inspector.evaluate(TRACE_PIXELS) > 100  # the trace is on the canvas

    # The hidden camera's transmitter: an alert, live, on the volunteer's phone.
    alert = volunteer.locator("#alerts li.alert").first
    alert.wait_for(state="visible", timeout=120_000)
    assert "1200" in alert.inner_text()
    fits_the_phone(volunteer)
    volunteer.screenshot(path=screens / "live-volunteer-alert.png", full_page=True)
    assert volunteer.locator("img[src*='/api/evidence/']").count() == 0
    assert volunteer.locator("#spectrum").count() == 0

    inspector.locator("#alerts li.alert").first.wait_for(state="visible")
    inspector.locator("#run-rf:not([disabled])").wait_for()
    fits_the_phone(inspector)
    inspector.screenshot(path=screens / "inspect-after-rf.png", full_page=True)
    inspector.click("li[data-item=door_hook] button[data-mark=suspicious]")
    inspector.locator("li[data-item=door_hook] button[data-mark=suspicious][aria-pressed=true]"
                      ).wait_for()
    inspector.click("button[data-verdict=clear]")
    inspector.click("#save-verdict")
    inspector.locator("#verdict-error").wait_for(state="visible")  # RF alone never clears
    inspector.click("button[data-verdict=found]")
    inspector.fill("input[name=notified]", "Jongno police")
    inspector.fill("input[name=report_ref]", "2026-113")
    inspector.click("#save-verdict")
    inspector.locator("#status.found").wait_for()
    inspector.click("#sign-off")
    inspector.locator("#signed").wait_for(state="visible")
    inspector.screenshot(path=screens / "inspect-signed.png", full_page=True)
    inspector.context.close()

    supervisor = new_phone(chromium, device)
    login(supervisor, "park", "supervisor password")
    assert supervisor.url.endswith("/log")
    supervisor.locator("#filters input[name=inspector]").fill("Kim Inspector")
    supervisor.select_option("#filters select[name=verdict]", "found")
    supervisor.click("#filters button")
    entry = supervisor.locator("#records li a").first
    entry.wait_for()
    assert "Station restroom" in entry.inner_text()
    assert "⚑ Presence: none" in entry.inner_text()  # the site's first inspection: flagged
    fits_the_phone(supervisor)
    supervisor.screenshot(path=screens / "log.png", full_page=True)
    entry.click()
    supervisor.locator("#facts dd").first.wait_for()
    facts = supervisor.locator("#facts").inner_text()
    assert "Camera found" in facts and "2026-113" in facts and "Kim Inspector" in facts
    supervisor.locator("#presence-card").wait_for(state="visible")
    assert "Presence: none" in supervisor.locator("#presence").inner_text()
    assert "first inspection" in supervisor.locator("#presence-reasons").inner_text()
    assert supervisor.locator("#bundle").get_attribute("href").endswith("/bundle.zip")
    fits_the_phone(supervisor)
    supervisor.screenshot(path=screens / "record.png", full_page=True)
    supervisor.goto("/coverage")
    supervisor.locator("#sites tr").first.wait_for()
    supervisor.screenshot(path=screens / "coverage.png", full_page=True)
    supervisor.context.close()

    # The volunteer still may not open the log, even knowing where the record is.
    assert volunteer.goto("/log").status == 403
    volunteer.context.close()
