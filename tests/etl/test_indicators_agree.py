"""Every place that shows an indicator's rate agrees with etl.indicators on the same store.

On the session's demo store, the reference is computed here from the raw ``coverage`` table (SQL
written in the test, the geodata hierarchy for provinces, exact fractions for the target rules).
Then, per province and nationally, the rate, the gap in people and "at target" shown by the
overview's map values and headlines, the drill-down's coverage, the scenario engine's baseline,
the slide narrative and the data export of a layer (CSV, XLSX, GeoJSON, GeoPackage: one table)
must be the same.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.data import area, geo, overview
from dashboard.export.source import MapView, read_lineage, store_context
from dashboard.export.tables import layer_table
from dashboard.story.model import View
from dashboard.story.narrative import figures
from etl.indicators import INDICATORS
from etl.scope import NATION
from planning.model import load_baseline
from planning.scenario import Scenario, run_scenario
from tests.etl.helpers import file_target
from tests.support import DEMO_PERIODS, demo_store, layer_cache

PERIOD = DEMO_PERIODS[-1]
PROVINCES = ("310000", "320000", "440000", "620000")


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    """``province_code, indicator, numerator, denominator, rate, gap, at_target`` by hand."""
    engine = sa.create_engine(demo_store()[0])
    with engine.connect() as conn:
        rows = pd.read_sql_query(
            sa.text("select county_code, side, indicator, numerator, denominator from coverage "
                    "where period = :p"), conn, params={"p": PERIOD},
        )  # fmt: skip
    engine.dispose()
    province = geo.hierarchy().set_index("county_code")["province_code"]
    rows["province_code"] = rows["county_code"].map(province)
    national = rows.assign(province_code="nation")
    sums = (
        pd.concat([rows, national])
        .groupby(["province_code", "indicator"], as_index=False)[["numerator", "denominator"]]
        .sum()
    )
    goal = [file_target(f, PERIOD) * int(d) for f, d in zip(sums["indicator"], sums["denominator"], strict=True)]
    sums["rate"] = [n / d if d else float("nan") for n, d in zip(sums["numerator"], sums["denominator"], strict=True)]
    sums["gap"] = [max(0, math.ceil(g) - int(n)) for g, n in zip(goal, sums["numerator"], strict=True)]
    sums["at_target"] = [
        bool(d) and n >= g for n, d, g in zip(sums["numerator"], sums["denominator"], goal, strict=True)
    ]
    return sums.set_index(["province_code", "indicator"])


@pytest.fixture(scope="module")
def context():
    url, _ = demo_store()
    with store_context(layer_cache(), url) as ctx:
        yield ctx


def _same(shown: float, expected: float) -> bool:
    return (math.isnan(shown) and math.isnan(expected)) or shown == pytest.approx(expected, rel=1e-12)


def test_overview_map_and_headlines(context, reference):
    for indicator in INDICATORS:
        values = overview.measure_values(indicator.flag, "province", PERIOD)
        shown = dict(zip(values.codes, values.value, strict=True))
        for code in PROVINCES:
            assert _same(shown[code], reference.loc[(code, indicator.flag), "rate"]), code
    _, rows = overview.headlines(PERIOD)
    for row in rows:
        expected = reference.loc[("nation", row.flag)]
        assert _same(row.rate, expected["rate"])
        assert (row.gap_people, row.at_target) == (expected["gap"], expected["at_target"])


def test_drill_down_coverage(context, reference):
    for code in PROVINCES:
        shown = area.coverage(area.find_area(code), PERIOD).set_index("indicator")
        for flag, row in shown.iterrows():
            expected = reference.loc[(code, flag)]
            assert _same(row["rate"], expected["rate"])
            assert (row["gap"], row["at_target"]) == (expected["gap"], expected["at_target"])


def test_scenario_baseline(context, reference):
    result = run_scenario(load_baseline(context.engine, PERIOD, scope=NATION), Scenario("none"))
    shown = result.coverage_at("province").set_index(["province_code", "indicator"])
    for code in PROVINCES:
        for indicator in INDICATORS:
            row = shown.loc[(code, indicator.flag)]
            expected = reference.loc[(code, indicator.flag), "rate"]
            assert _same(row["baseline_rate"], expected) and _same(row["rate"], expected)


def test_slide_narrative(context, reference):
    for code in PROVINCES:
        fig = figures(context.engine, View(page="area", area=code, period=PERIOD), geo.regions(),
                      scope=NATION)  # fmt: skip
        for row in fig.indicators:
            expected = reference.loc[(code, row.flag)]
            assert _same(row.rate, expected["rate"])
            assert (row.gap_people, row.at_target) == (expected["gap"], expected["at_target"])


def test_data_export_of_a_layer(context, reference):
    lineage = read_lineage(context)
    for indicator in INDICATORS:
        table = layer_table(MapView(indicator.flag, "province", PERIOD), lineage).data
        table = table[~table["suppressed"] & table["code"].isin(PROVINCES)]
        for code, value in zip(table["code"], table["value"], strict=True):
            assert _same(float(value), reference.loc[(code, indicator.flag), "rate"])
