"""One rate, one reading (issue 11, point 3): a pilot's coverage rate reads the same on its
drill-down page and on its slide in presentation mode, in both languages, and both equal the rate
worked out here from the exported layer's numerator and denominator (``yipanqi export layer``)
with the display rule written out independently: one decimal, and a rate short of its target
never shown as the target."""

from __future__ import annotations

import csv
import math

import pytest
from typer.testing import CliRunner

import yipanqi.export_cli  # noqa: F401 - adds map and layer to the export group
from dashboard.story import storage
from etl import marts
from etl.scope import NATION
from etl.store import open_store
from tests.browser.conftest import recorded_page, screenshot
from tests.support import demo_store, layer_cache
from yipanqi.cli import app as cli

pytestmark = pytest.mark.browser

DECK = "pan_yangtze"  # its pilot slides show each pilot's indicator table
PILOT = "310115"  # 浦东新区
NAMES = {"zh": "婚育证明验证率", "en": "Certificate verification rate"}
TARGET = 98.0  # per cent: the 2012 target of cert_verified (seeds; the slide's target column)


def expected_rate(numerator: float, denominator: float, target: float) -> str:
    value = 100.0 * numerator / denominator
    shown = math.floor(value * 10 + 0.5) / 10  # half up, one decimal
    if value < target <= shown:  # short of the target: never shown as reaching it
        shown = math.floor(value * 10) / 10
    return f"{shown:.1f}%"


def exported_rate(tmp_path, monkeypatch, period: str) -> str:
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(layer_cache().root.parents[1]))
    out = tmp_path / "layer.csv"
    args = ["export", "layer", "--measure", "cert_verified", "--level", "county", "--period",
            period, "--store", demo_store()[0], "--out", str(out)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8-sig", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["code"] == PILOT)
    assert row["suppressed"] == "False", "the pilot's rate must be shown for the test to mean anything"
    return expected_rate(float(row["numerator"]), float(row["denominator"]), TARGET)


def pilot_slide() -> int:
    engine = open_store(demo_store()[0])
    try:
        slides = storage.load_storyboard(engine, DECK, scope=NATION).slides
        periods = marts.periods(engine, scope=NATION)
    finally:
        engine.dispose()
    number = next(i for i, s in enumerate(slides, 1) if s.view.area == PILOT)
    assert slides[number - 1].view.period in ("", periods[-1])  # the latest period, as the page
    return number


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_pilots_rate_reads_the_same_on_its_page_its_slide_and_its_export(
    browser, live_server, tmp_path, monkeypatch, lang
):
    engine = open_store(demo_store()[0])
    latest = marts.periods(engine, scope=NATION)[-1]
    engine.dispose()
    expected = exported_rate(tmp_path, monkeypatch, latest)

    page = recorded_page(browser, live_server, 1366, 768)
    try:
        page.goto(f"{live_server}/area/{PILOT}?lang={lang}")
        cell = page.locator("tr[data-indicator=cert_verified] td:nth-child(3)")
        cell.wait_for(timeout=30_000)
        on_page = cell.inner_text()

        deck = f"{live_server}/present/{DECK}?lang={lang}"
        page.goto(deck)  # a first visit saves the default decks
        page.wait_for_selector("#present-map .js-plotly-plot[data-painted]", timeout=30_000)
        page.goto(f"{deck}&slide={pilot_slide()}")
        page.wait_for_selector("#present-map .js-plotly-plot[data-painted]", timeout=30_000)
        row = page.locator(f".yp-slide-table tr:has(td:text-is('{NAMES[lang]}'))")
        on_slide = row.locator("td").nth(1).inner_text()
        screenshot(page, f"same-rate-slide-{lang}")
        assert page.foreign_requests == []
    finally:
        page.context.close()
    assert on_page == on_slide == expected, (on_page, on_slide, expected)
