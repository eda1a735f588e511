"""The monitoring page (监测预警) in a real headless Chromium at 1366x768 and 1920x1080, in Chinese
and English: the severity counts and the grid against ``etl.alerts`` on the demo store (which
carries generated feeds), a filter kept in the URL, an area linked to its page, the Excel
download (both languages' header rows), no request leaving the server; screenshots kept."""

from __future__ import annotations

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


def _page(browser, live_server, width: int, height: int):
    context = new_signed_in_context(
        browser, live_server, viewport={"width": width, "height": height}
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
