"""Storyboards in the store's database: one table of its own, created on first use.

``storyboard_slides`` holds one row per slide: the storyboard's name, the slide's position (0 first),
its view as JSON, title, key message, and when the storyboard was created and last saved. The table
has its own ``MetaData`` so the ETL's schema (and its version check) is untouched; a save replaces
all of a storyboard's rows in one transaction.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from access import audit
from access.tables import ensure_tables as ensure_audit
from dashboard.story.model import Slide, Storyboard, StoryboardError, View

metadata = sa.MetaData()

slides_table = sa.Table(
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


def ensure_table(engine: sa.Engine) -> None:
    """Create the storyboard table if missing (idempotent)."""
    metadata.create_all(engine, checkfirst=True)


def list_storyboards(engine: sa.Engine) -> list[str]:
    """Storyboard names, oldest first."""
    ensure_table(engine)
    t = slides_table
    query = sa.select(t.c.name).group_by(t.c.name).order_by(sa.func.min(t.c.slide_id))
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


def load_storyboard(engine: sa.Engine, name: str) -> Storyboard:
    """The storyboard ``name``; StoryboardError if there is none."""
    ensure_table(engine)
    t = slides_table
    query = sa.select(t).where(t.c.name == name).order_by(t.c.position, t.c.slide_id)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
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
    ensure_table(engine)
    ensure_audit(engine)
    t = slides_table
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        created = conn.execute(
            sa.select(sa.func.min(t.c.created_at)).where(t.c.name == board.name)
        ).scalar_one_or_none()
        conn.execute(t.delete().where(t.c.name == board.name))
        if board.slides:
            conn.execute(
                t.insert(),
                [
                    {
                        "name": board.name,
                        "position": i,
                        "view": json.dumps(s.view.to_dict(), ensure_ascii=False),
                        "title": s.title,
                        "message": s.message,
                        "created_at": created or now,
                        "updated_at": now,
                    }
                    for i, s in enumerate(board.slides)
                ],
            )
        audit.record(conn, audit.STORYBOARD_SAVE, board.name, detail=f"{len(board.slides)} slides")


def delete_storyboard(engine: sa.Engine, name: str) -> None:
    """Delete the storyboard ``name`` (audited when there was one)."""
    ensure_table(engine)
    ensure_audit(engine)
    with engine.begin() as conn:
        deleted = conn.execute(slides_table.delete().where(slides_table.c.name == name)).rowcount
        if deleted:
            audit.record(conn, audit.STORYBOARD_DELETE, name)


def saved_times(engine: sa.Engine, name: str) -> tuple[datetime, datetime] | None:
    """(created, last updated) of a storyboard, UTC; None if there is none."""
    ensure_table(engine)
    t = slides_table
    query = sa.select(sa.func.min(t.c.created_at), sa.func.max(t.c.updated_at)).where(
        t.c.name == name
    )
    with engine.connect() as conn:
        created, updated = conn.execute(query).one()
    return (created, updated) if created else None
