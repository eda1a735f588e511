"""The header's language link keeps the view on every page whose state lives in the URL: the same
query (but ``lang``) and the same drawing (the map's fills, the table's rows) in the other language.

Cheap: one signed-in page for the module, navigated from view to view.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlparse

import pytest

from tests.browser.conftest import recorded_page, screenshot

pytestmark = pytest.mark.browser

MAP = ".choroplethlayer path"
VIEWS = {  # name -> (path with a view that is not the default, what shows the page has drawn)
    "overview": ("/?measure=inflow&level=province&period=2012-11", "#overview-map .js-plotly-plot[data-painted]"),
    "overview-compare": ("/?measure=cert_verified&level=province&mode=compare&before=2012-10&after=2012-12", "#overview-map .js-plotly-plot[data-painted]"),
    "flows": ("/flows?level=prefecture&top=50&period=2012-11", f"#flows-base {MAP}"),
    "area": ("/area/320200?period=2012-11&measure=health_check", f"#area-map {MAP}"),
    "hotspots": ("/hotspots?level=province&measure=inflow&fdr=1", MAP),
    "monitoring": ("/monitoring?severity=high&period=2012-11", f"#monitoring-map {MAP}"),
    "assessment": ("/assessment?role=origin&level=province", ".ag-row"),
}  # fmt: skip

# What is drawn: every map's fills in document order, and the grid's row ids
DRAWN = """() => ({
  fills: [...document.querySelectorAll('.choroplethlayer path')].map(p => p.style.fill),
  rows: [...document.querySelectorAll('.ag-center-cols-container .ag-row')].map(r => r.getAttribute('row-id')),
})"""


@pytest.fixture(scope="module")
def signed_in_page(browser, live_server):
    page = recorded_page(browser, live_server, 1366, 768)
    yield page
    page.context.close()


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlparse(url).query))


def _settled(page, ready: str) -> None:
    page.wait_for_selector(ready, timeout=90_000)
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(VIEWS))
def test_the_language_link_keeps_the_view(signed_in_page, live_server, name, lang):
    page = signed_in_page
    path, ready = VIEWS[name]
    page.goto(f"{live_server}{path}&lang={lang}")
    _settled(page, ready)
    before, drawn = _query(page.url), page.evaluate(DRAWN)
    assert drawn["fills"] or drawn["rows"], "nothing drawn"
    page.click("#shell-lang")
    other = "en" if lang == "zh" else "zh"
    page.wait_for_function(f"new URLSearchParams(location.search).get('lang') === '{other}'")
    _settled(page, ready)
    after = _query(page.url)
    screenshot(page, f"language-switch-{name}-{other}")
    assert urlparse(page.url).path == urlparse(path).path
    assert {k: v for k, v in after.items() if k != "lang"} == {
        k: v for k, v in before.items() if k != "lang"
    }
    for key, value in _query(path).items():  # the view asked for is still the view
        assert after.get(key) == value, (key, after)
    assert page.evaluate(DRAWN) == drawn
