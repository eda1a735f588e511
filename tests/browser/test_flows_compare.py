"""The flows page's comparison of two periods in a real headless Chromium (zh and en): choosing a
base period puts ``compare`` in the URL, turns the title, table and narrative into the change, and
survives a reload; screenshots at 1366x768 and 1920x1080. Waits for the state, never a sleep."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_flows_page import open_flows, wait_query
from tests.support import DEMO_PERIODS

pytestmark = pytest.mark.browser

FIRST, LAST = DEMO_PERIODS


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compare_two_periods(page, live_server, lang, width, height):
    page.set_viewport_size({"width": width, "height": height})
    open_flows(page, live_server, f"?period={LAST}&lang={lang}")
    page.locator("#flows-compare").click()
    page.locator(f"[role=option]:has(input[value='{FIRST}'])").first.click()
    wait_query(page, compare=FIRST, period=LAST, lang=lang)
    page.wait_for_function(
        "(first) => document.querySelector('#flows-map-title').innerText.includes(first + ' → ')",
        arg=FIRST,
    )
    word = "变化" if lang == "zh" else "Change"
    page.wait_for_function(
        "(w) => [...document.querySelectorAll('.ag-header-cell-text')].some(h => h.innerText.includes(w))",
        arg=word,
    )
    narrative = page.locator(".yp-flows-map .yp-narrative").inner_text()
    assert FIRST in narrative and LAST in narrative
    assert ("变化最大" in narrative) if lang == "zh" else ("Largest changes" in narrative)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"flows-compare-{width}-{lang}")
    page.reload()
    page.wait_for_function(
        "(first) => { const t = document.querySelector('#flows-map-title'); return t && t.innerText.includes(first + ' → '); }",
        arg=FIRST,
    )
