"""What every command shares: the ``--store`` option and the consoles for output and errors."""

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
