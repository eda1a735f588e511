"""The ETL as two calls: ``ingest`` (raw -> staged -> marts -> store) and ``aggregate`` (staged -> marts).

``ingest`` reads each input in batches (``etl.reading``: stages and validates every row, replaces
the national ID by its keyed hash, drops later duplicates of a person-period into the quarantine,
appends the records to the staging area), then recomputes the marts of the periods it touched
(``etl.aggregate``) and writes them, the quarantine rows and its run's lineage (``etl.lineage``) to
the store in one transaction (``etl.store``). This module orchestrates: the lock on the staging
area, the run's start and end in the store, and what a failed run leaves behind.

Guarantees:
- counts in = loaded + quarantined, per input and per run (checked; a mismatch is a bug and stops
  the load);
- ingesting an input whose sha256 a succeeded run already read changes nothing (the input is
  recorded as skipped); records of a person-period already loaded are quarantined as duplicates,
  so a new month adds and a repeated one does not double count;
- a failed or killed load leaves the store and the staging area as they were: a failed run is
  marked ``failed`` and its staged files removed at once; a killed one (``kill -9``, a lost
  machine, a store that went away before the run could be marked) at the next start
  (``recover``: every ingest and aggregate, ``yipanqi store check``, the app's start);
- free space is checked before staging and before the store is written (``etl.space``); a disk
  that fills up anyway, a lost store connection and a damaged store end the run in one line
  (``EtlError``) saying what to do.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from etl import crashpoints, sources, space, staged, store
from etl.aggregate import DEFAULT_SMALL_CELL, aggregate_chunks, events, reference_tables
from etl.codebook import CodeBook
from etl.dates import PeriodWindow, month_number, period_label
from etl.dedup import SeenKeys
from etl.errors import DiskSpaceError, EtlError, InputFormatError
from etl.lineage import InputSummary, RunSummary, code_version, inputs_table, run_notes
from etl.progress import ProgressCallback, ProgressEvent, no_progress
from etl.pseudonymise import Hasher, resolve_key
from etl.reading import Reading, read_input
from etl.records import FIRST_REPORTING_PERIOD
from etl.redact import failure_message
from etl.store.integrity import sqlite_file, store_error, store_errors
from etl.store.schema import mask
from etl.store_guard import admit, remember
from geodata.regions import RegionConfig

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ENGINES = ("duckdb", "spark")
DEFAULT_ENGINE = "duckdb"

__all__ = [
    "InputSummary", "ProgressEvent", "Recovery", "RunSummary", "aggregate", "failing_run", "geography", "ingest",
    "recover", "recover_store", "run_error", "store_id",
]  # fmt: skip


def ingest(
    paths: Sequence[str | Path],
    store_url: str,
    data_dir: str | Path,
    hash_key: str | None = None,
    demo: bool = False,
    *,
    table: str | None = None,
    progress: ProgressCallback | None = None,
    aggregate: bool = True,
    small_cell: int = DEFAULT_SMALL_CELL,
    regions_path: Path | None = None,
    workers: int | None = None,
    into_demo_store: bool = False,
    first_period: str = FIRST_REPORTING_PERIOD,
    last_period: str | None = None,
    engine_name: str = DEFAULT_ENGINE,
    master: str | None = None,
) -> RunSummary:
    """Load record inputs into the store and refresh the aggregates of the periods they touch.

    ``paths``: CSV or Parquet files, or SQLAlchemy URLs (each read as ``table``). ``hash_key``:
    the pseudonymisation key (``demo=True`` allows none: the published demo key is used).
    ``workers``: processes that hash IDs (default: the number of CPUs; 0: hash inline).
    A record whose period is outside ``first_period`` .. ``last_period`` (default: the month of
    the run's date) is quarantined (``etl.dates.PeriodWindow``).
    Demo mode refuses a store of real records, and an ingest of real records refuses a store of
    demo records unless ``into_demo_store`` (``etl.store_guard``). Raises ``HashKeyError``,
    ``StoreKindError``, ``InputFormatError`` or ``StoreError`` with what to do; their messages and
    the failed run's ``runs.message`` never quote a value read (``etl.redact``).
    ``engine_name``: ``duckdb`` (this process) or ``spark`` (``etl.spark``, on ``master``: default
    local mode); both give the same staged records, marts, quarantine and counts.
    """
    key = resolve_key(hash_key, demo)
    spark = _spark(engine_name, master)
    try:
        window = PeriodWindow.through(first_period, last_period, date.today())
    except ValueError as exc:
        raise EtlError(
            f"{exc}: check the first and last reporting months (YIPANQI_FIRST_PERIOD, "
            "YIPANQI_LAST_PERIOD)"
        ) from None
    report = progress or no_progress
    inputs = [sources.open_source(str(p), table) for p in paths]
    if not inputs:
        raise InputFormatError(
            "no input given: name one or more CSV/Parquet files or a database URL"
        )
    where = mask(store_url)
    with store_errors(where):
        engine = store.open_for_writing(store_url)
        try:
            root = staged.staging_root(Path(data_dir), store_id(engine))
            with staged.locked(root):
                fingerprint = admit(engine, key, demo, into_demo_store)
                recovered = recover(engine, root)
                space.require(
                    root,
                    space.staging_estimate(_input_sizes(inputs)),
                    "staging the records",
                    "free space there, or give another --data-dir (YIPANQI_DATA_DIR)",
                )
                hierarchy, region_config = geography(regions_path)
                codes = CodeBook.from_hierarchy(hierarchy)
                run_id = store.start_run(engine, "ingest", code_version(), small_cell)
                started = store.utc_now()
                writer = staged.RunWriter(root, run_id)
                run = _Run(
                    engine,
                    root,
                    run_id,
                    started,
                    key,
                    fingerprint,
                    demo,
                    codes,
                    hierarchy,
                    region_config,
                    writer,
                    report,
                    small_cell,
                    window,
                    spark,
                )
                with failing_run(engine, run_id, where, writer.abort):
                    summary = _ingest_run(run, inputs, aggregate, workers)
                return dataclasses.replace(summary, recovered=recovered.sentence())
        finally:
            engine.dispose()


@dataclass(frozen=True)
class Recovery:
    """What ``recover`` cleaned up: runs marked failed, staged files (and their bytes) removed."""

    failed_runs: tuple[int, ...] = ()
    files: int = 0
    n_bytes: int = 0

    def sentence(self) -> str:
        """One line for the operator ("" when there was nothing to clean up)."""
        parts = []
        if self.failed_runs:
            ids = ", ".join(str(r) for r in self.failed_runs)
            parts.append(f"run(s) {ids} left running by a process that is gone: marked failed")
        if self.files:
            parts.append(
                f"{self.files} staged file(s) of runs that did not succeed removed "
                f"({self.n_bytes / 1e6:,.1f} MB)"
            )
        return "; ".join(parts)


def recover(engine: sa.Engine, root: Path) -> Recovery:
    """Clean up after loads that died, with the staging area ``root`` locked: runs left
    ``running`` by a dead process on this host become ``failed``, and every staged file of a run
    that did not succeed is removed."""
    dead = store.fail_dead_runs(engine)
    files, n_bytes = staged.remove_debris(root, store.succeeded_run_ids(engine))
    return Recovery(tuple(dead), files, n_bytes)


def recover_store(store_url: str, data_dir: str | Path) -> Recovery | None:
    """``recover`` on an existing store (never created) and its staging area; None when a load
    holds the staging area (it is alive: nothing to clean up)."""
    where = mask(store_url)
    with store_errors(where):
        engine = store.open_store(store_url)
        try:
            root = staged.staging_root(Path(data_dir), store_id(engine))
            try:
                with staged.locked(root):
                    return recover(engine, root)
            except EtlError as exc:
                if "another ingest or aggregate is running" in str(exc):
                    return None
                raise
        finally:
            engine.dispose()


def aggregate(
    store_url: str,
    data_dir: str | Path,
    periods: Sequence[str] | None = None,
    *,
    small_cell: int = DEFAULT_SMALL_CELL,
    regions_path: Path | None = None,
    progress: ProgressCallback | None = None,
    engine_name: str = DEFAULT_ENGINE,
    master: str | None = None,
) -> RunSummary:
    """Recompute the marts of ``periods`` (default: every staged period) from the staging area.

    Use after changing the region configuration or the small-cell threshold, or after an ingest
    with ``aggregate=False``. ``engine_name`` and ``master`` as for ``ingest``.
    """
    report = progress or no_progress
    spark = _spark(engine_name, master)
    where = mask(store_url)
    with store_errors(where):
        engine = store.open_for_writing(store_url, create=False)
        try:
            root = staged.staging_root(Path(data_dir), store_id(engine))
            with staged.locked(root):
                recover(engine, root)
                hierarchy, region_config = geography(regions_path)
                committed = store.succeeded_run_ids(engine)
                wanted = set(periods) if periods else None
                files = staged.committed_files(root, committed, wanted)
                staged_periods = {Path(f).parent.name.removeprefix("period=") for f in files}
                touched = sorted(staged_periods | (wanted or set()))
                _require_store_space(engine, len(touched))
                run_id = store.start_run(engine, "aggregate", code_version(), small_cell)
                started = store.utc_now()
                timings: dict[str, float] = {}
                with failing_run(engine, run_id, where), engine.begin() as conn:
                    _write_marts(
                        conn,
                        files,
                        touched,
                        hierarchy,
                        region_config,
                        run_id,
                        small_cell,
                        report,
                        timings,
                        spark,
                    )
                    _write_events(conn, root, committed, touched, timings)
                    store.finish_run(conn, run_id, "succeeded", periods=",".join(touched))
                return RunSummary(
                    run_id,
                    "aggregate",
                    "succeeded",
                    (),
                    0,
                    0,
                    0,
                    tuple(touched),
                    {},
                    started,
                    store.utc_now(),
                    timings,
                )
        finally:
            engine.dispose()


@dataclass(frozen=True)
class _Run:
    """What one ingest run works with."""

    engine: sa.Engine
    root: Path
    run_id: int
    started: datetime
    key: bytes
    fingerprint: str
    demo: bool
    codes: CodeBook
    hierarchy: pd.DataFrame
    regions: RegionConfig
    writer: staged.RunWriter
    report: ProgressCallback
    small_cell: int
    window: PeriodWindow
    spark: SparkSession | None = None  # the Spark engine's session; None: the default engine


def _ingest_run(
    run: _Run, inputs: list[sources.Source], do_aggregate: bool, workers: int | None
) -> RunSummary:
    engine, root, run_id, writer, report = run.engine, run.root, run.run_id, run.writer, run.report
    timings: dict[str, float] = {}
    committed = store.succeeded_run_ids(engine)
    digests = store.ingested_digests(engine)
    seen = SeenKeys(
        lambda period: staged.period_hash_keys(staged.committed_files(root, committed, {period}))
    )
    summaries: list[InputSummary] = []
    quarantines: list[pa.Table] = []
    rule_counts: dict[str, int] = {}
    remapped: dict[str, int] = {}
    t0 = time.perf_counter()
    if run.spark is not None:
        summaries, quarantines = _spark_load(run, inputs, committed, digests, rule_counts, remapped)
    else:
        _read_inputs(
            run, inputs, workers, seen, digests, summaries, quarantines, rule_counts, remapped
        )
    writer.close()
    timings["load"] = time.perf_counter() - t0
    crashpoints.reached("staged")

    n_in = sum(s.n_in for s in summaries)
    n_loaded = sum(s.n_loaded for s in summaries)
    n_quarantined = sum(s.n_quarantined for s in summaries)
    if n_in != n_loaded + n_quarantined:  # pragma: no cover - a bug, never a data problem
        raise EtlError(f"count mismatch: {n_in} in, {n_loaded} loaded, {n_quarantined} quarantined")
    periods = tuple(sorted(writer.rows))
    if do_aggregate:
        _require_store_space(engine, len(periods))

    with engine.begin() as conn:
        t0 = time.perf_counter()
        store.bulk_insert(conn, store.run_inputs, inputs_table(run_id, summaries))
        for q in quarantines:
            if q.num_rows:
                run_ids = pa.array(np.full(q.num_rows, run_id))
                store.bulk_insert(conn, store.quarantine, q.append_column("run_id", run_ids))
        timings["store"] = time.perf_counter() - t0
        if do_aggregate and periods:
            files = staged.committed_files(root, committed | {run_id}, set(periods))
            _write_marts(
                conn,
                files,
                periods,
                run.hierarchy,
                run.regions,
                run_id,
                run.small_cell,
                report,
                timings,
                run.spark,
            )
            _write_events(conn, root, committed | {run_id}, periods, timings)
        remember(conn, run.fingerprint, run.demo)
        store.finish_run(
            conn,
            run_id,
            "succeeded",
            n_in=n_in,
            n_loaded=n_loaded,
            n_quarantined=n_quarantined,
            periods=",".join(periods),
            message=run_notes(do_aggregate, remapped),
        )
        crashpoints.reached("commit")
    return RunSummary(
        run_id=run_id,
        kind="ingest",
        status="succeeded",
        inputs=tuple(summaries),
        n_in=n_in,
        n_loaded=n_loaded,
        n_quarantined=n_quarantined,
        periods=periods,
        rule_counts=rule_counts,
        started_at=run.started,
        ended_at=store.utc_now(),
        seconds=timings,
        remapped=remapped,
    )


def _read_inputs(
    run: _Run,
    inputs: list[sources.Source],
    workers: int | None,
    seen: SeenKeys,
    digests: dict[str, int],
    summaries: list[InputSummary],
    quarantines: list[pa.Table],
    rule_counts: dict[str, int],
    remapped: dict[str, int],
) -> None:
    """The default engine's reading of the inputs (``etl.reading``), in this process."""
    run_id, writer, report = run.run_id, run.writer, run.report
    run_digests: dict[str, int] = {}
    n_workers = (os.cpu_count() or 1) if workers is None else workers
    with (
        Hasher(run.key, n_workers) as hasher,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="yipanqi-digest") as digest_pool,
    ):
        reading = Reading(
            run.codes,
            hasher,
            seen,
            writer,
            digests,
            run_digests,
            run_id,
            report,
            rule_counts,
            remapped,
            digest_pool,
            run.window,
        )
        for position, source in enumerate(inputs):
            summary, q = read_input(source, reading)
            summaries.append(summary)
            if q is not None and q.num_rows:
                quarantines.append(q)
            if summary.skipped_as_run is None:
                run_digests[summary.sha256] = position


