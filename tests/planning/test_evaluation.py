"""Pilot evaluation (``planning.evaluation``) on generated data with a known, injected effect.

Fixture: records of the 2010 census of 上海, 江苏, 浙江, 安徽 (fraction 2e-4, seed 7, every month
2009-01..2012-12), where the generator adds ``pilot_effect`` = 1.0 on the logit scale to the pilot
counties' rates from the pilots' start, 2010-01 (``synthetic.generate``). The same call with
``pilot_effect`` = 0 gives each pilot person's flags without the pilot (every other draw is the
same): the counterfactual.

The truth is computed here from the records, independently of the evaluation code:

- *realised effect*: over the pilot's counties and the months from the start, the persons of the
  indicator's denominator whose flag is 1 with the pilot and 0 without it, minus the reverse, per
  person of the denominator;
- *expected effect*: the logit shift converted to a rate difference per county-month,
  ``expit(logit(p0) + 1.0) - p0`` with ``p0`` the counterfactual rate, weighted by the
  denominator (the estimate's own weighting).

Indicator: ``policy_aware`` (persons 18+, the largest denominator, so the test has power).
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from etl.pipeline import ingest
from etl.scope import NATION, Scope
from etl.store import open_store
from geodata.regions import Pilot
from planning.evaluation import EvaluationError, evaluate_pilot
from synthetic import generate as gen

PROVINCES = ("310000", "320000", "330000", "340000")
OPTIONS = dict(fraction=2e-4, seed=7)
INDICATOR = "policy_aware"
PILOTS = ("310115", "320200", "330400")
WUXI = Pilot("320200", "江苏省无锡市", "Wuxi", "2010-01")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """(store URL, records with the pilots, records without them)."""
    root = tmp_path_factory.mktemp("evaluation")
    inputs = gen.province_inputs(2010, PROVINCES)

    def rows(effect: float) -> pd.DataFrame:
        options = gen.GenerateOptions(**OPTIONS, flags=gen.FlagModel(pilot_effect=effect))
        return pa.concat_tables([b.table for b in gen.record_batches(inputs, options)]).to_pandas()

    records = root / "records.parquet"
    gen.write_records(inputs, gen.GenerateOptions(**OPTIONS), gen.OutputSpec(records))
    url = f"sqlite:///{root / 'store.sqlite'}"
    ingest([records], url, root / "data", demo=True, workers=0)
    return url, rows(1.0), rows(0.0)


@pytest.fixture(scope="module")
def engine(generated):
    engine = open_store(generated[0])
    yield engine
    engine.dispose()


def adults(rows: pd.DataFrame) -> pd.Series:
    """Persons aged 18 or more on the first day of the period (the denominator of policy_aware)."""
    birth = pd.to_datetime(rows["birth_date"])
    year = rows["period"].str[:4].astype(int)
    month = rows["period"].str[5:7].astype(int)
    before = (month < birth.dt.month) | ((month == birth.dt.month) & (birth.dt.day > 1))
    return (year - birth.dt.year - before.astype(int)) >= 18


def truth(with_pilot: pd.DataFrame, without: pd.DataFrame, counties) -> tuple[float, float]:
    """(realised, expected) effect of the pilot on its ``counties`` from 2010-01 (see above)."""
    assert with_pilot[["person_id", "period"]].equals(without[["person_id", "period"]])
    chosen = (
        adults(with_pilot)
        & with_pilot["residence_code"].isin(list(counties))
        & (with_pilot["period"] >= "2010-01")
    )
    served = with_pilot.loc[chosen, INDICATOR].astype(int)
    unserved = without.loc[chosen, INDICATOR].astype(int)
    realised = float((served - unserved).mean())
    cells = pd.DataFrame({
        "county": with_pilot.loc[chosen, "residence_code"],
        "period": with_pilot.loc[chosen, "period"],
        "flag": unserved,
    }).groupby(["county", "period"])["flag"].agg(["mean", "size"])  # fmt: skip
    p0 = cells["mean"].clip(1e-9, 1 - 1e-9)
    shifted = 1 / (1 + np.exp(-(np.log(p0 / (1 - p0)) + 1.0)))
    expected = float(np.average(shifted - p0, weights=cells["size"]))
    return realised, expected


def test_recovers_the_injected_effect_within_its_interval(engine, generated):
    _, with_pilot, without = generated
    result = evaluate_pilot(
        engine, WUXI, scope=NATION, indicator=INDICATOR, other_pilots=["310115", "330400"]
    )
    assert set(result.treated) <= {c for c in with_pilot["residence_code"] if c.startswith("3202")}
    assert len(result.treated) >= 5 and result.interval_kind == "cluster"
    assert len(result.controls) >= 20 and not set(result.controls) & set(result.treated)
    realised, expected = truth(with_pilot, without, result.treated)
    assert 0.05 < realised < 0.25 and abs(expected - realised) < 0.02  # the conversion holds
    assert result.ci_low < realised < result.ci_high
    assert result.ci_low < expected < result.ci_high
    assert result.ci_low > 0 and result.verdict == "effect"  # and it is told from chance
    assert result.ci_high - result.ci_low < 0.25
    assert result.pre_periods[0] == "2009-01" and result.post_periods[0] == "2010-01"
    # event study: the reference bin is 0, the bins after the start carry the effect
    event = result.event.set_index("bin")
    assert event.loc[-1, "coefficient"] == 0 and event.loc[-1, "first_month"] == "2009-10"
    assert (event.loc[0:, "coefficient"] > 0).all()
    assert result.pre_trend_p is not None and result.pre_trend_ok  # no trend before the start


def test_reports_no_effect_for_a_county_with_none_given_a_fake_start(engine, generated):
    _, with_pilot, without = generated
    county = "320106"  # 南京市鼓楼区: no pilot, so no effect at any date
    assert with_pilot.loc[with_pilot["residence_code"] == county, INDICATOR].equals(
        without.loc[without["residence_code"] == county, INDICATOR]
    )
    fake = Pilot(county, "鼓楼区", "Gulou", "2010-07")
    result = evaluate_pilot(engine, fake, scope=NATION, indicator=INDICATOR, other_pilots=PILOTS)
    assert result.treated == (county,)
    # one treated county: the placebo interval, from enough comparison counties
    assert result.interval_kind == "placebo" and result.placebo_runs >= 19
    low, high = result.interval
    assert low < 0 < high and result.verdict == "no effect"


def test_comparisons_leave_out_pilots_their_prefecture_and_neighbours(engine):
    neighbours = {"320281", "320505"}  # stand-ins: any codes given as neighbours are left out
    result = evaluate_pilot(
        engine, WUXI, scope=NATION, indicator=INDICATOR, other_pilots=["310115", "330400"],
        neighbours=neighbours, placebo=False,
    )  # fmt: skip
    assert not any(c.startswith(("3202", "3304")) or c == "310115" for c in result.controls)
    assert "320505" not in result.controls
    assert result.placebo_p is None and result.interval_kind == "cluster"
    table = result.comparisons
    assert set(table.loc[table["role"] == "comparison", "county_code"]) == set(result.controls)
    assert table["times_matched"].sum() == len(result.treated) * 5  # k = 5 each
    # the groups' monthly rates are persons-weighted sums of the panel
    groups = result.groups.set_index(["period", "group"])
    assert groups.loc[("2009-01", "pilot"), "rate"] == pytest.approx(
        groups.loc[("2009-01", "pilot"), "numerator"] / groups.loc[("2009-01", "pilot"), "denominator"]
    )


def test_the_scope_limits_the_comparisons_and_hides_other_pilots(engine):
    jiangsu = Scope("province", "320000")
    result = evaluate_pilot(engine, WUXI, scope=jiangsu, indicator=INDICATOR, placebo=False)
    assert all(c.startswith("32") for c in result.controls + result.treated)
    with pytest.raises(EvaluationError, match="no county inside the scope province:330000"):
        evaluate_pilot(engine, WUXI, scope=Scope("province", "330000"), indicator=INDICATOR)
    late = Pilot("320200", "无锡", "Wuxi", "2009-02")
    with pytest.raises(EvaluationError, match="needs at least 2 before"):
        evaluate_pilot(engine, late, scope=NATION, indicator=INDICATOR)


def test_cli_prints_the_verdict_and_writes_the_export_with_an_audit_row(
    generated, tmp_path, monkeypatch
):
    from access.audit import list_events
    from tests.support import layer_cache
    from yipanqi import cli

    url = generated[0]
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(layer_cache().root.parents[1]))  # <data>/geodata/<cache>
    monkeypatch.delenv("YIPANQI_STORE_URL", raising=False)
    out = tmp_path / "wuxi.csv"
    args = ["evaluate", "320200", "--indicator", INDICATOR, "--store", url, "--out", str(out)]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    assert "verdict: effect" in result.output and "(cluster)" in result.output
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    did = next(r for r in rows if r["part"] == "estimate" and r["key"] == "did")
    assert float(did["ci_low"]) < float(did["value"]) < float(did["ci_high"])
    assert {r["part"] for r in rows} == {"estimate", "event", "group_rate", "county"}
    with open(out.with_name("wuxi.metadata.csv"), encoding="utf-8-sig", newline="") as f:
        meta = {(r["section"], r["key"]): r["value"] for r in csv.DictReader(f)}
    assert meta[("result", "verdict")] == "effect" and meta[("export", "pilot_start")].startswith("2010-01")
    engine = open_store(url)
    try:
        audit = list_events(engine, action="export.evaluation")
    finally:
        engine.dispose()
    assert len(audit) == 1 and "pilot=320200" in audit[0].detail
    bad = CliRunner().invoke(cli.app, ["evaluate", "999999", "--store", url])
    assert bad.exit_code != 0 and "not a pilot of the region file" in bad.output
