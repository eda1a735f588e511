"""Sign-in: check a user name and password, apply the lock-out, audit the outcome.

Lock-out: after ``max_failures`` wrong passwords in a row an account is locked for ``lock`` (and
its counter starts again); while locked even the right password is refused. Every refusal does
the work of a password check, so neither timing nor the message tells an unknown user name from a
wrong password, a disabled or a locked account; the audit row says which it was. A session ends
after ``idle`` without requests or ``absolute`` after sign-in, whichever comes first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from access import audit
from access.accounts import Account, get_account, valid_username
from access.errors import DirectoryUnavailable, SignInFailed
from access.ldap import LdapConfig, ldap_authenticate
from access.passwords import MAX_LENGTH, hash_password, needs_rehash, verify_or_burn
from access.principal import Principal
from access.tables import ensure_tables, users


@dataclass(frozen=True)
class SignInPolicy:
    max_failures: int = 5
    lock: timedelta = timedelta(minutes=15)
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)

    def session_expired(self, signed_in_at: datetime, last_seen: datetime, now: datetime) -> bool:
        """True when a session signed in at ``signed_in_at`` and last used at ``last_seen`` is over."""
        return now - last_seen > self.idle or now - signed_in_at > self.absolute


def sign_in(
    engine: sa.Engine,
    username: str,
    password: str,
    *,
    policy: SignInPolicy = SignInPolicy(),
    ldap: LdapConfig | None = None,
    source: str = "",
) -> Principal:
    """The principal of ``username`` if ``password`` is right; SignInFailed otherwise. ``source``
    (the client's address) goes into the audit row's detail."""
    ensure_tables(engine)
    now = audit.utcnow()
    where = f" from {source}" if source else ""
    account = get_account(engine, username) if valid_username(username) else None
    try:
        account = _check(engine, account, password, policy, ldap, now)
    except SignInFailed as failure:
        audit.record(engine, audit.SIGN_IN_FAILED, username=username, detail=failure.reason + where)
        raise
    audit.record(engine, audit.SIGN_IN, principal=account.principal, detail=account.auth + where)
    return account.principal


def _check(
    engine: sa.Engine,
    account: Account | None,
    password: str,
    policy: SignInPolicy,
    ldap: LdapConfig | None,
    now: datetime,
) -> Account:
    """``account`` if the password is right and it may sign in; SignInFailed otherwise."""
    too_long = len(password) > MAX_LENGTH
    if (
        account
        and account.auth == "ldap"
        and not (account.disabled or account.locked(now) or too_long)
    ):
        right = _directory_check(ldap, account.username, password)
    else:  # directory accounts have no hash: the check burns the same time and fails
        stored = _password_hash(engine, account.username) if account else None
        right = verify_or_burn(stored, password[:MAX_LENGTH])
    if account is None:
        raise SignInFailed("unknown account")
    if account.disabled:
        raise SignInFailed("account disabled")
    if account.locked(now):
        raise SignInFailed("account locked")
    if too_long or not right:
        _count_failure(engine, account, policy, now)
        raise SignInFailed("wrong password")
    _reset(engine, account.username, password if account.auth == "local" else None)
    return account


def _directory_check(ldap: LdapConfig | None, username: str, password: str) -> bool:
    if ldap is None:
        raise SignInFailed("directory account but no directory configured (YIPANQI_LDAP_URL)")
    try:
        return ldap_authenticate(ldap, username, password)
    except DirectoryUnavailable as exc:
        raise SignInFailed(str(exc), unavailable=True) from exc


def _password_hash(engine: sa.Engine, username: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(users.c.password_hash).where(users.c.username == username)
        ).scalar_one_or_none()


def _count_failure(
    engine: sa.Engine, account: Account, policy: SignInPolicy, now: datetime
) -> None:
    """One more failure; the ``max_failures``-th locks the account (audited) and resets the count."""
    with engine.begin() as conn:
        failures = conn.execute(
            users.update()
            .where(users.c.username == account.username)
            .values(failed_attempts=users.c.failed_attempts + 1)
            .returning(users.c.failed_attempts)
        ).scalar_one()
        if failures >= policy.max_failures:
            until = now + policy.lock
            conn.execute(
                users.update()
                .where(users.c.username == account.username)
                .values(failed_attempts=0, locked_until=until)
            )
            audit.record(
                conn,
                audit.LOCKED,
                account.username,
                principal=account.principal,
                detail=f"{failures} failed sign-ins; locked until {until:%Y-%m-%d %H:%M} UTC",
            )


def _reset(engine: sa.Engine, username: str, password: str | None) -> None:
    """After a good sign-in: no failures, no lock; a hash made with old parameters is redone."""
    values: dict = {"failed_attempts": 0, "locked_until": None}
    if password is not None:
        stored = _password_hash(engine, username)
        if stored and needs_rehash(stored):
            values["password_hash"] = hash_password(password)
    with engine.begin() as conn:
        conn.execute(users.update().where(users.c.username == username).values(**values))
