"""Storyboard commands: ``yipanqi storyboard list | export``.

``export --store URL --out FILE.pptx|.pdf [--name NAME] [--lang zh|en]`` writes a briefing pack
(``dashboard.story.pack``): one slide per view with the print map, title, key message, narrative,
indicator table and a source / data version / date footer. Without ``--name``: the first saved
storyboard (the collaboration regions' defaults are saved first if there are none).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from yipanqi.etl_cli import export_app
from yipanqi.options import StoreOption, console
from yipanqi.settings import load_settings

story_app = typer.Typer(
    help="Storyboards for presentation mode: list them, export one as a PPTX or PDF briefing pack.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the ``storyboard`` group to the root app (``export storyboard`` is added on import)."""
    app.add_typer(story_app, name="storyboard")


@story_app.command("list")
def list_command(store: StoreOption = None) -> None:
    """Saved storyboards with their slide counts and the scope each was saved under (defaults
    saved first if there are none)."""
    from dashboard.export.source import store_context
    from dashboard.story.slides import load, storyboard_names
    from dashboard.story.storage import storyboard_scope
    from geodata.layers import ensure_layers

    settings = load_settings()
    with store_context(ensure_layers(settings.geodata_dir), store or settings.store_url) as ctx:
        for name in storyboard_names():
            board = load(name)
            title = board.slides[0].title if board.slides else ""
            scope = storyboard_scope(ctx.engine, name)
            console.print(escape(f"{name}\t{len(board.slides)} slides\t{scope}\t{title}"))


@story_app.command("export")
@export_app.command("storyboard")
def export_command(
    out: Annotated[Path, typer.Option("--out", help="File to write: .pptx (editable) or .pdf.")],
    store: StoreOption = None,
    name: Annotated[
        str | None, typer.Option(help="Storyboard name (default: the first saved).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Narrative and labels in zh or en.")] = "zh",
) -> None:
    """A briefing pack: one slide per view, map image, title, narrative, table, footer."""
    from dashboard.story.pack import export_storyboard
    from geodata.layers import ensure_layers

    settings = load_settings()
    path = export_storyboard(
        ensure_layers(settings.geodata_dir), store or settings.store_url, out, name, lang
    )
    console.print(f"wrote {escape(str(path))}")
