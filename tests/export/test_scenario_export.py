"""A scenario's map and layer (``yipanqi export map|layer --scenario``, ``dashboard.export.scenario``):
the withheld counties and the values against an independent computation from the data contract
(``etl.export``: the exact county flows and coverage a steward gets, and the published coverage
flags), the side-by-side layer and bad input refused in one line, scope and audit."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import yipanqi.export_cli  # noqa: F401 - adds map and layer to the export group
from access import accounts, audit
from etl.export import export_coverage, export_flows
from etl.pipeline import ingest
from etl.scope import NATION
from etl.store import open_store
from tests.etl.helpers import TINY, random_records, write_csv
from tests.support import layer_cache
from yipanqi.cli import app as cli

KEY = "test-key-0123456789abcdef"
COUNTIES = ["310115", "310104", "320211", "330402", "360102", "440106", "410102", "110105"]
RARE = ["350102", "420102", "510104"]  # counties a record rarely names: their cells are small
THRESHOLD = 5
PASSWORD = "scenario export passphrase"
PERIOD = "2010-02"
SCENARIO = {
    "name": "导出 test",
    "period": PERIOD,
    "levers": [
        {"kind": "growth", "percent": 100, "side": "inflow", "areas": ["310000"]},
        {"kind": "coverage_push", "indicator": "cert_verified", "areas": ["310000"], "set_to": 99},
    ],
}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("scenario-export-store")
    url = f"sqlite:///{root / 'store.sqlite'}"
    rows = TINY + random_records(600, COUNTIES * 12 + RARE, ["2010-01", PERIOD], seed=7)
    ingest(
        [write_csv(root / "records.csv", rows)], url, root / "data", KEY, small_cell=THRESHOLD,
        workers=0,
    )  # fmt: skip
    engine = open_store(url)
    accounts.add_account(engine, "a.analyst", "analyst", "nation", password=PASSWORD)
    accounts.add_account(engine, "v.viewer", "viewer", "nation", password=PASSWORD)
    accounts.add_account(engine, "sh.analyst", "analyst", "province:310000", password=PASSWORD)
    engine.dispose()
    return url


@pytest.fixture(autouse=True)
def data_dir(monkeypatch):
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(layer_cache().root.parents[1]))


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "scenario.json"
    path.write_text(json.dumps(SCENARIO, ensure_ascii=False), encoding="utf-8")
    return path


def _export(store: str, out: Path, *args: str) -> CliRunner:
    result = CliRunner().invoke(
        cli, ["export", "layer", *args, "--store", store, "--out", str(out)]
    )
    return result


def _rows(path: Path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def _contract(store: str, tmp_path: Path, kind: str, exact: bool) -> pd.DataFrame:
    engine = open_store(store)
    try:
        out = tmp_path / f"{kind}-{exact}.csv"
        write = export_flows if kind == "flows" else export_coverage
        write(engine, out, scope=NATION, exact=exact)
    finally:
        engine.dispose()
    return pd.read_csv(out, dtype={"hukou_code": str, "residence_code": str, "county_code": str})


def test_inflow_difference_values_and_withheld_counties(store, scenario_file, tmp_path):
    out = tmp_path / "inflow.csv"
    result = _export(
        store, out, "--scenario", str(scenario_file), "--measure", "inflow", "--layer",
        "difference",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = {r["code"]: r for r in _rows(out)}
    # independently: a county's inflow is the persons of every flow into it (all cohorts'
    # "all" rows, the diagonal included), from the exact contract
    flows = _contract(store, tmp_path, "flows", exact=True)
    flows = flows[(flows["period"] == PERIOD) & (flows["cohort"] == "all")]
    inflow = flows.groupby("residence_code")["persons"].sum()
    small = {c for c, n in inflow.items() if 0 < n < THRESHOLD}
    assert small, "the store must hold small cells for the test to mean anything"
    hidden = {c for c, r in rows.items() if r["suppressed"] == "True"}
    assert small & set(rows) <= hidden
    # beyond the small inflows: the counties whose projections the scenario's totals.csv withholds
    # (a small outflow, a complement in a nest, a projection telling withheld flows apart)
    run = ["scenario", "run", str(scenario_file), "--out", str(tmp_path / "run"), "--store", store]
    files = CliRunner().invoke(cli, run)
    assert files.exit_code == 0, files.output
    with open(tmp_path / "run" / "totals.csv", encoding="utf-8", newline="") as f:
        totals = [r for r in csv.DictReader(f) if r["level"] == "county"]
    assert hidden == {r["unit_code"] for r in totals if r["inflow"] == ""} & set(rows)
    assert all(rows[c]["value"] == "" for c in hidden)
    checked = 0
    for code, r in rows.items():
        if code in hidden:
            continue
        expected = inflow.get(code, 0) if code.startswith("31") else 0  # +100% in 上海
        assert float(r["value"]) == expected, code
        checked += code.startswith("31") and expected > 0
    assert checked, "at least one 上海 county shown with its doubled inflow"
    assert {r["scenario"] for r in rows.values()} == {"导出 test"}
    meta = {
        (m["section"], m["key"]): m["value"] for m in _rows(out.with_name("inflow.metadata.csv"))
    }
    assert (
        meta[("scenario", "layer")] == "difference" and "growth" in meta[("scenario", "definition")]
    )


def test_a_rate_layer_withholds_what_the_overview_withholds(store, scenario_file, tmp_path):
    out = tmp_path / "rate.csv"
    result = _export(
        store, out, "--scenario", str(scenario_file), "--measure", "cert_verified", "--layer",
        "scenario", "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = {r["code"]: r for r in _rows(out)}
    exact = _contract(store, tmp_path, "coverage", exact=True)
    published = _contract(store, tmp_path, "coverage", exact=False)
    pick = lambda f: f[(f["period"] == PERIOD) & (f["indicator"] == "cert_verified")]  # noqa: E731
    exact, published = pick(exact), pick(published)
    small = set(
        exact.loc[(exact["denominator"] > 0) & (exact["denominator"] < THRESHOLD), "county_code"]
    )
    withheld = set(published.loc[published["suppressed"], "county_code"])
    hidden = {c for c, r in rows.items() if r["suppressed"] == "True"}
    assert small and small <= withheld
    assert hidden == withheld & set(rows)
    assert all(rows[c]["value"] == "" for c in hidden)
    # a shown 上海 county with a denominator is pushed to at least 99%
    shanghai = [
        float(r["value"]) for c, r in rows.items() if c.startswith("31") and r["value"] != ""
    ]
    assert shanghai and all(v >= 0.99 - 1e-9 for v in shanghai)


def test_scope_of_the_account_and_audit(store, scenario_file, tmp_path):
    out = tmp_path / "sh.csv"
    result = _export(
        store, out, "--scenario", str(scenario_file), "--measure", "inflow", "--as", "sh.analyst"
    )
    assert result.exit_code == 0, result.output
    codes = {r["code"] for r in _rows(out)}
    assert codes and all(c.startswith("31") for c in codes)
    engine = open_store(store)
    try:
        event = audit.list_events(engine, action="export.layer", username="sh.analyst")[0]
    finally:
        engine.dispose()
    assert "scenario=导出 test" in event.detail and "layer=difference" in event.detail


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--layer", "side"], "side-by-side view has no print or file export"),
        (["--measure", "net"], "unknown measure 'net'"),
        (["--compare", "nothing saved"], "No saved scenario named"),
        (["--as", "v.viewer"], "may not make this export"),
        (["--as", "nobody"], "no enabled account 'nobody'"),
    ],
)
def test_bad_input_is_one_line(store, scenario_file, tmp_path, args, words):
    out = tmp_path / "bad.csv"
    result = _export(store, out, "--scenario", str(scenario_file), *args)
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert not out.exists()


def test_an_unknown_saved_scenario_is_one_line(store, tmp_path):
    result = _export(store, tmp_path / "x.csv", "--scenario", "no such")
    assert result.exit_code == 2 and "no saved scenario named 'no such'" in result.output
    assert "Traceback" not in result.output


def test_a_scenario_outside_the_accounts_scope_is_refused(store, tmp_path):
    path = tmp_path / "js.json"
    path.write_text(
        json.dumps({**SCENARIO, "levers": [{**SCENARIO["levers"][0], "areas": ["320000"]}]}),
        encoding="utf-8",
    )
    result = _export(store, tmp_path / "x.csv", "--scenario", str(path), "--as", "sh.analyst")
    assert result.exit_code == 2 and "320000" in result.output, result.output


def test_footer_text_is_wrapped_to_the_page_and_cut_after_three_rows():
    from dashboard.export.map_figure import FOOTER_WIDTH, footer_lines

    def width(line: str) -> int:
        return sum(2 if ord(c) >= 0x2E80 else 1 for c in line)

    assert footer_lines("1. short") == ["1. short"] and footer_lines("") == []
    english = " ".join(f"word{i}" for i in range(80))  # 479 characters: three rows
    rows = footer_lines(english)
    assert len(rows) == 3 and " ".join(rows) == english  # broken at spaces, nothing lost
    assert all(width(r) <= FOOTER_WIDTH for r in rows)
    chinese = "流入泛长三角的人数增加 15%。" * 30
    rows = footer_lines(chinese)
    assert len(rows) == 3 and rows[-1].endswith("…")
    assert all(width(r) <= FOOTER_WIDTH for r in rows)
    assert not any(r.startswith(("。", "，")) for r in rows)  # no row begins with punctuation
    assert chinese.replace(" ", "").startswith("".join(rows)[:-1].replace(" ", ""))


def test_scenario_options_without_a_scenario_are_refused(store, tmp_path):
    result = _export(store, tmp_path / "x.csv", "--as", "someone")
    assert result.exit_code == 2 and "add --scenario NAME" in result.output
    # without --scenario, --compare is the overview's change map: an unknown span is refused
    result = _export(store, tmp_path / "x.csv", "--compare", "other")
    assert result.exit_code == 2 and "unknown period or incomplete year 'other'" in result.output
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    ("measure", "layer"), [("inflow", "difference"), ("cert_verified", "scenario")]
)
def test_the_print_figure_has_the_pages_classes_title_and_inset(store, measure, layer):
    from dashboard.data import scenarios as data
    from dashboard.export.scenario import ScenarioView, scenario_map_figure
    from dashboard.export.source import store_context
    from dashboard.i18n import language
    from dashboard.pages.scenarios.view import drawn_layer
    from planning.scenario import parse_scenario

    layers = layer_cache()
    text = data.canonical_json(parse_scenario(SCENARIO))
    figure = scenario_map_figure(layers, store, ScenarioView(text, measure, layer, "", "zh"))
    with store_context(layers, store), language("zh"):
        page = drawn_layer(data.result(text), measure, layer)
    words = " ".join(a.get("text", "") for a in figure["layout"]["annotations"])
    assert all(label in words for label in page.classes.labels), (page.classes.labels, words)
    assert "南海诸岛" in words and "“导出 test”" in words and "上海市" in words  # a lever in words
    assert "Data version" in words or "数据版本" in words
    shown = {
        c for t in figure["data"] if t.get("type") == "choropleth" for c in t.get("locations", [])
    }
    assert set(np.asarray(page.values.codes)[page.hidden]) <= shown
