"""The scenario map's classes and the page's data helpers on the hand-made baseline (no app)."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.data.scenarios import map_values, region_summary
from dashboard.figures.scenario_map import difference_classes, layer_classes
from planning.scenario import parse_scenario, run_scenario
from tests.planning.helpers import D1, D2, tiny_baseline

LABELS = ("a", "b", "c", "d")


def _result():
    scenario = parse_scenario(
        {"name": "t", "levers": [{"kind": "growth", "percent": 15, "side": "inflow", "areas": ["pan_yangtze"]}]}
    )
    return run_scenario(tiny_baseline(), scenario)


def test_difference_classes_are_centred_on_zero_with_a_neutral_class():
    classes = difference_classes(np.array([-30.0, -10.0, -1.0, 0.0, 2.0, 20.0, 40.0]))
    assert len(classes.colors) == 7 and len(classes.bounds) == 8
    index = classes.index(np.array([0.0, -1.0, 2.0]))
    assert index.tolist() == [3, 2, 4]
    assert classes.labels[3] == "0"


def test_layer_classes_pick_target_anchored_classes_for_rates():
    assert layer_classes(np.array([0.5, 0.99]), "scenario", "share", 0.98, LABELS).labels == LABELS
    # one value each side of no change: three classes, not six with made-up bounds
    assert layer_classes(np.array([-1.0, 1.0]), "difference", "points", 0.98, LABELS).labels == (
        "-1.0", "0", "+1.0",
    )  # fmt: skip


def test_map_values_by_layer():
    res = _result()
    inflow = map_values(res, "inflow", "difference")
    values = dict(zip(inflow.codes, inflow.values, strict=True))
    assert values[D1] == pytest.approx(55 * 0.15) and values[D2] == pytest.approx(50 * 0.15)
    rate = map_values(res, "cert_verified", "scenario")
    assert rate.unit == "share" and rate.values.tolist() == pytest.approx([0.8])
    points = map_values(res, "cert_verified", "difference")
    assert points.unit == "points" and points.values.tolist() == pytest.approx([0.0])


def test_region_summary():
    summary = region_summary(_result()).set_index("region_code")
    assert summary.loc["pan_yangtze", "inflow"] == pytest.approx(105 * 1.15)
    assert summary.loc["pan_yangtze", "baseline_inflow"] == 105


def test_comparing_two_scenarios():
    grow = _result()
    more = run_scenario(
        tiny_baseline(),
        parse_scenario({"name": "u", "levers": [{"kind": "growth", "percent": 25, "side": "inflow", "areas": [D1]}]}),
    )
    diff = map_values(more, "inflow", "difference", reference=grow)
    values = dict(zip(diff.codes, diff.values, strict=True))
    assert values[D1] == pytest.approx(55 * 1.25 - 55 * 1.15)
    assert values[D2] == pytest.approx(50 - 50 * 1.15)
    ref_layer = map_values(more, "inflow", "baseline", reference=grow)
    assert dict(zip(ref_layer.codes, ref_layer.values, strict=True))[D2] == pytest.approx(57.5)
    summary = region_summary(more, grow).set_index("region_code")
    assert summary.loc["pan_yangtze", "baseline_inflow"] == pytest.approx(105 * 1.15)
    assert summary.loc["pan_yangtze", "inflow"] == pytest.approx(55 * 1.25 + 50)


def test_rate_noise_is_no_change():
    res = _result()  # growth scales numerator and denominator alike: the rate must not move
    points = map_values(res, "health_check", "difference")
    assert points.values.tolist() == [0.0]
