"""Every export path of the store's data: 0 cells with 1..threshold-1 persons or denominator, no
margin group that gives a suppressed cell away, the exact contract for stewards only, and one
audit row per export (who, what, suppressed or exact, rows)."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from access.accounts import add_account
from access.audit import list_events, utcnow
from etl import marts
from etl.disclosure import lone_groups
from etl.export import COVERAGE_MARGINS, FLOW_MARGINS
from etl.scope import NATION
from etl.store import open_store
from yipanqi.cli import app


@pytest.fixture
def store(store_and_layers, tmp_path, monkeypatch):
    """A copy of the demo store (accounts are added to it) with a steward and an analyst."""
    url, layers = store_and_layers
    path = tmp_path / "store.sqlite"
    shutil.copy(url.removeprefix("sqlite:///"), path)
    copy = f"sqlite:///{path}"
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(layers.root.parents[1]))
    engine = open_store(copy)
    add_account(engine, "stew", "steward", "nation", password="a-long-pass-phrase-1")
    add_account(engine, "ana", "analyst", "nation", password="a-long-pass-phrase-2")
    yield copy, engine, utcnow()  # audit rows of this test: since then (the copy holds others)
    engine.dispose()


def _export(store_url: str, kind: str, out, *extra: str):
    return CliRunner().invoke(app, ["export", kind, "--store", store_url, "--out", str(out), *extra])


def _small(counts: pd.Series, threshold: int) -> int:
    """Cells written with 1..threshold-1 (blank cells are NaN and do not count)."""
    return int(((counts >= 1) & (counts < threshold)).sum())


def test_cli_flows_and_coverage_are_suppressed_with_their_margins(store, tmp_path):
    url, engine, since = store
    threshold = marts.small_cell_threshold(engine, scope=NATION)
    assert _export(url, "flows", tmp_path / "f.csv").exit_code == 0
    assert _export(url, "coverage", tmp_path / "c.csv").exit_code == 0
    flows = pd.read_csv(tmp_path / "f.csv", dtype={"hukou_code": str, "residence_code": str})
    coverage = pd.read_csv(tmp_path / "c.csv", dtype={"county_code": str})
    assert _small(flows["persons"], threshold) == 0
    assert _small(coverage["denominator"], threshold) == 0
    assert (flows["persons"].isna() == flows["suppressed"]).all()

    exact = marts.read_flows(engine, cohort=None, scope=NATION)  # the true counts, for the check
    merged = flows.merge(
        exact.rename(columns={"origin_code": "hukou_code", "destination_code": "residence_code"}),
        on=["period", "hukou_code", "residence_code", "cohort"], suffixes=("", "_true"),
    )  # fmt: skip
    assert len(merged) == len(flows)
    merged = merged.rename(columns={"hukou_code": "origin_code", "residence_code": "destination_code"})
    primary = merged["persons_true"] < threshold
    assert primary.any() and (merged["suppressed"] >= primary).all()
    published = ~merged["suppressed"]
    assert (merged.loc[published, "persons"] == merged.loc[published, "persons_true"]).all()
    true = merged.assign(persons=merged["persons_true"])
    assert lone_groups(true, merged["suppressed"].to_numpy(), FLOW_MARGINS) == 0

    units = marts.read_units(engine, scope=NATION).set_index("county_code")
    cov_true = pd.concat(list(marts.stream_coverage(engine, scope=NATION)))
    cov = coverage.merge(
        cov_true.rename(columns={"unit_code": "county_code"}),
        on=["period", "county_code", "side", "indicator"], suffixes=("", "_true"),
    ).join(units[["prefecture_code", "province_code"]], on="county_code")  # fmt: skip
    cov = cov.assign(denominator=cov["denominator_true"])
    primary = (cov["denominator"] < threshold).to_numpy()
    assert lone_groups(cov, primary, COVERAGE_MARGINS) > 0  # what primary alone would leak
    assert lone_groups(cov, cov["suppressed"].to_numpy(), COVERAGE_MARGINS) == 0

    events = list_events(engine, action="export.", since=since)
    assert [e.action for e in events] == ["export.coverage", "export.flows"]
    assert events[1].rows == len(flows) and events[1].exact is False
    assert events[1].username.startswith("os:") and "os_user=" in events[1].detail


def test_exact_needs_a_steward_named_with_as(store, tmp_path):
    url, engine, since = store
    out = tmp_path / "exact.csv"
    refused = _export(url, "flows", out, "--exact")
    assert refused.exit_code == 2 and "--as" in refused.output and not out.exists()
    analyst = _export(url, "flows", out, "--exact", "--as", "ana")
    assert analyst.exit_code == 2 and "may not" in analyst.output and not out.exists()
    assert _export(url, "flows", out, "--exact", "--as", "nobody").exit_code == 2
    done = _export(url, "coverage", out, "--exact", "--as", "stew")
    assert done.exit_code == 0, done.output
    data = pd.read_csv(out)
    assert not data["suppressed"].any() and data["denominator"].notna().all()
    threshold = marts.small_cell_threshold(engine, scope=NATION)
    assert _small(data["denominator"], threshold) > 0  # the small cells are there, exactly
    (event,) = list_events(engine, action="export.coverage", since=since)
    assert event.username == "stew" and event.exact is True and event.rows == len(data)
    assert event.scope == "nation" and "os_user=" in event.detail


def test_layer_exports_suppress_and_are_audited(store, tmp_path):
    url, engine, since = store
    threshold = marts.small_cell_threshold(engine, scope=NATION)
    out = tmp_path / "county.csv"
    result = _export(url, "layer", out, "--level", "county", "--measure", "health_check")
    assert result.exit_code == 0, result.output
    layer = pd.read_csv(out, encoding="utf-8-sig")
    assert _small(layer["denominator"], threshold) == 0 and layer["suppressed"].any()
    flows = tmp_path / "flows.xlsx"
    result = _export(url, "layer", flows, "--flows", "long", "--level", "county")
    assert result.exit_code == 0, result.output
    sheet = pd.read_excel(flows, sheet_name=0)
    assert _small(sheet["persons"], threshold) == 0 and sheet["suppressed"].any()
    kinds = [e.action for e in list_events(engine, action="export.", since=since)]
    assert kinds == ["export.flows", "export.layer"]


def test_scenario_map_hovers_say_suppressed():
    from dashboard.classify import quantile_classes
    from dashboard.figures.scenario_map import scenario_map

    values = np.array([3.0, 250.0])
    figure = scenario_map(
        ["110101", "110102"], ["东城区", "西城区"], values, quantile_classes(values), "persons",
        suppressed=np.array([True, False]), suppressed_label="Suppressed (small cell)",
        geojson_url="/g/county.json", outside_codes=[], outside_label="outside", no_data_label="no data",
        province_geojson_url="/g/province.json", province_codes=[], maritime=([], []), title="t",
        legend_title="persons",
    )  # fmt: skip
    hovers = [str(h) for trace in figure["data"] for h in (trace.get("hovertext") or trace.get("text") or [])]
    assert any("Suppressed" in h and "110101" in h for h in hovers)
    assert not any("3.00" in h for h in hovers)
