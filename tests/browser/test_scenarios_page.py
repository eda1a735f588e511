"""The scenarios page in headless Chromium at 1366x768: build a scenario with the form (add levers
by kind, pick areas by search and on the map, type numbers), read it in words and as JSON, see a
problem in the page's language, run it, read the map's legend, keep every step in the URL across
the language switch; then save, reload by URL, compare and delete."""

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import parse_qs, urlparse

import pytest

from etl.scope import NATION
from etl.store import open_store
from planning.store import delete_scenario, list_scenarios
from tests.browser.conftest import screenshot
from tests.support import demo_store

pytestmark = pytest.mark.browser

SUMMARY = "#scenarios-summary table"
MAP = "#scenarios-map .choroplethlayer path"
LEVER = ".yp-scen-lever"
TEXT = {
    "zh": {"capacity": "服务能力", "growth": "流量增长", "unknown": "杠杆 1（流量增长）：未知地区代码 999999",
           "words": "流入泛长三角的人数增加 15%。", "region": "泛长三角",
           "bound": "变化幅度不能小于 -100（现为 -150）"},
    "en": {"capacity": "Service capacity", "growth": "Flow growth",
           "unknown": "Lever 1 (Flow growth): unknown area code 999999",
           "words": "Inflow into Pan-Yangtze-Delta rises by 15%.", "region": "Pan-Yangtze",
           "bound": "Change must be at least -100 (it is -150)"},
}  # fmt: skip


def _numbers(text: str) -> list[float]:
    return [float(cell.replace(",", "")) for cell in text.split("\t")[1:]]


def _query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def _scenario_json(page) -> dict:
    return json.loads(page.input_value("#scenarios-editor"))


def _wait_json(page, predicate: str) -> None:
    """Wait until the advanced view's JSON satisfies ``predicate`` (a JS expression on ``s``)."""
    page.wait_for_function(
        "(() => { try { const s = JSON.parse(document.querySelector('#scenarios-editor').value);"
        f" return {predicate}; }} catch (e) {{ return false; }} }})()",
        timeout=15_000,
    )


def _pick(page, dropdown, search: str, option: str) -> None:
    """Open ``dropdown``, type ``search`` into its search box, choose the option containing
    ``option``, close it."""
    dropdown.click()
    box = page.locator(".dash-dropdown-search")
    box.wait_for(timeout=15_000)
    box.fill(search)
    page.locator(f".dash-dropdown-option:has-text('{option}')").first.click(timeout=15_000)
    page.keyboard.press("Escape")
    box.wait_for(state="detached", timeout=15_000)


def _add(page, kind_label: str) -> None:
    before = page.locator(LEVER).count()
    page.click("#scenarios-add-kind")
    page.locator(f".dash-dropdown-option:has-text('{kind_label}')").first.click()
    page.click("#scenarios-add")
    page.wait_for_function(f"document.querySelectorAll('{LEVER}').length === {before + 1}", timeout=15_000)


def _legend(page) -> list[str]:
    return page.evaluate(
        "() => { const gd = document.querySelector('#scenarios-map .js-plotly-plot');"
        " return gd.data[0].colorbar.ticktext; }"
    )


def _apply_json(page, scenario: dict) -> None:
    if not page.is_visible("#scenarios-editor"):
        page.click(".yp-scen-advanced summary")
    page.fill("#scenarios-editor", json.dumps(scenario, ensure_ascii=False))
    page.click(".yp-scen-title")  # leaving the box applies it