def _spark_load(
    run: _Run,
    inputs: list[sources.Source],
    committed: set[int],
    digests: dict[str, int],
    rule_counts: dict[str, int],
    remapped: dict[str, int],
) -> tuple[list[InputSummary], list[pa.Table]]:
    """The Spark engine's reading of the inputs (``etl.spark.load``)."""
    from etl.spark.load import LoadContext, load_inputs

    assert run.spark is not None
    context = LoadContext(
        run.codes, run.window, run.key, run.run_id, run.root, committed, digests, run.writer,
        run.report, rule_counts, remapped,
    )  # fmt: skip
    return load_inputs(run.spark, inputs, context)


def _write_marts(
    conn: sa.Connection,
    files: list[Path],
    periods: Sequence[str],
    hierarchy: pd.DataFrame,
    region_config: RegionConfig,
    run_id: int,
    small_cell: int,
    report: ProgressCallback,
    timings: dict[str, float],
    spark: SparkSession | None = None,
) -> None:
    """Replace the marts of ``periods`` by those of ``files``, a chunk of periods at a time, inside
    the caller's transaction (so the swap stays atomic while memory stays bounded); computed by
    DuckDB, or by Spark SQL when ``spark`` is given (``etl.spark.marts``)."""
    t0 = time.perf_counter()
    store.delete_periods(conn, periods)
    timings["store"] = timings.get("store", 0.0) + time.perf_counter() - t0
    crashpoints.reached("aggregate")
    n_periods = len({Path(f).parent.name for f in files})
    done = 0
    report(ProgressEvent("aggregate and store", 0, n_periods, "periods"))
    if spark is not None:
        from etl.spark.marts import mart_chunks

        chunks = mart_chunks(spark, files, hierarchy, region_config.membership(), run_id, small_cell)
    else:
        chunks = aggregate_chunks(files, hierarchy, region_config.membership(), run_id, small_cell)
    try:
        while True:
            t0 = time.perf_counter()  # waiting for a chunk (the next is computed during the insert)
            marts = next(chunks, None)
            timings["aggregate"] = timings.get("aggregate", 0.0) + time.perf_counter() - t0
            if marts is None:
                break
            t0 = time.perf_counter()
            store.insert_marts(conn, marts.tables)
            timings["store"] = timings.get("store", 0.0) + time.perf_counter() - t0
            crashpoints.reached("store")
            done += len(marts.periods)
            report(ProgressEvent("aggregate and store", done, n_periods, "periods"))
    finally:
        chunks.close()
    store.replace_reference(conn, reference_tables(hierarchy, region_config))
    store.set_meta(conn, "small_cell_threshold", str(small_cell))


