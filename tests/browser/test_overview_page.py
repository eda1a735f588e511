"""The overview page in a real headless Chromium: China painted offline, controls, numbers, URL."""

from __future__ import annotations

import sqlite3
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.conftest import new_signed_in_context, screenshot
from tests.support import DEMO_PERIODS, TEST_OUTPUT, demo_store

pytestmark = pytest.mark.browser

MAP = "#overview-map"


def open_overview(page, live_server, query: str = ""):
    page.goto(live_server + "/" + query)
    page.wait_for_selector(f"{MAP} .js-plotly-plot[data-painted]", timeout=30_000)
    page.wait_for_function("document.fonts.status === 'loaded'")


def painted_stamp(page) -> str:
    return page.get_attribute(f"{MAP} .js-plotly-plot", "data-painted")


def store_rows(sql: str, *args):
    url, _ = demo_store()
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        return con.execute(sql, args).fetchall()


def pixel_of(page, lon: float, lat: float) -> tuple[float, float]:
    """Screen position of a lon/lat on the main map, from plotly's own projection."""
    return page.evaluate(
        """([lon, lat]) => {
        const gd = document.querySelector('#overview-map .js-plotly-plot');
        const [px, py] = gd._fullLayout.geo._subplot.projection([lon, lat]);
        const rect = gd.getBoundingClientRect();
        return [rect.left + px, rect.top + py];
    }""",
        [lon, lat],
    )


def hover_text(page, lon: float, lat: float) -> str:
    # the graph may still be resizing to its container: wait until the projection is stable
    previous, position = None, pixel_of(page, lon, lat)
    while position != previous:
        page.wait_for_timeout(250)
        previous, position = position, pixel_of(page, lon, lat)
    page.mouse.move(*position)
    page.wait_for_function("document.querySelector('#overview-map .hoverlayer').textContent.length > 0")
    return page.locator(f"{MAP} .hoverlayer").text_content()


def test_overview_paints_china_with_inset_offline(page, live_server):
    open_overview(page, live_server)
    screenshot(page, "overview-1600")
    assert page.foreign_requests == [], "requests left the server (CDN, tiles, fonts?)"
    assert page.locator(f"{MAP} .geo").count() == 2  # the national map and the 南海诸岛 inset
    text = page.locator(MAP).inner_text()
    assert "南海诸岛" in text
    legend = page.locator("#overview-legend").inner_text()
    for label in ("达到或超过目标", "低于目标 8 个百分点以上", "小于阈值，不显示", "不在统计范围"):
        assert label in legend
    # every prefecture is painted in a legend colour, none left in plotly's neutral colour
    fills = page.evaluate(
        "() => [...document.querySelectorAll('#overview-map .geo:first-of-type .choroplethlayer .trace:first-child path')]"
        ".map(p => p.style.fill)"
    )
    assert len(fills) >= 360 and all(fills)


def test_headline_equals_store(page, live_server):
    open_overview(page, live_server)
    period = DEMO_PERIODS[1]
    [(num, den)] = store_rows(
        "SELECT SUM(numerator), SUM(denominator) FROM coverage WHERE period=? AND indicator='cert_verified' "
        "AND side='inflow'",
        period,
    )
    cards = page.locator("#overview-headlines").inner_text()
    assert f"{num / den:.1%}" in cards
    [(persons,)] = store_rows("SELECT persons FROM period_totals WHERE period=?", period)
    assert f"{persons:,}" in cards.replace(" ", "") or f"{persons / 10_000:,.1f}" in cards


def test_county_hover_equals_store_for_pudong(page, live_server):
    period = DEMO_PERIODS[1]
    open_overview(page, live_server, f"?measure=cert_verified&level=county&period={period}")
    [(num, den, small)] = store_rows(
        "SELECT numerator, denominator, small_cell FROM coverage WHERE period=? AND county_code='310115' "
        "AND indicator='cert_verified' AND side='inflow'",
        period,
    )
    text = hover_text(page, 121.75, 31.15)
    assert "浦东新区" in text
    if small:
        assert "小于阈值" in text
    else:
        assert f"{num / den:.1%}" in text and f"{num:,} / {den:,}" in text


def test_county_hover_in_english_names_pudong(page, live_server):
    open_overview(page, live_server, f"?measure=cert_verified&level=county&period={DEMO_PERIODS[1]}&lang=en")
    text = hover_text(page, 121.75, 31.15)
    assert "Shanghai Pudong New Area" in text and "浦东" not in text
    screenshot(page, "overview-en-hover-pudong")


