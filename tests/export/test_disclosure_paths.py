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
from etl.export import FLOW_MARGINS
from etl.marts.linked_flows import read_linked_flows
from etl.records import COHORTS
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
    # withheld as the flows page withholds them: linked with every level's flows of the period
    keys = ["period", "origin_code", "destination_code", "cohort"]
    page = pd.concat(
        [
            read_linked_flows(engine, period, cohort, scope=NATION)["county"].assign(
                period=period, cohort=cohort
            )
            for period in sorted(set(merged["period"]))
            for cohort in COHORTS
        ]
    )
    both = merged.merge(page, on=keys, suffixes=("", "_page"), validate="1:1")
    assert len(both) == len(merged) and (both["suppressed"] == both["small_cell_page"]).all()

    # coverage: withheld exactly as the pages withhold (tests/export/test_published_store.py
    # checks that rule against every sum); primary alone would have left cells to subtract
    pages = marts.read_published_coverage(engine, scope=NATION)
    pages = pages[pages["level"] == "county"].rename(columns={"unit_code": "county_code"})
    cov = coverage.merge(pages, on=["period", "county_code", "side", "indicator"],
                         suffixes=("", "_pages"))  # fmt: skip
    assert len(cov) == len(coverage) == len(pages)
    assert (cov["suppressed"] == cov["suppressed_pages"]).all()
    assert (cov["suppressed"] & ~cov["small_cell"]).any()  # secondary cells exist
    assert (cov["denominator"].isna() == cov["suppressed"]).all()

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


def _lone_nests(table: pd.DataFrame, count: str, by: list[str], units, members) -> int:
    """Groups of a multi-level table (a parent's row and its units' rows at one level below it)
    with exactly one withheld row above 0 beside a published row above 0; ``count`` holds the
    true counts. Computed here from the unit tree, not by etl.disclosure."""
    from etl.marts import OTHER_REGION
    from planning.scenario import LEVELS

    tree = units.merge(members, on="province_code", how="left")
    tree["region_code"] = tree["region_code"].fillna(OTHER_REGION)
    n = 0
    for i, child in enumerate(LEVELS):
        for parent in LEVELS[i + 1 :]:
            links = tree[[f"{child}_code", f"{parent}_code"]].drop_duplicates()
            links.columns = ["unit_code", "parent"]
            kids = table[table["level"] == child].merge(links, on="unit_code")
            heads = table[table["level"] == parent].assign(parent=lambda d: d["unit_code"])
            both = pd.concat([kids, heads], ignore_index=True)
            both = both.assign(
                h=both["suppressed"] & (both[count] > 0), p=~both["suppressed"] & (both[count] > 0)
            )
            sums = both.groupby([*by, "parent"])[["h", "p"]].sum()
            n += int(((sums["h"] == 1) & (sums["p"] > 0)).sum())
    return n


def test_scenario_run_files_are_suppressed_with_their_margins(store, tmp_path):
    import json

    from etl.disclosure import flow_margins
    from planning.model import load_baseline
    from planning.scenario import LEVELS, Scenario, run_scenario

    url, engine, since = store
    threshold = marts.small_cell_threshold(engine, scope=NATION)
    spec = tmp_path / "zero.json"
    spec.write_text(json.dumps({"name": "zero", "levers": []}), encoding="utf-8")
    out = tmp_path / "run"
    done = CliRunner().invoke(app, ["scenario", "run", str(spec), "--store", url, "--out", str(out)])
    assert done.exit_code == 0, done.output
    codes = {c: str for c in ("origin_code", "destination_code", "county_code", "unit_code")}
    read = {name: pd.read_csv(out / f"{name}.csv", dtype=codes) for name in ("flows", "coverage", "gaps", "totals")}
    for name, columns in {
        "flows": ["baseline_persons", "persons"], "coverage": ["denominator"],
        "gaps": ["baseline_denominator", "denominator"],
        "totals": ["baseline_inflow", "baseline_outflow", "inflow", "outflow"],
    }.items():  # fmt: skip
        assert all(_small(read[name][c], threshold) == 0 for c in columns), name
    # the true counts, for the margin checks (a scenario without levers: projected = baseline)
    baseline = load_baseline(engine, scope=NATION)
    result = run_scenario(baseline, Scenario("zero"))
    flows = read["flows"].drop(columns=["baseline_persons"]).merge(
        result.flows[["origin_code", "destination_code", "baseline_persons"]],
        on=["origin_code", "destination_code"],
    )  # fmt: skip
    assert len(flows) == len(read["flows"]) and flows["suppressed"].any()
    margins = flow_margins(("period",), count="baseline_persons", within=None)
    assert lone_groups(flows, flows["suppressed"].to_numpy(), margins) == 0

    def true(at, level):
        return at(level).rename(columns={f"{level}_code": "unit_code"}).assign(level=level)

    gaps = read["gaps"][["level", "unit_code", "side", "indicator", "suppressed"]].merge(
        pd.concat([true(result.coverage_at, lv) for lv in LEVELS]),
        on=["level", "unit_code", "side", "indicator"],
    )  # fmt: skip
    assert len(gaps) == len(read["gaps"])
    small = gaps.assign(suppressed=gaps["baseline_denominator"] < threshold)
    by = ["side", "indicator"]
    assert _lone_nests(small, "baseline_denominator", by, baseline.units, baseline.region_members) > 0
    assert _lone_nests(gaps, "baseline_denominator", by, baseline.units, baseline.region_members) == 0
    county = gaps[gaps["level"] == "county"].set_index(["unit_code", "side", "indicator"])["suppressed"]
    coverage = read["coverage"].set_index(["county_code", "side", "indicator"])["suppressed"]
    assert coverage.equals(county.reindex(coverage.index))  # the same county rows withheld

    totals = read["totals"][["level", "unit_code", "suppressed"]].merge(
        pd.concat([true(result.totals_at, lv) for lv in LEVELS]), on=["level", "unit_code"]
    )
    assert len(totals) == len(read["totals"])
    for count in ("baseline_inflow", "baseline_outflow"):
        assert _lone_nests(totals, count, [], baseline.units, baseline.region_members) == 0

    (event,) = list_events(engine, action="export.", since=since)
    assert event.action == "export.scenario_run" and event.object == "run"
    assert event.rows == sum(len(t) for t in read.values()) and not event.exact
    assert "scenario=zero" in event.detail and "os_user=" in event.detail
