"""The scenario editor's callbacks with bodies shaped as the renderer sends them (pattern-matching
ids resolved, which the matrix's generic bodies leave empty), for a reader of one province: the
area search finds areas of the scope and nothing outside it, and a code from outside (in a lever,
or a forged map click) comes back as an unknown code, never with its name."""

from __future__ import annotations

import json

import pytest
from dash._utils import stringify_id

from dashboard import ids
from tests.security.conftest import callback_key
from tests.security.test_scope_matrix import (  # noqa: F401 (the fixture)
    FOREIGN,
    client_of,
    leaks,
    matrix_app,
    post,
)

SCOPE = "province:320000"
AREAS = {"type": ids.SCENARIOS_FIELD, "lever": 0, "field": "areas"}


def _dep(id_, prop, value=None):
    return {"id": id_, "property": prop, "value": value}


def _body(app, outputs: tuple[str, ...], inputs: list, state: list, changed: list[str]) -> dict:
    key = callback_key(app, *outputs)
    out = [
        {"id": json.loads(o["id"]) if o["id"].startswith("{") else o["id"], "property": o["property"]}
        for o in _outputs(key)
    ]
    return {
        "output": key,
        "outputs": out if key.startswith("..") else out[0],
        "inputs": inputs,
        "state": state,
        "changedPropIds": changed,
    }


def _outputs(key: str) -> list[dict]:
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]


@pytest.fixture(scope="module")
def client(matrix_app):  # noqa: F811 (the fixture imported above)
    return client_of(matrix_app, "steward", SCOPE)


def _search(app, client, query: str) -> list[dict]:
    body = _body(
        app,
        (ids.SCENARIOS_FIELD,),
        [_dep(AREAS, "search_value", query)],
        [_dep(AREAS, "value", [FOREIGN]), _dep(ids.SCENARIOS_LANG, "data", "zh")],
        [f"{stringify_id(AREAS)}.search_value"],
    )
    body["outputs"] = {"id": AREAS, "property": "options"}  # a MATCH output is sent resolved
    response = post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert not leaks(SCOPE, response.get_data(as_text=True), sent=json.dumps(body))
    return response.get_json()["response"][stringify_id(AREAS)]["options"]


def test_the_area_search_answers_inside_the_scope_only(matrix_app, client):  # noqa: F811
    wuxi = _search(matrix_app, client, "wuxi")
    assert "320200" in {o["value"] for o in wuxi}  # found by pinyin on the Chinese page
    assert wuxi[0]["value"] == FOREIGN and wuxi[0]["label"] == FOREIGN  # kept, but nameless
    guangzhou = _search(matrix_app, client, "广州")
    assert [o["value"] for o in guangzhou] == [FOREIGN]  # nothing of Guangzhou but the kept code


def _edit_body(app, scenario: dict, changed: list[str], click=None) -> dict:
    field = {"type": ids.SCENARIOS_FIELD, "lever": 0, "field": "areas"}
    return _body(
        app,
        (ids.SCENARIOS_SCENARIO, ids.SCENARIOS_FORM, ids.SCENARIOS_EDITOR, ids.SCENARIOS_JSON_NOTE),
        [
            _dep(ids.SCENARIOS_ADD, "n_clicks", 0),
            [_dep({"type": ids.SCENARIOS_REMOVE, "lever": 0}, "n_clicks", 0)],
            [_dep(field, "value", scenario["levers"][0]["areas"])],
            _dep(ids.SCENARIOS_EDITOR, "n_blur", 1),
            _dep(ids.SCENARIOS_MAP, "clickData", click),
        ],
        [
            _dep(ids.SCENARIOS_ADD_KIND, "value", "growth"),
            [_dep({"type": ids.SCENARIOS_KIND, "lever": 0}, "data", "growth")],
            _dep(ids.SCENARIOS_EDITOR, "value", json.dumps(scenario)),
            _dep(ids.SCENARIOS_SCENARIO, "data", scenario),
            _dep(ids.SCENARIOS_MAP_TARGET, "value", 0),
            _dep(ids.SCENARIOS_LANG, "data", "zh"),
        ],
        changed,
    )

GROWTH = {"name": "g", "levers": [{"kind": "growth", "percent": 5, "side": "inflow", "areas": ["320200"]}]}


