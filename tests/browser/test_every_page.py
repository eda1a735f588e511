"""Every page at a projector's size (1366x768) and a desktop's (1920x1080), in Chinese and English,
as a user first meets it: no horizontal scroll, the headline numbers in reach (the overview's
indicator cards all in view, every page's headline figures within the window's width), the header on
one line, and no Chinese on an English page except proper names (the published names of places,
the language switch's 中文, and the user content ``test_translations.CHINESE_CONTENT`` lists; the
presentation and storyboard pages open the English storyboard).

Cheap by construction: the session's one app server, one browser for the module, a fresh signed-in
context per page view.
"""

from __future__ import annotations

import base64
import io
import re
from functools import lru_cache

import pytest
from PIL import Image

from dashboard import theme
from tests.browser.conftest import new_signed_in_context, screenshot
from tests.dashboard.test_translations import CJK

pytestmark = pytest.mark.browser

PAINTED = ".js-plotly-plot[data-painted]"
PAGES = {  # name -> (path, what shows that the page has painted)
    "overview": ("/", f"#overview-map {PAINTED}"),
    "flows": ("/flows", "#flows-base .choroplethlayer path"),
    "area": ("/area/320200", "#area-map .choroplethlayer path"),
    "areas": ("/areas", "input"),
    "scenarios": ("/scenarios", "#scenarios-map .choroplethlayer path"),
    "storyboards": ("/storyboards?name=pan_yangtze{en}&", "button"),
    "present": ("/present/pan_yangtze{en}?", f"#present-map {PAINTED}"),
    "assessment": ("/assessment", ".ag-row"),
    "hotspots": ("/hotspots", ".choroplethlayer path"),
    "monitoring": ("/monitoring", "#monitoring-map .choroplethlayer path"),
}
SIZES = [(1366, 768), (1920, 1080)]
HEADLINES = ".yp-kpi-value, .yp-kpi"  # the headline figures (overview, hot spots)

# Every visible text of the page, HTML and SVG (the maps' titles, legends, labels): its text nodes
# with their element's box; an element inside ``skip`` (user content) is left out.
TEXTS = """(skip) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || (skip && el.closest(skip))) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    out.push(text);
  }
  return out;
}"""
SKIP = {  # user content a page of CHINESE_CONTENT shows as written: the names of the saved
    "storyboards": ".dash-dropdown",  # storyboards in the picker
    "scenarios": "#scenarios-editor, #scenarios-saved",  # the JSON, the saved scenarios' names
}
ENDONYM = ".yp-lang"  # the language switch names Chinese in Chinese: 中文


