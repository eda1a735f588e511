"""The audit trail: one append-only row per sign-in, failed sign-in, sign-out, user change, save,
delete and export.

A row says when (UTC), who (the user name; for a failed sign-in the name as typed, never the
password), what (``action``, e.g. ``auth.sign_in``, ``scenario.save``, ``export.flows``) on which
``object`` (a scenario's or storyboard's name, a file), within which scope, and for exports how
many rows left and whether they were exact or suppressed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from access.principal import Principal, acting, actor_name
from access.tables import audit

SIGN_IN = "auth.sign_in"
SIGN_IN_FAILED = "auth.sign_in_failed"
LOCKED = "auth.locked"
SIGN_OUT = "auth.sign_out"
SESSION_ENDED = "auth.session_ended"
USER_ADD = "user.add"
USER_CHANGE = "user.change"
USER_CREDENTIAL = "user.password"
USER_DISABLE = "user.disable"
USER_ENABLE = "user.enable"
SCENARIO_SAVE = "scenario.save"
SCENARIO_DELETE = "scenario.delete"
STORYBOARD_SAVE = "storyboard.save"
STORYBOARD_DELETE = "storyboard.delete"


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    username: str
    action: str
    object: str
    scope: str
    detail: str
    rows: int | None
    exact: bool | None


def utcnow() -> datetime:
    """Now in UTC without a time zone (how the store keeps times)."""
    return datetime.now(UTC).replace(tzinfo=None)


def record(
    target: sa.Engine | sa.Connection,
    action: str,
    object: str = "",
    *,
    principal: Principal | None = None,
    username: str | None = None,
    detail: str = "",
    rows: int | None = None,
    exact: bool | None = None,
) -> None:
    """Append one row. Who: ``username`` if given (a failed sign-in's typed name), else
    ``principal``, else the principal bound to the request, else the operating-system account.
    With a Connection the row joins the caller's transaction (a save and its audit row commit or
    roll back together)."""
    principal = principal or acting()
    who = username if username is not None else (principal.username if principal else actor_name())
    row = {
        "at": utcnow(),
        "username": _clip(who, 64),
        "action": action,
        "object": _clip(object, 200),
        "scope": str(principal.scope) if principal else "",
        "detail": detail,
        "rows": rows,
        "exact": exact,
    }
    with _begin(target) as conn:
        conn.execute(audit.insert().values(**row))


def list_events(
    engine: sa.Engine,
    *,
    since: datetime | None = None,
    action: str | None = None,
    username: str | None = None,
    limit: int | None = None,
) -> list[AuditEvent]:
    """Audit rows, newest first; ``action`` matches exactly or as a prefix ending in a dot
    (``auth.`` lists every sign-in event)."""
    query = sa.select(audit).order_by(audit.c.at.desc(), audit.c.audit_id.desc())
    if since is not None:
        query = query.where(audit.c.at >= since)
    if action:
        query = query.where(
            audit.c.action.startswith(action, autoescape=True)
            if action.endswith(".")
            else audit.c.action == action
        )
    if username:
        query = query.where(audit.c.username == username)
    if limit:
        query = query.limit(limit)
    with engine.connect() as conn:
        return [
            AuditEvent(
                r["at"],
                r["username"],
                r["action"],
                r["object"],
                r["scope"],
                r["detail"],
                r["rows"],
                r["exact"],
            )
            for r in conn.execute(query).mappings()
        ]


def _clip(text: str, size: int) -> str:
    """``text`` without control characters, at most ``size`` characters (a typed user name may be
    anything; it must not forge lines in a listing)."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)[:size]


@contextmanager
def _begin(target: sa.Engine | sa.Connection) -> Iterator[sa.Connection]:
    if isinstance(target, sa.Connection):
        yield target
    else:
        with target.begin() as conn:
            yield conn
