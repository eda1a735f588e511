"""The drill-down pages (试点与地区) in a real headless Chromium, over a store of generated records.

The store: synthetic records (``synthetic.generate``, 2010 census) living in 上海, 江苏, 浙江 and 江西,
every month 2009-01..2012-12, so trends have four years. The tests follow a pilot from the menu,
open drill-down URLs, change the period and the map measure, and check what is displayed against
the store, the URL round trip, the English view and that no request leaves the server.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from etl import marts, store
from etl.pipeline import ingest
from synthetic import generate as gen
from tests.browser.conftest import CHROMIUM_ARGS, new_signed_in_context, screenshot, serve_app  # noqa: F401

pytestmark = pytest.mark.browser

PROVINCES = ("310000", "320000", "330000", "360000")
SIZES = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}
MAP = "#area-map"
FONTS = (
    "document.fonts.status === 'loaded' && document.fonts.check('16px \"Noto Sans SC\"', '浦东')"
)


def generated_store(root) -> str:
    """A SQLite store of ~200,000 generated records (destinations in four provinces)."""
    inputs = gen.province_inputs(2010, PROVINCES)
    records = root / "records.parquet"
    gen.write_records(inputs, gen.GenerateOptions(fraction=1e-4, seed=3), gen.OutputSpec(records))
    url = f"sqlite:///{root / 'store.sqlite'}"
    ingest([records], url, root / "data", demo=True, workers=0)
    return url


@pytest.fixture(scope="module")
def area_store(tmp_path_factory) -> str:
    return generated_store(tmp_path_factory.mktemp("area-browser"))


@pytest.fixture(scope="module")
def area_server(area_store) -> Iterator[str]:
    server, base = serve_app(area_store)
    yield base
    server.shutdown()


@pytest.fixture(params=list(SIZES))
def area_page(request, browser, area_server):
    """A fresh page at a projector (1366x768) or desktop (1920x1080) size that records requests
    leaving the server and errors in the page."""
    width, height = SIZES[request.param]
    context = new_signed_in_context(browser, area_server, viewport={"width": width, "height": height})
    page = context.new_page()
    page.size = request.param
    page.base = area_server
    page.foreign_requests = []
    page.errors = []
    page.on(
        "request",
        lambda r: (
            page.foreign_requests.append(r.url)
            if not r.url.startswith((area_server, "data:", "blob:"))
            else None
        ),
    )
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def wait_for_area(page) -> None:
    page.wait_for_selector(f"{MAP} .choroplethlayer path", timeout=30_000)
    page.wait_for_selector("#area-bullets .barlayer .point", timeout=30_000)
    page.wait_for_function(FONTS)


def shown_value(page, measure: str) -> str:
    return page.locator(f"[data-measure={measure}]").get_attribute("data-value")


def store_inflow(url: str, period: str, level: str, code: str) -> int:
    """Persons living in the unit and registered outside it, read from the store."""
    engine = store.open_store(url)
    try:
        flows = marts.read_flows(engine, period, "all", level, scope=marts.NATION)
    finally:
        engine.dispose()
    rows = flows[(flows["destination_code"] == code) & ~flows["is_within"]]
    return int(rows["persons"].sum())


def choose(page, dropdown: str, value: str) -> None:
    page.locator(dropdown).click()
    page.locator(f"[role=option]:has(input[value='{value}'])").click()


def test_menu_leads_to_pudong_whose_inflow_equals_the_store(area_page, area_store):
    page = area_page
    page.goto(page.base + "/areas")
    page.wait_for_selector("#areas-pilots .yp-areas-pilot")
    page.wait_for_function(FONTS)
    screenshot(page, f"areas-menu-{page.size}")
    cards = page.locator("#areas-pilots .yp-areas-pilot")
    assert cards.count() == 3
    assert [cards.nth(i).get_attribute("id") for i in range(3)] == [
        "areas-pilot-310115", "areas-pilot-320200", "areas-pilot-330400",
    ]  # fmt: skip
    page.locator("#areas-pilot-310115").click()
    page.wait_for_url("**/area/310115")
    wait_for_area(page)
    engine = store.open_store(area_store)
    latest = marts.periods(engine, scope=marts.NATION)[-1]
    engine.dispose()
    inflow = store_inflow(area_store, latest, "county", "310115")
    assert inflow > 10 and shown_value(page, "inflow") == str(inflow)
    assert page.locator("[data-measure=inflow]").inner_text() == f"{inflow:,}"
    assert page.locator("#area-breadcrumb").inner_text().split() == [
        "泛长三角", "›", "上海市", "›", "浦东新区",
    ]  # fmt: skip
    # 浦东 is outlined among the 16 districts of 上海
    assert page.locator(f"{MAP} .choroplethlayer .trace").first.locator("path").count() >= 14
    assert "浦东新区" in page.locator(f"{MAP} .trace.scattergeo").text_content()
    screenshot(page, f"area-pudong-{page.size}")
    page.screenshot(path=str(_full(f"area-pudong-{page.size}-full")), full_page=True)
    assert page.foreign_requests == [], "requests left the server"
    assert page.errors == []


def test_wuxi_by_url_period_change_and_url_round_trip(area_page, area_store):
    page = area_page
    page.goto(page.base + "/area/320200")
    wait_for_area(page)
    assert page.locator("h2").first.inner_text().startswith("无锡市")
    choose(page, "#area-period", "2011-06")
    page.wait_for_url("**/area/320200?period=2011-06*")
    expected = store_inflow(area_store, "2011-06", "prefecture", "320200")
    page.wait_for_function(
        f"document.querySelector('[data-measure=inflow]').dataset.value === '{expected}'"
    )
    choose(page, "#area-measure", "health_check")
    page.wait_for_url("**measure=health_check*")
    page.wait_for_function(
        "document.querySelector('#area-map .colorbar') &&"
        " document.querySelector('#area-map .colorbar').textContent.includes('达到或超过目标')"
    )
    assert "2011年6月" in page.locator(f"{MAP} .gtitle").text_content()
    url = page.url
    assert "period=2011-06" in url and "measure=health_check" in url
    # the link reproduces the view
    page.goto(url)
    wait_for_area(page)
    assert page.locator("#area-period").inner_text().strip() == "2011年6月"
    assert shown_value(page, "inflow") == str(expected)
    assert "康检率" in page.locator(f"{MAP} .gtitle").text_content()
    # the language switch keeps the view
    assert "period=2011-06" in page.locator("#shell-lang").get_attribute("href")
    screenshot(page, f"area-wuxi-{page.size}")
    page.screenshot(path=str(_full(f"area-wuxi-{page.size}-full")), full_page=True)
    assert page.foreign_requests == [] and page.errors == []


@pytest.mark.parametrize("area_page", ["1366x768"], indirect=True)
def test_english_breadcrumb_links_and_unknown_code(area_page):
    page = area_page
    page.goto(page.base + "/area/360102?lang=en")
    wait_for_area(page)
    crumbs = page.locator("#area-breadcrumb a")
    assert [crumbs.nth(i).inner_text() for i in range(crumbs.count())] == [
        "Pan-Yangtze-Delta", "Pan-Pearl-River-Delta", "Jiangxi", "Nanchang City", "Donghu District",
    ]  # fmt: skip
    assert page.locator("#area-table th").first.inner_text() == "Indicator"
    assert "Two-way assessment" in page.locator("body").inner_text()
    crumbs.nth(2).click()
    page.wait_for_url("**/area/360000?*lang=en*")
    page.wait_for_function("document.querySelector('h2').textContent.startsWith('Jiangxi')")
    wait_for_area(page)
    screenshot(page, "area-jiangxi-en-1366x768")
    page.goto(page.base + "/area/123456")
    page.wait_for_selector("#area-unknown")
    assert "“123456”不是已知的" in page.locator("#area-unknown").inner_text()
    page.goto(page.base + "/areas")
    page.locator("#areas-picker").click()
    page.locator("input.dash-dropdown-search").fill("Kunshan")  # pinyin on the Chinese page
    assert "昆山市" in page.locator("[role=option]:has(input[value='320583'])").inner_text()
    page.locator("input.dash-dropdown-search").fill("宜兴")
    page.locator("[role=option]:has(input[value='320282'])").click()
    page.wait_for_url("**/area/320282")
    page.wait_for_function("document.querySelector('h2').textContent.startsWith('宜兴市')")
    wait_for_area(page)
    assert page.foreign_requests == [] and page.errors == []


@pytest.mark.parametrize("area_page", ["1366x768"], indirect=True)
def test_english_pudong_names_every_unit_in_english(area_page):
    """Title, breadcrumb, map labels and hover, top origins and the search: English names where
    the Chinese ones used to be (浦东新区 is Pudong New Area), fitting at a projector's size."""
    page = area_page
    page.goto(page.base + "/area/310115?lang=en")
    wait_for_area(page)
    assert page.locator("h2").inner_text().startswith("Pudong New Area")
    assert [s.strip() for s in page.locator("#area-breadcrumb").inner_text().split("›")] == [
        "Pan-Yangtze-Delta", "Shanghai", "Pudong New Area",
    ]  # fmt: skip
    assert "Pudong New Area" in page.locator(f"{MAP} .trace.scattergeo").text_content()
    origins = page.locator("#area-origins tbody tr")
    assert origins.count() > 0
    for i in range(origins.count()):
        row = origins.nth(i).inner_text()
        assert row.isascii() and ("District" in row or "County" in row or "City" in row), row
    page.locator(MAP).scroll_into_view_if_needed()
    page.locator(f"{MAP} .choroplethlayer path").first.hover(force=True)
    page.wait_for_function(f"document.querySelector('{MAP} .hoverlayer').textContent.length > 0")
    assert page.locator(f"{MAP} .hoverlayer").text_content().isascii()
    _fits(page, "#area-origins table")
    _fits(page, "#area-assessment table")
    page.locator("#area-origins").scroll_into_view_if_needed()
    screenshot(page, "area-pudong-en-origins-1366x768")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "area-pudong-en-1366x768")
    page.screenshot(path=str(_full("area-pudong-en-1366x768-full")), full_page=True)
    page.goto(page.base + "/areas?lang=en")
    page.wait_for_selector("#areas-pilots .yp-areas-pilot")
    assert "Wuxi City" in page.locator("#areas-pilot-320200").inner_text()
    page.locator("#areas-picker").click()
    page.locator("input.dash-dropdown-search").fill("kunshan")
    option = page.locator("[role=option]:has(input[value='320583'])")
    assert "Kunshan City 昆山市" in option.inner_text()
    screenshot(page, "areas-menu-en-search-1366x768")
    option.click()
    page.wait_for_url("**/area/320583?lang=en")
    page.wait_for_function("document.querySelector('h2').textContent.startsWith('Kunshan City')")
    assert page.foreign_requests == [] and page.errors == []


def _fits(page, selector: str) -> None:
    """Nothing in ``selector`` is wider than its box (no name overflowing a table cell)."""
    overflow = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector + ' td, ' + selector + ' th')]
            .filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
            .map((cell) => cell.textContent)""",
        selector,
    )
    assert overflow == [], overflow
    table, parent = page.evaluate(
        """(selector) => { const t = document.querySelector(selector);
            return [t.getBoundingClientRect().right, t.parentElement.getBoundingClientRect().right]; }""",
        selector,
    )
    assert table <= parent + 1


def _full(name: str):
    from tests.support import TEST_OUTPUT

    folder = TEST_OUTPUT / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"
