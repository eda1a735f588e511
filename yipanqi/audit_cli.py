"""``yipanqi audit``: list the audit trail (newest first); ``yipanqi audit grant-app-role ROLE``:
on PostgreSQL, give the service's database role what it needs: append to the audit trail and never
change it, read the store under row-level security, change saved work.

``--since`` takes a date (``2026-11-01``), a UTC time (``2026-11-01T08:00``) or an age (``30m``,
``12h``, ``7d``); ``--action`` an action (``auth.sign_in``) or a family ending in a dot (``auth.``).
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime, timedelta
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from yipanqi.options import CommandError, StoreOption, console, open_store_or_exit

audit_app = typer.Typer(
    help="The audit trail: who signed in, changed, saved, deleted or exported what."
)

_AGE = re.compile(r"^(\d+)([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def register(app: typer.Typer) -> None:
    """Add the ``audit`` group to the root app."""
    app.add_typer(audit_app, name="audit")


def parse_since(text: str, now: datetime) -> datetime:
    """A UTC time from a date, an ISO time or an age before ``now``; ``typer.BadParameter``
    (a ValueError) otherwise."""
    age = _AGE.match(text.strip())
    if age:
        return now - timedelta(**{_UNITS[age.group(2)]: int(age.group(1))})
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=None)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r}: give a date (2026-11-01), a time or an age (7d, 12h, 30m)",
            param_hint="--since",
        ) from None


@audit_app.callback(invoke_without_command=True)
def list_command(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option(help="From: 2026-11-01, 2026-11-01T08:00, 7d, 12h.")
    ] = None,
    action: Annotated[
        str | None, typer.Option(help="auth.sign_in, scenario.save, or auth. for a family.")
    ] = None,
    user: Annotated[str | None, typer.Option(help="Only this user name.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows (0: all).")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
    store: StoreOption = None,
) -> None:
    """List audit rows, newest first."""
    if ctx.invoked_subcommand:
        return
    from access.audit import list_events, utcnow
    from access.tables import ensure_tables

    start = parse_since(since, utcnow()) if since else None
    engine = open_store_or_exit(store)
    ensure_tables(engine)
    events = list_events(engine, since=start, action=action, username=user, limit=limit or None)
    if as_json:
        for e in events:
            row = {**dataclasses.asdict(e), "at": e.at.isoformat(timespec="seconds")}
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    table = Table("time (UTC)", "user", "action", "object", "scope", "rows", "exact", "detail")
    for e in events:
        table.add_row(
            f"{e.at:%Y-%m-%d %H:%M:%S}", escape(e.username), e.action, escape(e.object), e.scope,
            "" if e.rows is None else f"{e.rows:,}", "" if e.exact is None else ("exact" if e.exact else "suppressed"),
            escape(e.detail),
        )  # fmt: skip
    console.print(table)


@audit_app.command("grant-app-role")
def grant_command(
    role: Annotated[str, typer.Argument(help="The PostgreSQL role the web service connects as.")],
    store: StoreOption = None,
) -> None:
    """PostgreSQL: everything the service's role needs, nothing more. It may read the store (the
    area tables only through row-level security: the rows of the scope each read sets), change
    saved work, read and append audit rows (never update, delete or truncate them) and update
    accounts. Refused for a role that row-level security would not bind (the owner, a superuser).
    Run as the owner of the tables."""
    from access.tables import grant_app_role
    from etl.store import row_security

    engine = open_store_or_exit(store)
    try:
        granted = row_security.grant_app_role(engine, role)
        grant_app_role(engine, role)
    except ValueError as exc:  # a role name or role the policies would not bind: one line
        raise CommandError(str(exc)) from exc
    for line in granted:
        console.print(escape(line))
    console.print(f"{role} may now append to the audit table, never change it")
