"""Forged callback bodies: every callback of the app, posted with malformed or out-of-range inputs
(wrong types, unknown area codes, huge and negative indices, nulls, missing keys, bodies that do not
fit the callback's registration), answers a clean 4xx or an ordinary update, never a 500.

Signed in as a steward of the nation (who reaches every callback) and as a viewer of one province
(the role and scope most callbacks are used with: the steward-only callbacks answer it 403). Each
forged body starts from a plausible one (the pages' own props, collected as in the scope matrix)
and changes one input or state at a time, marked as the input that changed. The briefing pack's
maps are stubbed (a small PNG): the print renderer is tested in tests/export.
"""

from __future__ import annotations

import copy
import json

import pytest
from PIL import Image

from access import accounts
from tests.security.conftest import PASSWORD, callback_body, csrf, is_match, is_pattern, sign_in
from tests.security.test_scope_matrix import collect_props, page

PROVINCE_VIEWER = "v.forged-province"
PAGES = ["/", "/flows", "/areas", "/area/310115", "/assessment", "/monitoring", "/scenarios", "/storyboards",
         "/present/pan_yangtze", "/hotspots"]  # fmt: skip
FOREIGN = "440106"  # a county of Guangdong: outside the province viewer's scope
VALUES = [None, 2**70, -1, 2.5, True, "", "nonsense", FOREIGN, "2099-13", [], [None, 7], {"a": 1}]
INDICES = [0, 10**12, -5, "x", None, 1.5]


@pytest.fixture(scope="module")
def clients(secured_app, engine):
    if accounts.get_account(engine, PROVINCE_VIEWER) is None:
        accounts.add_account(
            engine, PROVINCE_VIEWER, "viewer", "province:310000", password=PASSWORD
        )
    made = {}
    for name in ("s.steward", PROVINCE_VIEWER):
        client = secured_app.server.test_client()
        assert sign_in(client, name).status_code == 303
        client.get("/")
        made[name] = client
    return made


@pytest.fixture(autouse=True)
def stub_pack_maps(monkeypatch):
    def draw(_layers, _url, jobs):
        for _view, path in jobs:
            Image.new("RGB", (30, 20), "#6baed6").save(path)

    monkeypatch.setattr("dashboard.story.pack._render_maps", draw)


def page_props(app, client) -> dict:
    props: dict = {}
    for path in PAGES:
        response = page(client, app, path)
        assert response.status_code == 200, path
        collect_props(response.get_json(), props)
    return props


def server_callbacks(app) -> list[str]:
    """Every callback that runs on the server (clientside ones run in the browser)."""
    return [k for k in app.callback_map if "callback" in app.callback_map[k]]


def plain_body(app, key: str, props: dict) -> dict:
    spec = app.callback_map[key]
    deps = [*spec["inputs"], *spec["state"]]
    plain = {f"{d['id']}.{d['property']}": props.get(f"{d['id']}.{d['property']}") for d in deps}
    return callback_body(app, key, plain)


def value_forgeries(app, key: str, base: dict):
    """Each input and state of ``base`` in turn set to each forged value (an input is marked as
    the one that changed); a pattern-matching one as a single match with a forged index."""
    spec = app.callback_map[key]
    for section, deps in (("inputs", spec["inputs"]), ("state", spec["state"])):
        for i, dep in enumerate(deps):
            if is_pattern(dep):
                pattern = json.loads(dep["id"])
                for value, index in [(1, i) for i in INDICES] + [(v, 0) for v in VALUES]:
                    component = {
                        k: (index if isinstance(v, list) else v) for k, v in pattern.items()
                    }
                    body = copy.deepcopy(base)
                    match = {"id": component, "property": dep["property"], "value": value}
                    body[section][i] = match if is_match(pattern) else [match]  # as sent
                    if section == "inputs":
                        name = json.dumps(component, sort_keys=True, separators=(",", ":"))
                        body["changedPropIds"] = [f"{name}.{dep['property']}"]
                    yield f"{section}[{i}] {dep['id']} index={index!r} value={value!r}", body
                continue
            for value in VALUES:
                body = copy.deepcopy(base)
                body[section][i] = {**body[section][i], "value": value}
                if section == "inputs":
                    body["changedPropIds"] = [f"{dep['id']}.{dep['property']}"]
                yield f"{section}[{i}] {dep['id']}.{dep['property']}={value!r}", body


def shape_forgeries(base: dict):
    """Bodies whose shape does not fit the callback's registration."""
    for field in ("inputs", "state", "outputs", "changedPropIds"):
        if base.get(field) and field != "changedPropIds":  # (Dash reads it missing as empty)
            body = copy.deepcopy(base)
            body.pop(field)
            yield f"no {field}", body
        for value in (None, 1, "x", {}, [1], [{}], [[{}]]):
            body = copy.deepcopy(base)
            body[field] = value
            yield f"{field}={value!r}", body
    body = copy.deepcopy(base)
    body["inputs"] = body["inputs"][:-1]
    yield "one input short", body
    body = copy.deepcopy(base)
    body["inputs"] = [*body["inputs"], {"id": "x", "property": "value", "value": 1}]
    yield "an input too many", body
    body = copy.deepcopy(base)
    body["inputs"] = list(reversed(body["inputs"])) + [{"id": "x", "property": "value"}]
    yield "inputs out of order", body
    for i, item in enumerate(base["inputs"]):
        if isinstance(item, dict):
            body = copy.deepcopy(base)
            body["inputs"][i] = {"id": item["id"], "property": "children", "value": 1}
            yield f"inputs[{i}] of another property", body


def post(client, body):
    return client.post("/_dash-update-component", json=body, headers=csrf(client))


def server_errors(client, bodies) -> dict[str, str]:
    """The first body of each callback that got a 5xx (callback key -> what was forged)."""
    found: dict[str, str] = {}
    for key, label, body in bodies:
        response = post(client, body)
        if response.status_code >= 500:
            found.setdefault(key[:90], f"{label} -> {response.status_code}")
    return found


@pytest.mark.parametrize("who", ["s.steward", PROVINCE_VIEWER])
def test_forged_values_get_no_server_error(secured_app, clients, who):
    client = clients[who]
    props = page_props(secured_app, client)
    bodies = []
    for key in server_callbacks(secured_app):
        base = plain_body(secured_app, key, props)
        bodies.append((key, "plain", base))
        bodies += [(key, label, body) for label, body in value_forgeries(secured_app, key, base)]
    assert len(bodies) > 500  # every callback, every input
    found = server_errors(client, bodies)
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


def test_bodies_that_do_not_fit_their_callback_are_400(secured_app, clients):
    client = clients["s.steward"]
    props = page_props(secured_app, client)
    wrong = {}
    for key in server_callbacks(secured_app):
        for label, body in shape_forgeries(plain_body(secured_app, key, props)):
            status = post(client, body).status_code
            if status != 400:
                wrong.setdefault(key[:90], f"{label} -> {status}")
    assert not wrong, json.dumps(wrong, ensure_ascii=False, indent=1)
