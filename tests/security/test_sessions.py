"""Sessions: lock-out through the sign-in page, idle and absolute expiry, sign-out and account
changes end the server-side session, a new session ID at sign-in, no password in a session file."""

from __future__ import annotations

import re
import stat
import time

import pytest

from access import accounts, audit
from dashboard.security import sessions
from tests.security.conftest import MAX_FAILURES, PASSWORD, login_token, sign_in


@pytest.fixture
def account(engine, request):
    """A fresh viewer account of this test's own."""
    name = "t." + re.sub(r"[^a-z0-9]+", "-", request.node.name.removeprefix("test_"))[:50]
    accounts.add_account(engine, name, "viewer", "nation", password=PASSWORD)
    return name


def test_lock_out_through_the_sign_in_page(client, account, engine):
    for _ in range(MAX_FAILURES):
        refused = sign_in(client, account, "not the password")
        assert refused.status_code == 401
    locked = sign_in(client, account, PASSWORD)
    assert locked.status_code == 401
    # the same words for a wrong password, an unknown user and a locked account
    unknown = sign_in(client, "nobody-at-all", PASSWORD)
    assert _message(locked) == _message(refused) == _message(unknown)
    reasons = [
        e.detail for e in audit.list_events(engine, action=audit.SIGN_IN_FAILED, username=account)
    ]
    assert (
        reasons
        == ["account locked from 127.0.0.1"] + ["wrong password from 127.0.0.1"] * MAX_FAILURES
    )


def _message(response) -> str:
    text = response.get_data(as_text=True)
    return text[text.index('role="alert"') : text.index("</p>", text.index('role="alert"'))]


class Clock:
    """``time.time`` for the sessions module, moved forward by the test."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(sessions, "time", fake)
    return fake


def test_an_idle_session_expires(client, account, clock, engine):
    assert sign_in(client, account).status_code == 303
    clock.offset = 29 * 60
    assert client.get("/").status_code == 200  # 29 minutes idle: still on (and now seen again)
    clock.offset = 29 * 60 + 31 * 60
    expired = client.get("/flows")
    assert expired.status_code == 302 and "ended=1" in expired.headers["Location"]
    assert client.get("/").status_code == 302  # ended for good, not just once
    ended = audit.list_events(engine, action=audit.SESSION_ENDED, username=account)
    assert [e.detail for e in ended] == ["expired"]


def test_a_busy_session_still_ends_after_twelve_hours(client, account, clock):
    assert sign_in(client, account).status_code == 303
    for minutes in range(25, 12 * 60, 25):  # a request every 25 minutes: never idle for 30
        clock.offset = minutes * 60
        assert client.get("/").status_code == 200
    clock.offset = 12 * 3600 + 1
    assert client.get("/").status_code == 302


def test_sign_out_deletes_the_server_side_session(client, account, session_dir):
    assert sign_in(client, account).status_code == 303
    sid = client.get_cookie("yipanqi_session").value
    files = set(session_dir.iterdir())
    assert client.get("/logout").status_code == 303
    assert len(set(session_dir.iterdir())) < len(files)  # the file went with it
    client.set_cookie("yipanqi_session", sid)  # replaying the old cookie
    assert client.get("/").status_code == 302
    assert client.post("/_dash-update-component", json={"output": "x"}).status_code == 401


def test_sign_in_gives_a_new_session_id(secured_app, client, account):
    client.set_cookie("yipanqi_session", "planted-by-an-attacker")
    assert sign_in(client, account).status_code == 303
    first = client.get_cookie("yipanqi_session").value
    assert first != "planted-by-an-attacker"
    # signing in again over a live session (the form comes from another tab): a new ID, the old
    # one is gone
    other = secured_app.server.test_client()
    token = login_token(other)
    client.set_cookie("yipanqi_login", other.get_cookie("yipanqi_login", path="/login").value, path="/login")
    again = client.post("/login", data={"username": account, "password": PASSWORD, "csrf_token": token})
    assert again.status_code == 303
    assert client.get_cookie("yipanqi_session").value != first
    stale = secured_app.server.test_client()
    stale.set_cookie("yipanqi_session", first)
    assert stale.get("/").status_code == 302


@pytest.mark.parametrize(
    "change",
    [
        lambda e, n: accounts.set_disabled(e, n, True),
        lambda e, n: accounts.set_password(e, n, "a brand new passphrase"),
        lambda e, n: accounts.change_account(e, n, scope="province:320000"),
    ],
    ids=["disabled", "new password", "new scope"],
)
def test_an_account_change_ends_its_sessions(client, account, engine, change):
    assert sign_in(client, account).status_code == 303
    assert client.get("/").status_code == 200
    time.sleep(0.01)
    change(engine, account)
    assert client.get("/").status_code == 302


def test_session_files_are_private_and_hold_no_password(client, account, session_dir):
    assert sign_in(client, account).status_code == 303
    client.get("/")
    assert stat.S_IMODE(session_dir.stat().st_mode) == 0o700
    for path in session_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert PASSWORD.encode() not in path.read_bytes()


def test_visitors_who_do_not_sign_in_leave_no_session(client, session_dir):
    before = set(session_dir.iterdir())
    for _ in range(5):
        client.get("/login")
        client.get("/")
    assert set(session_dir.iterdir()) == before
    assert client.get_cookie("yipanqi_session") is None
