"""Saved work in the store: scenarios and storyboards, their tables and every query on them.

Terms:

- *saved scenario*: a row of ``scenarios``: ``name`` (unique), ``parameters`` (the scenario's
  JSON, as ``planning.scenario`` writes it), ``author``, ``created_at`` (UTC) and
  ``baseline_run_id`` (the store's latest succeeded run when saved: the data it was made on).
- *storyboard*: the rows of ``storyboard_slides`` sharing a ``name``, one per slide: its
  ``position`` (0 first), its view as JSON, title, key message, and when the storyboard was
  created and last saved.
- *saved scope*: a row of ``saved_scopes``: the scope (``etl.scope``, as text) of the principal
  who last saved a scenario or storyboard (``kind`` and ``name``). Readers are shown only saved
  work whose scope lies within theirs (the typed faces apply the rule); an item without a row (saved
  before scopes were recorded) counts as the nation's, so only readers of the nation see it.

The tables belong to the store's layout (``etl.store.schema.metadata``): ``open_store(create=True)``
and ``yipanqi store upgrade`` create them, a reader never does. The typed faces are
``planning.store`` (scenarios) and ``dashboard.story.storage`` (storyboards); the writers here take
a Connection, so that a caller commits its audit row (``access.audit``) in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from etl.store.schema import connection, metadata

scenarios = sa.Table(
    "scenarios",
    metadata,
    sa.Column("scenario_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(80), nullable=False, unique=True),
    sa.Column("parameters", sa.Text, nullable=False),
    sa.Column("author", sa.String(120), nullable=False, default=""),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("baseline_run_id", sa.Integer),
)
storyboard_slides = sa.Table(
    "storyboard_slides",
    metadata,
    sa.Column("slide_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(120), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("view", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False, default=""),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

saved_scopes = sa.Table(
    "saved_scopes",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("name", sa.String(120), primary_key=True),
    sa.Column("scope", sa.String(64), nullable=False),
)
SCENARIO, STORYBOARD = "scenario", "storyboard"
"""The kinds of saved work in ``saved_scopes``."""
UNRECORDED = "nation"
"""The scope of saved work with no ``saved_scopes`` row."""

Row = dict[str, Any]


def scenario_rows(engine: sa.Engine | sa.Connection) -> list[Row]:
    """Every saved scenario, newest first."""
    query = sa.select(scenarios).order_by(scenarios.c.created_at.desc(), scenarios.c.name)
    with connection(engine) as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def scenario_row(engine: sa.Engine | sa.Connection, name: str) -> Row | None:
    """The saved scenario ``name`` (None if there is none)."""
    with connection(engine) as conn:
        row = conn.execute(sa.select(scenarios).where(scenarios.c.name == name)).mappings().first()
    return dict(row) if row is not None else None


def write_scenario(conn: sa.Connection, row: Row, scope: str) -> None:
    """Save ``row`` (the columns of ``scenarios`` but the id) under its name, replacing a scenario
    saved before under it, with the saving principal's ``scope``."""
    conn.execute(scenarios.delete().where(scenarios.c.name == row["name"]))
    conn.execute(scenarios.insert().values(**row))
    write_scope(conn, SCENARIO, row["name"], scope)


def delete_scenario(conn: sa.Connection, name: str) -> bool:
    """Delete the saved scenario ``name``; True if there was one."""
    delete_scope(conn, SCENARIO, name)
    return bool(conn.execute(scenarios.delete().where(scenarios.c.name == name)).rowcount)


def storyboard_names(engine: sa.Engine | sa.Connection) -> list[str]:
    """The names of the saved storyboards, oldest first."""
    t = storyboard_slides
    query = sa.select(t.c.name).group_by(t.c.name).order_by(sa.func.min(t.c.slide_id))
    with connection(engine) as conn:
        return list(conn.execute(query).scalars())


def slide_rows(engine: sa.Engine | sa.Connection, name: str) -> list[Row]:
    """The slides of storyboard ``name`` in order (empty if there is none)."""
    t = storyboard_slides
    query = sa.select(t).where(t.c.name == name).order_by(t.c.position, t.c.slide_id)
    with connection(engine) as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def write_slides(
    conn: sa.Connection, name: str, slides: list[Row], now: datetime, scope: str
) -> None:
    """Replace the slides of storyboard ``name`` by ``slides`` (each with ``view``, ``title`` and
    ``message``, in order), saved by a principal of ``scope``; the creation time of a storyboard
    saved before is kept."""
    write_scope(conn, STORYBOARD, name, scope)
    t = storyboard_slides
    created = conn.execute(
        sa.select(sa.func.min(t.c.created_at)).where(t.c.name == name)
    ).scalar_one_or_none()
    conn.execute(t.delete().where(t.c.name == name))
    if slides:
        conn.execute(
            t.insert(),
            [
                {**slide, "name": name, "position": i, "created_at": created or now, "updated_at": now}
                for i, slide in enumerate(slides)
            ],
        )


def delete_storyboard(conn: sa.Connection, name: str) -> bool:
    """Delete storyboard ``name``; True if there was one."""
    t = storyboard_slides
    delete_scope(conn, STORYBOARD, name)
    return bool(conn.execute(t.delete().where(t.c.name == name)).rowcount)


def storyboard_times(
    engine: sa.Engine | sa.Connection, name: str
) -> tuple[datetime, datetime] | None:
    """(created, last saved) of storyboard ``name``, UTC; None if there is none."""
    t = storyboard_slides
    query = sa.select(sa.func.min(t.c.created_at), sa.func.max(t.c.updated_at)).where(
        t.c.name == name
    )
    with connection(engine) as conn:
        created, updated = conn.execute(query).one()
    return (created, updated) if created else None


def scopes(engine: sa.Engine | sa.Connection, kind: str) -> dict[str, str]:
    """Name -> scope (text) of the saved work of ``kind`` that has one recorded."""
    t = saved_scopes
    with connection(engine) as conn:
        rows = conn.execute(sa.select(t.c.name, t.c.scope).where(t.c.kind == kind))
        return {name: scope for name, scope in rows}


def write_scope(conn: sa.Connection, kind: str, name: str, scope: str) -> None:
    """Record ``scope`` as that of the saved ``kind`` ``name`` (replacing the one before)."""
    delete_scope(conn, kind, name)
    conn.execute(saved_scopes.insert().values(kind=kind, name=name, scope=scope))


def delete_scope(conn: sa.Connection, kind: str, name: str) -> None:
    t = saved_scopes
    conn.execute(t.delete().where(t.c.kind == kind, t.c.name == name))
