"""Scenario and lever parsing: valid files round-trip, every broken rule is reported at once."""

from __future__ import annotations

import json

import pytest

from planning.errors import ScenarioError
from planning.levers import CAPACITY_BOUND, Attractiveness, Capacity, CoveragePush, Growth
from planning.scenario import load_scenario_file, parse_scenario

FULL = {
    "name": "泛长三角 growth-15",
    "period": "2012-12",
    "description": "what if",
    "levers": [
        {"kind": "growth", "percent": 15, "side": "inflow", "areas": ["pan_yangtze"]},
        {"kind": "attractiveness", "factor": 1.3, "areas": ["340100"], "keep_totals": True, "elasticity": 0.8},
        {"kind": "coverage_push", "indicator": "cert_verified", "areas": ["310115"], "set_to": 98},
        {"kind": "capacity", "areas": ["320200"], "staff": 4, "persons_per_staff": 500, "indicator": ["health_check", "contraception"]},
    ],
    "resources": {"persons_per_staff": 800, "cost_per_person": 25},
}


def test_full_scenario_parses_and_round_trips():
    scenario = parse_scenario(FULL)
    kinds = [type(lever) for lever in scenario.levers]
    assert kinds == [Growth, Attractiveness, CoveragePush, Capacity]
    assert scenario.levers[3].indicators == ("health_check", "contraception")
    assert scenario.resources.persons_per_staff == 800
    assert parse_scenario(scenario.to_json()) == scenario


def test_capacity_defaults_to_the_capacity_bound_indicators():
    scenario = parse_scenario({"name": "c", "levers": [{"kind": "capacity", "areas": ["320200"], "staff": 1}]})
    assert scenario.levers[0].indicators == CAPACITY_BOUND
    assert scenario.levers[0].persons_per_staff == 1000


def test_every_problem_is_reported_together():
    bad = {
        "name": "",
        "levers": [
            {"kind": "growth", "percent": "15", "side": "up", "areas": []},
            {"kind": "teleport"},
            {"kind": "coverage_push", "indicator": "nope", "areas": ["310115"], "set_to": 98, "raise_points": 2},
            {"kind": "capacity", "areas": ["320200"], "staff": 1, "indicator": "cert_verified"},
            {"kind": "attractiveness", "factor": 0, "areas": ["340100"], "speed": 3},
        ],
    }
    with pytest.raises(ScenarioError) as info:
        parse_scenario(bad)
    message = str(info.value)
    for fragment in [
        "'name' must be",
        "levers[0]: 'percent' must be a number",
        "levers[0]: 'side' must be one of inflow, outflow",
        "levers[0]: 'areas' must be a non-empty list",
        "levers[1]: unknown kind 'teleport'",
        "levers[2]: unknown indicator(s) ['nope']",
        "levers[2]: give exactly one of 'set_to' or 'raise_points'",
        "levers[3]: cert_verified not capacity-bound",
        "levers[4]: 'factor' must be > 0",
        "levers[4]: unknown field(s) speed",
    ]:
        assert fragment in message, fragment


def test_levers_are_required_and_may_be_empty():
    with pytest.raises(ScenarioError, match="'levers' is required"):
        parse_scenario({"name": "x"})
    assert parse_scenario({"name": "x", "levers": []}).levers == ()


def test_scenario_file_errors_name_the_file(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ScenarioError, match="s.json: not valid UTF-8 JSON"):
        load_scenario_file(path)
    path.write_text(json.dumps(FULL, ensure_ascii=False), encoding="utf-8")
    assert load_scenario_file(path).name == FULL["name"]
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario_file(tmp_path / "missing.json")


def test_problems_carry_their_lever_field_and_values():
    with pytest.raises(ScenarioError) as info:
        parse_scenario(
            {
                "name": "x",
                "levers": [
                    {"kind": "growth", "percent": 15, "side": "inflow", "areas": ["pan_yangtze"]},
                    {"kind": "growth", "percent": -150, "side": "inflow", "areas": ["310115"]},
                    {"kind": "capacity", "areas": ["320200"], "staff": 1, "persons_per_staff": 0},
                ],
            }
        )
    found = [(p.lever, p.code, p.field, dict(p.params)) for p in info.value.problems]
    assert found == [
        (1, "below_minimum", "percent", {"minimum": -100.0, "exclusive": False, "value": -150.0}),
        (2, "below_minimum", "persons_per_staff", {"minimum": 0.0, "exclusive": True, "value": 0.0}),
    ]
    assert str(info.value).splitlines() == [p.message for p in info.value.problems]
    assert info.value.problems[0].message == "scenario.levers[1]: 'percent' must be >= -100, got -150"


def test_the_bounds_checked_are_the_bounds_published():
    from planning.levers import NUMBER_FIELDS

    for kind, specs in NUMBER_FIELDS.items():
        for spec in specs:
            if spec.minimum is None:
                continue
            lever = {"kind": kind, "areas": ["310115"], spec.name: spec.minimum - 1}
            with pytest.raises(ScenarioError) as info:
                parse_scenario({"name": "x", "levers": [lever]})
            below = [p for p in info.value.problems if p.field == spec.name]
            assert [p.code for p in below] == ["below_minimum"], (kind, spec.name)
            assert below[0].params["minimum"] == spec.minimum
