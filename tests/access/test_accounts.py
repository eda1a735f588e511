"""Accounts: validation, changes, and an audit row for every change (never a password)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from access import accounts, audit
from access.errors import AccessError
from access.passwords import verify_or_burn
from access.roles import Role
from access.tables import audit as audit_table
from access.tables import users
from etl.scope import Scope
from tests.access.conftest import PASSWORD


def test_add_and_read_back(engine):
    made = accounts.add_account(
        engine, "li.wei", "planner", "province:320000", password=PASSWORD, display_name="Li"
    )
    read = accounts.get_account(engine, "li.wei")
    assert made == read
    assert (read.role, read.scope, read.auth, read.disabled) == (
        Role.PLANNER,
        Scope("province", "320000"),
        "local",
        False,
    )
    assert read.principal.username == "li.wei"
    assert [a.username for a in accounts.list_accounts(engine)] == ["li.wei"]
    assert accounts.count_accounts(engine) == 1


def test_the_password_is_kept_as_an_argon2_hash_only(engine):
    accounts.add_account(engine, "li.wei", "viewer", "nation", password=PASSWORD)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
        audit_text = " ".join(str(v) for row in conn.execute(sa.select(audit_table)) for v in row)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert verify_or_burn(stored, PASSWORD) and not verify_or_burn(stored, PASSWORD + "x")
    assert PASSWORD not in audit_text


@pytest.mark.parametrize(
    ("name", "role", "scope", "password", "message"),
    [
        ("bad name", "viewer", "nation", PASSWORD, "not valid"),
        ("<script>", "viewer", "nation", PASSWORD, "not valid"),
        ("ok", "boss", "nation", PASSWORD, "unknown role"),
        ("ok", "viewer", "province:32", PASSWORD, "province needs a code"),
        ("ok", "viewer", "nation", "short", "at least 12"),
        ("ok", "viewer", "nation", "aaaaaaaaaaaaaaa", "4 different"),
        ("ok", "viewer", "nation", None, "needs a password"),
    ],
)
def test_bad_input_is_one_clear_error(engine, name, role, scope, password, message):
    with pytest.raises(AccessError, match=message):
        accounts.add_account(engine, name, role, scope, password=password)


def test_a_name_is_taken_once(engine):
    accounts.add_account(engine, "li.wei", "viewer", "nation", password=PASSWORD)
    with pytest.raises(AccessError, match="exists already"):
        accounts.add_account(engine, "li.wei", "steward", "nation", password=PASSWORD)


def test_directory_accounts_have_no_password_here(engine):
    account = accounts.add_account(engine, "lin.planner", "planner", "nation", auth="ldap")
    assert account.auth == "ldap"
    with pytest.raises(AccessError, match="directory"):
        accounts.set_password(engine, "lin.planner", PASSWORD)
    with pytest.raises(AccessError, match="no password"):
        accounts.add_account(engine, "x", "viewer", "nation", auth="ldap", password=PASSWORD)


def test_changes_are_applied_and_audited(engine):
    accounts.add_account(engine, "li.wei", "viewer", "nation", password=PASSWORD)
    before = accounts.get_account(engine, "li.wei")
    accounts.change_account(engine, "li.wei", role="analyst", scope="region:pan_yangtze")
    accounts.set_password(engine, "li.wei", "another long passphrase")
    accounts.set_disabled(engine, "li.wei", True)
    after = accounts.get_account(engine, "li.wei")
    assert (after.role, str(after.scope), after.disabled) == (
        Role.ANALYST,
        "region:pan_yangtze",
        True,
    )
    assert after.changed_at > before.changed_at
    actions = [e.action for e in reversed(audit.list_events(engine))]
    assert actions == [
        audit.USER_ADD,
        audit.USER_CHANGE,
        audit.USER_CREDENTIAL,
        audit.USER_DISABLE,
    ]
    assert all(
        e.object == "li.wei" and e.username.startswith("os:") for e in audit.list_events(engine)
    )
    with pytest.raises(AccessError, match="no account named"):
        accounts.set_disabled(engine, "nobody", True)
    with pytest.raises(AccessError, match="nothing to change"):
        accounts.change_account(engine, "li.wei")
