"""Loading departmental feeds: read -> stage (validate, quarantine) -> de-duplicate -> store, in
one transaction with the run's lineage.

The same guarantees as a load of records (``etl.pipeline``), by the same means:

- counts in = loaded + quarantined, per input and per run; a quarantine row holds the input, the
  row number and the reasons, never a value read (``etl.feeds.stage``);
- an input whose sha256 a succeeded run already read is recorded as skipped and changes nothing;
  a report (period, department, county, item) already loaded, or given twice, is quarantined as
  a duplicate: the first one stands;
- all or nothing: the feed rows of the periods touched with their submissions' flags (rebuilt
  from every feed row of those periods), the expected submissions, the quarantine and the run's inputs are written and the
  run marked succeeded in one transaction; a failure (a bad file, a year the official calendar
  lacks, a lost store) marks the run failed and leaves the store as it was
  (``etl.pipeline.failing_run``); the hierarchy and regions (``units``, ``regions``,
  ``region_members``) are written too, as a records load does, so scopes resolve;
- feed loads and record loads of a store take the same lock (its staging area's), and a run left
  ``running`` by a dead process is marked failed first (``etl.pipeline.recover``).

Inputs are CSV (UTF-8 or GB18030, detected; read as the records are, ``etl.sources``) or Parquet
files.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from etl import sources, staged, store
from etl.aggregate import reference_tables
from etl.codebook import CodeBook
from etl.dates import PeriodWindow, month_number
from etl.errors import EtlError, InputFormatError
from etl.feeds.aggregate import due_dates, expected, flagged
from etl.feeds.format import (
    DEPARTMENT_VALUES,
    FEED_FIELD_NAMES,
    FEED_HEADERS,
    FEED_REQUIRED,
    ITEM_CODES,
)
from etl.feeds.stage import FEED_SCHEMA, StagedFeeds, feed_key, stage_feed_batch
from etl.lineage import InputSummary, RunSummary, code_version, inputs_table
from etl.pipeline import failing_run, geography, recover, store_id
from etl.reading import PARQUET_BATCH_ROWS, add_counts, malformed_quarantine
from etl.records import FIRST_REPORTING_PERIOD
from etl.store.integrity import store_errors
from etl.store.schema import mask

RUN_KIND = "feeds"
DOC = "docs/feeds.md"
DUPLICATE = "duplicate: this department's item for this county and period is already reported"


@dataclass(frozen=True)
class _Loaded:
    """One input read: its summary, accepted rows (with their keys) and quarantine rows."""

    summary: InputSummary
    rows: list[StagedFeeds]
    quarantine: pa.Table | None


def ingest_feeds(
    paths: Sequence[str | Path],
    store_url: str,
    data_dir: str | Path,
    *,
    regions_path: Path | None = None,
    first_period: str = FIRST_REPORTING_PERIOD,
    last_period: str | None = None,
    today: date | None = None,
) -> RunSummary:
    """Load feed files into the store (see the module docstring) and rebuild the submissions mart
    of the periods they touch. ``today``: the run's date (default: today), for the reporting
    window and the "submitted after today" rule. Raises ``InputFormatError``, ``CalendarError``
    or ``StoreError`` with what to do, in one line."""
    today = today or date.today()
    try:
        window = PeriodWindow.through(first_period, last_period, today)
    except ValueError as exc:
        raise EtlError(
            f"{exc}: check the first and last reporting months (YIPANQI_FIRST_PERIOD, "
            "YIPANQI_LAST_PERIOD)"
        ) from None
    for spec in map(str, paths):
        if "://" in spec:
            raise InputFormatError(
                f"{mask(spec)}: feeds are read from CSV or Parquet files, not a database"
            )
    inputs = [sources.open_source(str(p)) for p in paths]
    if not inputs:
        raise InputFormatError("no input given: name one or more feed files (CSV or Parquet)")
    where = mask(store_url)
    with store_errors(where):
        engine = store.open_for_writing(store_url)
        try:
            root = staged.staging_root(Path(data_dir), store_id(engine))
            with staged.locked(root):
                recovered = recover(engine, root)
                hierarchy, region_config = geography(regions_path)
                codes = CodeBook.from_hierarchy(hierarchy)
                run_id = store.start_run(engine, RUN_KIND, code_version(), None)
                started = store.utc_now()
                with failing_run(engine, run_id, where):
                    summary = _run(
                        engine, run_id, inputs, codes, hierarchy, window, today,
                        reference_tables(hierarchy, region_config),
                    )  # fmt: skip
                return RunSummary(
                    run_id=run_id,
                    kind=RUN_KIND,
                    status="succeeded",
                    started_at=started,
                    ended_at=store.utc_now(),
                    recovered=recovered.sentence(),
                    **summary,
                )
        finally:
            engine.dispose()


def _run(
    engine: sa.Engine,
    run_id: int,
    inputs: list[sources.Source],
    codes: CodeBook,
    hierarchy: object,
    window: PeriodWindow,
    today: date,
    reference: dict[str, pa.Table],
) -> dict:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    digests = store.ingested_digests(engine)
    run_digests: dict[str, int] = {}
    rule_counts: dict[str, int] = {}
    loaded = []
    for source in inputs:
        one = _read(source, codes, window, today, digests, run_digests, run_id, rule_counts)
        loaded.append(one)
        if one.summary.skipped_as_run is None:
            run_digests[one.summary.sha256] = run_id
    timings["load"] = time.perf_counter() - t0

    parts = [part for one in loaded for part in one.rows]
    rows = pa.concat_tables([p.rows for p in parts]) if parts else FEED_SCHEMA.empty_table()
    keys = np.concatenate([p.keys for p in parts]) if parts else np.zeros(0, np.int64)
    periods = sorted(set(pc.unique(rows["period"]).to_pylist()))
    due = due_dates(periods)  # a year the calendar lacks ends the run here, before any write

    with engine.begin() as conn:
        t0 = time.perf_counter()
        earlier = _stored_reports(conn, periods)
        keep, duplicate_of = _first_reports(keys, feed_keys(earlier))
        summaries, quarantines = _with_duplicates(loaded, parts, keep, duplicate_of, rule_counts)
        new = rows.filter(pa.array(keep)).drop_columns(["zero_report"])
        new = new.append_column("run_id", pa.array(np.full(new.num_rows, run_id), pa.int32()))
        store.bulk_insert(conn, store.run_inputs, inputs_table(run_id, summaries))
        for q in quarantines:
            store.bulk_insert(conn, store.quarantine, q.append_column(
                "run_id", pa.array(np.full(q.num_rows, run_id), pa.int32())
            ))  # fmt: skip
        t1 = time.perf_counter()
        reports = flagged(pa.concat_tables([earlier, new.select(earlier.schema.names)]), due)
        owed = expected(expected_counties(hierarchy), due)
        timings["aggregate"] = time.perf_counter() - t1
        for table in (store.feed_reports, store.feed_expected):
            for chunk in range(0, len(periods), 500):
                conn.execute(table.delete().where(table.c.period.in_(periods[chunk : chunk + 500])))
        store.bulk_insert(conn, store.feed_reports, reports)
        store.bulk_insert(conn, store.feed_expected, owed)
        store.replace_reference(conn, reference)  # the hierarchy the scopes resolve through
        n_in = sum(s.n_in for s in summaries)
        n_loaded = sum(s.n_loaded for s in summaries)
        n_quarantined = sum(s.n_quarantined for s in summaries)
        if n_in != n_loaded + n_quarantined:  # pragma: no cover - a bug, never a data problem
            raise EtlError(f"count mismatch: {n_in} in, {n_loaded} loaded, {n_quarantined} quarantined")
        store.finish_run(
            conn,
            run_id,
            "succeeded",
            n_in=n_in,
            n_loaded=n_loaded,
            n_quarantined=n_quarantined,
            periods=",".join(periods),
            message=f"departmental feeds of {len(periods)} period(s)",
        )
        timings["store"] = time.perf_counter() - t0 - timings["aggregate"]
    return {
        "inputs": tuple(summaries),
        "n_in": n_in,
        "n_loaded": n_loaded,
        "n_quarantined": n_quarantined,
        "periods": tuple(periods),
        "rule_counts": rule_counts,
        "seconds": timings,
    }


def _read(
    source: sources.Source,
    codes: CodeBook,
    window: PeriodWindow,
    today: date,
    digests: dict[str, int],
    run_digests: dict[str, int],
    run_id: int,
    rule_counts: dict[str, int],
) -> _Loaded:
    """Stage one input (nothing of it when its content was loaded before)."""
    assert source.path is not None  # noqa: S101 - files only (checked by ingest_feeds)
    sha, encoding = sources.file_digest(source.path)
    if sha in digests or sha in run_digests:
        earlier = digests.get(sha, run_id)
        summary = InputSummary(source.label, source.kind, encoding, sha, 0, 0, 0, earlier)
        return _Loaded(summary, [], None)
    malformed = sources.MalformedLines()
    fields = dict(fields=FEED_FIELD_NAMES, headers=FEED_HEADERS, doc=DOC,
                  optional=tuple(f for f in FEED_FIELD_NAMES if f not in FEED_REQUIRED))  # fmt: skip
    if source.kind == "csv":
        names = sources.read_csv_header(source.path, encoding)
        mapping, extra = sources.map_columns(names, source.label, **fields)  # type: ignore[arg-type]
        batches = sources.csv_batches(source.path, encoding, list(mapping.values()), malformed)
    else:
        encoding = ""
        names = sources.parquet_columns(source.path)
        mapping, extra = sources.map_columns(names, source.label, **fields)  # type: ignore[arg-type]
        batches = sources.parquet_batches(source.path, list(mapping.values()), PARQUET_BATCH_ROWS)
    n_in = 0
    parts: list[StagedFeeds] = []
    quarantine: list[pa.Table] = []
    try:
        for raw in batches:
            part = stage_feed_batch(raw, mapping, n_in + 1, codes, window, today)
            n_in += raw.num_rows
            parts.append(part)
            if part.quarantine.num_rows:
                quarantine.append(part.quarantine)
            add_counts(rule_counts, part.rule_counts)
    except InputFormatError as exc:
        if str(exc).startswith(source.label):
            raise
        raise InputFormatError(f"{source.label}: {exc}") from None
    except pa.ArrowException as exc:
        raise InputFormatError(f"{source.label}: not readable: {type(exc).__name__}") from None
    if malformed.found:
        for part in parts:
            part.row_numbers = malformed.renumber(part.row_numbers)
        quarantine = [
            q.set_column(0, "row_number", pa.array(malformed.renumber(np.asarray(q["row_number"]))))
            for q in quarantine
        ]
        quarantine.append(malformed_quarantine(malformed, rule_counts))
        n_in += len(malformed.found)
    q = pa.concat_tables(quarantine) if quarantine else _EMPTY_QUARANTINE
    n_loaded = sum(p.rows.num_rows for p in parts)
    summary = InputSummary(
        source.label, source.kind, encoding, sha, n_in, n_loaded, q.num_rows, None, tuple(extra)
    )
    return _Loaded(summary, parts, q)


_EMPTY_QUARANTINE = pa.table(
    {"row_number": pa.array([], pa.int64()), "reason": pa.array([], pa.string())}
)


def _stored_reports(conn: sa.Connection, periods: list[str]) -> pa.Table:
    """The feed rows already in the store for ``periods`` (``STORED_SCHEMA``)."""
    t = store.feed_reports
    parts = []
    for chunk in range(0, len(periods), 500):
        query = sa.select(*[t.c[name] for name in STORED_SCHEMA.names]).where(
            t.c.period.in_(periods[chunk : chunk + 500])
        )
        result = conn.execute(query).all()
        if result:
            columns = list(zip(*result, strict=True))
            parts.append(
                pa.table(
                    {name: pa.array(col) for name, col in zip(STORED_SCHEMA.names, columns, strict=True)}
                ).cast(STORED_SCHEMA)
            )
    return pa.concat_tables(parts) if parts else STORED_SCHEMA.empty_table()


STORED_SCHEMA = pa.schema(
    [f for f in FEED_SCHEMA if f.name != "zero_report"] + [pa.field("run_id", pa.int32())]
)
"""Feed rows as a load reads them back from the store (before their flags are recomputed)."""


def expected_counties(hierarchy: object) -> list[str]:
    """The counties expected to report: those of the hierarchy inside the census coverage (the
    codes a feed row may carry, ``etl.codebook``)."""
    covered = hierarchy[hierarchy["in_coverage"].astype(bool)]  # type: ignore[index]
    return sorted(covered["county_code"].astype(str))


def feed_keys(rows: pa.Table) -> np.ndarray:
    """``etl.feeds.stage.feed_key`` of staged or stored feed rows."""
    if not rows.num_rows:
        return np.zeros(0, np.int64)
    months = np.array([month_number(p) for p in rows["period"].to_pylist()], dtype=np.int64)
    department = np.array([DEPARTMENT_VALUES[d] for d in rows["department"].to_pylist()])
    county = np.asarray(pc.cast(rows["county_code"], pa.int64()))
    item = np.array([ITEM_CODES.index(i) for i in rows["item"].to_pylist()])
    return feed_key(months, department, county, item)


def _first_reports(keys: np.ndarray, stored: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``keys`` (in run order) to keep: not stored, and the first of equal keys; and for
    each row the run position of the first one (-1: none in this run, or a stored report)."""
    keep = ~np.isin(keys, stored)
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    first_of = first[inverse]
    later = first_of != np.arange(len(keys))
    keep &= ~later
    return keep, np.where(later, first_of, -1)


