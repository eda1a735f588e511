"""``yipanqi store upgrade``: bring a store made by older code to this code's layout.

Readers (the dashboard, exports) never change a store: one of an older layout is refused with a
message naming this command. Ingest and aggregate run the same upgrade before they load.
"""

from __future__ import annotations

import typer

from yipanqi.options import StoreOption, console
from yipanqi.settings import load_settings

store_app = typer.Typer(help="The store itself: upgrade its layout.", no_args_is_help=True)


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
