"""What every command shares: the ``--store`` option, opening that store, and the consoles for
output and errors."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="SQLAlchemy URL of the store (default: YIPANQI_STORE_URL or the SQLite file).",
    ),
]


def open_store_or_exit(store: str | None, create: bool = False):  # noqa: ANN201 - sqlalchemy imported lazily
    """The store at ``store`` (default: the settings'), or a one-line error and exit status 2.

    ``create``: make a brand-new store when there is none (commands that write, such as adding
    the first account); read-only commands never create one."""
    from etl.errors import EtlError
    from etl.store import open_store
    from yipanqi.settings import load_settings

    try:
        return open_store(store or load_settings().store_url, create=create)
    except EtlError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