def _with_duplicates(
    loaded: list[_Loaded],
    parts: list[StagedFeeds],
    keep: np.ndarray,
    duplicate_of: np.ndarray,
    rule_counts: dict[str, int],
) -> tuple[list[InputSummary], list[pa.Table]]:
    """Each input's summary and quarantine with its duplicate reports moved to the quarantine."""
    summaries: list[InputSummary] = []
    quarantines: list[pa.Table] = []
    # run position -> (input index, row number), to name the first of a duplicate in this run
    owner = np.concatenate([np.full(p.rows.num_rows, i) for i, one in enumerate(loaded) for p in one.rows] or [np.zeros(0, np.int64)])  # fmt: skip
    numbers = np.concatenate([p.row_numbers for p in parts] or [np.zeros(0, np.int64)])
    start = 0
    for index, one in enumerate(loaded):
        n = sum(p.rows.num_rows for p in one.rows)
        mine = slice(start, start + n)
        start += n
        dropped = np.flatnonzero(~keep[mine])
        reasons = []
        for position in dropped:
            first = duplicate_of[mine][position]
            if first < 0:
                reasons.append(f"{DUPLICATE} (an earlier load)")
            elif owner[first] == index:
                reasons.append(f"{DUPLICATE} (row {numbers[first]})")
            else:
                reasons.append(f"{DUPLICATE} (an earlier input of this run)")
        if len(dropped):
            rule_counts[DUPLICATE] = rule_counts.get(DUPLICATE, 0) + len(dropped)
        dup = pa.table(
            {
                "row_number": pa.array(numbers[mine][dropped], pa.int64()),
                "reason": pa.array(reasons, pa.string()),
            }
        )
        q = pa.concat_tables([t for t in (one.quarantine, dup) if t is not None])
        s = one.summary
        summaries.append(
            InputSummary(
                s.source, s.format, s.encoding, s.sha256, s.n_in, s.n_loaded - len(dropped),
                s.n_quarantined + len(dropped), s.skipped_as_run, s.extra_columns,
            )
        )  # fmt: skip
        if q.num_rows:
            quarantines.append(
                pa.table(
                    {
                        "source": pa.array([s.source] * q.num_rows, pa.string()),
                        "row_number": q["row_number"],
                        "reason": q["reason"],
                    }
                )
            )
    return summaries, quarantines
