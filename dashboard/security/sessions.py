"""Server-side sessions: the cookie carries a random session ID only; what the session holds (who
signed in, when, when last seen, the CSRF token) is a file in the session directory (Flask-Session
over cachelib's FileSystemCache: one host, any number of worker processes).

A session is valid while its account exists, is enabled and has not changed since the sign-in (a
new password, role or scope ends the account's sessions), and while it is within the sign-in
policy's idle and absolute limits. Nothing is stored for visitors who have not signed in.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import flask
import sqlalchemy as sa
from cachelib.file import FileSystemCache
from flask_session import Session

from access import audit
from access.accounts import get_account
from access.principal import Principal
from access.signin import SignInPolicy
from dashboard.security.config import SecurityConfig

USER = "user"
SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
SEEN_EVERY = 60  # seconds: how often "last seen" is written (it keeps the session alive)
MAX_SESSIONS = 10_000  # files in the session directory before the oldest are pruned


def configure_sessions(server: flask.Flask, config: SecurityConfig) -> None:
    """Flask-Session on ``config.session_dir``, with cookie flags for ``config.tls``."""
    config.session_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    server.config.update(
        SESSION_TYPE="cachelib",
        SESSION_CACHELIB=FileSystemCache(
            str(config.session_dir), threshold=MAX_SESSIONS, mode=0o600
        ),
        SESSION_KEY_PREFIX="yipanqi:",
        SESSION_PERMANENT=True,
        PERMANENT_SESSION_LIFETIME=config.policy.idle,
        SESSION_REFRESH_EACH_REQUEST=False,
        SESSION_COOKIE_NAME="__Host-yipanqi" if config.tls else "yipanqi_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=config.tls,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    Session(server)


def start_session(principal: Principal) -> None:
    """A fresh session (new ID, no earlier content, e.g. no CSRF token) for ``principal``."""
    session = flask.session
    # a stored session (someone signed in already) is deleted and gets a new ID; a visitor's
    # session was never stored and has a fresh ID from this request already
    flask.current_app.session_interface.regenerate(session)  # type: ignore[attr-defined]
    session.clear()
    now = time.time()
    session[USER] = principal.username
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def end_session() -> None:
    """Forget the session: its file is deleted and the cookie cleared when the response is sent."""
    flask.session.clear()


def session_user() -> str | None:
    return flask.session.get(USER)


def signed_in(engine: sa.Engine, policy: SignInPolicy) -> Principal | None:
    """The principal of this request's session, or None. An expired or revoked session is ended
    (and audited) here; ``flask.g.session_ended`` tells the sign-in page to say so."""
    session = flask.session
    username = session.get(USER)
    if not username:
        return None
    now = time.time()
    signed_at, seen_at = session.get(SIGNED_IN_AT, 0.0), session.get(SEEN_AT, 0.0)
    account = get_account(engine, username)
    reason = None
    if policy.session_expired(_utc(signed_at), _utc(seen_at), _utc(now)):
        reason = "expired"
    elif account is None or account.disabled:
        reason = "account removed or disabled"
    elif account.changed_at > _utc(signed_at):
        reason = "account changed since sign-in"
    if reason or account is None:
        audit.record(engine, audit.SESSION_ENDED, username=username, detail=reason or "")
        end_session()
        flask.g.session_ended = True
        return None
    if now - seen_at >= SEEN_EVERY:
        session[SEEN_AT] = now
    return account.principal


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)
