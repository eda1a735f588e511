"""The role x scope matrix: for readers of the nation, a region, a province and a prefecture, every
page (through Dash's page router) and every callback of the app, with bodies built from the pages'
own props and with forged values (another province's codes as areas, focus, levers and region
lists, periods out of range), answers nothing that names or codes a county or prefecture outside
the reader's scope; and every role-restricted callback answers 403 below its role.

*Outside* is computed here from the boundary hierarchy and the regions file, independently of the
read contract: a county is inside when its province (a region's member provinces), province or
prefecture is the scope's. Province names and codes may appear (province-level flows name the
partner province); a county or prefecture name that is also the name of a unit inside the scope
(鼓楼区 is in Nanjing and in Fuzhou) cannot tell the two apart and is not searched for.
"""

from __future__ import annotations

import contextlib
import json
import re
from datetime import timedelta
from functools import cache
from urllib.parse import quote

import pytest

from access import accounts
from access.roles import Role, allows
from access.signin import SignInPolicy
from dashboard import theme
from dashboard.context import CONFIG_KEY
from dashboard.factory import create_app
from dashboard.security import SecurityConfig, policy
from dashboard.story import storage
from etl.pipeline import ingest
from etl.scope import NATION, Scope, parse_scope
from etl.store import open_store
from geodata.areas import hierarchy, regions
from tests.etl.helpers import random_records, write_csv
from tests.security.conftest import PASSWORD, callback_body, callback_key, csrf, sign_in
from tests.support import layer_cache

COUNTIES = ["320211", "320213", "320102", "310115", "310104", "330402", "360102", "440106",
            "410102", "110105"]  # fmt: skip
SCOPES = ["nation", "region:pan_yangtze", "province:320000", "prefecture:320200"]
PERIODS = ["2010-01", "2010-02"]
FOREIGN = "440106"  # a county of Guangdong, outside every scope but the nation
FOREIGN_PREFECTURE = "440100"
PAGES = ["/", "/?level=county", "/?level=prefecture&measure=inflow&period=2010-01", "/flows",
         f"/flows?focus={FOREIGN}&level=county", "/flows?level=prefecture", "/areas",
         "/areas?q=%E5%A4%A9%E6%B2%B3", f"/area/{FOREIGN}", "/area/320211", "/area/320200",
         "/area/pan_yangtze", "/area/pan_pearl", f"/area/{FOREIGN_PREFECTURE}?period=2099-01",
         "/assessment", "/assessment?level=province&region=pan_pearl&period=2010-01",
         "/assessment?level=prefecture&role=origin",
         "/monitoring", "/monitoring?region=pan_pearl&department=health&severity=high&period=2010-01",
         "/scenarios", f"/scenarios?name=x&pilot={FOREIGN}", "/storyboards", "/present/x",
         f"/present/{FOREIGN}", "/hotspots", "/hotspots?level=prefecture&measure=inflow_per_1000",
         "/hotspots?measure=net&scheme=user&breaks=1,2&fdr=1&variable=eb"]  # fmt: skip


@pytest.fixture(scope="module")
def matrix_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("scope-matrix")
    url = f"sqlite:///{root / 'store.sqlite'}"
    rows = random_records(600, COUNTIES, PERIODS, seed=14)
    ingest([write_csv(root / "records.csv", rows)], url, root / "data", "matrix-key-0123456789",
           small_cell=3, workers=0)  # fmt: skip
    engine = open_store(url)
    for scope in SCOPES:
        for role in Role:
            accounts.add_account(engine, account(role, scope), role, scope, password=PASSWORD)
    engine.dispose()
    config = SecurityConfig(
        session_dir=root / "sessions",
        secret_key="scope-matrix-key-0123456789abcdef",
        policy=SignInPolicy(max_failures=3, lock=timedelta(minutes=15)),
    )
    app = create_app(layer_cache(), url, security=config)
    app.server.test_client().get("/login")
    return app


def account(role: Role | str, scope: str) -> str:
    return f"{role}.{scope.replace(':', '.').replace('_', '-')}"


def client_of(app, role: str, scope: str):
    client = app.server.test_client()
    assert sign_in(client, account(role, scope)).status_code == 303
    client.get("/")
    return client


# --- what is outside a scope (independent of the read contract) ----------------------------------


