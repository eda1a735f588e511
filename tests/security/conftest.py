"""A real app for the security suite: a tiny store (the ETL's hand-made fixture plus random records
over two months), the test layer cache, one account per role, and helpers to sign in and to build
callback bodies as Dash's renderer does."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from access import accounts
from access.signin import SignInPolicy
from dashboard.factory import create_app
from dashboard.security import SecurityConfig
from etl.pipeline import ingest
from etl.store import open_store
from tests.etl.helpers import TINY, random_records, write_csv
from tests.support import layer_cache

KEY = "test-key-0123456789abcdef"
PASSWORD = "security suite passphrase"
USERS = {
    "viewer": "v.viewer",
    "planner": "p.planner",
    "analyst": "a.analyst",
    "steward": "s.steward",
}
COUNTIES = ["310115", "310104", "320211", "330402", "360102", "440106", "410102", "110105"]
MAX_FAILURES = 3


@pytest.fixture(scope="session")
def security_store(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("security-store")
    url = f"sqlite:///{root / 'store.sqlite'}"
    rows = TINY + random_records(400, COUNTIES, ["2010-01", "2010-02"], seed=5)
    ingest(
        [write_csv(root / "records.csv", rows)], url, root / "data", KEY, small_cell=3, workers=0
    )
    engine = open_store(url)
    for role, name in USERS.items():
        accounts.add_account(engine, name, role, "nation", password=PASSWORD)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sessions")


@pytest.fixture(scope="session")
def secured_app(security_store, session_dir):
    config = SecurityConfig(
        session_dir=session_dir,
        secret_key="security-suite-key-0123456789abcdef",
        policy=SignInPolicy(max_failures=MAX_FAILURES, lock=timedelta(minutes=15)),
    )
    app = create_app(layer_cache(), security_store, security=config)
    app.server.test_client().get("/login")  # Dash registers its callbacks at the first request
    return app


@pytest.fixture(scope="session")
def engine(secured_app):
    from dashboard.context import CONFIG_KEY

    return secured_app.server.config[CONFIG_KEY].engine


@pytest.fixture
def client(secured_app):
    return secured_app.server.test_client()


def login_token(client, path: str = "/login") -> str:
    page = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def sign_in(client, username: str, password: str = PASSWORD, next: str = "/"):
    """Post the sign-in form as a browser would (token from the page, nonce cookie from it)."""
    token = login_token(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": next},
    )


@pytest.fixture
def signed_in(secured_app):
    """``signed_in(role)``: a test client signed in as that role's account (and its CSRF header)."""

    def make(role: str):
        client = secured_app.server.test_client()
        response = sign_in(client, USERS.get(role, role))
        assert response.status_code == 303, response.get_data(as_text=True)
        client.get("/")  # the page sets the CSRF cookie
        return client

    return make


def csrf(client) -> dict[str, str]:
    return {"X-CSRFToken": client.get_cookie("_csrf_token").value}


def output_specs(key: str) -> list[dict[str, str]]:
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]


def callback_body(app, key: str, values: dict | None = None) -> dict:
    """The JSON body the renderer posts for callback ``key``; ``values`` by ``id.property``
    (a pattern-matching dependency or output with an ``ALL`` wildcard gets an empty list of
    matches; a ``MATCH`` one, as the renderer sends it, its one match: here the first, ``0``,
    without a value)."""
    values = values or {}
    spec = app.callback_map[key]

    def item(dep: dict) -> dict | list:
        if is_pattern(dep):
            pattern = json.loads(dep["id"])
            if not is_match(pattern):
                return []
            return {"id": first_match(pattern), "property": dep["property"], "value": None}
        return {**dep, "value": values.get(f"{dep['id']}.{dep['property']}")}

    def output(spec_: dict) -> dict | list:
        if not str(spec_["id"]).startswith("{"):
            return spec_
        pattern = json.loads(spec_["id"])
        single = is_match(pattern) or not any(isinstance(v, list) for v in pattern.values())
        return {**spec_, "id": first_match(pattern)} if single else []  # a dict ID: itself

    inputs = [item(d) for d in spec["inputs"]]
    outputs = [output(o) for o in output_specs(key)]
    first = spec["inputs"][0]
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": inputs,
        "state": [item(d) for d in spec["state"]],
        "changedPropIds": [] if is_pattern(first) else [f"{first['id']}.{first['property']}"],
    }


def is_match(pattern: dict) -> bool:
    """A ``MATCH`` pattern (no ``ALL`` or ``ALLSMALLER``): the renderer sends its one match."""
    wildcards = [v[0] for v in pattern.values() if isinstance(v, list) and v]
    return bool(wildcards) and all(w == "MATCH" for w in wildcards)


def first_match(pattern: dict) -> dict:
    """The pattern's ID with every wildcard set to 0."""
    return {k: 0 if isinstance(v, list) else v for k, v in pattern.items()}


def is_pattern(dep: dict) -> bool:
    """A pattern-matching dependency (Dash registers its ID as JSON text)."""
    return isinstance(dep["id"], dict) or str(dep["id"]).startswith("{")


def callback_key(app, *component_ids: str) -> str:
    """The callback_map key of the callback that writes exactly these component IDs."""
    from dashboard.security.policy import output_ids

    found = [k for k in app.callback_map if output_ids(k) == frozenset(component_ids)]
    assert len(found) == 1, (component_ids, found)
    return found[0]
