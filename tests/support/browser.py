"""Headless Chromium for the browser tests: Debian's own ``chromium`` (never a downloaded one)
with the Korean font the test setup installs, a phone's viewport, and ``look``, the check every
screen a person sees gets (fingertip-sized targets, no text out of the screen or its box, no
word wrapped a character a line), saving each screen as a PNG in ``test-screens/`` (or
``ANSIM_SCREENSHOTS``) so a person can look at every one after a run.

Use from a conftest::

    from tests.support.browser import chromium, screens  # noqa: F401 - fixtures
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "ko-KR",
         "timezone_id": "Europe/Berlin"}  # a phone set to another zone: pages still say KST
TIMEOUT_MS = 20_000
SCREENS = Path(__file__).resolve().parents[2] / "test-screens"
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason="needs Debian's chromium package")


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for the module's tests (skipped without Playwright)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def screens():
    """Where each screen is saved: ``test-screens/`` (git-ignored) or ``ANSIM_SCREENSHOTS``."""
    path = Path(os.environ.get("ANSIM_SCREENSHOTS") or SCREENS)
    path.mkdir(parents=True, exist_ok=True)
    return path


#: Visible interactive elements smaller than a fingertip (44 x 44 CSS px).
SMALL_TARGETS = """() => {
  const small = [];
  for (const e of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")) {
    const r = e.getBoundingClientRect(), style = getComputedStyle(e);
    if (!r.width || !r.height || style.visibility === "hidden") continue;
    if (r.width < 44 || r.height < 44) small.push(`${e.tagName} "${(e.innerText || e.value || e.name || "").trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
  }
  return small;
}"""
#: Text that runs out of the screen or out of its own box, and words wrapped a character a
#: line (a box narrower than three characters holding more on several lines).
OVERFLOWING_TEXT = """() => {
  const bad = [], width = document.documentElement.clientWidth;
  for (const e of document.body.querySelectorAll("*")) {
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || e.closest(".tabs, dialog:not([open])")) continue;
    const style = getComputedStyle(e);
    const own = [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join("");
    if (!own) continue;
    const label = `${e.tagName}.${e.className} "${own.slice(0, 30)}"`;
    if (r.right > width + 1 || r.left < -1) bad.push("off screen: " + label);
    if (e.scrollWidth > e.clientWidth + 1 && style.overflowX !== "visible" && e.tagName !== "TEXTAREA") bad.push("clipped: " + label);
    const em = parseFloat(style.fontSize), line = parseFloat(style.lineHeight) || em * 1.45;
    if (own.length >= 2 && r.width < 2.5 * em && r.height > 2.5 * line) bad.push("a character a line: " + label);
  }
  return bad;
}"""


def look(page, screens, name):
    """Check the screen as a person would see it, then save it."""
    page.screenshot(path=screens / f"{name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
    small = page.evaluate(SMALL_TARGETS)
    assert small == [], (name, small)
    overflowing = page.evaluate(OVERFLOWING_TEXT)
    assert overflowing == [], (name, overflowing)


def hangul_is_drawn(page) -> bool:
    """Whether the page's heading font draws Hangul: without a Korean font every syllable is
    the same empty box, so two different syllables come out pixel for pixel alike."""
    drawn = page.evaluate("""() => {
      const font = getComputedStyle(document.querySelector("h1")).fontFamily;
      return ["가", "나"].map((ch) => {
        const c = document.createElement("canvas"); c.width = 64; c.height = 64;
        const ctx = c.getContext("2d");
        ctx.font = "48px " + font; ctx.fillText(ch, 4, 52);
        return Array.from(ctx.getImageData(0, 0, 64, 64).data.filter((_, i) => i % 4 === 3)).join(",");
      });
    }""")
    return drawn[0] != drawn[1]
