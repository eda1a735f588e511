"""CSRF: every state-changing request needs a token bound to the session (callbacks: the
``X-CSRFToken`` header Dash's renderer copies from the ``_csrf_token`` cookie); the sign-in form
has its own signed double-submit token; sign-out cannot be triggered from another site."""

from __future__ import annotations

from dashboard import ids
from tests.security.conftest import PASSWORD, USERS, callback_body, callback_key, csrf, login_token


def overview_body(app) -> dict:
    key = callback_key(app, ids.OVERVIEW_MAP)
    return callback_body(
        app, key, {f"{ids.OVERVIEW_LEVEL}.value": "province", f"{ids.OVERVIEW_URL}.search": ""}
    )


def test_a_callback_without_or_with_a_wrong_token_is_400(secured_app, signed_in):
    client = signed_in("viewer")
    body = overview_body(secured_app)
    assert client.post("/_dash-update-component", json=body).status_code == 400
    wrong = {"X-CSRFToken": "IjEyMyI.aaaa.bbbb"}
    assert client.post("/_dash-update-component", json=body, headers=wrong).status_code == 400
    assert (
        client.post("/_dash-update-component", json=body, headers=csrf(client)).status_code == 200
    )


def test_a_token_from_another_session_is_400(secured_app, signed_in):
    alice, bob = signed_in("viewer"), signed_in("planner")
    body = overview_body(secured_app)
    assert alice.post("/_dash-update-component", json=body, headers=csrf(bob)).status_code == 400


def test_the_csrf_cookie_is_readable_by_the_page_and_strict(signed_in):
    client = signed_in("viewer")
    cookies = client.get("/").headers.getlist("Set-Cookie")
    token_cookie = next(c for c in cookies if c.startswith("_csrf_token="))
    assert "SameSite=Strict" in token_cookie and "HttpOnly" not in token_cookie


def test_the_sign_in_form_needs_its_token_and_cookie(secured_app):
    name = USERS["viewer"]
    client = secured_app.server.test_client()
    no_token = client.post("/login", data={"username": name, "password": PASSWORD})
    assert no_token.status_code == 400
    token = login_token(client)
    other = secured_app.server.test_client()  # a different browser: no nonce cookie
    assert (
        other.post(
            "/login", data={"username": name, "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 400
    )
    forged = client.post(
        "/login", data={"username": name, "password": PASSWORD, "csrf_token": "x.y.z"}
    )
    assert forged.status_code == 400
    token = login_token(client)
    assert (
        client.post(
            "/login", data={"username": name, "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 303
    )


def test_sign_out_by_post_needs_the_token_and_by_get_the_same_site(signed_in):
    client = signed_in("viewer")
    assert client.post("/logout").status_code == 400
    assert client.get("/logout", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.get("/").status_code == 200  # still signed in
    assert client.post("/logout", headers=csrf(client)).status_code == 303
    assert client.get("/").status_code == 302
