"""The assessment page (考核排名) in a real headless Chromium at 1366x768, in Chinese and English:
the ranking painted in rank order, sorting by a column, a change of role, the Excel download
(both languages' header rows), no request leaving the server; screenshots kept."""

from __future__ import annotations

import openpyxl
import pytest

from etl.assessment import assessment_table
from etl.scope import NATION
from etl.store import open_store
from tests.browser.conftest import new_signed_in_context, screenshot
from tests.support import DEMO_PERIODS, demo_store

pytestmark = pytest.mark.browser
GRID = "#assessment-grid"
PERIOD = DEMO_PERIODS[-1]


@pytest.fixture
def small_page(browser, live_server):
    context = new_signed_in_context(browser, live_server, viewport={"width": 1366, "height": 768})
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
    yield page
    context.close()


def _expected(role: str) -> list[str]:
    """Unit codes of the counties by rank in region (published first), from the store."""
    engine = open_store(demo_store()[0])
    try:
        table = assessment_table(engine, PERIOD, "county", scope=NATION)
    finally:
        engine.dispose()
    part = table[(table["role"] == role) & ~table["suppressed"]]
    return part.sort_values(["region_code", "rank_in_region", "unit_code"])["unit_code"].tolist()


def _codes(page) -> list[str]:
    return page.eval_on_selector_all(
        f"{GRID} .ag-center-cols-container .ag-row",
        "rows => rows.sort((a, b) => a.getAttribute('row-index') - b.getAttribute('row-index')).map(r => r.querySelector('[col-id=unit_code]').innerText)",
    )


def _open(page, live_server, query: str) -> None:
    page.goto(f"{live_server}/assessment?{query}")
    page.wait_for_selector(f"{GRID} .ag-row", timeout=30_000)
    page.wait_for_function("document.fonts.status === 'loaded'")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_ranking_paints_in_rank_order_and_sorts(small_page, live_server, lang, tmp_path):
    page = small_page
    _open(page, live_server, f"lang={lang}&period={PERIOD}")
    header = page.inner_text(f"{GRID} .ag-header")
    assert ("区域内排名" if lang == "zh" else "Rank in region") in header
    note = page.inner_text("#assessment-note")
    assert ("2012" in note) and ("95%" in note)  # the free service target in force for 2012
    assert _codes(page)[:10] == _expected("destination")[:10]
    screenshot(page, f"assessment-{lang}-1366x768")

    # sort by score, descending (two clicks): the best published score first
    score = page.locator(f"{GRID} .ag-header-cell[col-id=score]")
    score.click()
    score.click()
    page.wait_for_function(
        f"document.querySelector('{GRID} .ag-header-cell[col-id=score]').getAttribute('aria-sort') === 'descending'"
    )
    first = page.inner_text(f"{GRID} .ag-row[row-index='0'] [col-id=score]")
    shown = page.eval_on_selector_all(
        f"{GRID} .ag-row [col-id=score]", "cells => cells.map(c => c.innerText)"
    )
    assert float(first) == max(float(v) for v in shown if v)

    # the origin role
    page.click("#assessment-role input[value=origin]")
    page.wait_for_function(
        f"document.querySelector('{GRID} .ag-row[row-index=\"0\"] [col-id=at_target]').innerText.endsWith('/ 1')"
    )
    if lang == "zh":
        with page.expect_download() as caught:
            page.click("#assessment-xlsx")
        path = tmp_path / "assessment.xlsx"
        caught.value.save_as(path)
        sheet = openpyxl.load_workbook(path)["考核 assessment"]
        rows = list(sheet.iter_rows(min_row=1, max_row=2, values_only=True))
        assert rows[0][:2] == ("报告期", "层级") and rows[1][:2] == ("Period", "Level")
    assert not page.foreign, page.foreign