def _a_large_county(page) -> tuple[float, float]:
    """The centre of the largest county drawn on the map (plotly finds the county under a click
    by its polygon; the one clicked is read from the JSON)."""
    page.locator("#scenarios-map").scroll_into_view_if_needed()
    return tuple(
        page.evaluate(
            """() => {
              const main = document.querySelector('#scenarios-map .choroplethlayer .trace');
              const paths = [...main.querySelectorAll('path.choroplethlocation')];
              const r = paths.map(p => p.getBoundingClientRect())
                  .sort((a, b) => b.width * b.height - a.width * a.height)[0];
              return [r.x + r.width / 2, r.y + r.height / 2];
            }"""
        )
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_build_a_scenario_with_the_form(browser, live_server, lang):
    from tests.browser.conftest import new_signed_in_context

    words = TEXT[lang]
    context = new_signed_in_context(browser, live_server, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    suffix = "&lang=en" if lang == "en" else ""
    page.goto(live_server + "/scenarios?measure=inflow" + suffix)
    page.wait_for_selector(SUMMARY, timeout=60_000)
    page.wait_for_selector(MAP, timeout=60_000)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # start from nothing: remove the example's levers
    while page.locator(LEVER).count():
        n = page.locator(LEVER).count()
        page.locator(f"{LEVER} button").first.click()
        page.wait_for_function(f"document.querySelectorAll('{LEVER}').length === {n - 1}", timeout=15_000)
    _wait_json(page, "s.levers.length === 0")

    # lever 1: inflow growth of 15% in the Pan-Yangtze-Delta
    _add(page, words["growth"])
    growth = page.locator(LEVER).nth(0)
    _pick(page, growth.locator(".yp-scen-areas"), "pan_yangtze", words["region"])
    growth.locator("input[type=number]").fill("-150")  # out of bounds: said in the card
    page.wait_for_function(
        f"document.querySelector('.yp-scen-lever-problems').innerText.includes('{words['bound']}')",
        timeout=15_000,
    )
    growth.locator("input[type=number]").fill("15")
    _wait_json(page, "s.levers[0].percent === 15 && s.levers[0].areas[0] === 'pan_yangtze'")
    page.wait_for_function("document.querySelector('.yp-scen-lever-problems').innerText === ''", timeout=15_000)

    # lever 2: two staff per county serving 100 persons each in Wuxi, found by its pinyin
    _add(page, words["capacity"])
    capacity = page.locator(LEVER).nth(1)
    _pick(page, capacity.locator(".yp-scen-areas"), "wuxi", "320200")
    numbers = capacity.locator("input[type=number]")
    numbers.nth(0).fill("2")
    numbers.nth(1).fill("100")
    _wait_json(page, "s.levers[1].staff === 2 && s.levers[1].persons_per_staff === 100")
    assert _scenario_json(page)["levers"] == [
        {"kind": "growth", "areas": ["pan_yangtze"], "side": "inflow", "percent": 15},
        {"kind": "capacity", "areas": ["320200"], "staff": 2, "persons_per_staff": 100},
    ]
    page.wait_for_function(
        f"document.querySelector('#scenarios-words').innerText.includes('{words['words']}')", timeout=15_000
    )

    # a county clicked on the map joins the target lever (the last added)
    x, y = _a_large_county(page)
    page.mouse.click(x, y)
    _wait_json(page, "s.levers[1].areas.length === 2")
    code = _scenario_json(page)["levers"][1]["areas"][1]
    assert re.fullmatch(r"\d{6}", code) and code != "320200"
    assert page.locator(f"{LEVER} >> nth=1").inner_text().count(code) == 1  # shown in the picker
    page.mouse.click(x, y)  # clicked again, it leaves
    _wait_json(page, "s.levers[1].areas.length === 1")

    # every step is in the URL, without saving
    page.wait_for_function(
        "new URLSearchParams(location.search).get('scenario') === "
        "JSON.stringify(JSON.parse(document.querySelector('#scenarios-editor').value))",
        timeout=15_000,
    )
    query = _query(page)
    assert query["measure"] == "inflow" and json.loads(query["scenario"]) == _scenario_json(page)
    page.locator("#scenarios-layer input[value=scenario]").check()
    page.wait_for_function("window.location.search.includes('layer=scenario')", timeout=15_000)
    page.locator("#scenarios-layer input[value=difference]").check()
    page.wait_for_function("window.location.search.includes('layer=difference')", timeout=15_000)

    # an unknown area code is reported in the page's language, naming the lever; the run refuses it
    scenario = _scenario_json(page)
    broken = json.loads(json.dumps(scenario))
    broken["levers"][0]["areas"].append("999999")
    _apply_json(page, broken)
    page.wait_for_function(
        f"document.querySelector('#scenarios-problems').innerText.includes('{words['unknown']}')",
        timeout=15_000,
    )
    assert "999999" in page.locator(f"{LEVER} .yp-scen-lever-problems").first.inner_text()  # and in its card
    screenshot(page, f"scenarios_problem_{lang}")
    page.click("#scenarios-run")
    page.wait_for_function("document.querySelector('#scenarios-status').innerText.includes('⚠')", timeout=15_000)
    _apply_json(page, scenario)
    page.wait_for_function("document.querySelector('#scenarios-problems').innerText === ''", timeout=15_000)

    # run: the table and the map's legend follow
    page.click("#scenarios-run")
    page.wait_for_function(
        f"document.querySelector('#scenarios-status').innerText.includes('{scenario['name']}')"
        " && document.querySelector('#scenarios-stale').innerText === ''",
        timeout=30_000,
    )
    before, after, *_ = _numbers(page.inner_text(f"{SUMMARY} tr[data-region=pan_yangtze]"))
    assert after == pytest.approx(before * 1.15, abs=1)
    page.wait_for_selector(MAP, timeout=30_000)
    legend = _legend(page)
    assert legend and len(set(legend)) == len(legend)
    for label in legend:
        bounds = label.split(" – ")
        assert len(bounds) == 1 or bounds[0] != bounds[1], label
        assert not re.search(r"\d\.\d", label), label  # whole persons
    page.wait_for_function("document.fonts.status === 'loaded'")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"scenarios_form_{lang}")
    page.screenshot(path=str(_shots() / f"scenarios_form_{lang}_full.png"), full_page=True)

    # the language switch keeps the view: measure, layer and the unsaved scenario
    page.click("#shell-lang")
    page.wait_for_selector(SUMMARY, timeout=60_000)
    query = _query(page)
    assert query["measure"] == "inflow" and query["layer"] == "difference"
    assert query.get("lang", "zh") != lang
    assert json.loads(query["scenario"]) == scenario
    assert _scenario_json(page) == scenario
    assert page.locator(LEVER).count() == 2
    context.close()


def _shots():
    from tests.support import TEST_OUTPUT

    folder = TEST_OUTPUT / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_save_reload_by_url_compare_and_delete(page, live_server):
    name = f"browser-{uuid.uuid4().hex[:8]}"
    scenario = {
        "name": name,
        "levers": [
            {"kind": "growth", "percent": 15, "side": "inflow", "areas": ["pan_yangtze"]},
            {"kind": "attractiveness", "factor": 1.5, "areas": ["320200"]},
        ],
    }
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(live_server + "/scenarios?lang=en&measure=inflow")
    page.wait_for_selector(SUMMARY, timeout=30_000)
    _apply_json(page, scenario)  # the advanced view's JSON redraws the form
    page.wait_for_function(
        f"document.querySelectorAll('{LEVER}[data-kind=attractiveness]').length === 1", timeout=15_000
    )
    assert page.input_value(f"{LEVER} input[type=number] >> nth=1") == "1.5"
    page.click("#scenarios-run")
    page.wait_for_function(
        f"document.querySelector('#scenarios-status').innerText.includes('{name}')", timeout=60_000
    )
    row = page.inner_text(f"{SUMMARY} tr[data-region=pan_yangtze]")
    model = page.inner_text("#scenarios-model")
    assert "flow model reproduces" in model and "within ±10%" in model
    assert "pseudo" not in model.split("\n")[0]
    page.wait_for_function("document.fonts.status === 'loaded'")
    screenshot(page, "scenarios_run_1920")

    page.click("#scenarios-save")
    page.wait_for_function(
        f"document.querySelector('#scenarios-save-status').innerText.includes('{name}')", timeout=30_000
    )
    assert f"name={name}" in page.url and "scenario=" not in page.url
    try:
        page.goto(page.url)
        page.wait_for_selector(SUMMARY, timeout=60_000)
        page.wait_for_selector(MAP, timeout=30_000)
        assert _scenario_json(page)["name"] == name
        assert page.inner_text(f"{SUMMARY} tr[data-region=pan_yangtze]") == row
        assert name in page.inner_text("#scenarios-saved")

        # compare the saved scenario with itself: the reference columns equal the scenario's
        page.goto(page.url + f"&compare={name}")
        page.wait_for_function(
            f"(document.querySelector('#scenarios-summary table') || {{innerText: ''}}).innerText.includes('“{name}”')",
            timeout=60_000,
        )
        same = _numbers(page.inner_text(f"{SUMMARY} tr[data-region=pan_yangtze]"))
        assert same[0] == same[1] and same[2] == same[3]
        page.wait_for_selector(MAP, timeout=30_000)
        assert _legend(page) == ["0 (no change)"]
        screenshot(page, "scenarios_compare")

        page.click("#scenarios-delete")
        page.wait_for_function(
            f"document.querySelector('#scenarios-save-status').innerText.includes('Deleted: {name}')",
            timeout=30_000,
        )
        assert name not in page.inner_text("#scenarios-saved")
        page.wait_for_function("window.location.search.includes('scenario=')", timeout=15_000)
        assert json.loads(_query(page)["scenario"])["name"] == name  # on screen, now unsaved
        assert "compare" not in _query(page)
    finally:
        engine = open_store(demo_store()[0])
        if name in {s.name for s in list_scenarios(engine, scope=NATION)}:
            delete_scenario(engine, name, scope=NATION)
        engine.dispose()
    assert page.foreign_requests == []
