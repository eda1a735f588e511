"""Every page at projector size in both languages: every visible text drawn in the bundled Noto Sans
SC, and nothing wider than the window.

The test machine has no CJK system font (Debian's chromium pulls in DejaVu only), so any element
that falls back to a system font draws Chinese as boxes. Chromium tells which fonts it actually
used for a node's text (DevTools ``CSS.getPlatformFontsForNode``): a web font loaded from the
page's ``@font-face`` is ``isCustomFont``; anything else is a fallback.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import recorded_page, screenshot

pytestmark = pytest.mark.browser

PAGES = {
    "overview": ("/", "#overview-map .js-plotly-plot[data-painted]"),
    "flows": ("/flows", "#flows-base .choroplethlayer path"),
    "area": ("/area/320200", ".js-plotly-plot"),
    "areas": ("/areas", "input"),
    "scenarios": ("/scenarios", "button"),
    "storyboards": ("/storyboards", "button"),
    "present": ("/present/pan_yangtze", "#present-map .js-plotly-plot[data-painted]"),
    "monitoring": ("/monitoring", "#monitoring-grid .ag-row"),
}

# Marks each element that has text of its own on screen (a direct, non-blank text node, or an
# input's value / placeholder) and returns how many it marked.
MARK_TEXT = """() => {
  let n = 0;
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some(c => c.nodeType === 3 && c.textContent.trim());
    const field = (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA')
      && (el.value || el.placeholder);
    if (!own && !field) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden'
        || style.display === 'none' || style.opacity === '0') continue;
    el.setAttribute('data-font-check', '1');
    n += 1;
  }
  return n;
}"""


def fallback_fonts(page) -> dict[str, set[str]]:
    """Text of each marked element drawn (in part) with a font that is not a web font: text -> fonts."""
    marked = page.evaluate(MARK_TEXT)
    assert marked > 10, "the page shows almost no text"
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]["nodeId"]
    node_ids = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-font-check]"})["nodeIds"]
    assert node_ids  # (a callback may redraw a marked element meanwhile: fewer than marked)
    bad: dict[str, set[str]] = {}
    for node_id in node_ids:
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
        system = {f["familyName"] for f in fonts if not f["isCustomFont"]}
        if system:
            html = cdp.send("DOM.getOuterHTML", {"nodeId": node_id})["outerHTML"]
            bad[html[:120]] = system
    cdp.detach()
    return bad


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_every_visible_text_uses_the_bundled_font(browser, live_server, name, lang):
    path, ready = PAGES[name]
    page = recorded_page(browser, live_server, 1366, 768)
    page.goto(f"{live_server}{path}?lang={lang}")
    page.wait_for_selector(ready, timeout=30_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_function("document.fonts.status === 'loaded'")
    bad = fallback_fonts(page)
    screenshot(page, f"fonts-{name}-{lang}-1366x768")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    page.context.close()
    assert not bad, f"{len(bad)} elements fall back to system fonts: {bad}"
    assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px window"