@lru_cache(maxsize=1)
def proper_names() -> re.Pattern:
    """The published Chinese names of every province, prefecture and county (longest first): on an
    English page a place may carry its Chinese name beside its English one."""
    from geodata.areas import unit_names

    names = sorted(set(unit_names("zh").values()), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


def chinese_left(texts: list[str]) -> list[str]:
    """Texts that still hold Chinese once proper names are taken out."""
    names = proper_names()
    return [t for t in texts if CJK.search(names.sub("", t))]


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_page_fits_and_speaks_its_language(browser, live_server, size, lang, name):
    path, ready = PAGES[name]
    context = new_signed_in_context(browser, live_server, viewport={"width": size[0], "height": size[1]})
    try:
        page = context.new_page()
        path = path.format(en="-en" if lang == "en" else "")  # a storyboard in the page's language
        page.goto(f"{live_server}{path}{'' if path[-1] in '?&' else '?'}lang={lang}")
        page.wait_for_selector(ready, timeout=90_000)
        page.wait_for_load_state("networkidle")
        page.wait_for_function("document.fonts.status === 'loaded'")
        screenshot(page, f"every-{name}-{lang}-{size[0]}x{size[1]}")
        width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        headlines = page.eval_on_selector_all(
            HEADLINES, "els => els.map(e => { const r = e.getBoundingClientRect();"
            " return [r.left, r.right, r.top, r.bottom]; })",
        )  # fmt: skip
        header = page.evaluate(
            """() => {
              const items = [...document.querySelectorAll('header nav a, header .yp-lang')];
              return {tops: items.map(a => Math.round(a.getBoundingClientRect().top)),
                      lines: items.map(a => a.getClientRects().length),
                      heights: items.map(a => a.getBoundingClientRect().height),
                      font: parseFloat(getComputedStyle(items[0]).lineHeight) ||
                            1.5 * parseFloat(getComputedStyle(items[0]).fontSize)};
            }"""
        )
        controls = page.evaluate(  # the first control bar: its height and its controls' right edges
            """() => { const bar = document.querySelector('.yp-controls');
              if (!bar) return null;
              return {height: bar.getBoundingClientRect().height,
                      rights: [...bar.children].map(c => c.getBoundingClientRect().right)}; }"""
        )
        texts = page.evaluate(TEXTS, ", ".join([ENDONYM, SKIP.get(name, "")]).rstrip(", "))
        legend = page.evaluate(  # the flows map's legend: the map's lower edge
            "() => { const l = document.querySelector('.yp-flows-legend');"
            " return l ? l.getBoundingClientRect().bottom : null; }"
        )
    finally:
        context.close()

    assert width[0] <= width[1], f"{name} is {width[0]} px wide in a {width[1]} px window"
    for left, right, top, bottom in headlines:
        assert left >= 0 and right <= width[1], f"a headline figure of {name} is outside the window"
        if name == "overview":  # the indicator cards: all of them at a glance
            assert top >= 0 and bottom <= size[1], f"an indicator card ends at {bottom} px"
    if name == "overview":
        assert len(headlines) >= 11
    if controls is not None:
        assert max(controls["rights"], default=0) <= width[1], f"a control of {name} leaves the window"
        if name == "flows":  # the bar may wrap once at a projector's width, never into a column
            assert controls["height"] <= 150, f"the flows controls stack {controls['height']} px high"
    if legend is not None:  # the whole map, legend included, without scrolling
        assert legend <= size[1], f"the flows map's legend ends at {legend:.0f} px of {size[1]}"
    if header["tops"]:  # the presentation page has no header
        spread = max(header["tops"]) - min(header["tops"])  # (the language box sits 1 px apart)
        assert spread <= 0.5 * header["font"], f"the navigation wraps: {header['tops']}"
        assert all(h <= 1.6 * header["font"] for h in header["heights"]), header
    if lang == "en":
        left = chinese_left(texts)
        assert left == [], f"Chinese on the English {name} page: {left[:5]}"
    else:
        assert any(CJK.search(t) for t in texts)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_scenario_side_by_side_view_is_in_the_url_and_shares_one_legend(browser, live_server, lang):
    context = new_signed_in_context(browser, live_server, viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.goto(f"{live_server}/scenarios?lang={lang}&measure=inflow")
        page.wait_for_selector("#scenarios-map .choroplethlayer path", timeout=90_000)
        page.locator("#scenarios-layer input[value=side]").check()
        page.wait_for_function("window.location.search.includes('layer=side')", timeout=15_000)
        page.wait_for_function(
            "(document.querySelector('#scenarios-map .js-plotly-plot').layout || {}).geo3 !== undefined",
            timeout=30_000,
        )
        page.wait_for_load_state("networkidle")
        shown = page.evaluate(
            """() => { const gd = document.querySelector('#scenarios-map .js-plotly-plot');
              return {geos: [...new Set(gd.data.map(t => t.geo))].sort(),
                      bars: document.querySelectorAll('#scenarios-map .colorbar').length,
                      wide: document.scrollingElement.scrollWidth <= window.innerWidth}; }"""
        )
        screenshot(page, f"scenarios-side-{lang}-1366x768")
        image = page.evaluate(  # what the modebar's camera downloads
            "() => Plotly.toImage(document.querySelector('#scenarios-map .js-plotly-plot'),"
            " {format: 'png', width: 1000, height: 540})"
        )
        page.reload()  # the URL reopens the view
        page.wait_for_selector("#scenarios-map .choroplethlayer path", timeout=90_000)
        checked = page.locator("#scenarios-layer input[value=side]").is_checked()
    finally:
        context.close()
    assert shown == {"geos": ["geo", "geo2", "geo3", "geo4"], "bars": 1, "wide": True}, shown
    assert checked
    picture = Image.open(io.BytesIO(base64.b64decode(image.split(",", 1)[1]))).convert("RGB")
    colours = {picture.getpixel((x, y)) for x in range(0, 1000, 4) for y in range(0, 540, 4)}
    darkest = tuple(int(theme.SEQUENTIAL_5[-1][i : i + 2], 16) for i in (1, 3, 5))
    assert darkest in colours  # the image holds the classed maps, not blank land
