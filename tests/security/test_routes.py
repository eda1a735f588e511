"""Route sweep: without a session every route but the open ones sends the browser to sign in (pages)
or answers 401; the route table is exactly the policy's; no MCP or API-endpoint routes; debug off."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import Rule

from dashboard.factory import create_app
from dashboard.security import policy
from tests.support import layer_cache

SAMPLE = {"path": "flows", "package_name": "dash", "fingerprinted_path": "dash.v4_4_1m1.min.js",
          "filename": "yipanqi.css", "version": "v0", "name": "county_national"}  # fmt: skip


def concrete(rule: Rule) -> str:
    """The rule's URL with a sample value for each variable part."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: SAMPLE[m.group(1)], rule.rule)


def rules(app):
    return [r for r in app.server.url_map.iter_rules()]


def test_every_route_is_open_or_in_the_policy(secured_app):
    endpoints = {r.endpoint for r in rules(secured_app)}
    assert endpoints == set(policy.OPEN_ROUTES) | set(policy.ROUTES), (
        "a route must be open or have an action in dashboard/security/policy.py: "
        f"unknown {sorted(endpoints - set(policy.OPEN_ROUTES) - set(policy.ROUTES))}, "
        f"stale {sorted(set(policy.OPEN_ROUTES) | set(policy.ROUTES) - endpoints)}"
    )


def test_without_a_session_nothing_but_the_open_routes_answers(secured_app, client):
    checked = 0
    for rule in rules(secured_app):
        if rule.endpoint in policy.OPEN_ROUTES:
            continue
        url = concrete(rule)
        assert "<" not in url, url
        for method in sorted(rule.methods - {"OPTIONS"}) + ["OPTIONS"]:
            response = client.open(url, method=method, json={} if method == "POST" else None)
            checked += 1
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login?next="), (method, url)
                assert rule.endpoint in policy.PAGE_ENDPOINTS
            else:
                assert response.status_code == 401, (method, url, response.status_code)
    assert checked >= 20


@pytest.mark.parametrize(
    "url",
    ["/", "/flows", "/areas", "/area/310115", "/scenarios", "/present/x", "/storyboards",
     "/_dash-layout", "/_dash-dependencies", "/_reload-hash", "/geodata/v/county_national.geojson",
     "/static/x.css", "/nonexistent", "/login/../flows"],
)  # fmt: skip
def test_pages_and_data_need_a_session(client, url):
    response = client.get(url)
    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login?")


def test_the_open_routes_carry_no_data(client):
    assert client.get("/healthz").get_data(as_text=True) == "ok\n"
    assert client.get("/login").status_code == 200
    assert client.get("/assets/yipanqi.css").status_code == 200
    assert client.get("/_auth/static/login.css").status_code == 200
    assert client.get("/_favicon.ico").status_code == 200


def test_no_mcp_no_api_endpoints_no_debug(monkeypatch, security_store):
    monkeypatch.setenv("DASH_MCP_ENABLED", "true")
    monkeypatch.setenv("DASH_DEBUG", "true")
    app = create_app(layer_cache(), security_store)
    client = app.server.test_client()
    client.get("/login")
    assert not any("_mcp" in r.rule for r in rules(app))
    assert app.callback_api_paths == {}
    assert not app.server.debug
    index_rules = [r.rule for r in rules(app)]
    assert "/_dash-update-component" in index_rules


def test_the_signed_in_index_has_no_dev_bundle(signed_in):
    page = signed_in("viewer").get("/").get_data(as_text=True)
    assert "dash_renderer" in page and ".dev.js" not in page
