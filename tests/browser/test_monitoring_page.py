"""The monitoring page (监测预警) in a real headless Chromium at 1366x768 and 1920x1080, in Chinese
and English: the severity counts and the grid against ``etl.alerts`` on the demo store (which
carries generated feeds), a filter kept in the URL, an area linked to its page, the Excel
download (both languages' header rows), no request leaving the server; screenshots kept."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from etl.alerts import alerts_table
from etl.scope import NATION
from etl.store import open_store
from tests.browser.conftest import new_signed_in_context, screenshot
from tests.support import DEMO_PERIODS, demo_store

pytestmark = pytest.mark.browser
GRID = "#monitoring-grid"
PERIOD = DEMO_PERIODS[-1]


def _page(browser, live_server, width: int, height: int, **options):
    context = new_signed_in_context(
        browser, live_server, viewport={"width": width, "height": height}, **options
    )
    page = context.new_page()
    page.foreign = []
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((live_server, "data:", "blob:"))
            else page.foreign.append(r.url)
        ),
    )
    return context, page


def _alerts():
    engine = open_store(demo_store()[0])
    try:
        return alerts_table(engine, PERIOD, scope=NATION)
    finally:
        engine.dispose()


def _open(page, live_server, query: str) -> None:
    page.goto(f"{live_server}/monitoring?{query}")
    page.wait_for_selector(f"{GRID} .ag-row", timeout=30_000)
    page.wait_for_function("document.fonts.status === 'loaded'")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_alerts_paint_filter_and_download(browser, live_server, lang, tmp_path):
    context, page = _page(browser, live_server, 1366, 768)
    expected = _alerts()
    assert len(expected) > 0 and (expected["rule"] == "feed_missing").any()
    _open(page, live_server, f"lang={lang}&period={PERIOD}")
    counts = page.eval_on_selector_all(
        ".yp-mon-count", "cs => cs.map(c => c.innerText.replace(/,/g, ''))"
    )
    assert [int(c) for c in counts] == [
        int((expected["severity"] == s).sum()) for s in ("high", "medium", "low")
    ]
    header = page.inner_text(f"{GRID} .ag-header")
    assert ("预警原因" if lang == "zh" else "Reason") in header
    first = page.inner_text(f"{GRID} .ag-row[row-index='0'] [col-id=reason]")
    column = "reason_zh" if lang == "zh" else "reason_en"
    assert first == expected[column].iloc[0]
    reports = page.inner_text(".yp-mon-reports")
    assert ("公安" if lang == "zh" else "Public security") in reports
    scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll[0] <= scroll[1], scroll
    screenshot(page, f"monitoring-{lang}-1366x768")

    # the severity filter: only high alerts, and the URL keeps it
    page.click("#monitoring-severity")
    page.locator("[role=option]:has(input[value='high'])").click()
    page.wait_for_function("window.location.search.includes('severity=high')")
    page.wait_for_function(
        f"[...document.querySelectorAll('{GRID} .ag-row [col-id=severity]')].every(c => c.innerText === '{'高' if lang == 'zh' else 'High'}')"
    )
    # an area links to its page at the period
    href = page.get_attribute(f"{GRID} .ag-row[row-index='0'] [col-id=area] a", "href")
    assert href.startswith("/area/") and f"period={PERIOD}" in href
    if lang == "zh":
        with page.expect_download() as caught:
            page.click("#monitoring-xlsx")
        path = tmp_path / "alerts.xlsx"
        caught.value.save_as(path)
        sheet = openpyxl.load_workbook(path)["预警 alerts"]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:2] == ("报告期", "严重程度") and rows[1][:2] == ("Period", "Severity")
        assert len(rows) - 2 == len(expected)  # every alert, whatever the filters
        from access.audit import list_events

        engine = open_store(demo_store()[0])
        try:
            event = list_events(engine, action="export.alerts", limit=1)[0]
        finally:
            engine.dispose()
        assert event.object == f"alerts-{PERIOD}.xlsx" and f"period={PERIOD}" in event.detail
    assert not page.foreign, page.foreign
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_wide_screen(browser, live_server, lang):
    context, page = _page(browser, live_server, 1920, 1080)
    _open(page, live_server, f"lang={lang}&period={PERIOD}&department=public_security")
    assert ("公安" if lang == "zh" else "Public security") in page.inner_text(
        "#monitoring-department"
    )
    assert page.locator(".yp-mon-reports tbody tr").count() == 1  # the one department
    screenshot(page, f"monitoring-{lang}-1920x1080")
    context.close()


MAP = "#monitoring-map"


def _no_alert_units(level: str, severity: str = "") -> tuple[int, int]:
    """(units of ``level`` without an alert, alerts on the map) counted here from ``etl.alerts``."""
    from tests.export.test_alert_map import _expected

    alerts = _alerts()
    if severity:
        alerts = alerts[alerts["severity"] == severity]
    want = _expected(alerts, level, None)
    return int((want["value"] == 0).sum()), int(want["value"].sum())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_alert_map_legend_menu_and_click(browser, live_server, lang, tmp_path):
    """The map of the alerts per prefecture: its legend says what it counts and how many units
    each class holds (the no-alert units counted here independently), the narrative the total,
    the download menu gives the CLI's CSV of the view, a filter redraws the legend, a click on a
    unit opens its area page."""
    import pandas as pd

    context, page = _page(browser, live_server, 1366, 768, accept_downloads=True)
    _open(page, live_server, f"lang={lang}&period={PERIOD}")
    page.wait_for_selector(f"{MAP} .choroplethlayer path", timeout=30_000)
    legend = page.inner_text("#monitoring-legend")
    assert ("各地市预警数" if lang == "zh" else "Alerts per prefecture") in legend
    none_units, total = _no_alert_units("prefecture")
    none_word = "无预警" if lang == "zh" else "No alerts"
    assert f"{none_word}\u3000({none_units:,})" in legend or f"{none_word} ({none_units:,})" in legend
    narrative = page.inner_text(".yp-narrative")
    assert f"{total:,}" in narrative, narrative
    scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll[0] <= scroll[1], scroll
    page.locator(f"{MAP}").scroll_into_view_if_needed()
    screenshot(page, f"monitoring-map-{lang}-1366x768")

    # the data of the view from the menu: the CLI's layer, every alert on a prefecture
    page.locator(".yp-export-summary").click()
    with page.expect_download(timeout=120_000) as caught:
        page.locator('.yp-export-button[id*=\'"format":"csv"\']').click()
    path = tmp_path / "alerts.csv.zip"  # the CLI's CSV and its metadata file
    caught.value.save_as(path)
    name = f"yipanqi-alerts-prefecture-{PERIOD}.csv"
    assert caught.value.suggested_filename == f"{name}.zip"
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == sorted([name, name.replace(".csv", ".metadata.csv")])
        table = pd.read_csv(
            io.BytesIO(archive.read(name)), encoding="utf-8-sig", dtype={"code": str}
        )
    assert int(table["value"].sum()) == total and int((table["value"] == 0).sum()) == none_units
    screenshot(page, f"monitoring-menu-{lang}-1366x768")
    page.locator(".yp-export-summary").click()  # closed again

    # a filter redraws the map's legend
    page.click("#monitoring-severity")
    page.locator("[role=option]:has(input[value='high'])").click()
    word = "高" if lang == "zh" else "High"
    page.wait_for_function(
        f"document.querySelector('#monitoring-legend').innerText.includes('{word}')"
    )
    none_high, _ = _no_alert_units("prefecture", "high")
    page.wait_for_function(
        f"document.querySelector('#monitoring-legend').innerText.includes('({none_high:,})')"
    )

    # a unit clicked: its area page for the period
    paths = page.locator(f"{MAP} .choroplethlayer path")
    for k in range(0, min(paths.count(), 60), 6):
        box = paths.nth(k).bounding_box()
        if not box or box["width"] < 12 or box["height"] < 12:
            continue
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            page.wait_for_url("**/area/**", timeout=3_000)
            break
        except Exception:  # noqa: BLE001 - the centre fell outside the unit: the next one
            continue
    assert "/area/" in page.url and f"period={PERIOD}" in page.url, page.url
    assert not page.foreign, page.foreign
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_region_at_county_level_on_a_wide_screen(browser, live_server, lang):
    context, page = _page(browser, live_server, 1920, 1080)
    _open(page, live_server, f"lang={lang}&period={PERIOD}&region=pan_yangtze&level=county")
    page.wait_for_selector(f"{MAP} .choroplethlayer path", timeout=30_000)
    legend = page.inner_text("#monitoring-legend")
    assert ("各县区预警数" if lang == "zh" else "Alerts per county") in legend
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    page.locator(MAP).scroll_into_view_if_needed()
    screenshot(page, f"monitoring-map-region-{lang}-1920x1080")
    context.close()