def inside_counties(scope: Scope) -> set[str]:
    h = hierarchy()
    if scope.is_nation:
        return set(h["county_code"])
    if scope.level == "region":
        members = next(r for r in regions(None).regions if r.code == scope.code).province_codes
        return set(h.loc[h["province_code"].isin(members), "county_code"])
    return set(h.loc[h[f"{scope.level}_code"] == scope.code, "county_code"])


@cache
def outside(scope_text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(the outside county and prefecture codes, their names) for ``scope_text``."""
    h = hierarchy()
    out = h[~h["county_code"].isin(inside_counties(parse_scope(scope_text)))]
    if out.empty:
        return frozenset(), frozenset()
    inn = h[~h.index.isin(out.index)]
    codes = set(out["county_code"]) | set(out["prefecture_code"])
    codes -= set(inn["prefecture_code"]) | set(h["province_code"])
    shown = set(h["province_name"]) | set(inn["county_name"]) | set(inn["prefecture_name"])
    names = (set(out["county_name"]) | set(out["prefecture_name"])) - shown
    names = {n for n in names if not any(n in s for s in shown)}
    return frozenset(codes), frozenset(names)


NUMBER = re.compile(r"(?<![\d.])\d+")  # a whole number (not the decimals of one)


def codes_in(text: str, codes: frozenset[str]) -> set[str]:
    """The ``codes`` that stand as whole numbers in ``text``."""
    return {n for n in NUMBER.findall(text) if n in codes}


@cache
def name_runs(names: frozenset[str]) -> tuple[re.Pattern, tuple[int, ...]]:
    """(a pattern of the runs of the characters ``names`` are written with, their lengths)."""
    letters = "".join(sorted(set("".join(names))))
    return re.compile(f"[{re.escape(letters)}]+"), tuple(sorted({len(n) for n in names}))


def names_in(text: str, names: frozenset[str]) -> set[str]:
    """The ``names`` found in ``text``: the same as ``{n for n in names if n in text}``, read off
    the runs of the names' characters (each name lies inside one) instead of ~3,000 searches of a
    long text."""
    runs, lengths = name_runs(names)
    return {
        run[i : i + size]
        for run in runs.findall(text)
        for size in lengths
        for i in range(len(run) - size + 1)
        if run[i : i + size] in names
    }


def unnamed_grey(node):
    """``node`` without the codes of the flat grey traces of areas drawn without name or value
    (outside coverage or the scope): the base geometry names every unit's code to every reader;
    and without the base64 content of downloads (packs are checked where they are made)."""
    if isinstance(node, list):
        return [unnamed_grey(x) for x in node]
    if not isinstance(node, dict):
        return node
    if node.get("colorscale") == [[0, theme.OUTSIDE_COVERAGE], [1, theme.OUTSIDE_COVERAGE]]:
        node = {**node, "locations": [], "customdata": []}
    if node.get("base64") is True:  # a download (PPTX, PDF): its digits are not codes
        node = {**node, "content": ""}
    return {k: unnamed_grey(v) for k, v in node.items()}


EXAMPLES = (
    "如 310115）",
    "such as 310115)",
    "或 320583",
    "or 320583",
)  # fixed examples in messages and placeholders


def leaks(scope_text: str, payload, sent: str = "") -> list[str]:
    """Outside codes and names in ``payload``; a code the request itself ``sent`` may come back
    (an echoed URL or the "unknown code" message tells nothing new), a name may not."""
    codes, names = outside(scope_text)
    if not codes and not names:
        return []
    if isinstance(payload, str):
        with contextlib.suppress(ValueError):
            payload = json.loads(payload)
    text = (
        payload
        if isinstance(payload, str)
        else json.dumps(unnamed_grey(payload), ensure_ascii=False)
    )
    for example in EXAMPLES:
        text = text.replace(example, "")
    found = sorted(codes_in(text, codes) - codes_in(sent, codes))
    found += sorted(names_in(text, names))
    return found


# --- bodies: the pages' own props, then forged values ------------------------------------------


def collect_props(node, into: dict) -> None:
    """``id.prop`` -> value of every component with a string id in a layout tree."""
    if isinstance(node, list):
        for child in node:
            collect_props(child, into)
    elif isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict):
            if isinstance(props.get("id"), str):
                for prop, value in props.items():
                    into.setdefault(f"{props['id']}.{prop}", value)
            node = props
        for component, values in (node.get("response") or {}).items():
            for prop, value in values.items():
                into[f"{component}.{prop}"] = value
        for value in node.values():
            collect_props(value, into)


FORGED_SEARCH = (f"?area={FOREIGN}&focus={FOREIGN}&pilot={FOREIGN}&level=county&region=pan_pearl"
                 f"&period=2099-13&name=x&board={FOREIGN}")  # fmt: skip
FORGED_CLICK = {"points": [{"location": FOREIGN, "customdata": [FOREIGN], "text": FOREIGN}]}


def forged(prop: str, value):
    """Another province's codes in place of ``value`` (by the shape of the property)."""
    if prop == "search":
        return FORGED_SEARCH
    if prop == "pathname":
        return f"/area/{FOREIGN}"
    if prop in ("clickData", "hoverData", "selectedData"):
        return FORGED_CLICK
    if isinstance(value, list):
        return [FOREIGN, FOREIGN_PREFECTURE, "pan_pearl"]
    if isinstance(value, dict):
        return {k: FOREIGN for k in value}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return 99
    if prop in ("value", "data"):
        return FOREIGN if value is None or not str(value).startswith("20") else "2099-01"
    return value


def bodies(app, key: str, props: dict) -> list[dict]:
    spec = app.callback_map[key]
    deps = [*spec["inputs"], *spec["state"]]
    plain = {f"{d['id']}.{d['property']}": props.get(f"{d['id']}.{d['property']}") for d in deps
             if isinstance(d["id"], str)}  # fmt: skip
    fake = {k: forged(k.rsplit(".", 1)[1], v) for k, v in plain.items()}
    return [callback_body(app, key, plain), callback_body(app, key, fake)]


def post(client, body):
    return client.post("/_dash-update-component", json=body, headers=csrf(client))


def router(app) -> str:
    return callback_key(app, "_pages_content", "_pages_store")


def page(client, app, path: str):
    pathname, _, query = path.partition("?")
    body = callback_body(
        app,
        router(app),
        {
            "_pages_location.pathname": pathname,
            "_pages_location.search": "?" + query if query else "",
        },
    )
    return post(client, body)


@pytest.mark.parametrize("scope", SCOPES)
def test_nothing_outside_the_scope_answers(matrix_app, scope):
    client = client_of(matrix_app, "steward", scope)  # the steward reaches every callback
    props: dict = {}
    found = {}
    page(client, matrix_app, "/storyboards")  # the regions' default storyboards are saved
    boards = storage.list_storyboards(matrix_app.server.config[CONFIG_KEY].engine, scope=NATION)
    assert boards
    for path in [*PAGES, *(f"/present/{quote(name)}" for name in boards)]:
        response = page(client, matrix_app, path)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
        payload = response.get_json()
        collect_props(payload, props)
        if bad := leaks(scope, payload, sent=path):
            found[path] = bad[:8]
    for key in matrix_app.callback_map:
        if key == router(matrix_app) or "callback" not in matrix_app.callback_map[key]:
            continue  # the router is requested above; clientside callbacks run in the browser
        for kind, body in zip(("plain", "forged"), bodies(matrix_app, key, props), strict=True):
            response = post(client, body)
            complete = all(
                d.get("value") is not None
                for d in body["inputs"] + body["state"]
                if isinstance(d, dict)
            )  # (a list: the matches of a pattern)
            if kind == "plain" and complete and response.status_code not in (200, 204):
                found[f"{kind} {key}"] = [str(response.status_code)]
            if kind == "plain" and response.status_code == 200:
                collect_props(response.get_json(), props)  # as the renderer chains callbacks
            if bad := leaks(scope, response.get_data(as_text=True), sent=json.dumps(body)):
                found[f"{kind} {key}"] = bad[:8]
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.STEWARD])
def test_role_restricted_callbacks_are_refused_below_their_role(matrix_app, role):
    client = client_of(matrix_app, role, "province:320000")
    refused = 0
    for key in matrix_app.callback_map:
        action = policy.callback_action(key)
        assert action is not None, key
        if allows(role, action):
            continue
        for body in bodies(matrix_app, key, {}):
            assert post(client, body).status_code == 403, (role, key)
            refused += 1
    assert refused > 0 or role is Role.ANALYST  # no callback needs more than an analyst
