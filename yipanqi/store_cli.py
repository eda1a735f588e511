"""``yipanqi store upgrade|check|backup|restore``: the store itself.

- ``upgrade`` brings a store made by older code to this code's layout. Readers (the dashboard,
  exports) never change a store: one of an older layout is refused with a message naming this
  command. Ingest and aggregate run the same upgrade before they load.
- ``check`` opens the store as a reader (it never creates one), checks every page (SQLite
  ``quick_check``), the schema version and the tables, and the staged files of its runs; it also
  finishes what loads that died left behind (runs marked failed, their staged files removed), as
  the next ingest would.
- ``backup DEST`` writes a consistent copy (SQLite backup API, ``pg_dump``); ``restore BACKUP``
  puts one back (the replaced SQLite file is kept aside).

A failure raises; the root app (``yipanqi.cli``) answers it in one line, exit status 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yipanqi.etl_cli import DataDirOption
from yipanqi.options import CommandError, StoreOption, console, err
from yipanqi.settings import load_settings

store_app = typer.Typer(
    help="The store itself: upgrade its layout, check it, back it up, restore a backup.",
    no_args_is_help=True,
)

def register(app: typer.Typer) -> None:
    """Add the ``store`` group to the root app."""
    app.add_typer(store_app, name="store")


@store_app.command("upgrade")
def upgrade_command(store: StoreOption = None) -> None:
    """Create missing tables, fill what the new layout adds, record the new schema version."""
    from etl.store import SCHEMA_VERSION, upgrade

    done = upgrade(store or load_settings().store_url)
    for step in done:
        console.print(step)
    console.print(f"the store is at schema version {SCHEMA_VERSION}" + ("" if done else " (nothing to do)"))


@store_app.command("check")
def check_command(store: StoreOption = None, data_dir: DataDirOption = None) -> None:
    """Check the store page by page, its layout and its staged files; finish dead runs."""
    from rich.markup import escape

    from etl.checkup import check_store

    settings = load_settings()
    report = check_store(store or settings.store_url, data_dir or settings.data_dir)
    for line in report.lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    if report.problems:
        for problem in report.problems[1:]:
            err.print(f"[red]problem:[/red] {escape(problem)}", highlight=False, soft_wrap=True)
        raise CommandError(report.problems[0])
    console.print("the store is sound", highlight=False, soft_wrap=True)


@store_app.command("backup")
def backup_command(
    dest: Annotated[
        Path,
        typer.Argument(help="File to write (never overwritten), or a folder to write it in."),
    ],
    store: StoreOption = None,
) -> None:
    """Write a consistent copy of the store (SQLite backup API; pg_dump for PostgreSQL)."""
    from etl.store.backup import backup

    made = backup(store or load_settings().store_url, dest)
    console.print(
        f"backed up {made.store} to {made.path} ({made.n_bytes / 1e6:,.1f} MB, checked); "
        f"to restore it: yipanqi store restore {made.path}"
        + (f" --store {made.store}" if store else ""),
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@store_app.command("restore")
def restore_command(
    backup_file: Annotated[Path, typer.Argument(help="A file written by `yipanqi store backup`.")],
    store: StoreOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the store by a backup (stop the dashboard and loads first)."""
    from etl.store.backup import restore
    from etl.store.schema import mask

    url = store or load_settings().store_url
    if not yes and not typer.confirm(f"Replace the store {mask(url)} by {backup_file}?"):
        raise typer.Exit(1)
    done = restore(url, backup_file)
    console.print(done, markup=False, highlight=False, soft_wrap=True)
