"""Departmental feeds: ``yipanqi ingest-feeds`` and ``yipanqi generate-feeds`` (docs/feeds.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yipanqi.etl_cli import DataDirOption, _print_summary
from yipanqi.options import StoreOption
from yipanqi.settings import load_settings


def register(app: typer.Typer) -> None:
    """Add the feed commands to the root app."""
    app.command("ingest-feeds")(ingest_feeds_command)


def ingest_feeds_command(
    paths: Annotated[list[Path], typer.Argument(help="Feed files: CSV (UTF-8 or GB18030) or Parquet.")],
    store: StoreOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Load departmental feeds: validate, quarantine bad rows, store, rebuild the submissions mart."""
    from etl.feeds.ingest import ingest_feeds

    settings = load_settings()
    summary = ingest_feeds(
        [str(p) for p in paths],
        store or settings.store_url,
        data_dir or settings.data_dir,
        regions_path=settings.regions_path,
        first_period=settings.first_period,
        last_period=settings.last_period,
    )
    _print_summary(summary)
