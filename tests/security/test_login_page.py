"""The sign-in page as served: both languages, the bundled font, no script, a form that posts to
itself; the signed-in page names the account and offers sign-out."""

from __future__ import annotations

import re

import pytest

from tests.security.conftest import USERS


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("", ["登录", "用户名", "密码", "English"]),
        ("?lang=en", ["Sign in", "User name", "Password", "中文"]),
    ],
)
def test_the_page_in_both_languages(client, query, words):
    page = client.get("/login" + query)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    for word in words:
        assert word in text
    assert "<script" not in text.lower()
    assert 'href="/assets/yipanqi.css"' in text  # the bundled Noto Sans SC subset
    assert re.search(r'<form[^>]+method="post"[^>]+action="/login"', text)
    assert 'autocomplete="current-password"' in text


def test_the_font_and_stylesheets_are_served_to_visitors(client):
    css = client.get("/assets/yipanqi.css").get_data(as_text=True)
    font = re.search(r'url\("(fonts/NotoSansSC-Regular-subset\.woff2)"\)', css).group(1)
    assert client.get(f"/assets/{font}").status_code == 200
    assert client.get("/_auth/static/login.css").status_code == 200


def test_the_language_switch_keeps_the_destination(client):
    text = client.get("/login?next=/flows").get_data(as_text=True)
    assert 'href="/login?lang=en&amp;next=%2Fflows"' in text


def test_signing_in_returns_to_the_page_asked_for(client, signed_in):
    redirect = client.get("/flows?lang=en")
    assert redirect.headers["Location"] == "/login?next=%2Fflows%3Flang%3Den&lang=en"
    from tests.security.conftest import sign_in

    assert (
        sign_in(client, USERS["viewer"], next="/flows?lang=en").headers["Location"]
        == "/flows?lang=en"
    )
    assert client.get("/login").headers["Location"] == "/"  # already signed in


def test_the_page_names_the_account_and_offers_sign_out(signed_in):
    text = signed_in("planner").get("/").get_data(as_text=True)
    assert f'<span class="yp-account-name">{USERS["planner"]}</span>' in text
    assert 'href="/logout"' in text
