"""The flows page in a real headless Chromium over the session's demo store (``tests.support``).

Opens /flows, changes every control, clicks a county and checks its totals against the store's own
rows, follows the URL round trip, downloads the CSV, and keeps screenshots at projector sizes.
"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
import shapely

from tests.browser.conftest import new_signed_in_context, screenshot
from tests.support import DEMO_PERIODS, demo_store, layer_cache

pytestmark = pytest.mark.browser

BASE = "#flows-base"
LINES = "#flows-lines"
PUDONG = "310115"
LATEST = DEMO_PERIODS[1]


GRID_ROWS = "#flows-table .ag-center-cols-container [role=row]"  # rows of the grid's page


def open_flows(page, live_server, query: str = "") -> None:
    page.goto(live_server + "/flows" + query)
    page.wait_for_selector(f"{BASE} .choroplethlayer path", timeout=30_000)
    page.wait_for_selector(
        f"{LINES} .scatterlayer path, {LINES} .scattergeo path", state="attached", timeout=30_000
    )
    page.wait_for_function("document.fonts.status === 'loaded'")


def query_of(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def wait_query(page, **expected: str) -> None:
    """Wait until the address bar holds every ``key=value`` given."""
    checks = " && ".join(f"p.get({k!r}) === {v!r}" for k, v in expected.items())
    page.wait_for_function(
        f"(() => {{ const p = new URLSearchParams(location.search); return {checks}; }})()"
    )


def wait_title(page, fragment: str) -> None:
    page.wait_for_function(
        "f => document.querySelector('#flows-map-title').innerText.includes(f)", arg=fragment
    )


def line_codes(page) -> list[str]:
    """Every adcode at the ends of the drawn flow lines (from the lines graph's own data)."""
    return page.evaluate(
        """() => {
        const gd = document.querySelector('#flows-lines .js-plotly-plot');
        return gd.data.filter(t => t.type === 'scattergeo' && t.mode === 'lines')
                      .flatMap(t => t.customdata.filter(c => c));
    }"""
    )


def totals_shown(page) -> dict[str, str]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#flows-totals [data-total]')]
            .map(e => [e.dataset.total, e.dataset.value ?? 'suppressed']))"""
    )


def store_flows(period: str, cohort: str = "all") -> pd.DataFrame:
    """County flows of the demo store, read with plain SQL (wide table: a column per cohort)."""
    url, _ = demo_store()
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        return pd.read_sql_query(
            f"SELECT hukou_code, residence_code, persons_{cohort} AS persons FROM flows "
            f"WHERE period = ? AND persons_{cohort} > 0",
            con,
            params=(period,),
        )


def store_threshold() -> int:
    url, _ = demo_store()
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        return int(
            con.execute("SELECT value FROM store_meta WHERE key='small_cell_threshold'").fetchone()[
                0
            ]
        )


def click_place(page, code: str) -> None:
    """Click a unit on the base map at a point inside its polygon (plotly's own projection)."""
    layer = layer_cache().read("county")
    point = shapely.point_on_surface(layer.loc[layer["adcode"] == code, "geometry"].iloc[0])
    x, y = page.evaluate(
        """([lon, lat]) => {
        const gd = document.querySelector('#flows-base .js-plotly-plot');
        const [px, py] = gd._fullLayout.geo._subplot.projection([lon, lat]);
        const rect = gd.getBoundingClientRect();
        return [rect.left + px, rect.top + py];
    }""",
        [point.x, point.y],
    )
    page.mouse.click(x, y)


def choose(page, dropdown: str, label: str) -> None:
    page.click(dropdown)
    page.get_by_role("option", name=label, exact=True).click()
    page.keyboard.press("Escape")


def test_opens_offline_with_lines_matrix_and_table(page, live_server):
    open_flows(page, live_server)
    assert page.foreign_requests == [], "requests left the server (CDN, tiles, fonts?)"
    assert page.locator(f"{BASE} .geo").count() == 2  # the map and the 南海诸岛 inset
    title = page.locator("#flows-map-title").inner_text()
    assert LATEST in title and "省之间" in title and "显示前" in title
    codes = line_codes(page)
    assert codes and all(c.endswith("0000") for c in codes)  # province level by default
    matrix = page.locator("#flows-matrix").inner_text()
    for name in ("泛长三角", "泛珠三角", "环渤海", "西北", "区内"):
        assert name in matrix.replace("\n", "")
    assert page.locator(GRID_ROWS).count() == 10  # one page of the grid
    assert page.locator(GRID_ROWS).first.inner_text().split("\n")[0] == "1"
    page.locator("#flows-table .ag-paging-button[aria-label=下一页]").click()
    page.wait_for_function(f"document.querySelector('{GRID_ROWS}').innerText.startsWith('11')")
    assert "Page" not in page.locator("#flows-table .ag-paging-panel").inner_text()
    assert "每条线的人数" in page.locator("#flows-legend").inner_text()
    assert "同属两个所选协作区" in page.locator("#flows-region-legend").inner_text()
    screenshot(page, "flows-1600")


def test_every_control_updates_view_and_url(page, live_server):
    open_flows(page, live_server)
    page.get_by_label("地市", exact=True).check()
    wait_query(page, level="prefecture")
    wait_title(page, "地市之间")
    codes = line_codes(page)
    assert codes and set(codes) <= set(layer_cache().read("prefecture")["adcode"])

    page.get_by_label("流入", exact=True).check()
    wait_query(page, direction="inflow")
    wait_title(page, "地市之间流入")

    page.get_by_label("净流向", exact=True).check()
    wait_query(page, direction="net")
    wait_title(page, "净流动")
    assert "净流动人数" in page.locator("#flows-table").inner_text()

    choose(page, "#flows-cohort", "育龄妇女（15-49岁）")
    wait_query(page, cohort="women_15_49")
    wait_title(page, "育龄妇女")

    earlier = DEMO_PERIODS[0]
    choose(page, "#flows-period", earlier)
    wait_query(page, period=earlier)
    wait_title(page, earlier)

    choose(page, "#flows-top", "前 50 条")
    wait_query(page, top="50")
    wait_title(page, "显示前 50 条")
    assert len(line_codes(page)) <= 2 * 50

    # regions: drop 西北 (its remove button in the multi-select)
    page.click("#flows-regions")
    page.get_by_role("option", name="西北", exact=True).click()
    page.keyboard.press("Escape")
    wait_query(page, regions="pan_yangtze,pan_pearl,bohai_rim")
    # the URL is written first; the totals card follows with its own callback
    page.wait_for_function(
        "!document.querySelector('#flows-totals').innerText.split('\\n')[0].includes('西北')"
    )
    assert "西北" not in page.locator("#flows-totals").inner_text().split("\n")[0]
    assert query_of(page)["lang"] == "zh"
    screenshot(page, "flows-controls-changed")

    # the link reproduces the view
    url, title = page.url, page.locator("#flows-map-title").inner_text()
    table = page.locator("#flows-table").inner_text()
    page.goto(url)
    page.wait_for_selector(f"{BASE} .choroplethlayer path", timeout=30_000)
    assert page.locator("#flows-map-title").inner_text() == title
    # the grid paints its rows and then its pagination panel: wait until it has finished
    page.wait_for_function(
        "t => document.querySelector('#flows-table').innerText === t", arg=table, timeout=15_000
    )
    assert page.locator("#flows-level input[value=prefecture]").is_checked()


def test_click_a_county_shows_totals_equal_to_the_store(page, live_server):
    open_flows(page, live_server, "?level=county&top=2000")
    click_place(page, PUDONG)
    wait_query(page, focus=PUDONG)
    wait_title(page, "浦东新区")
    flows = store_flows(LATEST)
    between = flows[flows["hukou_code"] != flows["residence_code"]]
    inflow = int(between.loc[between["residence_code"] == PUDONG, "persons"].sum())
    outflow = int(between.loc[between["hukou_code"] == PUDONG, "persons"].sum())
    within = int(
        flows.loc[
            (flows["hukou_code"] == PUDONG) & (flows["residence_code"] == PUDONG), "persons"
        ].sum()
    )
    threshold = store_threshold()
    assert inflow >= threshold and outflow >= threshold  # the demo store makes 浦东 publishable
    shown = totals_shown(page)
    assert shown["inflow"] == str(inflow) and shown["outflow"] == str(outflow)
    assert shown["net"] == str(inflow - outflow)
    assert shown["within"] == (str(within) if within == 0 or within >= threshold else "suppressed")
    text = page.locator("#flows-totals").inner_text()
    assert f"{inflow:,} 人" in text and f"{outflow:,} 人" in text
    # every line touches 浦东, and the table too
    codes = line_codes(page)
    assert codes and all(PUDONG in codes[i : i + 2] for i in range(0, len(codes), 2))
    n_partners = len(
        between[(between["residence_code"] == PUDONG) | (between["hukou_code"] == PUDONG)]
    )
    assert f"共 {n_partners:,} 条" in page.locator("#flows-map-title").inner_text()
    screenshot(page, "flows-focus-pudong")

    # the level goes up: 浦东's prefecture, 上海市 (310100), is the focus; the URL keeps 浦东
    page.get_by_label("地市", exact=True).check()
    wait_query(page, level="prefecture", focus=PUDONG)
    wait_title(page, "上海市（310100）")
    # and back down: 浦东 again
    page.get_by_label("县区", exact=True).check()
    wait_query(page, level="county", focus=PUDONG)
    wait_title(page, f"（{PUDONG}）")
    # clear the focus
    page.get_by_role("button", name="取消聚焦").click()
    page.wait_for_function("!new URLSearchParams(location.search).has('focus')")
    page.wait_for_function(
        "document.querySelector('#flows-totals').innerText.includes('所选协作区')"
    )
    assert not page.get_by_role("button", name="取消聚焦").is_visible()


def test_csv_download_has_codes_and_suppressed_small_cells(page, live_server):
    open_flows(page, live_server, "?level=county&top=500")
    with page.expect_download() as info:
        page.get_by_role("button", name="下载 CSV").click()
    download = info.value
    assert download.suggested_filename == f"flows-{LATEST}-county-both-all.csv"
    frame = pd.read_csv(
        io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig")),
        dtype=str,
        keep_default_na=False,
    )
    # the whole selection, not the 500 rows shown: every between-county flow touching a province
    # of the four regions, counted here from the store
    from geodata.areas import regions

    provinces = {p[:2] for r in regions().regions for p in r.province_codes}
    every = store_flows(LATEST)
    between = every[every["hukou_code"] != every["residence_code"]]
    touching = between["hukou_code"].str[:2].isin(provinces) | between["residence_code"].str[:2].isin(provinces)
    assert len(frame) == int(touching.sum()) > 500
    threshold = store_threshold()
    persons = frame["persons"]
    small = frame["suppressed"] == "True"  # etl.disclosure: blank and flagged, as every export
    assert small.any() and set(frame["suppressed"]) == {"True", "False"}
    assert (persons[small] == "").all()
    assert (persons[~small].astype(int) >= threshold).all()
    flows = store_flows(LATEST).set_index(["hukou_code", "residence_code"])["persons"]
    for row in frame[~small].head(20).itertuples():
        assert flows[(row.origin_code, row.destination_code)] == int(row.persons)


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_readable_at_projector_sizes(browser, live_server, size, lang):
    context = new_signed_in_context(browser, live_server, viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    query = f"?lang={lang}&level=county&focus={PUDONG}" if lang == "en" else ""
    open_flows(page, live_server, query)
    if lang == "en":
        assert "Flows between regions" in page.locator(".yp-flows-matrix").inner_text()
        assert "Persons per line" in page.locator("#flows-legend").inner_text()
        assert "Inflow" in page.locator("#flows-totals").inner_text()
        assert "between counties" in page.locator("#flows-map-title").inner_text()
        assert "Pudong New Area" in page.locator("#flows-totals").inner_text()
        assert "Pudong New Area" in page.locator("#flows-map-title").inner_text()
        table = page.locator("#flows-table").inner_text()
        assert "Pudong New Area" in table and "浦东" not in table
    # the map is on screen and not squeezed: at least 60% of the width, 400 px high
    box = page.locator(BASE).bounding_box()
    assert box["width"] >= 0.6 * size[0] - 420 and box["height"] >= 400
    assert box["y"] + 0.5 * box["height"] < size[1]
    screenshot(page, f"flows-{lang}-{size[0]}x{size[1]}")
    if lang == "en":  # the longest names sit in the top-flows table
        page.locator("#flows-table").scroll_into_view_if_needed()
        screenshot(page, f"flows-{lang}-table-{size[0]}x{size[1]}")
    context.close()
