"""The scenario engine on the hand-made baseline: numbers worked out in README.md."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from planning.errors import ScenarioError
from planning.model import FittedModel
from planning.scenario import parse_scenario, run_scenario
from tests.planning.helpers import D1, D2, O1, O2, tiny_baseline


def _run(levers, resources=None, model=None):
    data = {"name": "t", "levers": levers}
    if resources:
        data["resources"] = resources
    return run_scenario(tiny_baseline(), parse_scenario(data), model)


def _flow(result, o, d):
    f = result.flows
    return float(f.loc[(f.origin_code == o) & (f.destination_code == d), "persons"].item())


def _cov(result, county, indicator):
    c = result.coverage
    return c.loc[(c.county_code == county) & (c.indicator == indicator)].iloc[0]


def test_no_lever_reproduces_the_baseline_exactly():
    baseline = tiny_baseline()
    result = run_scenario(baseline, parse_scenario({"name": "zero", "levers": []}))
    assert result.flows["persons"].tolist() == baseline.flows["persons"].tolist()
    assert result.coverage["numerator"].tolist() == baseline.coverage["numerator"].tolist()
    assert result.coverage["denominator"].tolist() == baseline.coverage["denominator"].tolist()
    assert (result.totals["inflow"] == result.totals["baseline_inflow"]).all()
    assert (result.coverage["gap_people"] == result.coverage["baseline_gap"]).all()
    assert result.period == "2010-01" and result.baseline_run_id == 7


def test_factor_one_and_zero_growth_change_nothing():
    baseline = tiny_baseline()
    result = _run(
        [
            {"kind": "growth", "percent": 0, "side": "inflow", "areas": ["pan_yangtze"]},
            {"kind": "attractiveness", "factor": 1, "areas": [D2], "elasticity": 1},
        ]
    )
    np.testing.assert_allclose(result.flows["persons"], baseline.flows["persons"], rtol=1e-12)


def test_growth_on_a_region_multiplies_exactly():
    result = _run([{"kind": "growth", "percent": 15, "side": "inflow", "areas": ["pan_yangtze"]}])
    assert result.flows["persons"].tolist() == [v * 1.15 for v in tiny_baseline().flows["persons"]]
    totals = result.totals.set_index("county_code")
    assert totals.loc[D1, "inflow"] == pytest.approx(63.25)
    assert totals.loc[D2, "inflow"] == pytest.approx(57.5)
    d1 = _cov(result, D1, "cert_verified")
    assert (d1.numerator, d1.denominator) == pytest.approx((46, 57.5))
    assert d1.gap_people == pytest.approx(0.98 * 57.5 - 46)
    o1 = _cov(result, O1, "cert_issued")
    assert (o1.numerator, o1.denominator) == pytest.approx((23, 28.75))


def test_outflow_growth_by_province_touches_only_its_origins():
    result = _run([{"kind": "growth", "percent": -10, "side": "outflow", "areas": ["410000"]}])
    assert _flow(result, O1, D1) == pytest.approx(27)
    assert _flow(result, O1, D2) == pytest.approx(9)
    assert _flow(result, O2, D1) == 20 and _flow(result, D1, D1) == 5


def test_origin_constrained_reallocation_by_hand():
    result = _run([{"kind": "attractiveness", "factor": 2, "areas": [D2], "elasticity": 1}])
    assert [_flow(result, O1, D1), _flow(result, O1, D2)] == pytest.approx([24, 16])
    assert [_flow(result, O2, D1), _flow(result, O2, D2)] == pytest.approx([12, 48])
    assert _flow(result, D1, D1) == 5
    totals = result.totals.set_index("county_code")
    assert totals.loc[O1, "outflow"] == pytest.approx(40) and totals.loc[O2, "outflow"] == pytest.approx(60)
    d2 = _cov(result, D2, "health_check")
    assert (d2.numerator, d2.denominator) == pytest.approx((38.4, 51.2))
    d1 = _cov(result, D1, "cert_verified")
    assert d1.denominator == pytest.approx(50 * 41 / 55)


def test_the_fitted_elasticity_is_used_when_the_lever_has_none():
    model = FittedModel(gamma=0.5, beta=1.0)
    result = _run([{"kind": "attractiveness", "factor": 4, "areas": [D2]}], model=model)  # g = 4 ** 0.5 = 2
    assert [_flow(result, O1, D1), _flow(result, O1, D2)] == pytest.approx([24, 16])
    with pytest.raises(ScenarioError, match="needs a fitted model"):
        _run([{"kind": "attractiveness", "factor": 4, "areas": [D2]}])


def test_doubly_constrained_keeps_both_margins_and_the_odds_ratio():
    result = _run([{"kind": "attractiveness", "factor": 2, "areas": [D2], "elasticity": 1, "keep_totals": True}])
    t11, t12, t21, t22 = (_flow(result, o, d) for o, d in [(O1, D1), (O1, D2), (O2, D1), (O2, D2)])
    assert t11 + t12 == pytest.approx(40) and t21 + t22 == pytest.approx(60)
    assert t11 + t21 == pytest.approx(100 / 3) and t12 + t22 == pytest.approx(200 / 3)
    assert t11 * t22 / (t12 * t21) == pytest.approx(6)
    b = 1400 / 3
    assert t11 == pytest.approx((b - math.sqrt(b * b - 160000)) / 10)
    assert _flow(result, D1, D1) == 5
    assert result.notes == ()


def test_coverage_push_set_to_and_raise_points():
    resources = {"persons_per_staff": 100, "cost_per_person": 30}
    set_to = _cov(_run([{"kind": "coverage_push", "indicator": "cert_verified", "areas": [D1], "set_to": 98}]), D1, "cert_verified")
    assert (set_to.numerator, set_to.gap_people) == pytest.approx((49, 0))
    lower = _cov(_run([{"kind": "coverage_push", "indicator": "cert_verified", "areas": [D1], "set_to": 50}]), D1, "cert_verified")
    assert lower.numerator == 40
    raised = _cov(
        _run([{"kind": "coverage_push", "indicator": "cert_verified", "areas": ["310000"], "raise_points": 5}], resources),
        D1, "cert_verified",
    )
    assert raised.numerator == pytest.approx(42.5)
    assert raised.gap_people == pytest.approx(6.5)
    assert raised.staff_needed == pytest.approx(0.065)
    assert raised.budget_yuan == pytest.approx(195)
    assert raised.baseline_gap == pytest.approx(9)


def test_push_elsewhere_or_on_another_indicator_changes_nothing():
    result = _run([{"kind": "coverage_push", "indicator": "health_check", "areas": [D1], "set_to": 98}])
    assert result.coverage["numerator"].tolist() == tiny_baseline().coverage["numerator"].tolist()


def test_capacity_formula():
    low = _cov(_run([{"kind": "capacity", "areas": [D2], "staff": 2, "persons_per_staff": 10}]), D2, "health_check")
    assert low.numerator == 20 and low.numerator / low.denominator == 0.5
    high = _cov(_run([{"kind": "capacity", "areas": [D2], "staff": 5, "persons_per_staff": 10}]), D2, "health_check")
    assert high.numerator == 40 and high.gap_people == 0
    untouched = _run([{"kind": "capacity", "areas": [D1], "staff": 0, "persons_per_staff": 10}])
    assert _cov(untouched, D1, "cert_verified").numerator == 40  # not capacity-bound


def test_rollups_sum_counties_and_regions():
    result = _run([{"kind": "growth", "percent": 15, "side": "inflow", "areas": ["pan_yangtze"]}])
    regions = result.coverage_at("region").set_index(["region_code", "indicator"])
    assert regions.loc[("pan_yangtze", "cert_verified"), "denominator"] == pytest.approx(57.5)
    assert regions.loc[("other", "cert_issued"), "denominator"] == pytest.approx(28.75)
    assert regions.loc[("pan_yangtze", "health_check"), "rate"] == pytest.approx(0.75)
    provinces = result.totals_at("province").set_index("province_code")
    assert provinces.loc["320000", "inflow"] == pytest.approx(57.5)
    assert result.coverage_at("prefecture")["gap_people"].sum() == pytest.approx(result.coverage["gap_people"].sum())


def test_levers_combine_in_order_flows_then_coverage():
    result = _run(
        [
            {"kind": "coverage_push", "indicator": "cert_verified", "areas": [D1], "set_to": 98},
            {"kind": "growth", "percent": 15, "side": "inflow", "areas": [D1]},
        ]
    )
    d1 = _cov(result, D1, "cert_verified")
    assert d1.numerator == pytest.approx(0.98 * 57.5)


def test_unknown_area_and_period_are_errors():
    with pytest.raises(ScenarioError, match="unknown area code"):
        _run([{"kind": "growth", "percent": 5, "side": "inflow", "areas": ["999999"]}])
    with pytest.raises(ScenarioError, match="is for 2011-01"):
        run_scenario(tiny_baseline(), parse_scenario({"name": "x", "period": "2011-01", "levers": []}))


def test_index_is_kept():
    result = _run([])
    assert isinstance(result.coverage, pd.DataFrame)
    assert list(result.coverage.index) == list(tiny_baseline().coverage.index)


def test_unknown_areas_are_named_lever_by_lever():
    from planning.scenario import check_areas, unknown_areas

    base = tiny_baseline()
    assert unknown_areas(base, ["pan_yangtze", "320200", "999999", "310104", "888888", "999999"]) == (
        "999999", "888888",
    )  # fmt: skip
    scenario = parse_scenario(
        {
            "name": "x",
            "levers": [
                {"kind": "growth", "percent": 5, "side": "inflow", "areas": ["pan_pearl"]},
                {"kind": "capacity", "areas": ["999999"], "staff": 1},
            ],
        }
    )
    found = check_areas(base, scenario)
    assert [(p.lever, p.code, p.params["codes"]) for p in found] == [(1, "unknown_areas", ("999999",))]
    with pytest.raises(ScenarioError) as info:
        run_scenario(base, scenario)
    assert [p.code for p in info.value.problems] == ["unknown_areas"]
