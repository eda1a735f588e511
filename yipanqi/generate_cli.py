"""``yipanqi generate``: synthetic records calibrated to the census (see ``synthetic.generate``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synthetic.generate import GenerateOptions, OutputSpec, load_inputs, write_records
from yipanqi.progress import step_progress
from yipanqi.settings import load_settings

POLYGONS_STEP = "county points (first run only)"
ROWS_STEP = "rows"


def register(app: typer.Typer) -> None:
    """Add ``generate`` to the root app."""
    app.command("generate")(generate)


def generate(
    out: Annotated[Path, typer.Option("--out", help="Output file: .parquet or .csv.")],
    year: Annotated[int, typer.Option(help="Census to calibrate to: 2010 or 2020.")] = 2010,
    fraction: Annotated[
        float, typer.Option(help="Share of the census migrants to generate, in (0, 1].")
    ] = 1e-4,
    periods: Annotated[
        str, typer.Option(help="Months written, FIRST:LAST within 2009-01:2012-12.")
    ] = "2009-01:2012-12",
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes the same file.")] = 0,
    scope: Annotated[
        str, typer.Option(help="Migrants: all, intra (other county, same province) or inter.")
    ] = "all",
    provinces: Annotated[
        str | None, typer.Option(help="Destination provinces only, e.g. 31,32,33 (default: all).")
    ] = None,
    messy: Annotated[
        bool, typer.Option(help="Inject faults; list them in OUT.faults.csv.")
    ] = False,
    encoding: Annotated[str, typer.Option(help="CSV encoding: utf-8 or gb18030.")] = "utf-8",
    chinese_headers: Annotated[
        bool, typer.Option(help="CSV with Chinese headers and 男/女, 是/否 values.")
    ] = False,
    rows_limit: Annotated[int | None, typer.Option(help="Stop after this many rows.")] = None,
) -> None:
    """Write synthetic floating-population records (one row per person per month)."""
    settings = load_settings()
    first, _, last = periods.partition(":")
    options = GenerateOptions(
        fraction=fraction,
        first_period=first,
        last_period=last or first,
        seed=seed,
        scope=scope,
        provinces=_province_codes(provinces),
        messy=messy,
        rows_limit=rows_limit,
    )
    spec = OutputSpec(out, encoding=encoding, chinese_headers=chinese_headers)
    spec.validate()
    with step_progress() as report:
        done = 0

        def polygon_read(n: int) -> None:
            nonlocal done
            done += n
            report(POLYGONS_STEP, done, None)

        inputs = load_inputs(
            year, settings.data_dir / "cache", settings.regions_path, progress=polygon_read
        )
        result = write_records(
            inputs, options, spec, progress=lambda d, t: report(ROWS_STEP, d, t)
        )
    for note in inputs.notes:
        typer.echo(f"note: {note}")
    typer.echo(
        f"wrote {result.rows:,} rows ({result.persons:,} people simulated) to {result.path} "
        f"in {result.seconds:.1f} s"
    )
    if result.faults_path:
        total = sum(result.fault_counts.values())
        kinds = ", ".join(f"{k} {v}" for k, v in result.fault_counts.items())
        typer.echo(f"faults: {total:,} rows listed in {result.faults_path} ({kinds})")


def _province_codes(text: str | None) -> tuple[str, ...] | None:
    """``"31,32"`` or ``"310000,320000"`` -> ``("310000", "320000")``."""
    if not text:
        return None
    codes = []
    for part in text.split(","):
        part = part.strip()
        if not (part.isdigit() and len(part) in (2, 6)):
            raise typer.BadParameter(f"a province is 2 or 6 digits (31 or 310000), got {part!r}")
        codes.append(part[:2] + "0000")
    return tuple(codes)