def _write_events(
    conn: sa.Connection,
    root: Path,
    committed: set[int],
    periods: Sequence[str],
    timings: dict[str, float],
) -> None:
    """Replace the records' events (``etl.aggregate.events``) that a load of ``periods``
    changes, inside the caller's transaction."""
    t0 = time.perf_counter()
    staged_periods = {period for period, _, _ in staged.staged_files(root)}
    changed = events.event_periods(set(periods), staged_periods)
    wanted = set(changed) | {period_label(month_number(p) - 1) for p in changed}
    rows = events.arrivals(staged.committed_files(root, committed, wanted), changed)
    table = store.record_events
    for start in range(0, len(changed), 500):
        conn.execute(table.delete().where(table.c.period.in_(changed[start : start + 500])))
    store.bulk_insert(conn, table, rows)
    timings["aggregate"] = timings.get("aggregate", 0.0) + time.perf_counter() - t0


# --- helpers ---------------------------------------------------------------------------------


def _spark(engine_name: str, master: str | None) -> SparkSession | None:
    """The Spark session of the Spark engine (``etl.spark.session``); None for DuckDB."""
    if engine_name not in ENGINES:
        raise EtlError(f"unknown engine {engine_name!r}: use one of {', '.join(ENGINES)}")
    if engine_name == "duckdb":
        if master:
            raise EtlError("--master names a Spark master: use it with --engine spark")
        return None
    from etl.spark.session import spark_session

    return spark_session(master)


