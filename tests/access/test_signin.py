"""Sign-in: right and wrong passwords, lock-out, disabled and unknown accounts, rehashing; every
outcome audited with the typed name and a reason, never the password."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from access import accounts, audit, signin
from access.errors import SignInFailed
from access.signin import SignInPolicy, sign_in
from access.tables import audit as audit_table
from access.tables import users
from tests.access.conftest import PASSWORD

POLICY = SignInPolicy(max_failures=3, lock=timedelta(minutes=15))


@pytest.fixture
def anna(engine):
    accounts.add_account(engine, "anna", "planner", "province:320000", password=PASSWORD)
    return engine


def failures(engine) -> list[str]:
    return [e.detail for e in reversed(audit.list_events(engine, action=audit.SIGN_IN_FAILED))]


def test_the_right_password_gives_the_principal(anna):
    principal = sign_in(anna, "anna", PASSWORD, source="10.0.0.7")
    assert (principal.username, str(principal.role), str(principal.scope)) == (
        "anna",
        "planner",
        "province:320000",
    )
    event = audit.list_events(anna, action=audit.SIGN_IN)[0]
    assert (event.username, event.scope, event.detail) == (
        "anna",
        "province:320000",
        "local from 10.0.0.7",
    )


@pytest.mark.parametrize(
    ("username", "password", "reason"),
    [
        ("anna", "wrong password!", "wrong password"),
        ("nobody", PASSWORD, "unknown account"),
        ("<b>x</b>", PASSWORD, "unknown account"),
        ("anna", "", "wrong password"),
        ("anna", "x" * 5000, "wrong password"),
    ],
)
def test_a_refusal_says_nothing_to_the_user_and_why_to_the_audit(anna, username, password, reason):
    with pytest.raises(SignInFailed) as refused:
        sign_in(anna, username, password, policy=POLICY)
    assert refused.value.reason == reason and not refused.value.unavailable
    event = audit.list_events(anna, action=audit.SIGN_IN_FAILED)[0]
    assert (event.username, event.detail) == (username, reason)
    with anna.connect() as conn:
        stored = " ".join(str(v) for row in conn.execute(sa.select(audit_table)) for v in row)
    assert not password or password not in stored


def test_unknown_users_cost_a_password_check_too(anna, monkeypatch):
    checked = []
    real = signin.verify_or_burn
    monkeypatch.setattr(signin, "verify_or_burn", lambda h, p: checked.append(h) or real(h, p))
    for name in ("nobody", "anna"):
        with pytest.raises(SignInFailed):
            sign_in(anna, name, "wrong password!")
    assert len(checked) == 2 and checked[0] is None and checked[1].startswith("$argon2id$")


def test_lock_out_after_repeated_failures_refuses_even_the_right_password(anna):
    for _ in range(POLICY.max_failures):
        with pytest.raises(SignInFailed):
            sign_in(anna, "anna", "wrong password!", policy=POLICY)
    account = accounts.get_account(anna, "anna")
    assert account.locked(audit.utcnow())
    assert account.locked_until - audit.utcnow() > timedelta(minutes=14)
    with pytest.raises(SignInFailed) as refused:
        sign_in(anna, "anna", PASSWORD, policy=POLICY)
    assert refused.value.reason == "account locked"
    assert failures(anna) == ["wrong password"] * 3 + ["account locked"]
    assert len(audit.list_events(anna, action=audit.LOCKED)) == 1
    # the lock runs out: the right password works again and the count starts afresh
    with anna.begin() as conn:
        conn.execute(users.update().values(locked_until=audit.utcnow() - timedelta(seconds=1)))
    assert sign_in(anna, "anna", PASSWORD, policy=POLICY).username == "anna"
    assert accounts.get_account(anna, "anna").failed_attempts == 0


def test_a_success_resets_the_failure_count(anna):
    for _ in range(POLICY.max_failures - 1):
        with pytest.raises(SignInFailed):
            sign_in(anna, "anna", "wrong password!", policy=POLICY)
    sign_in(anna, "anna", PASSWORD, policy=POLICY)
    with pytest.raises(SignInFailed):
        sign_in(anna, "anna", "wrong password!", policy=POLICY)
    assert not accounts.get_account(anna, "anna").locked(audit.utcnow())


def test_a_disabled_account_cannot_sign_in(anna):
    accounts.set_disabled(anna, "anna", True)
    with pytest.raises(SignInFailed, match="disabled"):
        sign_in(anna, "anna", PASSWORD)
    accounts.set_disabled(anna, "anna", False)
    assert sign_in(anna, "anna", PASSWORD).username == "anna"


def test_a_directory_account_without_a_directory_is_refused(anna):
    accounts.add_account(anna, "lin", "viewer", "nation", auth="ldap")
    with pytest.raises(SignInFailed, match="no directory configured"):
        sign_in(anna, "lin", "whatever password")


def test_a_weak_old_hash_is_redone_at_sign_in(anna):
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with anna.begin() as conn:
        conn.execute(users.update().values(password_hash=weak))
    sign_in(anna, "anna", PASSWORD)
    with anna.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored != weak and "m=65536" in stored


def test_session_expiry_idle_and_absolute():
    policy = SignInPolicy(idle=timedelta(minutes=30), absolute=timedelta(hours=12))
    t0 = datetime(2026, 11, 2, 8, 0)
    assert not policy.session_expired(t0, t0 + timedelta(minutes=29), t0 + timedelta(minutes=58))
    assert policy.session_expired(t0, t0 + timedelta(minutes=29), t0 + timedelta(minutes=60))
    assert not policy.session_expired(
        t0, t0 + timedelta(hours=11, minutes=50), t0 + timedelta(hours=12)
    )
    assert policy.session_expired(
        t0, t0 + timedelta(hours=11, minutes=50), t0 + timedelta(hours=12, seconds=1)
    )
