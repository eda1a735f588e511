"""The overview's compare mode in a real headless Chromium (zh and en): the change map painted from
the URL, the mode and spans written back to the URL (waiting for the state, never a sleep), and no
horizontal overflow at a projector's 1366 px."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_overview_page import MAP, open_overview, painted_stamp
from tests.support import DEMO_PERIODS

pytestmark = pytest.mark.browser

FIRST, LAST = DEMO_PERIODS
MIDDLE = "2012-11"


def query_of(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def wait_for_query(page, **expected: str | None) -> None:
    """Until the URL's query holds ``expected`` (None: the parameter is absent)."""
    checks = " && ".join(
        f"p.get({key!r}) === null" if value is None else f"p.get({key!r}) === {value!r}"
        for key, value in expected.items()
    )
    page.wait_for_function(
        f"(() => {{ const p = new URLSearchParams(location.search); return {checks}; }})()"
    )


def wait_for_stamp(page, prefix: str) -> None:
    page.wait_for_function(
        f"(document.querySelector('{MAP} .js-plotly-plot').getAttribute('data-painted') || '').startsWith({prefix!r})"
    )


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ("两期对比", "个百分点", "任一期已抑制（小单元）", "婚育证明验证率变化")),
        (
            "en",
            (
                "Compare two periods",
                " pp",
                "Suppressed in either period",
                "Change in Certificate verification rate",
            ),
        ),
    ],
)
def test_compare_mode_from_the_url_and_back(page, live_server, lang, words):
    page.set_viewport_size({"width": 1366, "height": 768})
    open_overview(page, live_server, f"?mode=compare&before={FIRST}&after={LAST}&lang={lang}")
    wait_for_stamp(page, f"compare|cert_verified|prefecture|{FIRST}|{LAST}|{lang}")
    text = page.inner_text("body")
    for word in words:
        assert word in text, word
    labels = page.locator("#overview-legend .yp-legend-row").all_inner_texts()
    assert len(labels) == len(set(labels))  # classes never repeat
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"overview-compare-1366-{lang}")
    # the mode back to one period: the URL drops the comparison, the map paints one period
    page.locator("#overview-mode label").nth(0).click()
    wait_for_query(page, mode=None, before=None, lang=lang)
    wait_for_stamp(page, "cert_verified|prefecture|")
    assert not page.locator("#overview-spans").is_visible()
    # and to compare again, then a new end span
    page.locator("#overview-mode label").nth(1).click()
    wait_for_query(page, mode="compare", before=FIRST, after=LAST)
    page.locator("#overview-after").click()
    page.locator(f"[role=option]:has(input[value='{MIDDLE}'])").click()
    wait_for_query(page, mode="compare", before=FIRST, after=MIDDLE, lang=lang)
    wait_for_stamp(page, f"compare|cert_verified|prefecture|{FIRST}|{MIDDLE}|{lang}")
    # the URL rebuilds the same view (shareable)
    shared = page.url
    page.goto(shared)
    page.wait_for_selector(f"{MAP} .js-plotly-plot[data-painted]", timeout=30_000)
    wait_for_stamp(page, f"compare|cert_verified|prefecture|{FIRST}|{MIDDLE}|{lang}")
    assert query_of(page)["after"] == MIDDLE


def test_compare_under_quick_changes_ends_on_the_last_choice(page, live_server):
    """Clicks faster than the server answers: the URL and the map end on the last state."""
    open_overview(page, live_server, f"?mode=compare&before={FIRST}&after={LAST}&lang=en")
    for label in ("Province", "County", "Prefecture", "Province"):
        page.locator("#overview-level label", has_text=label).click()
    wait_for_query(page, level="province", mode="compare")
    wait_for_stamp(page, f"compare|cert_verified|province|{FIRST}|{LAST}|en")
    assert painted_stamp(page).startswith("compare|cert_verified|province|")


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compare_screenshots(page, live_server, width, height, lang):
    page.set_viewport_size({"width": width, "height": height})
    open_overview(
        page,
        live_server,
        f"?mode=compare&before={FIRST}&after={LAST}&level=province&measure=inflow&lang={lang}",
    )
    wait_for_stamp(page, f"compare|inflow|province|{FIRST}|{LAST}|{lang}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"overview-compare-{width}-{lang}-inflow")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_trend_mode_draws_year_lines_of_the_areas(page, live_server, lang):
    page.set_viewport_size({"width": 1366, "height": 768})
    open_overview(page, live_server, f"?mode=trend&areas=310100,320500&lang={lang}")
    page.wait_for_selector("#overview-trend .scatterlayer .trace")
    assert page.locator("#overview-trend .scatterlayer .trace").count() == 2  # one year, two areas
    legend = page.locator("#overview-trend .legend").text_content()
    assert "上海" in legend or "Shanghai" in legend
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"overview-trend-1366-{lang}")
    # the mode back to one period hides the side card and drops the areas from the URL
    page.locator("#overview-mode label").nth(0).click()
    wait_for_query(page, mode=None, areas=None, lang=lang)
    page.wait_for_function(
        "getComputedStyle(document.getElementById('overview-side')).display === 'none'"
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_split_mode_paints_a_second_measure_sharing_the_view(page, live_server, lang):
    page.set_viewport_size({"width": 1366, "height": 768})
    open_overview(page, live_server, f"?mode=split&second=net&lang={lang}")
    page.wait_for_selector("#overview-map2 .js-plotly-plot[data-painted]", timeout=30_000)
    stamp = page.get_attribute("#overview-map2 .js-plotly-plot", "data-painted")
    assert stamp.startswith(f"net|prefecture|{LAST}|{lang}")
    assert painted_stamp(page).startswith(f"cert_verified|prefecture|{LAST}|{lang}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"overview-split-1366-{lang}")
    # a zoom of the first map is the second map's zoom
    page.evaluate(
        "Plotly.relayout(document.querySelector('#overview-map .js-plotly-plot'), {'geo.projection.scale': 2.5})"
    )
    page.wait_for_function(
        "document.querySelector('#overview-map2 .js-plotly-plot')._fullLayout.geo.projection.scale === 2.5"
    )
    # a new second measure: the URL and the second map follow
    page.locator("#overview-second").click()
    page.locator("[role=option]:has(input[value='inflow'])").click()
    wait_for_query(page, mode="split", second="inflow", lang=lang)
    page.wait_for_function(
        "(document.querySelector('#overview-map2 .js-plotly-plot').getAttribute('data-painted') || '').startsWith('inflow|')"
    )


@pytest.mark.parametrize("mode", ["trend&areas=310100,320500", "split&second=inflow_per_1000"])
@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_trend_and_split_screenshots(page, live_server, mode, width, height, lang):
    page.set_viewport_size({"width": width, "height": height})
    open_overview(page, live_server, f"?mode={mode}&lang={lang}")
    ready = (
        "#overview-trend .scatterlayer .trace"
        if mode.startswith("trend")
        else "#overview-map2 .js-plotly-plot[data-painted]"
    )
    page.wait_for_selector(ready, state="attached")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"overview-{mode.split('&')[0]}-{width}-{lang}")
