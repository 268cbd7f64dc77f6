"""Each person's whole day on the dashboard, in a real headless Chromium (Debian's, never a
downloaded one, with the Korean font the test setup installs) at a phone's 360 x 740
viewport, against the real waitress server and the simulated restroom.

The tests in this module share one device (server and data directory) and one browser, and
run in order, as the day goes: the admin sets the device up and adds the staff, a volunteer
joins, the inspector inspects a restroom with a hidden camera while the volunteer follows,
the supervisor reviews, prints and exports the record.

Every screen a person sees is checked the same way (``look``): every button, link and field
is at least 44 x 44 CSS px, no text runs out of the screen or out of its box, and no narrow
column wraps a word a character per line. Each screen is saved as a PNG in ``test-screens/``
(or ``ANSIM_SCREENSHOTS``), so a person can look at every one after a run.
"""

import json
import re

import pytest

from tests.support.browser import PHONE, TIMEOUT_MS, hangul_is_drawn, look, needs_chromium
from tests.web.conftest import ADMIN
from web import create_app
from web.server import ServerThread

STEP_TIMEOUT_MS = 300_000  # a whole simulated sweep or scan of every place, on a busy machine
#: The issue's promise: a volunteer's phone shows the end this soon after sign-off.
END_REACHES_VOLUNTEER_MS = 2_000
INSPECTOR = ("kim", "inspector password", "김점검")
SUPERVISOR = ("park", "supervisor password", "박감독")
SITES_CSV = ("id,name,stalls,schedule\n"
             "S1,역전 공중화장실,1,daily\n"
             "S2,시장 공중화장실,2,weekly\n")

pytestmark = [pytest.mark.slow, needs_chromium]


