"""What every command shares: the ``--store`` option, opening that store, the consoles for
output and errors, and ``CommandError``.

A command does not print its errors: it raises, and the root app (``yipanqi.cli``) answers in one
line. ``--store`` and ``--data-dir`` are noted in the click context's ``meta`` (``STORE_META``,
``DATA_DIR_META``) so that such a line can name them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)

STORE_META = "yipanqi.store"
DATA_DIR_META = "yipanqi.data_dir"


class CommandError(Exception):
    """A command cannot go on: the message says why and what to do (the root app prints it)."""


def noted(key: str):  # noqa: ANN201 - a typer option callback
    """An option callback that keeps the option's value in ``ctx.meta[key]``."""

    def note(ctx: typer.Context, value: Any) -> Any:  # noqa: ANN401 - any option's value
        if value is not None:
            ctx.meta[key] = value
        return value

    return note


StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="SQLAlchemy URL of the store (default: YIPANQI_STORE_URL or the SQLite file).",
        callback=noted(STORE_META),
    ),
]


def open_store_or_exit(store: str | None, create: bool = False, check: tuple[str, ...] = ()):  # noqa: ANN201 - sqlalchemy imported lazily
    """The store at ``store`` (default: the settings'); a ``StoreError`` otherwise, which the
    root app answers in one line with exit status 2.

    ``create``: make a brand-new store when there is none (commands that write, such as adding
    the first account); read-only commands never create one (nor a file or a folder). ``check``:
    tables whose pages are checked first (SQLite ``quick_check``), the ones the command reads."""
    from etl.store import open_store
    from etl.store.integrity import quick_check
    from etl.store.schema import mask
    from yipanqi.settings import load_settings

    url = store or load_settings().store_url
    engine = open_store(url, create=create)
    if check:
        try:
            with engine.connect() as conn:
                quick_check(conn, mask(url), check)
        except BaseException:
            engine.dispose()
            raise
    return engine


@contextmanager
def store_failures(store: str | None) -> Iterator[None]:
    """A database failure inside the block (a damaged page that a read meets, a server that went
    away, a full disk) becomes the ``EtlError`` that says what it means and what to do
    (``etl.store.integrity.store_error``), which the root app answers in one line."""
    from etl.store.integrity import store_errors
    from etl.store.schema import mask
    from yipanqi.settings import load_settings

    with store_errors(mask(store or load_settings().store_url)):
        yield
