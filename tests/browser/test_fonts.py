"""Every page at a projector's size (1366x768) and a desktop's (1920x1080) in both languages: every
visible text drawn in the bundled Noto Sans SC, and nothing wider than the window.

The test machine has no CJK system font (Debian's chromium pulls in DejaVu only), so any element
that falls back to a system font draws Chinese as boxes. Chromium tells which fonts it actually
used for a node's text (DevTools ``CSS.getPlatformFontsForNode``): a web font loaded from the
page's ``@font-face`` is ``isCustomFont``; anything else is a fallback.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import recorded_page, screenshot
from tests.browser.test_every_page import PAGES as EVERY_PAGE

pytestmark = pytest.mark.browser

# every page, in the language of the page (the storyboard pages open the storyboard in their language)
PAGES = EVERY_PAGE
SIZES = [(1366, 768), (1920, 1080)]


@pytest.fixture(scope="module")
def signed_in_page(browser, live_server):
    """One signed-in page for the whole module: every view below is a navigation of it (resized, not
    relaunched), which keeps this sweep of 40 views cheap."""
    page = recorded_page(browser, live_server, *SIZES[0])
    yield page
    page.context.close()


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
        try:
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
        except PlaywrightError as error:  # redrawn by a callback since it was listed
            if "Could not find node" not in str(error):
                raise
            continue
        system = {f["familyName"] for f in fonts if not f["isCustomFont"]}
        if system:
            html = cdp.send("DOM.getOuterHTML", {"nodeId": node_id})["outerHTML"]
            bad[html[:120]] = system
    cdp.detach()
    return bad


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_every_visible_text_uses_the_bundled_font(signed_in_page, live_server, name, lang, size):
    page = signed_in_page
    path, ready = PAGES[name]
    path = path.format(en="-en" if lang == "en" else "")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{live_server}{path}{'' if path[-1] in '?&' else '?'}lang={lang}")
    page.wait_for_selector(ready, timeout=90_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_function("document.fonts.status === 'loaded'")
    bad = fallback_fonts(page)
    screenshot(page, f"fonts-{name}-{lang}-{size[0]}x{size[1]}")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert not bad, f"{len(bad)} elements fall back to system fonts: {bad}"
    assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px window"
    assert page.foreign_requests == []
