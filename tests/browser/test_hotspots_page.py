"""The hot spots page in a real headless Chromium: three national maps drawn offline, legends that
name the scheme and the test, a hover with the raw rate beside its denominator and the smoothed
rates, the options kept in the URL, and both screen sizes a meeting room or a desk has."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.conftest import recorded_page, screenshot

pytestmark = pytest.mark.browser

MAPS = ("#hotspots-value-map", "#hotspots-cluster-map", "#hotspots-significance-map")


def open_hotspots(page, live_server, query: str = "") -> None:
    page.goto(live_server + "/hotspots" + query)
    for graph in MAPS:
        page.wait_for_selector(f"{graph} .choroplethlayer path", timeout=60_000)
    page.wait_for_function("document.fonts.status === 'loaded'")


def hover_text(page, graph: str, lon: float, lat: float) -> str:
    """The hover text of the point at lon / lat of a map (plotly's own projection)."""
    position, previous = None, ()
    while position != previous:  # the graph may still be resizing to its card
        previous = position
        page.wait_for_timeout(250)
        position = page.evaluate(
            """([sel, lon, lat]) => {
            const gd = document.querySelector(sel + ' .js-plotly-plot');
            const [px, py] = gd._fullLayout.geo._subplot.projection([lon, lat]);
            const rect = gd.getBoundingClientRect();
            return [rect.left + px, rect.top + py];
        }""",
            [graph, lon, lat],
        )
    page.mouse.move(*position)
    page.wait_for_function(
        f"document.querySelector('{graph} .hoverlayer').textContent.length > 0", timeout=5_000
    )
    return page.locator(f"{graph} .hoverlayer").text_content()


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_hotspots_page_at_projector_and_desk_sizes(browser, live_server, size):
    page = recorded_page(browser, live_server, *size)
    try:
        open_hotspots(page, live_server)
        screenshot(page, f"hotspots-{size[0]}")
        for graph in MAPS:  # every map fits beside its neighbour: no horizontal scrolling
            box = page.locator(graph).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= size[0]
        assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
        assert page.foreign_requests == []
    finally:
        page.context.close()


def test_legends_name_the_scheme_and_the_test(page, live_server):
    open_hotspots(page, live_server, "?lang=en&measure=inflow_per_1000&level=prefecture&scheme=natural")
    value = page.locator("#hotspots-value-legend").text_content()
    assert "Natural breaks (5 classes)" in value and "Fewer than 50 persons counted" in value
    cluster = page.locator("#hotspots-cluster-legend").text_content()
    assert "High-High (hot spot)" in cluster and "p ≤ 0.05 (no correction)" in cluster
    assert "999 permutations" in cluster
    assert "Global Moran's I" in page.locator("#hotspots-summary").text_content()
    screenshot(page, "hotspots-en-prefecture")


def test_fdr_and_breaks_are_kept_in_the_url(page, live_server):
    open_hotspots(page, live_server, "?lang=en")
    page.get_by_text("False discovery rate").click()
    page.wait_for_function(
        "document.querySelector('#hotspots-cluster-legend').textContent.includes('false discovery')"
    )
    page.wait_for_function("window.location.search.includes('fdr=1')")
    page.locator("#hotspots-scheme").click()
    page.get_by_text("Your breaks").click()
    page.fill("#hotspots-breaks", "95, 98")
    page.press("#hotspots-breaks", "Enter")
    page.wait_for_function(
        "document.querySelector('#hotspots-value-legend').textContent.includes('98.0%')"
    )
    page.wait_for_function("window.location.search.includes('scheme=user')")
    query = parse_qs(urlparse(page.url).query)
    assert query["fdr"] == ["1"] and query["scheme"] == ["user"] and query["breaks"] == ["95, 98"]
    page.reload()
    page.wait_for_selector("#hotspots-value-map .choroplethlayer path", timeout=60_000)
    assert "98.0%" in page.locator("#hotspots-value-legend").text_content()


def test_a_hover_shows_the_raw_rate_its_counts_and_the_smoothed_rates(page, live_server):
    open_hotspots(page, live_server, "?lang=en&measure=inflow_per_1000&level=prefecture")
    text = hover_text(page, "#hotspots-value-map", 116.4, 39.9)  # 北京: thousands of migrants
    assert "Raw rate" in text and "Empirical Bayes (spatial)" in text and " / " in text
