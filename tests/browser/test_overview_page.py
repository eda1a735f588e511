"""The overview page in a real headless Chromium: it paints China, offline, in Chinese."""

from __future__ import annotations

import pytest

from dashboard.data import census
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

MAP = "#overview-map"


def open_overview(page, live_server):
    page.goto(live_server + "/")
    page.wait_for_selector(f"{MAP} .choroplethlayer path", timeout=30_000)
    page.wait_for_function(
        "document.fonts.status === 'loaded' && document.fonts.check('16px \"Noto Sans SC\"', '浦东')"
    )


def test_overview_paints_all_of_china_with_inset_offline(page, live_server):
    open_overview(page, live_server)
    screenshot(page, "overview")
    assert page.foreign_requests == [], "requests left the server (CDN, tiles, fonts?)"
    n_paths = page.locator(f"{MAP} .geo:first-of-type .choroplethlayer path").count()
    assert n_paths >= 2875  # every county, including Taiwan, Hong Kong and Macao
    assert page.locator(f"{MAP} .geo").count() == 2  # the national map and the 南海诸岛 inset
    text = page.locator(MAP).inner_text()
    assert "2020 年各县常住人口中户籍在外省的比例" in text
    assert "南海诸岛" in text
    legend = page.locator(f"{MAP} .colorbar").text_content()
    _, classes = census.census_share_layer(2020)
    for label in classes.labels:
        assert label in legend


def test_hover_shows_county_name_and_value(page, live_server):
    open_overview(page, live_server)
    # Pudong's pixel position from plotly's own projection of the geo subplot
    x, y = page.evaluate(
        """() => {
        const gd = document.querySelector('#overview-map .js-plotly-plot');
        const [px, py] = gd._fullLayout.geo._subplot.projection([121.75, 31.15]);
        const rect = gd.getBoundingClientRect();
        return [rect.left + px, rect.top + py];
    }"""
    )
    page.mouse.move(x, y)
    hover = page.locator(f"{MAP} .hoverlayer")
    hover.wait_for(state="attached")
    page.wait_for_function(
        "document.querySelector('#overview-map .hoverlayer').textContent.length > 0"
    )
    text = hover.text_content()
    assert "浦东新区" in text and "%" in text