@contextmanager
def failing_run(
    engine: sa.Engine, run_id: int, where: str, cleanup: Callable[[], None] | None = None
) -> Iterator[None]:
    """The block of a run (of records or of feeds): when it fails, ``cleanup`` runs, the run is
    marked failed with a message quoting no value read, and the error ends in one line
    (``run_error``); the store keeps its previous data (the block's transaction rolled back)."""
    try:
        yield
    except BaseException as exc:
        if cleanup is not None:
            cleanup()
        answer = run_error(exc, run_id, where)
        store.fail_run(engine, run_id, failure_message(answer))
        if answer is exc:
            raise
        raise answer from exc


def run_error(exc: BaseException, run_id: int, where: str) -> BaseException:
    """The one-line error a run (of records or of feeds) that failed with ``exc`` ends in (``exc`` itself when it is an
    ``EtlError`` or not a fault of the disk or the store)."""
    if isinstance(exc, EtlError) or not isinstance(exc, Exception):
        return exc
    after = (
        f"run {run_id} failed; the store keeps its previous data and the run's staged files "
        "are removed"
    )
    if space.is_disk_full(exc):
        return DiskSpaceError(  # the command line adds which disks to free (yipanqi.cli)
            f"a disk filled up during the load ({after})"
        )
    if isinstance(exc, sa.exc.DBAPIError):
        error = store_error(exc, where)
        return type(error)(f"{error} ({after})")
    return exc


