"""Callbacks: the policy covers exactly the app's callbacks; without a session none answers; a
viewer cannot save, delete or export, however the body is forged; the planner's saves are audited."""

from __future__ import annotations

import json

import pytest

from access import audit
from access.roles import Action
from dashboard import ids
from dashboard.security import policy
from tests.security.conftest import USERS, callback_body, callback_key, csrf

PLANNER_ONLY = {
    "scenario save/delete": (ids.SCENARIOS_SAVE_STATUS, ids.SCENARIOS_URL, ids.SCENARIOS_SAVED, ids.SCENARIOS_COMPARE),
    "storyboard edit": (ids.STORYBOARDS_SLIDES, ids.STORYBOARDS_STATUS),
    "storyboard add": (ids.STORYBOARDS_URL, ids.STORYBOARDS_STATUS),
}  # fmt: skip
ANALYST_ONLY = {
    "flows CSV": (ids.FLOWS_DOWNLOAD,),
    "assessment workbook": (ids.ASSESSMENT_DOWNLOAD,),
    "alerts workbook": (ids.MONITORING_DOWNLOAD,),
}


def test_the_policy_covers_every_callback_exactly(secured_app):
    registered = {policy.output_ids(key) for key in secured_app.callback_map}
    table = set(policy.CALLBACKS)
    assert registered == table, (
        "give every callback an action in dashboard/security/policy.py CALLBACKS: "
        f"missing {sorted(map(sorted, registered - table))}, stale {sorted(map(sorted, table - registered))}"
    )


def test_state_changing_and_export_callbacks_need_more_than_viewing():
    for outputs in PLANNER_ONLY.values():
        assert policy.CALLBACKS[frozenset(outputs)] in (
            Action.SAVE_SCENARIO,
            Action.SAVE_STORYBOARD,
        )
    for outputs in ANALYST_ONLY.values():
        assert policy.CALLBACKS[frozenset(outputs)] is Action.EXPORT_DATA


def test_without_a_session_no_callback_answers(secured_app, client):
    for key in secured_app.callback_map:
        response = client.post("/_dash-update-component", json=callback_body(secured_app, key))
        assert response.status_code == 401, key


def relabelled(body: dict) -> dict:
    """The dash-auth public-route trick: an input relabelled as the URL's pathname, set to an open
    page, plus made-up inputs and state naming a different province."""
    forged = json.loads(json.dumps(body))
    forged["inputs"] = [
        {"id": "_pages_location", "property": "pathname", "value": "/login"}
    ] + forged["inputs"]
    forged["state"].append({"id": "role", "property": "data", "value": "steward"})
    forged["state"].append({"id": "scope", "property": "data", "value": "province:110000"})
    forged["changedPropIds"] = ["_pages_location.pathname"]
    return forged


@pytest.mark.parametrize("forge", [False, True], ids=["plain", "pathname-relabel"])
def test_forged_bodies_without_a_session_are_401(secured_app, client, forge):
    for outputs in [*PLANNER_ONLY.values(), *ANALYST_ONLY.values()]:
        body = callback_body(secured_app, callback_key(secured_app, *outputs))
        response = client.post("/_dash-update-component", json=relabelled(body) if forge else body)
        assert response.status_code == 401


@pytest.mark.parametrize("forge", [False, True], ids=["plain", "pathname-relabel"])
@pytest.mark.parametrize(
    ("role", "refused"),
    [("viewer", {**PLANNER_ONLY, **ANALYST_ONLY}), ("planner", ANALYST_ONLY)],
)
def test_a_lower_role_is_refused_the_higher_callbacks(secured_app, signed_in, role, refused, forge):
    client = signed_in(role)
    for name, outputs in refused.items():
        body = callback_body(secured_app, callback_key(secured_app, *outputs))
        response = client.post(
            "/_dash-update-component",
            json=relabelled(body) if forge else body,
            headers=csrf(client),
        )
        assert response.status_code == 403, (role, name)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"output": "no-such.children", "inputs": [], "state": []}, 403),
        ({"output": ["overview-map.figure"]}, 400),
        ({"inputs": []}, 400),
        ([1, 2, 3], 400),
    ],
)
def test_unknown_or_malformed_callbacks_are_refused(signed_in, body, status):
    client = signed_in("steward")
    response = client.post("/_dash-update-component", json=body, headers=csrf(client))
    assert response.status_code == status


def test_a_body_that_is_not_json_is_refused(signed_in):
    client = signed_in("steward")
    response = client.post(
        "/_dash-update-component",
        data="output=x",
        headers={**csrf(client), "Content-Type": "text/plain"},
    )
    assert response.status_code == 400


def test_a_viewer_can_use_the_pages(secured_app, signed_in):
    client = signed_in("viewer")
    key = callback_key(secured_app, ids.OVERVIEW_MAP)
    body = callback_body(
        secured_app,
        key,
        {f"{ids.OVERVIEW_LEVEL}.value": "province", f"{ids.OVERVIEW_URL}.search": ""},
    )
    response = client.post("/_dash-update-component", json=body, headers=csrf(client))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_json()["response"][ids.OVERVIEW_MAP]["figure"]["data"]


def test_a_planners_save_runs_and_is_audited_under_the_planner(secured_app, signed_in, engine):
    client = signed_in("planner")
    key = callback_key(secured_app, ids.STORYBOARDS_URL, ids.STORYBOARDS_STATUS)
    body = callback_body(
        secured_app,
        key,
        {
            f"{ids.STORYBOARDS_ADD}.n_clicks": 1,
            f"{ids.STORYBOARDS_NEW_NAME}.value": "security-suite board",
            f"{ids.STORYBOARDS_NEW_URL}.value": "/?measure=cert_verified&level=province&period=2010-02",
            f"{ids.STORYBOARDS_NEW_TITLE}.value": "t",
            f"{ids.STORYBOARDS_URL}.search": "",
        },
    )
    response = client.post("/_dash-update-component", json=body, headers=csrf(client))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    saves = audit.list_events(engine, action=audit.STORYBOARD_SAVE, username=USERS["planner"])
    assert saves[0].object == "security-suite board" and saves[0].scope == "nation"
    # (the regions' default storyboards, saved on the first look at storyboards, come before it)
