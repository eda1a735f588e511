"""ETL commands: ``ingest``, ``aggregate``, ``runs`` and ``export quarantine``
(``export flows|coverage`` are in ``yipanqi.export_cli``).

``export_app`` is the ``yipanqi export`` group: other modules add their exports to it
(``@export_app.command("map")``) before ``register`` puts it on the root app.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from yipanqi.options import (
    DATA_DIR_META,
    StoreOption,
    console,
    err,
    noted,
    open_store_or_exit,
    store_failures,
)
from yipanqi.settings import load_settings

T = TypeVar("T")

export_app = typer.Typer(
    help="Export data or maps. Data exports are CSV files with fixed columns (a contract).",
    no_args_is_help=True,
)


DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Data directory holding the staged records (default: YIPANQI_DATA_DIR).",
        callback=noted(DATA_DIR_META),
    ),
]


EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="duckdb (default: this machine) or spark (PySpark, Java 17: pip install "
        "'yipanqi[spark]'); both give the same marts (docs/scale.md).",
    ),
]
MasterOption = Annotated[
    str | None,
    typer.Option(
        "--master",
        help="Spark master URL with --engine spark (default: local[2], or spark-submit's).",
    ),
]


def register(app: typer.Typer) -> None:
    """Add the ETL commands to the root app."""
    app.command("ingest")(ingest_command)
    app.command("aggregate")(aggregate_command)
    app.command("runs")(runs_command)
    app.add_typer(export_app, name="export")


def ingest_command(
    paths: Annotated[
        list[str], typer.Argument(help="CSV or Parquet files, or a SQLAlchemy URL with --table.")
    ],
    store: StoreOption = None,
    data_dir: DataDirOption = None,
    table: Annotated[
        str | None, typer.Option(help="Table to read when PATH is a database URL.")
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Synthetic records (a store of real records refuses them): without "
            "YIPANQI_HASH_KEY use the published demo key.",
        ),
    ] = False,
    small_cell: Annotated[
        int, typer.Option(help="Counts under this are flagged small cells.")
    ] = 10,
    aggregate: Annotated[
        bool, typer.Option(help="Refresh the aggregates of the periods loaded.")
    ] = True,
    workers: Annotated[
        int | None, typer.Option(help="Processes hashing IDs (default: CPUs; 0: none).")
    ] = None,
    into_demo_store: Annotated[
        bool,
        typer.Option(
            "--into-demo-store",
            help="Allow records that are not demo records into a store of demo records "
            "(refused without it).",
        ),
    ] = False,
    engine: EngineOption = "duckdb",
    master: MasterOption = None,
) -> None:
    """Load records: validate, quarantine bad rows, pseudonymise IDs, stage, aggregate, store."""
    from etl.pipeline import ingest

    settings = load_settings()
    summary = _run_with_progress(
        lambda progress: ingest(
            paths,
            store or settings.store_url,
            data_dir or settings.data_dir,
            settings.hash_key,
            demo,
            table=table,
            progress=progress,
            aggregate=aggregate,
            small_cell=small_cell,
            regions_path=settings.regions_path,
            workers=workers,
            into_demo_store=into_demo_store,
            first_period=settings.first_period,
            last_period=settings.last_period,
            engine_name=engine,
            master=master,
        )
    )
    _print_summary(summary)


def aggregate_command(
    store: StoreOption = None,
    data_dir: DataDirOption = None,
    period: Annotated[
        list[str] | None, typer.Option(help="Period(s) YYYY-MM to recompute (default: all).")
    ] = None,
    small_cell: Annotated[
        int, typer.Option(help="Counts under this are flagged small cells.")
    ] = 10,
    engine: EngineOption = "duckdb",
    master: MasterOption = None,
) -> None:
    """Recompute the aggregates from the staged records (after changing regions or the threshold)."""
    from etl.pipeline import aggregate

    settings = load_settings()
    summary = _run_with_progress(
        lambda progress: aggregate(
            store or settings.store_url,
            data_dir or settings.data_dir,
            period or None,
            small_cell=small_cell,
            regions_path=settings.regions_path,
            progress=progress,
            engine_name=engine,
            master=master,
        )
    )
    console.print(
        f"run {summary.run_id}: aggregates of {len(summary.periods)} period(s) rebuilt in "
        f"{sum(summary.seconds.values()):.1f} s"
    )


def runs_command(
    store: StoreOption = None,
    limit: Annotated[int, typer.Option(help="Show the newest N runs.")] = 20,
    inputs: Annotated[
        bool, typer.Option("--inputs", help="Also list each run's inputs and hashes.")
    ] = False,
) -> None:
    """List the runs recorded in the store (lineage): what was loaded, when, by which code."""
    from etl import store as store_module

    engine = open_store_or_exit(store, check=("store_meta", "runs", "run_inputs"))
    try:
        with store_failures(store):
            _print_runs(store_module, engine, limit, inputs)
    finally:
        engine.dispose()


def _print_runs(store_module, engine, limit: int, inputs: bool) -> None:  # noqa: ANN001
    rows = store_module.list_runs(engine, limit)
    table = Table(title="runs", show_lines=False)
    for name in (
        "run",
        "kind",
        "status",
        "started (UTC)",
        "seconds",
        "in",
        "loaded",
        "quarantined",
        "periods",
        "code",
    ):
        table.add_column(
            name,
            justify="right"
            if name in ("run", "seconds", "in", "loaded", "quarantined")
            else "left",
        )
    for r in rows:
        seconds = f"{(r.ended_at - r.started_at).total_seconds():.1f}" if r.ended_at else ""
        span = f"{r.periods[0]}..{r.periods[-1]} ({len(r.periods)})" if r.periods else ""
        table.add_row(
            str(r.run_id),
            r.kind,
            _status(r.status) + (" (process gone)" if r.process_gone else ""),
            f"{r.started_at:%Y-%m-%d %H:%M:%S}",
            seconds,
            f"{r.n_in:,}",
            f"{r.n_loaded:,}",
            f"{r.n_quarantined:,}",
            span,
            r.code_version,
        )
    console.print(table)
    if inputs:
        data = store_module.read_run_inputs(engine)
        data = data[data["run_id"].isin([r.run_id for r in rows])]
        detail = Table(title="inputs")
        for name in ("run", "source", "format", "sha256", "in", "loaded", "quarantined", "note"):
            detail.add_column(
                name, justify="right" if name in ("run", "in", "loaded", "quarantined") else "left"
            )
        for row in data.itertuples(index=False):
            skipped = row.skipped_as_run
            note = (
                f"already loaded by run {int(skipped)}"
                if skipped is not None and skipped == skipped
                else ""
            )
            if row.extra_columns:
                note = (note + "; " if note else "") + escape(
                    f"extra columns ignored: {row.extra_columns}"
                )
            detail.add_row(
                str(row.run_id),
                escape(row.source),
                row.format,
                row.sha256[:16],
                f"{row.n_in:,}",
                f"{row.n_loaded:,}",
                f"{row.n_quarantined:,}",
                note,
            )
        console.print(detail)


@export_app.command("quarantine")
def export_quarantine_command(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    store: StoreOption = None,
) -> None:
    """Rejected rows: source,row_number,reason (no personal data)."""
    from etl.export import export_quarantine

    _export(export_quarantine, store, out, ("quarantine",))


def _export(function, store: str | None, out: Path, tables: tuple[str, ...]) -> None:  # noqa: ANN001
    engine = open_store_or_exit(store, check=tables)
    try:
        with store_failures(store):
            n = function(engine, out)
    finally:
        engine.dispose()
    console.print(f"wrote {n:,} rows to {escape(str(out))}")


def _run_with_progress(call: Callable[[_progress], T]) -> T:
    """``call(progress bars)``: bars on a terminal only (a log gets the summary, or the error's
    one line from the root app)."""
    with _progress() as progress:
        return call(progress)


def _status(status: str) -> str:
    colour = {"succeeded": "green", "failed": "red", "abandoned": "yellow", "running": "cyan"}.get(
        status, "white"
    )
    return f"[{colour}]{status}[/{colour}]"


class _progress:
    """Rich progress bars fed by ``etl.pipeline.ProgressEvent``s, one bar per task."""

    def __init__(self) -> None:
        self._bars = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<28}"),
            BarColumn(),
            TextColumn("{task.fields[size]:>20}"),
            TimeElapsedColumn(),
            console=err,
            transient=False,
            disable=not err.is_terminal,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> _progress:
        self._bars.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bars.__exit__(*exc)  # type: ignore[arg-type]

    def __call__(self, event) -> None:  # noqa: ANN001 - etl.pipeline.ProgressEvent
        task = self._tasks.get(event.task)
        if event.unit == "bytes":
            size = f"{event.done / 1e6:,.0f}/{(event.total or 0) / 1e6:,.0f} MB"
        elif event.unit == "rows":
            size = f"{event.done:,}" + (f"/{event.total:,}" if event.total else "") + " rows"
        else:
            size = f"{event.done}/{event.total} {event.unit}" if event.total else ""
        if task is None:
            task = self._bars.add_task(event.task, total=event.total, size=size)
            self._tasks[event.task] = task
        self._bars.update(task, completed=event.done, total=event.total, size=size)


def _print_summary(summary) -> None:  # noqa: ANN001 - etl.pipeline.RunSummary
    if summary.recovered:
        console.print(f"before this run: {summary.recovered}", markup=False, highlight=False)
    table = Table(title=f"run {summary.run_id}: {summary.status}")
    for name in ("input", "format", "in", "loaded", "quarantined", "note"):
        table.add_column(
            name, justify="right" if name in ("in", "loaded", "quarantined") else "left"
        )
    for s in summary.inputs:
        note = f"unchanged: already loaded by run {s.skipped_as_run}" if s.skipped_as_run else ""
        if s.extra_columns:
            note = (
                (note + "; " if note else "")
                + "extra columns ignored: "
                + escape(", ".join(s.extra_columns))
            )
        fmt = s.format + (f" ({s.encoding})" if s.encoding else "")
        table.add_row(escape(s.source), fmt, f"{s.n_in:,}", f"{s.n_loaded:,}", f"{s.n_quarantined:,}", note)
    console.print(table)
    if summary.rule_counts:
        rules = Table(title="quarantine reasons (rows breaking each rule)")
        rules.add_column("rule")
        rules.add_column("rows", justify="right")
        for rule, n in sorted(summary.rule_counts.items(), key=lambda kv: -kv[1]):
            rules.add_row(rule, f"{n:,}")
        console.print(rules)
    for name, n in sorted(summary.remapped.items()):
        console.print(f"{name}: {n:,} older GB/T 2260 codes mapped to current codes")
    seconds = " ".join(f"{k} {v:.1f} s" for k, v in summary.seconds.items())
    console.print(
        f"counts: in {summary.n_in:,} = loaded {summary.n_loaded:,} + quarantined "
        f"{summary.n_quarantined:,}; periods: {len(summary.periods)}; {seconds}"
    )