def test_controls_repaint_and_url_round_trip(page, live_server):
    open_overview(page, live_server)
    first = painted_stamp(page)
    # measure: choose inflow from the dropdown
    page.click("#overview-measure")
    page.get_by_text("流入人数", exact=True).click()
    page.wait_for_function(f"document.querySelector('#overview-map .js-plotly-plot').dataset.painted !== '{first}'")
    assert painted_stamp(page).startswith("inflow|")
    assert page.locator("#overview-legend").inner_text().startswith("流入人数")
    # level: county (a new figure, then painted)
    page.get_by_label("县区").check()
    page.wait_for_function("document.querySelector('#overview-map .js-plotly-plot').dataset.painted.includes('|county|')")
    # the county figure arrives by its own callback: the payload may be painted first on the old
    # figure and again once the new one is drawn (plotly_afterplot)
    page.wait_for_function(
        f"document.querySelectorAll('{MAP} .geo:first-of-type .choroplethlayer .trace:first-child path').length >= 2800"
    )
    # period: the slider's keyboard control
    page.locator("#overview-period [role=slider]").focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("document.querySelector('#overview-map .js-plotly-plot').dataset.painted.includes('|2012-11|')")
    query = parse_qs(urlparse(page.url).query)
    assert query["measure"] == ["inflow"] and query["level"] == ["county"] and query["period"] == ["2012-11"]
    screenshot(page, "overview-inflow-county")
    # the link reproduces the view
    page.goto(page.url)
    page.wait_for_selector(f"{MAP} .js-plotly-plot[data-painted]")
    assert painted_stamp(page).startswith("inflow|county|2012-11|zh")
    assert page.locator("#overview-period-label").inner_text() == "2012-11"


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_readable_at_projector_sizes_in_english(browser, live_server, size):
    context = new_signed_in_context(browser, live_server, viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    open_overview(page, live_server, "?lang=en")
    assert "At or above target" in page.locator("#overview-legend").inner_text()
    assert "Floating population" in page.locator("#overview-headlines").inner_text()
    cards = page.eval_on_selector_all("#overview-headlines .yp-kpi", "els => els.map(e => e.getBoundingClientRect().bottom)")
    assert len(cards) == 11 and max(cards) <= size[1], cards  # every headline number in view
    screenshot(page, f"overview-en-{size[0]}x{size[1]}")
    context.close()


def test_census_share_map_for_guangdong(page, live_server):
    """The 2020 census measure: Guangdong's share of residents registered in another province."""
    open_overview(page, live_server, "?measure=census2020_inter_share&level=province")
    text = hover_text(page, 113.3, 23.6)
    assert "广东省" in text
    # published: 29,622,110 of 126,012,510 residents (2020 census)
    assert "29,622,110" in text and "126,012,510" in text and "23.5%" in text


def test_the_language_switch_keeps_the_view_and_titles_the_tab(page, live_server):
    open_overview(page, live_server)
    assert page.title() == "一盘棋 · 总览"
    first = painted_stamp(page)
    page.click("#overview-measure")
    page.get_by_text("流入人数", exact=True).click()
    page.wait_for_function(f"document.querySelector('#overview-map .js-plotly-plot').dataset.painted !== '{first}'")
    page.get_by_label("地市").check()
    page.wait_for_function("document.querySelector('#overview-map .js-plotly-plot').dataset.painted.includes('|prefecture|')")
    page.click("#shell-lang")
    page.wait_for_function("document.querySelector('#overview-map .js-plotly-plot')?.dataset.painted?.includes('|en|')")
    query = parse_qs(urlparse(page.url).query)
    assert query["lang"] == ["en"] and query["measure"] == ["inflow"] and query["level"] == ["prefecture"]
    assert painted_stamp(page).startswith("inflow|prefecture|")
    page.wait_for_function("document.title === 'Yipanqi · Overview'")
    header = page.locator(".yp-header").inner_text()
    assert not [c for c in header if "\u4e00" <= c <= "\u9fff" and c not in "中文"], header
    page.goto(live_server + "/area/320200?lang=en")
    page.wait_for_function("document.title.startsWith('Yipanqi · ')")
    assert "Wuxi" in page.title(), page.title()


def test_the_map_downloads_as_the_print_map_of_the_view(page, live_server):
    from PIL import Image

    open_overview(page, live_server, "?measure=inflow&level=province&lang=en")
    page.hover(f"{MAP} .js-plotly-plot")
    titles = page.eval_on_selector_all(f"{MAP} .modebar-btn", "els => els.map(e => e.dataset.title)")
    assert not [t for t in titles if "png" in t.lower()]  # plotly's own blank-map download is gone
    before = store_rows("SELECT count(*) FROM audit WHERE action = 'export.map'")[0][0]
    page.locator(".yp-export-summary").click()  # the download menu under the map
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="PNG 300 dpi", exact=True).click()
    assert download.value.suggested_filename.startswith("yipanqi-inflow-province-")
    kept = TEST_OUTPUT / "downloads" / "overview-map-en.png"  # CI artefact: look at it
    kept.parent.mkdir(parents=True, exist_ok=True)
    download.value.save_as(kept)
    image = Image.open(kept)
    assert image.format == "PNG" and image.width >= 2000 and round(image.info["dpi"][0]) == 300
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50  # a painted map, legend and text, not blank
    assert store_rows("SELECT count(*) FROM audit WHERE action = 'export.map'")[0][0] == before + 1