@pytest.fixture(scope="module")
def device(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("device")
    app = create_app({"data_dir": data_dir, "simulate": True})
    with ServerThread(app) as running:
        running.data_dir = data_dir
        running.app = app
        yield running
        app.extensions["ansim"].steps.wait(timeout_s=120)


def new_phone(chromium, device, locale="ko-KR"):
    context = chromium.new_context(**{**PHONE, "locale": locale}, base_url=device.url)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def login(page, username, password):
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.stack button")
    page.wait_for_url(re.compile(r".*/(log)?$"))


def test_first_run_creates_the_admin_then_login_works(chromium, device, screens):
    page = new_phone(chromium, device, locale="en-US")
    page.goto("/")
    assert page.url.endswith("/setup")
    look(page, screens, "01-setup")
    page.fill("input[name=setup_code]", device.app.extensions["ansim"].setup_code.lower())
    page.fill("input[name=username]", ADMIN[0])
    page.fill("input[name=display_name]", "Admin Kim")
    page.fill("input[name=password]", ADMIN[1])
    page.fill("input[name=password_again]", ADMIN[1])
    page.click("form.stack button")
    page.wait_for_url(re.compile(r".*/$"))
    page.click("header .logout button")
    page.wait_for_url(re.compile(r".*/login$"))
    page.goto("/setup")
    assert page.url.endswith("/login")  # setup closed for good
    look(page, screens, "02-login")
    page.fill("input[name=username]", ADMIN[0])
    page.fill("input[name=password]", "not the password")
    page.click("form.stack button")
    assert page.locator("p.error").is_visible()
    login(page, *ADMIN)
    assert page.locator("h1").first.is_visible()
    page.context.close()


def test_hangul_renders_as_letters_not_empty_boxes(chromium, device):
    """Without a Korean font, every Hangul syllable is drawn as the same empty box."""
    page = new_phone(chromium, device)
    page.goto("/login")
    assert page.locator("h1").inner_text() == "로그인"
    assert page.get_attribute("html", "lang") == "ko"
    assert hangul_is_drawn(page)
    page.context.close()


def test_the_admin_adds_staff_with_the_least_privilege_first(chromium, device, screens):
    admin = new_phone(chromium, device)
    login(admin, *ADMIN)
    admin.goto("/admin")
    form = admin.locator("#add-user")
    assert form.locator("select[name=role]").input_value() == "inspector"
    form.locator("input[name=username]").fill(INSPECTOR[0])
    form.locator("input[name=display_name]").fill(INSPECTOR[2])
    form.locator("input[name=password]").fill("short")
    form.evaluate("f => f.noValidate = true")  # the server's own check, as a script would hit it
    form.locator("button").click()
    admin.locator("#admin-error").wait_for()
    assert form.locator("input[name=username]").input_value() == INSPECTOR[0]  # kept
    assert form.locator("input[name=display_name]").input_value() == INSPECTOR[2]
    look(admin, screens, "03-admin-error-keeps-the-form")
    form.locator("input[name=password]").fill(INSPECTOR[1])
    form.locator("button").click()
    assert INSPECTOR[2] in admin.locator("#notice").inner_text()
    for username, password, name, role in ((*SUPERVISOR, "supervisor"),
                                           ("temp", "a temporary password", "임시", "inspector")):
        form.locator("input[name=username]").fill(username)
        form.locator("input[name=display_name]").fill(name)
        form.locator("input[name=password]").fill(password)
        form.locator("select[name=role]").select_option(role)
        form.locator("button").click()
        admin.locator("#notice").wait_for()
    temp = admin.locator("li[data-user=temp]")
    temp.locator("summary").click()
    temp.locator("input[name=password]").fill("a new long password")
    temp.locator("form").first.locator("button").click()
    assert "임시" in admin.locator("#notice").inner_text()
    temp = admin.locator("li[data-user=temp]")
    temp.locator("summary").click()
    look(admin, screens, "04-admin-manage")
    temp.locator("button.danger").click()
    admin.locator("#notice").wait_for()
    assert admin.locator("li[data-user=temp]").count() == 0
    tabs = admin.locator("nav.tabs")
    assert tabs.evaluate("n => n.scrollHeight <= 50")  # one line
    assert tabs.evaluate("n => n.scrollWidth <= n.clientWidth")  # every tab in sight
    admin.context.close()


def test_a_volunteer_joins_by_code_and_sees_neither_images_nor_the_log(chromium, device,
                                                                       screens):
    admin = new_phone(chromium, device)
    login(admin, *ADMIN)
    admin.goto("/volunteers")
    admin.click("#new-code")
    admin.locator("#code-box").wait_for(state="visible")
    code = admin.locator("#code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    look(admin, screens, "05-volunteers-qr")
    volunteer = new_phone(chromium, device)
    volunteer.goto("/login")
    look(volunteer, screens, "06-login-with-join-link")
    volunteer.goto(f"/join?code={code}")
    assert volunteer.input_value("input[name=code]") == code
    volunteer.fill("input[name=display_name]", "이봉사")
    volunteer.click("form.stack button")
    volunteer.wait_for_url(re.compile(r".*/$"))
    assert volunteer.locator("nav.tabs a").count() == 1
    assert volunteer.locator("#start-form").count() == 0
    assert volunteer.goto("/log").status == 403
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
    page.screenshot(path=screens / "07-offline.png")
    page.context.set_offline(False)
    banner.wait_for(state="hidden")
    page.context.close()


#: Every message a volunteer's phone receives: each fetch's JSON and each event's data.
RECORD_WHAT_ARRIVES = """(() => {
  window.__arrived = [];
  const NativeSource = window.EventSource;
  window.EventSource = function (url) {
    const source = new NativeSource(url);
    const listen = source.addEventListener.bind(source);
    source.addEventListener = (kind, handler, options) => listen(kind, (message) => {
      window.__arrived.push(kind + " " + message.data);
      handler(message);
    }, options);
    return source;
  };
  window.EventSource.CLOSED = NativeSource.CLOSED;
  const nativeFetch = window.fetch;
  window.fetch = async (...args) => {
    const response = await nativeFetch(...args);
    response.clone().text().then((text) => window.__arrived.push("fetch " + text));
    return response;
  };
})()"""
FREQUENCY_OR_MAC = re.compile(r"MHz|GHz|freq|1200\.|([0-9a-f]{2}[:-]){5}[0-9a-f]{2}", re.I)


def _alert_prominence(page):
    """Each alert's severity with how loud it looks: its background's darkness, its left
    border's width and its font size."""
    return page.evaluate("""() => [...document.querySelectorAll("#alerts li.alert")].map((e) => {
      const s = getComputedStyle(e), [r, g, b] = s.backgroundColor.match(/\\d+/g).map(Number);
      return { severity: [...e.classList].find((c) => ["critical", "high", "medium", "low", "info"].includes(c)),
               dismissed: e.classList.contains("dismissed"),
               darkness: 1 - (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255,
               border: parseFloat(s.borderLeftWidth), font: parseFloat(s.fontSize) };
    })""")


def _assert_critical_is_loudest(page):
    alerts = [a for a in _alert_prominence(page) if not a["dismissed"]]
    critical = [a for a in alerts if a["severity"] == "critical"]
    others = [a for a in alerts if a["severity"] != "critical"]
    assert critical and others
    for loud in critical:
        for other in others:
            assert loud["darkness"] > other["darkness"] and loud["border"] > other["border"]
            assert loud["font"] >= other["font"]


def _do(page, action):
    """Tap the sticky bar's button once it offers ``action``."""
    page.locator(f"#bar-action[data-action={action}]:not([disabled])").wait_for(
        timeout=STEP_TIMEOUT_MS)
    page.click("#bar-action")


def test_an_inspection_with_a_found_camera_followed_live_by_a_volunteer(chromium, device,
                                                                       screens):
    from detector.engine.sites import import_sites

    svc = device.app.extensions["ansim"]
    sites = device.data_dir / "sites.csv"
    sites.write_text(SITES_CSV, encoding="utf-8")
    import_sites(svc.inspections.store, sites)
    code = svc.accounts.issue_join_code(1).code

    volunteer = new_phone(chromium, device)
    volunteer.add_init_script(RECORD_WHAT_ARRIVES)
    volunteer.goto(f"/join?code={code}")
    volunteer.fill("input[name=display_name]", "이봉사")
    volunteer.click("form.stack button")
    volunteer.wait_for_url(re.compile(r".*/$"))
    look(volunteer, screens, "10-volunteer-waiting")

    inspector = new_phone(chromium, device)
    login(inspector, *INSPECTOR[:2])
    inspector.locator("#due button[data-site=S1]").wait_for()
    assert inspector.locator("#due button[data-site=S2]").count() == 1  # weekly, never done
    look(inspector, screens, "11-inspector-worklist")
    inspector.click("#due button[data-site=S1]")
    inspector.wait_for_url(re.compile(r".*/inspections/[0-9a-f-]+$"))
    inspector.locator("#bar-action[data-action=rf]").wait_for()
    look(inspector, screens, "12-inspector-start")
    volunteer.locator("#current-box").wait_for(state="visible")
    assert volunteer.locator("#current-site").inner_text() == "역전 공중화장실"

    _do(inspector, "rf")
    inspector.locator("#spectrum[data-live] canvas").wait_for(timeout=STEP_TIMEOUT_MS)
    _do(inspector, "scan")  # the sweep is done when the bar offers the next step
    assert "1200" in inspector.locator("#spectrum").get_attribute("data-peaks")
    volunteer.locator("#alerts li.alert").first.wait_for()
    look(volunteer, screens, "13-volunteer-alert")
    inspector.locator("#preview-marks[data-frame]").wait_for(timeout=STEP_TIMEOUT_MS)
    look(inspector, screens, "14-inspector-scanning")

    inspector.locator("#alerts li.alert.critical").wait_for(timeout=STEP_TIMEOUT_MS)
    inspector.locator("#bar-action[data-action=rest]").wait_for(timeout=STEP_TIMEOUT_MS)
    _assert_critical_is_loudest(inspector)
    assert "1번 칸" in inspector.locator("#findings").inner_text()
    # The hidden camera's stream answered the stall's code: after the last place the inspector
    # was told where to point the handheld for the Wi-Fi place check, place by place.
    prompted = inspector.locator("#point-at").get_attribute("data-prompted") or ""
    assert prompted.startswith("1:"), prompted
    assert inspector.locator("#point-at").is_hidden()  # the step is over
    look(inspector, screens, "15-inspector-camera-located")

    # Seoul's procedure, each step recorded with its time.
    for step in inspector.locator("[data-found-step]").all():
        step.click()
        step.locator("[data-done-at]:not(:empty)").wait_for()
    look(inspector, screens, "16-inspector-found-procedure")

    # The flush sensor's LED glows in infrared: looked at, it is the restroom's own light.
    glow = inspector.locator("#alerts li.alert.high", has=inspector.locator(
        "button[data-dismiss=fixture]")).first
    glow.locator("button[data-dismiss=fixture]").click()
    inspector.locator("#ask").wait_for(state="visible")
    inspector.click("#ask-ok")
    inspector.locator("#ask-error").wait_for(state="visible")  # a reason is needed
    inspector.fill("#ask-reason", "물내림 센서 LED")
    look(inspector, screens, "17-inspector-dismiss-form")
    inspector.click("#ask-ok")
    inspector.locator("#alerts li.alert.dismissed").wait_for()
    volunteer.locator("#alerts li.alert.dismissed .note").wait_for()
    assert "물내림 센서 LED" in volunteer.locator("#alerts li.dismissed .note").inner_text()

    _do(inspector, "rest")
    inspector.locator("#bar-action[data-action=checklist]").wait_for()
    flagged = inspector.locator("#checklist li.has-findings")
    assert flagged.count() >= 1
    assert inspector.locator("#checklist li[data-item=door_hook].has-findings").count() == 1
    inspector.click("li[data-item=door_hook] button[data-mark=suspicious]")
    inspector.locator("li[data-item=door_hook] button[data-mark=suspicious][aria-pressed=true]"
                      ).wait_for()
    unmarked = inspector.locator("#checklist li:not(:has(button[aria-pressed=true]))")
    while unmarked.count():
        before = unmarked.count()
        unmarked.first.locator("button[data-mark=checked]").click()
        inspector.wait_for_function(
            f"document.querySelectorAll('#checklist li:not(:has(button[aria-pressed=true]))')"
            f".length < {before}")
    _do(inspector, "verdict")
    inspector.click("button[data-verdict=found]")
    inspector.fill("input[name=notified]", "종로경찰서, 시설 관리자")
    inspector.fill("input[name=report_ref]", "2026-113")
    inspector.click("#save-verdict")
    inspector.locator("#bar-action[data-action=sign]").wait_for()
    look(inspector, screens, "18-inspector-ready-to-sign")
    look(volunteer, screens, "19-volunteer-before-the-end")

    inspector.click("#bar-action")
    inspector.locator("#ask").wait_for(state="visible")
    inspector.click("#ask-ok")
    volunteer.locator("#ended").wait_for(state="visible", timeout=END_REACHES_VOLUNTEER_MS)
    inspector.locator("#signed").wait_for(state="visible")
    assert re.search(r"기록 #\d+", inspector.locator("#signed").inner_text())
    look(volunteer, screens, "20-volunteer-ended")
    look(inspector, screens, "21-inspector-signed")
    assert "KST" in volunteer.locator("#alerts .when").first.inner_text()

    arrived = volunteer.evaluate("window.__arrived")
    assert any(m.startswith("alert ") for m in arrived)
    assert any('"signed_off"' in m for m in arrived)
    leaks = [m for m in arrived if FREQUENCY_OR_MAC.search(m)]
    assert leaks == []
    assert not FREQUENCY_OR_MAC.search(volunteer.locator("main").inner_text())
    assert volunteer.locator("main img").count() == 0

    # The inspector reopens their own signed record from the worklist.
    inspector.goto("/")
    inspector.locator("#mine li a").first.click()
    inspector.locator("#signed").wait_for(state="visible")
    assert inspector.locator("#due button[data-site=S1]").count() == 0
    inspector.context.close()
    volunteer.context.close()


def test_the_supervisor_reviews_prints_and_exports_the_record(chromium, device, screens):
    supervisor = new_phone(chromium, device)
    login(supervisor, *SUPERVISOR[:2])
    assert supervisor.url.endswith("/log")
    entry = supervisor.locator("#records li a").first
    entry.wait_for()
    assert entry.locator(".flagged").count() == 1  # the site's first inspection: presence none
    look(supervisor, screens, "30-supervisor-log")
    entry.click()
    supervisor.locator("#facts dd").first.wait_for()
    facts = supervisor.locator("#facts").inner_text()
    assert "종로경찰서" in facts and "2026-113" in facts and INSPECTOR[2] in facts
    assert "KST" in facts
    assert re.search(r"기록 #\d+", supervisor.locator("#record-number").inner_text())
    procedure = supervisor.locator("#procedure li")
    assert procedure.count() == 5
    assert all("KST" in row for row in procedure.all_inner_texts())
    dismissed = supervisor.locator("#alerts li.dismissed")
    note = dismissed.inner_text()
    assert "물내림 센서 LED" in note and INSPECTOR[2] in note
    located = supervisor.locator("#alerts li.critical").inner_text()
    assert "1번 칸" in located and "MHz" in located
    assert supervisor.locator("#checklist tr.has-findings").count() >= 1
    supervisor.locator("#places h3").first.wait_for()
    captions = supervisor.locator("#places h3").all_inner_texts()
    assert captions and all("1번 칸" in c and "에 본 모습" in c for c in captions)
    assert not [c for c in captions if re.search(r"[A-Za-z]{3,}", c.replace("KST", ""))], captions
    look(supervisor, screens, "31-supervisor-record")
    supervisor.locator("#presence-card").wait_for(state="visible")
    assert supervisor.locator("#presence-reasons").inner_text().strip()
    assert supervisor.locator("#bundle").get_attribute("href").endswith("/bundle.zip")

    supervisor.emulate_media(media="print")
    assert supervisor.locator("nav.tabs").is_hidden()
    assert supervisor.locator("#correct-form").is_hidden()
    supervisor.pdf(path=str(screens / "32-record-a4.pdf"), format="A4")
    supervisor.screenshot(path=screens / "32-record-print.png", full_page=True)
    supervisor.emulate_media(media="screen")

    exported = supervisor.request.get("/api/log/export.csv")
    raw = exported.body()
    assert raw.startswith("\ufeff".encode())
    rows = raw.decode("utf-8-sig").splitlines()
    assert "notified" in rows[0] and "report_ref" in rows[0]
    assert any("종로경찰서" in r and "2026-113" in r for r in rows[1:])

    supervisor.goto("/coverage")
    supervisor.locator("#sites li").first.wait_for()
    assert "Asia/Seoul" in supervisor.locator("#zone-note").inner_text()
    assert "카메라 발견" in supervisor.locator("#sites").inner_text()
    look(supervisor, screens, "33-supervisor-coverage")
    body = json.loads(supervisor.request.get("/api/coverage").body())
    assert body["done"] == 1
    supervisor.context.close()


def test_the_inspector_sees_the_wifi_transmitters_and_a_volunteer_never_does(chromium, device,
                                                                             screens):
    """The next day's weekly site: the Wi-Fi panel lists what the survey heard, the inspector
    points the proximity meter at the hidden camera; the volunteer's phone shows the Wi-Fi
    alerts with their times, and no panel, MAC or frequency."""
    code = device.app.extensions["ansim"].accounts.issue_join_code(1).code
    volunteer = new_phone(chromium, device)
    volunteer.add_init_script(RECORD_WHAT_ARRIVES)
    volunteer.goto(f"/join?code={code}")
    volunteer.fill("input[name=display_name]", "박봉사")
    volunteer.click("form.stack button")
    volunteer.wait_for_url(re.compile(r".*/$"))

    inspector = new_phone(chromium, device)
    login(inspector, *INSPECTOR[:2])
    inspector.locator("#due button[data-site=S2]").wait_for()
    inspector.click("#due button[data-site=S2]")
    inspector.wait_for_url(re.compile(r".*/inspections/[0-9a-f-]+$"))
    _do(inspector, "rf")
    inspector.locator("#bar-action[data-action=scan]:not([disabled])").wait_for(
        timeout=STEP_TIMEOUT_MS)
    rows = inspector.locator("#transmitters li")
    rows.first.wait_for()
    assert inspector.locator("#wifi-none").is_hidden()
    camera = inspector.locator("#transmitters li[data-kind=camera]").first
    assert "카메라" in camera.inner_text() and "dBm" in camera.inner_text()
    assert re.search(r"([0-9a-f]{2}:){5}[0-9a-f]{2}", camera.locator(".mac").inner_text())
    look(inspector, screens, "40-inspector-wifi-transmitters")
    camera.locator("button[data-follow]").click()
    inspector.locator("#wifi-meter-box").wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
    assert "%" in inspector.locator("#wifi-meter [data-value]").text_content()
    assert "dBm" in inspector.locator("#wifi-meter [data-detail]").text_content()
    look(inspector, screens, "41-inspector-wifi-meter")

    volunteer.locator("#alerts li.alert").first.wait_for()
    assert volunteer.locator("#wifi-card, #transmitters, [data-follow]").count() == 0
    times = volunteer.locator("#alerts li.alert .when").all_inner_texts()
    assert times and all("KST" in t for t in times)
    look(volunteer, screens, "42-volunteer-wifi-alerts")
    arrived = volunteer.evaluate("window.__arrived")
    assert not any(m.startswith(("wifi ", "proximity ")) for m in arrived)
    assert [m for m in arrived if FREQUENCY_OR_MAC.search(m)] == []
    assert volunteer.goto(inspector.url).status == 403
    device.app.extensions["ansim"].steps.wait(timeout_s=120)
    inspector.context.close()
    volunteer.context.close()
