"""Storyboards: the typed face of the store's ``storyboard_slides`` table (``etl.store.saved``).

A save replaces all of a storyboard's slides in one transaction, together with its audit row
(``access.audit``, the acting principal's); so does a delete.

Every function takes the reader's ``scope``: a save records it, and a storyboard saved under a
scope that does not lie within the reader's (``etl.marts.saved``) is, to that reader, not there:
it is not listed, cannot be opened or deleted, and its name cannot be saved over (the save is
refused, saying the name is taken).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from access import audit
from access.tables import ensure_tables as ensure_audit
from dashboard.i18n import N_
from dashboard.story.model import NAME_TAKEN, NEEDS_NAME, Slide, Storyboard, StoryboardError, View
from etl import marts
from etl.scope import Scope
from etl.store import saved


def list_storyboards(engine: sa.Engine, *, scope: Scope) -> list[str]:
    """The names of the storyboards ``scope`` sees, oldest first."""
    return marts.visible_saved(
        engine, saved.STORYBOARD, saved.storyboard_names(engine), scope=scope
    )


def any_storyboard(engine: sa.Engine) -> bool:
    """True when some storyboard is saved (seen by the reader or not)."""
    return bool(saved.storyboard_names(engine))


def load_storyboard(engine: sa.Engine, name: str, *, scope: Scope) -> Storyboard:
    """The storyboard ``name``; StoryboardError if there is none that ``scope`` sees."""
    rows = saved.slide_rows(engine, name) if _visible(engine, name, scope) else []
    if not rows:
        raise StoryboardError(
            N_("There is no storyboard named “{name}”; saved ones: {saved}."),
            name=name, saved=", ".join(list_storyboards(engine, scope=scope)) or "–",
        )
    slides = tuple(
        Slide(View.from_dict(json.loads(r["view"])), r["title"], r["message"] or "") for r in rows
    )
    return Storyboard(name, slides)


def save_storyboard(engine: sa.Engine, board: Storyboard, *, scope: Scope) -> None:
    """Write ``board`` under its name as saved by a principal of ``scope``, replacing what was
    saved before (creation time kept); StoryboardError when a storyboard hidden from ``scope``
    holds the name. The save and its audit row (the acting principal's) commit together."""
    if not board.name.strip():
        raise StoryboardError(NEEDS_NAME)
    ensure_audit(engine)
    slides = [
        {
            "view": json.dumps(s.view.to_dict(), ensure_ascii=False),
            "title": s.title,
            "message": s.message,
        }
        for s in board.slides
    ]
    with engine.begin() as conn:
        if name_hidden(conn, board.name, scope=scope):
            raise StoryboardError(NAME_TAKEN, name=board.name)
        saved.write_slides(
            conn, board.name, slides, datetime.now(UTC).replace(tzinfo=None), str(scope)
        )
        audit.record(conn, audit.STORYBOARD_SAVE, board.name, detail=f"{len(board.slides)} slides")


def delete_storyboard(engine: sa.Engine, name: str, *, scope: Scope) -> None:
    """Delete the storyboard ``name`` if ``scope`` sees it (audited when there was one)."""
    ensure_audit(engine)
    with engine.begin() as conn:
        if _visible(conn, name, scope) and saved.delete_storyboard(conn, name):
            audit.record(conn, audit.STORYBOARD_DELETE, name)


def name_hidden(engine: sa.Engine | sa.Connection, name: str, *, scope: Scope) -> bool:
    """True when a storyboard named ``name`` is saved that ``scope`` does not see (its name
    cannot be saved over)."""
    return bool(saved.slide_rows(engine, name)) and not _visible(engine, name, scope)


def storyboard_scope(engine: sa.Engine, name: str) -> Scope:
    """The scope recorded for the storyboard ``name`` (the nation when none is)."""
    return marts.saved_scope(engine, saved.STORYBOARD, name)


def saved_times(engine: sa.Engine, name: str) -> tuple[datetime, datetime] | None:
    """(created, last updated) of a storyboard, UTC; None if there is none."""
    return saved.storyboard_times(engine, name)


def _visible(engine: sa.Engine | sa.Connection, name: str, scope: Scope) -> bool:
    return bool(marts.visible_saved(engine, saved.STORYBOARD, [name], scope=scope))
