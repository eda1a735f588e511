"""The scenarios page in headless Chromium: set levers, run, save, reload by URL, same numbers."""

from __future__ import annotations

import json
import uuid

import pytest

from etl.scope import NATION
from etl.store import open_store
from planning.store import delete_scenario, list_scenarios
from tests.browser.conftest import screenshot
from tests.support import demo_store

pytestmark = pytest.mark.browser

SUMMARY = "#scenarios-summary table"
MAP = "#scenarios-map .choroplethlayer path"


def _numbers(text: str) -> list[float]:
    return [float(cell.replace(",", "")) for cell in text.split("\t")[1:]]


def test_set_levers_save_and_reload_by_url(page, live_server):
    name = f"browser-{uuid.uuid4().hex[:8]}"
    scenario = {
        "name": name,
        "levers": [
            {"kind": "growth", "percent": 15, "side": "inflow", "areas": ["pan_yangtze"]},
            {"kind": "capacity", "areas": ["320200"], "staff": 2, "persons_per_staff": 100},
        ],
    }
    page.goto(live_server + "/scenarios")  # Chinese by default, the example scenario
    page.wait_for_selector(SUMMARY, timeout=30_000)
    page.wait_for_selector(MAP, timeout=30_000)
    assert "泛长三角" in page.inner_text(SUMMARY)
    page.wait_for_function("document.fonts.status === 'loaded'")
    screenshot(page, "scenarios_zh")

    page.goto(live_server + "/scenarios?lang=en&measure=inflow")
    page.wait_for_selector(SUMMARY, timeout=30_000)
    page.wait_for_selector(MAP, timeout=30_000)
    page.fill("#scenarios-editor", json.dumps(scenario))
    page.click("#scenarios-run")
    page.wait_for_function(
        f"document.querySelector('#scenarios-status').innerText.includes('{name}')", timeout=30_000
    )
    row = page.inner_text(f"{SUMMARY} tr[data-region=pan_yangtze]")
    before, after, *_ = _numbers(row)
    assert after == pytest.approx(before * 1.15, abs=1)
    screenshot(page, "scenarios_run")

    page.click("#scenarios-save")
    page.wait_for_function(
        f"document.querySelector('#scenarios-save-status').innerText.includes('{name}')", timeout=30_000
    )
    assert f"name={name}" in page.url
    try:
        page.goto(page.url)
        page.wait_for_selector(SUMMARY, timeout=30_000)
        page.wait_for_selector(MAP, timeout=30_000)
        assert json.loads(page.input_value("#scenarios-editor"))["name"] == name
        assert page.inner_text(f"{SUMMARY} tr[data-region=pan_yangtze]") == row
        assert name in page.inner_text("#scenarios-saved")
        page.wait_for_function("document.fonts.status === 'loaded'")
        screenshot(page, "scenarios_reloaded")

        # compare the saved scenario with itself: every difference is zero, the reference columns
        # equal the scenario's
        page.goto(page.url + f"&compare={name}")
        page.wait_for_function(
            f"(document.querySelector('#scenarios-summary table') || {{innerText: ''}}).innerText.includes('“{name}”')",
            timeout=30_000,
        )
        same = _numbers(page.inner_text(f"{SUMMARY} tr[data-region=pan_yangtze]"))
        assert same[0] == same[1] and same[2] == same[3]
        page.wait_for_selector(MAP, timeout=30_000)
        screenshot(page, "scenarios_compare")

        page.click("#scenarios-delete")
        page.wait_for_function(
            f"document.querySelector('#scenarios-save-status').innerText.includes('Deleted: {name}')",
            timeout=30_000,
        )
        assert name not in page.inner_text("#scenarios-saved")
        assert f"name={name}" not in page.url
    finally:
        engine = open_store(demo_store()[0])
        if name in {s.name for s in list_scenarios(engine, scope=NATION)}:
            delete_scenario(engine, name, scope=NATION)
        engine.dispose()
    assert page.foreign_requests == []
