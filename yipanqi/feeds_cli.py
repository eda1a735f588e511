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
    app.command("generate-feeds")(generate_feeds_command)


def ingest_feeds_command(
    paths: Annotated[list[str], typer.Argument(help="Feed files: CSV (UTF-8 or GB18030) or Parquet.")],
    store: StoreOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Load departmental feeds: validate, quarantine bad rows, store, rebuild the submissions mart."""
    from etl.feeds.ingest import ingest_feeds

    settings = load_settings()
    summary = ingest_feeds(
        paths,
        store or settings.store_url,
        data_dir or settings.data_dir,
        regions_path=settings.regions_path,
        first_period=settings.first_period,
        last_period=settings.last_period,
    )
    _print_summary(summary)


def generate_feeds_command(
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv or .parquet.")],
    year: Annotated[int, typer.Option(help="Census the counties' sizes come from: 2010 or 2020.")] = 2010,
    periods: Annotated[
        str, typer.Option(help="Months, FIRST:LAST within 2009-01:2012-12.")
    ] = "2009-01:2012-12",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes the same file.")] = 0,
    fraction: Annotated[
        float, typer.Option(help="Share of the census migrants' events, in (0, 1] (1: real scale).")
    ] = 1.0,
    provinces: Annotated[
        str | None, typer.Option(help="Reporting provinces only, e.g. 31,32,33 (default: all).")
    ] = None,
    records_store: Annotated[
        str | None,
        typer.Option(
            "--records-store",
            help="Store whose records' arrivals and departures are 公安's true moves in and out (match rates mean something).",
        ),
    ] = None,
    inject: Annotated[
        Path | None,
        typer.Option(
            help="CSV department,county_code,period,days_late: submissions sent that many days "
            "after the due date (empty: not sent), overriding the model.",
        ),
    ] = None,
    encoding: Annotated[str, typer.Option(help="CSV encoding: utf-8 or gb18030.")] = "utf-8",
    chinese_headers: Annotated[
        bool, typer.Option(help="CSV with Chinese headers, department and item names, 是/否.")
    ] = False,
) -> None:
    """Write synthetic departmental feeds: every county x 6 departments x month (docs/feeds.md)."""
    import csv

    from geodata.hierarchy import hierarchy_table
    from synthetic.feeds import (
        FeedOptions,
        every_county,
        parse_injections,
        record_arrivals,
        record_departures,
        write_feeds,
    )
    from synthetic.generate import load_inputs
    from yipanqi.generate_cli import _province_codes
    from yipanqi.options import open_store_or_exit

    settings = load_settings()
    first, _, last = periods.partition(":")
    injections: tuple = ()
    if inject is not None:
        try:
            with inject.open(encoding="utf-8-sig", newline="") as f:
                injections = parse_injections(list(csv.DictReader(f)))
        except (OSError, UnicodeDecodeError) as exc:
            raise typer.BadParameter(f"cannot read {inject}: {type(exc).__name__}") from None
    options = FeedOptions(
        seed=seed, first_period=first, last_period=last or first, fraction=fraction,
        injections=injections,
    )  # fmt: skip
    inputs = every_county(
        load_inputs(year, settings.data_dir / "cache", settings.regions_path), hierarchy_table()
    )
    wanted = _province_codes(provinces)
    if wanted is not None:
        from dataclasses import replace

        counties = inputs.counties[inputs.counties["province_code"].isin(wanted)]
        inputs = replace(inputs, counties=counties.reset_index(drop=True))
    arrivals = departures = None
    if records_store is not None:
        engine = open_store_or_exit(records_store, check=("record_events",))
        try:
            arrivals = record_arrivals(engine)
            departures = record_departures(engine)
        finally:
            engine.dispose()
    result = write_feeds(
        inputs, options, out, encoding=encoding, chinese=chinese_headers, arrivals=arrivals,
        departures=departures,
    )
    typer.echo(
        f"wrote {result.rows:,} feed rows to {result.path} in {result.seconds:.1f} s "
        f"(submissions missing {result.missing:,}, late {result.late:,}, zero {result.zero:,}, "
        f"mismatched {result.mismatched:,})"
    )
