"""The flow model: spint fit on flows made by a known gravity law; re-allocation and balancing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata.points import great_circle_km
from planning.errors import ScenarioError
from planning.model import Baseline, balance_doubly, fit_model, reallocate_origin_constrained
from planning.scenario import parse_scenario, run_scenario

POINTS = pd.DataFrame(
    {
        "county_code": ["110101", "310104", "320211", "410102", "420102", "440106", "510104", "610102"],
        "lon": [116.4, 121.4, 120.3, 113.6, 114.3, 113.3, 104.1, 108.9],
        "lat": [39.9, 31.2, 31.5, 34.8, 30.6, 23.1, 30.7, 34.3],
    }
)


def _gravity_baseline() -> Baseline:
    """Flows exactly T_ij = O_i W_j^1 d_ij^-1 / sum_k W_k d_ik^-1, O_i = 10,000 (rounded)."""
    codes = POINTS["county_code"].to_numpy()
    lon, lat = POINTS["lon"].to_numpy(), POINTS["lat"].to_numpy()
    mass = np.array([8.0, 9.0, 4.0, 3.0, 3.5, 7.0, 5.0, 2.5])
    d = great_circle_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    np.fill_diagonal(d, np.inf)
    w = mass[None, :] / d
    t = 10_000 * w / w.sum(axis=1, keepdims=True)
    rows = [(codes[i], codes[j], round(t[i, j])) for i in range(8) for j in range(8) if i != j]
    flows = pd.DataFrame(rows, columns=["origin_code", "destination_code", "persons"])
    units = pd.DataFrame({"county_code": codes, "prefecture_code": codes, "province_code": codes})
    coverage = pd.DataFrame(columns=["unit_code", "side", "indicator", "numerator", "denominator"])
    return Baseline.from_frames("2010-01", flows, coverage, units)


def test_fit_reports_honest_measures_and_a_positive_distance_decay():
    model = fit_model(_gravity_baseline(), POINTS)
    assert model.n_pairs == 56
    assert model.beta > 0.3 and model.gamma > 0
    assert 0 <= model.pseudo_r2 <= 1 and 0 <= model.share_within_10pct <= 1
    assert model.fit_seconds >= 0
    assert set(model.as_dict()) == {"gamma", "beta", "pseudo_r2", "share_within_10pct", "n_pairs", "fit_seconds"}


def test_fitted_model_drives_the_attractiveness_lever_and_keeps_origin_totals():
    baseline = _gravity_baseline()
    model = fit_model(baseline, POINTS)
    scenario = parse_scenario({"name": "hefei", "levers": [{"kind": "attractiveness", "factor": 1.5, "areas": ["420102"]}]})
    result = run_scenario(baseline, scenario, model)
    totals = result.totals.set_index("county_code")
    np.testing.assert_allclose(totals["outflow"], totals["baseline_outflow"])
    assert totals.loc["420102", "inflow"] > totals.loc["420102", "baseline_inflow"]
    assert totals["inflow"].sum() == pytest.approx(totals["baseline_inflow"].sum())


def test_fit_needs_points_for_every_county():
    with pytest.raises(ScenarioError, match="no point"):
        fit_model(_gravity_baseline(), POINTS.iloc[:-1])


def test_reallocation_and_balancing_keep_their_margins():
    rng = np.random.default_rng(3)
    n = 40
    origin = rng.integers(0, 6, n)
    destination = rng.integers(0, 6, n)
    persons = rng.integers(1, 50, n).astype(float)
    weight = rng.uniform(0.5, 2.0, 6)[destination]
    moved = reallocate_origin_constrained(persons, origin, weight)
    np.testing.assert_allclose(np.bincount(origin, moved, 6), np.bincount(origin, persons, 6))
    rows = np.bincount(origin, persons, 6)
    cols = np.bincount(destination, persons, 6) * rng.uniform(0.9, 1.1, 6)
    cols *= rows.sum() / cols.sum()
    balanced, error = balance_doubly(persons, origin, destination, rows, cols)
    assert error < 1e-6
    np.testing.assert_allclose(np.bincount(destination, balanced, 6), cols, rtol=1e-6)


@pytest.mark.parametrize(
    ("share", "quality"),
    [(0.9, "good"), (0.75, "good"), (0.62, "fair"), (0.5, "fair"), (0.26, "weak"), (float("nan"), "weak")],
)
def test_fit_quality_is_judged_by_the_share_within_ten_percent(share, quality):
    from planning.model import FittedModel, fit_quality

    assert fit_quality(FittedModel(gamma=0.2, beta=0.3, share_within_10pct=share)) == quality
