"""Security headers on every kind of response: pages, callbacks, layouts, the sign-in page,
redirects, refusals, static code and fonts, geometry, errors."""

from __future__ import annotations

import pytest

from dashboard.factory import create_app
from dashboard.security import SecurityConfig
from tests.security.conftest import callback_body, callback_key, csrf
from tests.support import layer_cache


def check(response) -> None:
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["connect-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    scripts = directives["script-src"].split()
    assert scripts[0] == "'self'" and "'unsafe-inline'" not in scripts
    assert all(s.startswith("'sha256-") for s in scripts[1:-1]) and scripts[-1] == "'unsafe-eval'"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Server" not in headers  # the app adds none; gunicorn's names no version
    assert "Strict-Transport-Security" not in headers  # only when served over TLS


def test_every_response_type_carries_the_headers(secured_app, client, signed_in):
    anonymous = [
        client.get("/login"),
        client.get("/login?lang=en"),
        client.get("/"),  # 302
        client.get("/_dash-layout"),  # 401
        client.get("/healthz"),
        client.get("/assets/yipanqi.css"),
        client.get("/assets/fonts/NotoSansSC-Regular-subset.woff2"),
        client.get("/_auth/static/login.css"),
        client.get("/_favicon.ico"),
        client.get("/assets/missing.css"),  # 404
    ]
    user = signed_in("viewer")
    version = secured_app.server.config["YIPANQI_CONTEXT"].layers.version
    key = callback_key(secured_app, "flows-download")
    overview = callback_key(secured_app, "overview-map")
    signed = [
        user.get("/"),
        user.get("/flows?lang=en"),
        user.get("/_dash-layout"),
        user.get("/_dash-dependencies"),
        user.get(f"/geodata/{version}/province_national.geojson"),
        user.post(
            "/_dash-update-component", json=callback_body(secured_app, key), headers=csrf(user)
        ),  # 403
        user.post(
            "/_dash-update-component", json=callback_body(secured_app, overview)
        ),  # 400: no token
        user.get("/nonexistent/deep/path"),
    ]
    statuses = {r.status_code for r in anonymous + signed}
    assert {200, 302, 400, 401, 403, 404} <= statuses
    for response in anonymous + signed:
        check(response)


def test_the_csp_names_dashs_inline_scripts(secured_app, signed_in):
    page = signed_in("viewer").get("/")
    for digest in secured_app.csp_hashes():
        assert digest in page.headers["Content-Security-Policy"]


def test_data_is_not_cached_static_code_is(secured_app, signed_in):
    user = signed_in("viewer")
    for url in ("/", "/_dash-layout", "/_dash-dependencies"):
        assert user.get(url).headers["Cache-Control"] == "no-store"
    version = secured_app.server.config["YIPANQI_CONTEXT"].layers.version
    geometry = user.get(f"/geodata/{version}/province_national.geojson")
    assert geometry.headers["Cache-Control"].startswith("private")


def test_session_cookie_flags(client, signed_in):
    from tests.security.conftest import USERS, sign_in

    response = sign_in(client, USERS["viewer"])
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("yipanqi_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP here (tests); see the TLS case below


@pytest.fixture(scope="module")
def tls_app(security_store, tmp_path_factory):
    config = SecurityConfig(
        tmp_path_factory.mktemp("tls-sessions"), "tls-key-0123456789", tls=True, proxies=1
    )
    return create_app(layer_cache(), security_store, security=config)


def test_behind_a_tls_proxy_cookies_are_secure_and_hsts_is_sent(tls_app):
    from tests.security.conftest import USERS, login_token

    client = tls_app.server.test_client()
    https = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "10.1.2.3",
        "X-Forwarded-Host": "localhost",
    }
    page = client.get("/login", headers=https)
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Secure" in next(
        c for c in page.headers.getlist("Set-Cookie") if c.startswith("yipanqi_login=")
    )
    token = login_token(client)
    signed = client.post(
        "/login",
        data={
            "username": USERS["viewer"],
            "password": "security suite passphrase",
            "csrf_token": token,
        },
        headers=https,
    )
    assert signed.status_code == 303
    cookie = next(c for c in signed.headers.getlist("Set-Cookie") if "yipanqi=" in c)
    assert cookie.startswith("__Host-yipanqi=") and "Secure" in cookie and "HttpOnly" in cookie
