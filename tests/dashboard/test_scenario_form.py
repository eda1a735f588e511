"""The scenario form and the scenario JSON, each into the other: what the form shows is what the
JSON says, an empty field is reported by the scenario's rules rather than filled in, and JSON the
form cannot hold is recognised (and stays JSON)."""

from __future__ import annotations

import copy

import pytest

from dashboard.pages.scenarios import form
from planning.errors import ScenarioError
from planning.levers import CAPACITY_BOUND, KINDS
from planning.scenario import parse_scenario

PERIODS = ("2012-10", "2012-11", "2012-12")
FULL = {
    "name": "泛长三角 growth-15",
    "period": "2012-12",
    "description": "what if",
    "levers": [
        {"kind": "growth", "percent": 15, "side": "inflow", "areas": ["pan_yangtze"]},
        {"kind": "attractiveness", "factor": 1.3, "areas": ["340100"], "keep_totals": True, "elasticity": 0.8},
        {"kind": "attractiveness", "factor": 0.7, "areas": "310000"},
        {"kind": "coverage_push", "indicator": "cert_verified", "areas": ["310115", "320200"], "set_to": 98},
        {"kind": "coverage_push", "indicator": "all", "areas": ["330400"], "raise_points": 2.5},
        {"kind": "capacity", "areas": ["320200"], "staff": 4, "persons_per_staff": 500,
         "indicator": ["health_check", "contraception"]},
        {"kind": "capacity", "areas": ["320583"], "staff": 1},
    ],
    "resources": {"persons_per_staff": 800, "cost_per_person": 25},
}  # fmt: skip


def round_trip(scenario: dict) -> dict:
    return form.from_form(*form.to_form(scenario))


def test_every_lever_kind_round_trips_through_the_form():
    back = round_trip(FULL)
    assert parse_scenario(back) == parse_scenario(FULL)  # the scenario's own reading of both
    assert form.normalized(back) == form.normalized(FULL)
    assert form.representable(FULL, PERIODS)


def test_the_form_fields_hold_what_the_json_says():
    kinds, values = form.to_form(FULL)
    assert kinds == [lever["kind"] for lever in FULL["levers"]]
    assert values[(form.HEAD, "name")] == "泛长三角 growth-15"
    assert values[(form.HEAD, "period")] == "2012-12"
    assert values[(form.HEAD, "persons_per_staff")] == 800
    assert values[(0, "percent")] == 15 and values[(0, "side")] == "inflow"
    assert values[(1, "keep_totals")] == [form.KEEP] and values[(1, "elasticity")] == 0.8
    assert values[(2, "areas")] == ["310000"] and values[(2, "keep_totals")] == []
    assert values[(2, "elasticity")] is None  # blank: the fitted elasticity
    assert values[(3, "mode")] == "set_to" and values[(3, "amount")] == 98
    assert values[(4, "mode")] == "raise_points" and values[(4, "amount")] == 2.5
    assert len(values[(4, "indicator")]) == 9  # "all"
    assert values[(5, "indicator")] == ["health_check", "contraception"]
    assert values[(6, "indicator")] == list(CAPACITY_BOUND)  # the default, shown ticked
    assert values[(6, "persons_per_staff")] == 1000  # the default, shown


def test_the_json_of_a_form_spells_defaults_as_the_file_format_does():
    back = round_trip(FULL)
    assert back["levers"][4]["indicator"] == "all"
    assert "indicator" not in back["levers"][6]  # every capacity-bound indicator: the default
    assert "keep_totals" not in back["levers"][2]
    assert back["levers"][3] == {"kind": "coverage_push", "indicator": "cert_verified",
                                 "areas": ["310115", "320200"], "set_to": 98}  # fmt: skip


def test_a_latest_period_and_an_empty_description_are_left_out():
    scenario = {"name": "x", "levers": []}
    kinds, values = form.to_form(scenario)
    assert values[(form.HEAD, "period")] == form.LATEST
    back = form.from_form(kinds, values)
    assert "period" not in back and "description" not in back
    assert form.representable(scenario, PERIODS)


@pytest.mark.parametrize(
    ("field", "code"),
    [("percent", "required"), ("areas", "no_areas"), ("side", "not_choice")],
)
def test_an_emptied_field_is_reported_not_filled_in(field, code):
    kinds, values = form.to_form(FULL)
    values = dict(values)
    values[(0, field)] = [] if field == "areas" else None
    with pytest.raises(ScenarioError) as info:
        parse_scenario(form.from_form(kinds, values))
    assert [(p.lever, p.code) for p in info.value.problems] == [(0, code)]


