"""The flows page's play button and place search in a real headless Chromium (zh and en): play
steps the period and stops; "kunshan" finds 昆山市 and focuses the map on it; the control bar fits
1366 px. Waits for the state (URL, title), never a fixed sleep."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_flows_page import open_flows, query_of, wait_query
from tests.support import DEMO_PERIODS

pytestmark = pytest.mark.browser

FIRST, LAST = DEMO_PERIODS


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_search_kunshan_focuses_the_map(page, live_server, lang):
    page.set_viewport_size({"width": 1366, "height": 768})
    open_flows(page, live_server, f"?level=county&lang={lang}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    bar = page.locator(".yp-flows-controls").bounding_box()
    assert bar["width"] <= 1366
    page.locator("#flows-search").click()
    page.locator("#flows-search input.dash-dropdown-search, input.dash-dropdown-search").first.fill(
        "kunshan"
    )
    option = page.locator("[role=option]:has(input[value='320583'])")
    assert "昆山" in option.inner_text() or "Kunshan" in option.inner_text()
    option.click()
    wait_query(page, focus="320583", level="county", lang=lang)
    page.wait_for_function("() => !document.querySelector('#flows-clear-focus').hidden")
    screenshot(page, f"flows-search-kunshan-1366-{lang}")


def test_play_steps_the_period_and_stops(page, live_server):
    open_flows(page, live_server, f"?period={FIRST}&lang=en")
    page.locator("#flows-play").click()
    wait_query(page, period="2012-11")
    wait_query(page, period=LAST)
    page.locator("#flows-play").click()  # stop
    page.wait_for_function("document.querySelector('#flows-play').textContent === '▶'")
    stopped = query_of(page)["period"]
    # stopped: the period no longer moves (the interval is disabled: checked on the component)
    assert page.evaluate("() => document.querySelector('#flows-play').textContent") == "▶"
    assert stopped in DEMO_PERIODS + ("2012-11",)


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_flows_controls_screenshots(page, live_server, width, height, lang):
    page.set_viewport_size({"width": width, "height": height})
    open_flows(page, live_server, f"?lang={lang}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"flows-controls-{width}-{lang}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_total_circles_toggle_and_round_trip(page, live_server, lang):
    page.set_viewport_size({"width": 1366, "height": 768})
    open_flows(page, live_server, f"?lang={lang}")
    assert page.locator("#flows-lines .scattergeo .point").count() == 0 or not page.evaluate(
        "() => document.querySelector('#flows-lines .js-plotly-plot').data.some(t => (t.name || '').startsWith('circles-'))"
    )
    page.locator("#flows-circles label").nth(3).click()  # net
    wait_query(page, circles="net", lang=lang)
    page.wait_for_function(
        "() => document.querySelector('#flows-lines .js-plotly-plot').data.some(t => t.name === 'circles-net')"
    )
    legend = page.locator("#flows-circles-legend").inner_text()
    assert ("净流入" in legend) if lang == "zh" else ("net inflow" in legend)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"flows-circles-net-1366-{lang}")
    page.reload()
    page.wait_for_function(
        "() => { const g = document.querySelector('#flows-lines .js-plotly-plot'); return g && g.data && g.data.some(t => t.name === 'circles-net'); }"
    )
    page.locator("#flows-circles label").nth(0).click()  # none
    page.wait_for_function("() => !new URLSearchParams(location.search).has('circles')")
    page.wait_for_function(
        "() => !document.querySelector('#flows-lines .js-plotly-plot').data.some(t => (t.name || '').startsWith('circles-'))"
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_period_range_from_the_control_and_the_url(page, live_server, lang):
    page.set_viewport_size({"width": 1366, "height": 768})
    open_flows(page, live_server, f"?lang={lang}")
    page.locator("#flows-start").click()
    page.locator(f"[role=option]:has(input[value='{FIRST}'])").click()
    wait_query(page, start=FIRST, period=LAST, lang=lang)
    page.wait_for_function(
        "f => document.querySelector('#flows-map-title').innerText.includes(f)",
        arg=f"{FIRST} – {LAST}",
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"flows-range-1366-{lang}")
    page.reload()
    page.wait_for_function(
        "f => (document.querySelector('#flows-map-title') || {innerText: ''}).innerText.includes(f)",
        arg=f"{FIRST} – {LAST}",
    )