def test_a_forged_map_click_outside_the_scope_is_kept_as_a_bare_code(matrix_app, client):  # noqa: F811
    click = {"points": [{"location": FOREIGN, "customdata": FOREIGN}]}
    body = _edit_body(matrix_app, GROWTH, [f"{ids.SCENARIOS_MAP}.clickData"], click)
    response = post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    text = response.get_data(as_text=True)
    assert not leaks(SCOPE, text, sent=json.dumps(body))
    stored = response.get_json()["response"][ids.SCENARIOS_SCENARIO]["data"]
    assert stored["levers"][0]["areas"] == ["320200", FOREIGN]


def test_a_code_outside_the_scope_is_an_unknown_area(matrix_app, client):  # noqa: F811
    scenario = {"name": "g", "levers": [{**GROWTH["levers"][0], "areas": ["320200", FOREIGN]}]}
    body = _body(
        matrix_app,
        (ids.SCENARIOS_WORDS, ids.SCENARIOS_PROBLEMS, ids.SCENARIOS_STALE, ids.SCENARIOS_LEVER_PROBLEMS),
        [_dep(ids.SCENARIOS_SCENARIO, "data", scenario), _dep(ids.SCENARIOS_RAN, "data", None)],
        [_dep(ids.SCENARIOS_LANG, "data", "zh")],
        [f"{ids.SCENARIOS_SCENARIO}.data"],
    )
    body["outputs"][3] = [{"id": {"type": ids.SCENARIOS_LEVER_PROBLEMS, "lever": 0}, "property": "children"}]
    response = post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    text = response.get_data(as_text=True)
    assert not leaks(SCOPE, text, sent=json.dumps(body))
    assert f"未知地区代码 {FOREIGN}" in text and "杠杆 1（流量增长）" in text
    assert "无锡市" in text  # the area inside the scope is named
    card = response.get_json()["response"][f'{{"lever":0,"type":"{ids.SCENARIOS_LEVER_PROBLEMS}"}}']
    assert f"未知地区代码 {FOREIGN}" in json.dumps(card["children"], ensure_ascii=False)


def test_the_gate_takes_pattern_matching_bodies_as_the_renderer_sends_them():
    """A MATCH dependency or output comes as its one match, an ALL one as a list of matches; the
    other shape, or a match that does not fit the pattern, is refused."""
    from dashboard.security.inputs import mismatch

    pattern = json.dumps({"field": "areas", "lever": ["MATCH"], "type": ids.SCENARIOS_FIELD}, sort_keys=True)
    spec = {
        "inputs": [{"id": pattern, "property": "search_value"}],
        "state": [{"id": pattern, "property": "value"}, {"id": ids.SCENARIOS_LANG, "property": "data"}],
    }
    key = f"{pattern}.options"
    body = {
        "output": key,
        "outputs": {"id": AREAS, "property": "options"},
        "inputs": [_dep(AREAS, "search_value", "wuxi")],
        "state": [_dep(AREAS, "value", []), _dep(ids.SCENARIOS_LANG, "data", "zh")],
        "changedPropIds": [f"{stringify_id(AREAS)}.search_value"],
    }
    assert mismatch(spec, body) is None
    assert mismatch(spec, {**body, "inputs": [[_dep(AREAS, "search_value", "wuxi")]]}) is not None
    assert mismatch(spec, {**body, "outputs": [{"id": AREAS, "property": "options"}]}) is not None
    other = {**AREAS, "field": "side"}
    assert mismatch(spec, {**body, "outputs": {"id": other, "property": "options"}}) is not None
    negative = {**AREAS, "lever": -1}
    assert mismatch(spec, {**body, "inputs": [_dep(negative, "search_value", "x")]}) is not None

    cards = json.dumps({"lever": ["ALL"], "type": ids.SCENARIOS_LEVER_PROBLEMS}, sort_keys=True)
    many = {"inputs": [{"id": ids.SCENARIOS_SCENARIO, "property": "data"}], "state": []}
    listed = {
        "output": f"..{ids.SCENARIOS_WORDS}.children...{cards}.children..",
        "outputs": [
            {"id": ids.SCENARIOS_WORDS, "property": "children"},
            [{"id": {"type": ids.SCENARIOS_LEVER_PROBLEMS, "lever": i}, "property": "children"} for i in (0, 1)],
        ],
        "inputs": [_dep(ids.SCENARIOS_SCENARIO, "data", {})],
        "state": [],
        "changedPropIds": [f"{ids.SCENARIOS_SCENARIO}.data"],
    }
    assert mismatch(many, listed) is None
    alone = {**listed, "outputs": [listed["outputs"][0], listed["outputs"][1][0]]}
    assert mismatch(many, alone) is not None
