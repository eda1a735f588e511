"""Storyboards: the typed face of the store's ``storyboard_slides`` table (``etl.store.saved``).

A save replaces all of a storyboard's slides in one transaction, together with its audit row
(``access.audit``, the acting principal's); so does a delete.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from access import audit
from access.tables import ensure_tables as ensure_audit
from dashboard.story.model import Slide, Storyboard, StoryboardError, View
from etl.store import saved


def list_storyboards(engine: sa.Engine) -> list[str]:
    """Storyboard names, oldest first."""
    return saved.storyboard_names(engine)


def load_storyboard(engine: sa.Engine, name: str) -> Storyboard:
    """The storyboard ``name``; StoryboardError if there is none."""
    rows = saved.slide_rows(engine, name)
    if not rows:
        raise StoryboardError(
            f"no storyboard named {name!r}; saved ones: {list_storyboards(engine)}"
        )
    slides = tuple(
        Slide(View.from_dict(json.loads(r["view"])), r["title"], r["message"] or "") for r in rows
    )
    return Storyboard(name, slides)


def save_storyboard(engine: sa.Engine, board: Storyboard) -> None:
    """Write ``board`` under its name, replacing what was saved before (creation time kept); the
    save and its audit row (the acting principal's) commit together."""
    if not board.name.strip():
        raise StoryboardError("a storyboard needs a name")
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
        saved.write_slides(conn, board.name, slides, datetime.now(UTC).replace(tzinfo=None))
        audit.record(conn, audit.STORYBOARD_SAVE, board.name, detail=f"{len(board.slides)} slides")


def delete_storyboard(engine: sa.Engine, name: str) -> None:
    """Delete the storyboard ``name`` (audited when there was one)."""
    ensure_audit(engine)
    with engine.begin() as conn:
        if saved.delete_storyboard(conn, name):
            audit.record(conn, audit.STORYBOARD_DELETE, name)


def saved_times(engine: sa.Engine, name: str) -> tuple[datetime, datetime] | None:
    """(created, last updated) of a storyboard, UTC; None if there is none."""
    return saved.storyboard_times(engine, name)