def test_an_emptied_amount_or_indicator_list_is_reported():
    kinds, values = form.to_form(FULL)
    values = dict(values)
    values[(3, "amount")] = None
    values[(5, "indicator")] = []
    with pytest.raises(ScenarioError) as info:
        parse_scenario(form.from_form(kinds, values))
    assert sorted((p.lever, p.code) for p in info.value.problems) == [(3, "one_of"), (5, "not_indicators")]


def test_switching_a_push_from_set_to_to_raise_by_moves_the_number():
    kinds, values = form.to_form(FULL)
    values = {**values, (3, "mode"): "raise_points", (3, "amount"): 5}
    lever = form.from_form(kinds, values)["levers"][3]
    assert lever.get("raise_points") == 5 and "set_to" not in lever


@pytest.mark.parametrize("kind", KINDS)
def test_a_new_lever_is_representable_and_asks_for_its_areas(kind):
    scenario = {"name": "n", "levers": [form.new_lever(kind)]}
    assert form.representable(scenario, PERIODS)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(scenario)
    assert [p.code for p in info.value.problems] == ["no_areas"]
    assert form.new_lever(kind) is not form.new_lever(kind)  # never the shared default


def _with(change) -> dict:
    scenario = copy.deepcopy(FULL)
    change(scenario)
    return scenario


@pytest.mark.parametrize(
    "scenario",
    [
        _with(lambda s: s["levers"][0].update(kind="teleport")),
        _with(lambda s: s["levers"][0].update(percent="15")),
        _with(lambda s: s["levers"][0].update(speed=3)),
        _with(lambda s: s["levers"][0].update(side="up")),
        _with(lambda s: s["levers"][0].update(areas=[""])),
        _with(lambda s: s["levers"][1].update(keep_totals="yes")),
        _with(lambda s: s["levers"][3].update(indicator="nope")),
        _with(lambda s: s["levers"][3].update(raise_points=2)),
        _with(lambda s: s["levers"][5].update(indicator="cert_verified")),
        _with(lambda s: s.update(period="2099-01")),
        _with(lambda s: s.update(extra=1)),
        _with(lambda s: s.update(resources={"persons_per_staff": "many"})),
        _with(lambda s: s.pop("levers")),
        [],
        "text",
    ],
    ids=["kind", "number-as-text", "field", "side", "empty-code", "keep-text", "indicator",
         "both-pushes", "unbound", "period", "extra", "resources", "no-levers", "list", "text"],  # fmt: skip
)
def test_json_the_form_cannot_hold_is_recognised(scenario):
    assert not form.representable(scenario, PERIODS)


def test_an_incomplete_lever_or_a_missing_name_stays_in_the_form():
    scenario = {"levers": [{"kind": "coverage_push", "areas": ["310115"]}, {"kind": "growth"}]}
    assert form.representable(scenario, PERIODS)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(round_trip(scenario))
    codes = sorted((p.lever if p.lever is not None else -1, p.code) for p in info.value.problems)
    assert codes == [(-1, "bad_name"), (0, "not_indicators"), (0, "one_of"), (1, "no_areas"),
                     (1, "not_choice"), (1, "required")]  # fmt: skip


def test_unknown_area_codes_are_kept_by_the_form_so_that_they_are_reported():
    scenario = _with(lambda s: s["levers"][0].update(areas=["999999", "pan_yangtze"]))
    assert form.representable(scenario, PERIODS)
    assert round_trip(scenario)["levers"][0]["areas"] == ["999999", "pan_yangtze"]


def test_normalized_reads_one_meaning_in_every_spelling():
    a = {"name": "x", "levers": [{"kind": "capacity", "areas": "320200", "staff": 2}]}
    b = {
        "name": "x",
        "description": "",
        "levers": [{"kind": "capacity", "areas": ["320200"], "staff": 2.0, "persons_per_staff": 1000,
                    "indicator": list(reversed(CAPACITY_BOUND))}],
        "resources": {"persons_per_staff": 1000, "cost_per_person": 25},
    }  # fmt: skip
    assert form.normalized(a) == form.normalized(b)
    c = {**a, "levers": [{**a["levers"][0], "staff": 3}]}
    assert form.normalized(a) != form.normalized(c)