def _input_sizes(inputs: list[sources.Source]) -> list[tuple[str, int]]:
    """(kind, bytes of a CSV or rows of a Parquet file) per input, for ``space.staging_estimate``;
    an input that cannot be measured counts 0 (reading it reports what is wrong)."""
    sizes = []
    for source in inputs:
        try:
            if source.kind == "csv" and source.path is not None:
                sizes.append(("csv", source.path.stat().st_size))
            elif source.kind == "parquet" and source.path is not None:
                sizes.append(("parquet", sources.parquet_rows(source.path)))
        except (OSError, pa.ArrowException):
            continue
    return sizes


def _require_store_space(engine: sa.Engine, n_periods: int) -> None:
    """``DiskSpaceError`` when a SQLite store's disk cannot hold the journal of a load of
    ``n_periods`` periods (``etl.space.store_estimate``)."""
    path = sqlite_file(engine.url.render_as_string(hide_password=False))
    if path is None or not n_periods:
        return
    wal = path.with_name(path.name + "-wal")
    size = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    with engine.connect() as conn:
        in_store = conn.execute(sa.select(sa.func.count()).select_from(store.period_totals)).scalar()
    space.require(
        path,
        space.store_estimate(size, int(in_store or 0), n_periods),
        f"writing the aggregates of {n_periods} period(s) to the store",
        "free space there (nothing was written to the store)",
    )


def store_id(engine: sa.Engine) -> str:
    """The store's id (its staging area's name, ``etl.staged.staging_root``)."""
    found = store.meta(engine, "store_id")
    if not found:  # pragma: no cover - open_store writes it
        raise EtlError("the store has no store_id")
    return found


@functools.lru_cache(maxsize=4)
def geography(regions_path: Path | None) -> tuple[pd.DataFrame, RegionConfig]:
    """The county hierarchy and the region configuration (read once per process and path)."""
    from geodata.hierarchy import hierarchy_table, province_table
    from geodata.regions import load_regions

    hierarchy = hierarchy_table()
    unit_codes = set(hierarchy["county_code"]) | set(hierarchy["prefecture_code"])
    return hierarchy, load_regions(regions_path, province_table(), unit_codes)
