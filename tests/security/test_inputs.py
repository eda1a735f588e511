"""Hostile input: XSS payloads in the sign-in form and in URL parameters come back escaped (or not at
all), the sign-in page redirects only within the site, and path traversal on every static route and
on the geometry route finds nothing."""

from __future__ import annotations

import pytest

from dashboard.security.login import safe_next
from tests.security.conftest import login_token

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'-alert(1)-'",
    "javascript:alert(1)",
    "</title><svg onload=alert(1)>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_username_field_is_escaped(secured_app, payload):
    client = secured_app.server.test_client()
    token = login_token(client)
    page = client.post("/login", data={"username": payload, "password": "x", "csrf_token": token})
    text = page.get_data(as_text=True)
    assert page.status_code == 401
    assert payload not in text or payload == "javascript:alert(1)"  # plain text is harmless
    assert "<script>alert" not in text and "<img src=x" not in text and "<svg onload" not in text


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", ["next", "lang", "ended", "bye"])
def test_sign_in_page_parameters_are_escaped(client, payload, field):
    text = client.get("/login", query_string={field: payload}).get_data(as_text=True)
    assert "<script>alert" not in text and "<img src=x" not in text and "<svg onload" not in text
    assert "<script" not in text  # the page has no script at all


@pytest.mark.parametrize("payload", PAYLOADS)
def test_url_parameters_on_pages_are_not_reflected_raw(signed_in, payload):
    client = signed_in("viewer")
    for path in ("/", "/flows", "/area/310115", "/scenarios", "/storyboards"):
        text = client.get(
            path, query_string={"lang": payload, "name": payload, "period": payload}
        ).get_data(as_text=True)
        assert (
            "<script>alert" not in text and "<img src=x" not in text and "<svg onload" not in text
        )
    redirect = client.get("/logout")
    assert payload not in redirect.headers["Location"]


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/flows?lang=en", "/flows?lang=en"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        (None, "/"),
    ],
)
def test_sign_in_redirects_stay_on_the_site(target, safe):
    assert safe_next(target) == safe


TRAVERSALS = [
    "/assets/../app.py",
    "/assets/%2e%2e/app.py",
    "/assets/..%2fapp.py",
    "/assets/%2e%2e%2fpyproject.toml",
    "/assets/..%5c..%5capp.py",
    "/assets/fonts/../../pyproject.toml",
    "/assets//etc/passwd",
    "/assets/%2fetc%2fpasswd",
    "/_dash-component-suites/dash/../../../../etc/passwd",
    "/_dash-component-suites/dash/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/_dash-component-suites/dash/..%2f..%2f..%2fdash.py",
    "/_dash-component-suites/../dash/dash.py",
    "/_auth/static/../login.py",
    "/_auth/static/%2e%2e/login.py",
    "/_auth/static/..%2f..%2fconfig.py",
]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_path_traversal_on_open_static_routes_finds_nothing(client, url):
    response = client.get(url)
    assert response.status_code in (302, 400, 401, 404), (url, response.status_code)
    body = response.get_data()
    assert b"root:" not in body and b"[project]" not in body and b"import " not in body


@pytest.mark.parametrize(
    "name",
    [
        "../../layers",
        "%2e%2e/%2e%2e/secret",
        "..%2f..%2fmanifest",
        "/etc/passwd",
        "county_detail/../../../x",
    ],
)
def test_path_traversal_on_the_geometry_route_finds_nothing(secured_app, signed_in, client, name):
    version = secured_app.server.config["YIPANQI_CONTEXT"].layers.version
    url = f"/geodata/{version}/{name}.geojson"
    assert client.get(url).status_code in (302, 401)  # no session: the gate first
    response = signed_in("viewer").get(url, follow_redirects=True)
    body = response.get_data()
    assert b"root:" not in body
    # not found, or (a path the geometry route does not match) the app's empty page shell
    assert response.status_code in (400, 404) or b'id="react-entry-point"' in body, url
