"""Accounts: add, list, change, disable; every change is audited.

A user name is 1-64 characters of letters, digits and ``. _ @ -`` (starting with a letter or a
digit). A local account signs in with a password (Argon2 hash); a directory account (``ldap``)
binds against the intranet directory and has no password here: its role and scope are still this
table's, so a directory account exists only once a steward has added it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from access import audit
from access.errors import AccessError
from access.passwords import check_new_password, hash_password
from access.principal import Principal
from access.roles import Role, parse_role
from access.tables import ensure_tables, users
from etl.scope import Scope, ScopeError, parse_scope

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
AUTH_KINDS = ("local", "ldap")


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: Role
    scope: Scope
    auth: str
    disabled: bool
    failed_attempts: int
    locked_until: datetime | None
    created_at: datetime
    changed_at: datetime

    @property
    def principal(self) -> Principal:
        return Principal(self.username, self.role, self.scope)

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


def valid_username(username: str) -> bool:
    return bool(USERNAME.match(username))


def add_account(
    engine: sa.Engine,
    username: str,
    role: Role | str,
    scope: Scope | str,
    *,
    password: str | None = None,
    auth: str = "local",
    display_name: str = "",
) -> Account:
    """Create an account; AccessError for a bad or taken name, role, scope or password."""
    if not valid_username(username):
        raise AccessError(
            f"user name {username!r} is not valid: 1-64 letters, digits or . _ @ - "
            "(starting with a letter or digit)"
        )
    role, scope = _role(role), _scope(scope)
    if auth not in AUTH_KINDS:
        raise AccessError(f"unknown sign-in kind {auth!r}; one of {', '.join(AUTH_KINDS)}")
    if auth == "local":
        if password is None:
            raise AccessError("a local account needs a password")
        check_new_password(password)
    elif password is not None:
        raise AccessError("a directory (ldap) account has no password here")
    ensure_tables(engine)
    now = audit.utcnow()
    row = {
        "username": username,
        "display_name": display_name.strip()[:120],
        "role": role.value,
        "scope": str(scope),
        "auth": auth,
        "password_hash": hash_password(password) if password is not None else None,
        "disabled": False,
        "failed_attempts": 0,
        "locked_until": None,
        "created_at": now,
        "changed_at": now,
    }
    with engine.begin() as conn:
        if conn.execute(sa.select(users.c.username).where(users.c.username == username)).first():
            raise AccessError(f"an account named {username!r} exists already")
        conn.execute(users.insert().values(**row))
        audit.record(
            conn, audit.USER_ADD, username, detail=f"role={role} scope={scope} auth={auth}"
        )
    return _account(row)


def get_account(engine: sa.Engine, username: str) -> Account | None:
    """The account ``username``, or None."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == username)).mappings().first()
    return _account(row) if row else None


def list_accounts(engine: sa.Engine) -> list[Account]:
    """Every account, by user name."""
    ensure_tables(engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(users).order_by(users.c.username)).mappings().all()
    return [_account(r) for r in rows]


def count_accounts(engine: sa.Engine) -> int:
    ensure_tables(engine)
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one()


def set_password(engine: sa.Engine, username: str, password: str) -> None:
    """A new password for a local account (ends its sessions and its lock-out)."""
    check_new_password(password)
    account = _existing(engine, username)
    if account.auth != "local":
        raise AccessError(f"{username!r} signs in through the directory: change the password there")
    _update(
        engine,
        username,
        audit.USER_CREDENTIAL,
        "",
        password_hash=hash_password(password),
        failed_attempts=0,
        locked_until=None,
    )


def set_disabled(engine: sa.Engine, username: str, disabled: bool) -> None:
    """Disable (sessions end at their next request) or enable an account."""
    _existing(engine, username)
    action = audit.USER_DISABLE if disabled else audit.USER_ENABLE
    _update(engine, username, action, "", disabled=disabled, failed_attempts=0, locked_until=None)


def change_account(
    engine: sa.Engine,
    username: str,
    *,
    role: Role | str | None = None,
    scope: Scope | str | None = None,
    display_name: str | None = None,
) -> None:
    """Change an account's role, scope or display name (its sessions end)."""
    _existing(engine, username)
    values: dict = {}
    if role is not None:
        values["role"] = _role(role).value
    if scope is not None:
        values["scope"] = str(_scope(scope))
    if display_name is not None:
        values["display_name"] = display_name.strip()[:120]
    if not values:
        raise AccessError("nothing to change: give a role, a scope or a display name")
    detail = " ".join(f"{k}={v}" for k, v in values.items() if k != "display_name")
    _update(engine, username, audit.USER_CHANGE, detail, **values)


def _update(engine: sa.Engine, username: str, action: str, detail: str, **values) -> None:
    with engine.begin() as conn:
        conn.execute(
            users.update()
            .where(users.c.username == username)
            .values(**values, changed_at=audit.utcnow())
        )
        audit.record(conn, action, username, detail=detail)


def _existing(engine: sa.Engine, username: str) -> Account:
    ensure_tables(engine)
    account = get_account(engine, username)
    if account is None:
        raise AccessError(f"no account named {username!r}: see `yipanqi users list`")
    return account


def _role(role: Role | str) -> Role:
    return role if isinstance(role, Role) else parse_role(role)


def _scope(scope: Scope | str) -> Scope:
    if isinstance(scope, Scope):
        return scope
    try:
        return parse_scope(scope)
    except ScopeError as exc:
        raise AccessError(str(exc)) from exc


def _account(row: Mapping) -> Account:
    return Account(
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        scope=parse_scope(row["scope"]),
        auth=row["auth"],
        disabled=bool(row["disabled"]),
        failed_attempts=row["failed_attempts"],
        locked_until=row["locked_until"],
        created_at=row["created_at"],
        changed_at=row["changed_at"],
    )
