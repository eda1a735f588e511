"""The ETL as two calls: ``ingest`` (raw -> staged -> marts -> store) and ``aggregate`` (staged -> marts).

``ingest`` reads each input in batches, stages and validates every row (``etl.stage``), replaces
the national ID by its keyed hash (``etl.pseudonymise``), drops later duplicates of a
person-period into the quarantine, appends the records to the staging area (``etl.staged``),
then recomputes the marts of the periods it touched (``etl.aggregate``) and writes them, the
quarantine rows and its run's lineage to the store in one transaction (``etl.store``).

Guarantees:
- counts in = loaded + quarantined, per input and per run (checked; a mismatch is a bug and stops
  the load);
- ingesting an input whose sha256 a succeeded run already read changes nothing (the input is
  recorded as skipped); records of a person-period already loaded are quarantined as duplicates,
  so a new month adds and a repeated one does not double count;
- a failed or killed load leaves the store and the staging area as they were.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from etl import sources, staged, store
from etl.aggregate import DEFAULT_SMALL_CELL, aggregate_chunks, reference_tables
from etl.errors import EtlError, HashKeyError, InputFormatError
from etl.pseudonymise import HASH_BYTES, Hasher, PendingHashes, key_fingerprint, resolve_key
from etl.stage import CodeBook, StagedBatch, stage_batch
from geodata.regions import RegionConfig

PARQUET_BATCH_ROWS = 256 * 1024
DUPLICATE_IN_RUN = (
    "duplicate person-period: same person_id and period as an earlier row (that one is kept)"
)
DUPLICATE_LOADED = "duplicate person-period: already loaded by an earlier run"


@dataclass(frozen=True)
class ProgressEvent:
    """``done`` of ``total`` (None: unknown) ``unit`` of a named task."""

    task: str
    done: int
    total: int | None
    unit: str  # "bytes", "rows" or "periods"


ProgressCallback = Callable[[ProgressEvent], None]


@dataclass(frozen=True)
class InputSummary:
    source: str
    format: str
    encoding: str
    sha256: str
    n_in: int
    n_loaded: int
    n_quarantined: int
    skipped_as_run: int | None = None
    extra_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunSummary:
    """What a run did. ``rule_counts``: rows that broke each rule (a row can break several);
    ``remapped``: per code field, staged records whose older GB/T 2260 code was replaced by the
    current one (``etl.stage``; counted before de-duplication)."""

    run_id: int
    kind: str
    status: str
    inputs: tuple[InputSummary, ...]
    n_in: int
    n_loaded: int
    n_quarantined: int
    periods: tuple[str, ...]
    rule_counts: dict[str, int]
    started_at: datetime
    ended_at: datetime
    seconds: dict[str, float] = field(default_factory=dict)
    remapped: dict[str, int] = field(default_factory=dict)


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
) -> RunSummary:
    """Load record inputs into the store and refresh the aggregates of the periods they touch.

    ``paths``: CSV or Parquet files, or SQLAlchemy URLs (each read as ``table``). ``hash_key``:
    the pseudonymisation key (``demo=True`` allows none: the published demo key is used).
    ``workers``: processes that hash IDs (default: the number of CPUs; 0: hash inline).
    Raises ``HashKeyError``, ``InputFormatError`` or ``StoreError`` with what to do.
    """
    key = resolve_key(hash_key, demo)
    report = progress or (lambda event: None)
    inputs = [sources.open_source(str(p), table) for p in paths]
    if not inputs:
        raise InputFormatError(
            "no input given: name one or more CSV/Parquet files or a database URL"
        )
    engine = store.open_for_writing(store_url)
    try:
        fingerprint = key_fingerprint(key)
        known_fp = store.meta(engine, "key_fingerprint")
        if known_fp and known_fp != fingerprint:
            raise HashKeyError(
                f"the store was built with another hash key (fingerprint {known_fp}, this key gives "
                f"{fingerprint}): use the same YIPANQI_HASH_KEY, or a new store for a new key"
            )
        root = staged.staging_root(Path(data_dir), _store_id(engine))
        with _lock(root):
            store.mark_abandoned(engine)
            staged.remove_runs(root, store.unsuccessful_run_ids(engine))
            hierarchy, region_config = _geography(regions_path)
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
                codes,
                hierarchy,
                region_config,
                writer,
                report,
                small_cell,
            )
            try:
                return _ingest_run(run, inputs, aggregate, workers)
            except BaseException as exc:
                writer.abort()
                store.fail_run(engine, run_id, f"{type(exc).__name__}: {exc}")
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
) -> RunSummary:
    """Recompute the marts of ``periods`` (default: every staged period) from the staging area.

    Use after changing the region configuration or the small-cell threshold, or after an ingest
    with ``aggregate=False``.
    """
    report = progress or (lambda event: None)
    engine = store.open_for_writing(store_url)
    try:
        root = staged.staging_root(Path(data_dir), _store_id(engine))
        with _lock(root):
            hierarchy, region_config = _geography(regions_path)
            committed = store.succeeded_run_ids(engine)
            wanted = set(periods) if periods else None
            files = staged.committed_files(root, committed, wanted)
            run_id = store.start_run(engine, "aggregate", code_version(), small_cell)
            started = store.utc_now()
            try:
                timings: dict[str, float] = {}
                staged_periods = {Path(f).parent.name.removeprefix("period=") for f in files}
                touched = sorted(staged_periods | (wanted or set()))
                with engine.begin() as conn:
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
                    )
                    store.finish_run(conn, run_id, "succeeded", periods=",".join(touched))
            except BaseException as exc:
                store.fail_run(engine, run_id, f"{type(exc).__name__}: {exc}")
                raise
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


# --- one ingest run ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    """What one ingest run works with."""

    engine: sa.Engine
    root: Path
    run_id: int
    started: datetime
    key: bytes
    fingerprint: str
    codes: CodeBook
    hierarchy: pd.DataFrame
    regions: RegionConfig
    writer: staged.RunWriter
    report: ProgressCallback
    small_cell: int


def _ingest_run(
    run: _Run, inputs: list[sources.Source], do_aggregate: bool, workers: int | None
) -> RunSummary:
    engine, root, run_id, writer, report = run.engine, run.root, run.run_id, run.writer, run.report
    timings: dict[str, float] = {}
    committed = store.succeeded_run_ids(engine)
    digests = store.ingested_digests(engine)
    seen = _SeenKeys(
        lambda period: staged.period_hash_keys(staged.committed_files(root, committed, {period}))
    )
    summaries: list[InputSummary] = []
    quarantines: list[pa.Table] = []
    rule_counts: dict[str, int] = {}
    remapped: dict[str, int] = {}
    run_digests: dict[str, int] = {}
    n_workers = (os.cpu_count() or 1) if workers is None else workers
    t0 = time.perf_counter()
    with (
        Hasher(run.key, n_workers) as hasher,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="yipanqi-digest") as digest_pool,
    ):
        reading = _Reading(
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
        )
        for position, source in enumerate(inputs):
            summary, q = _ingest_one(source, reading)
            summaries.append(summary)
            if q is not None and q.num_rows:
                quarantines.append(q.append_column("run_id", pa.array(np.full(q.num_rows, run_id))))
            if summary.skipped_as_run is None:
                run_digests[summary.sha256] = position
    writer.close()
    timings["load"] = time.perf_counter() - t0

    n_in = sum(s.n_in for s in summaries)
    n_loaded = sum(s.n_loaded for s in summaries)
    n_quarantined = sum(s.n_quarantined for s in summaries)
    if n_in != n_loaded + n_quarantined:  # pragma: no cover - a bug, never a data problem
        raise EtlError(f"count mismatch: {n_in} in, {n_loaded} loaded, {n_quarantined} quarantined")
    periods = tuple(sorted(writer.rows))

    inputs_table = pa.Table.from_pylist(
        [
            {
                "run_id": run_id,
                "position": i,
                "source": s.source,
                "format": s.format,
                "encoding": s.encoding,
                "sha256": s.sha256,
                "n_in": s.n_in,
                "n_loaded": s.n_loaded,
                "n_quarantined": s.n_quarantined,
                "skipped_as_run": s.skipped_as_run,
                "extra_columns": ", ".join(s.extra_columns),
            }
            for i, s in enumerate(summaries)
        ]
    )
    notes = [] if do_aggregate else ["aggregates not refreshed (run `yipanqi aggregate`)"]
    if remapped:
        notes.append(
            "older GB/T 2260 codes mapped to current codes: "
            + ", ".join(f"{name} {n}" for name, n in sorted(remapped.items()))
        )
    with engine.begin() as conn:
        t0 = time.perf_counter()
        store.bulk_insert(conn, store.run_inputs, inputs_table)
        for q in quarantines:
            store.bulk_insert(conn, store.quarantine, q)
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
            )
        if store.meta(conn, "key_fingerprint") is None:
            store.set_meta(conn, "key_fingerprint", run.fingerprint)
        store.finish_run(
            conn,
            run_id,
            "succeeded",
            n_in=n_in,
            n_loaded=n_loaded,
            n_quarantined=n_quarantined,
            periods=",".join(periods),
            message="; ".join(notes),
        )
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
) -> None:
    """Replace the marts of ``periods`` by those of ``files``, a chunk of periods at a time, inside
    the caller's transaction (so the swap stays atomic while memory stays bounded)."""
    t0 = time.perf_counter()
    store.delete_periods(conn, periods)
    timings["store"] = timings.get("store", 0.0) + time.perf_counter() - t0
    n_periods = len({Path(f).parent.name for f in files})
    done = 0
    report(ProgressEvent("aggregate and store", 0, n_periods, "periods"))
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
            done += len(marts.periods)
            report(ProgressEvent("aggregate and store", done, n_periods, "periods"))
    finally:
        chunks.close()
    store.replace_reference(conn, reference_tables(hierarchy, region_config))
    store.set_meta(conn, "small_cell_threshold", str(small_cell))


@dataclass(frozen=True)
class _Reading:
    """What the inputs of a run share while they are read. ``digests``: sha256 -> run of the
    inputs loaded before, ``run_digests``: of this run's inputs so far; ``rule_counts`` and
    ``remapped`` are summed over the inputs."""

    codes: CodeBook
    hasher: Hasher
    seen: _SeenKeys
    writer: staged.RunWriter
    digests: dict[str, int]
    run_digests: dict[str, int]
    run_id: int
    report: ProgressCallback
    rule_counts: dict[str, int]
    remapped: dict[str, int]
    digest_pool: ThreadPoolExecutor


def _ingest_one(
    source: sources.Source, reading: _Reading, encoding_hint: str | None = None
) -> tuple[InputSummary, pa.Table | None]:
    codes, hasher, seen, writer = reading.codes, reading.hasher, reading.seen, reading.writer
    digests, run_digests, run_id, report = (
        reading.digests,
        reading.run_digests,
        reading.run_id,
        reading.report,
    )
    name = Path(source.label).name if source.kind != "sql" else source.label
    encoding = ""
    sha = ""
    digest: Future[tuple[str, str]] | None = None
    if source.path is not None:
        size = source.path.stat().st_size
        done = 0

        def hashed(n: int) -> None:
            nonlocal done
            done += n
            report(ProgressEvent(f"hash {name}", done, size, "bytes"))

        # the file's digest (is it loaded already?) and its encoding are worked out while the first
        # batches are parsed and staged: nothing is written before they are known (``verdict``)
        digest = reading.digest_pool.submit(sources.file_digest, source.path, hashed)
        if source.kind == "csv":
            encoding = encoding_hint or sources.sniff_encoding(source.path)

    malformed = sources.MalformedLines()
    sql_sha = hashlib.sha256()
    if source.kind == "csv":
        assert source.path is not None
        names = sources.read_csv_header(source.path, encoding)
        mapping, extra = sources.map_columns(names, source.label)
        size = source.path.stat().st_size
        done = 0

        def read(n: int) -> None:
            nonlocal done
            done += n
            report(ProgressEvent(f"load {name}", done, size, "bytes"))

        batches: Iterator[pa.Table] = sources.csv_batches(
            source.path, encoding, list(mapping.values()), malformed, on_bytes=read
        )
        rows_total = None
    elif source.kind == "parquet":
        assert source.path is not None
        names = sources.parquet_columns(source.path)
        mapping, extra = sources.map_columns(names, source.label)
        batches = sources.parquet_batches(source.path, list(mapping.values()), PARQUET_BATCH_ROWS)
        rows_total = sources.parquet_rows(source.path)
    else:
        names = sources.sql_columns(source)
        mapping, extra = sources.map_columns(names, source.label)
        batches = sources.table_digest(
            sources.sql_batches(source, list(mapping.values()), PARQUET_BATCH_ROWS), sql_sha
        )
        rows_total = None

    n_in = 0
    quarantine: list[pa.Table] = []
    dup_counts: dict[str, int] = {}
    source_rules: dict[str, int] = {}
    source_remapped: dict[str, int] = {}
    rows_before = dict(writer.rows)
    verdict: list[str] = []  # "new", "loaded" or "encoding", once the digest is known

    def decide() -> bool:
        """Whether the file's rows may be written: new content, read in the right encoding."""
        if digest is not None and not verdict:
            sha_, encoding_ = digest.result()
            if sha_ in digests or sha_ in run_digests:
                verdict.append("loaded")
            elif source.kind == "csv" and encoding_ != encoding:
                verdict.append("encoding")
            else:
                verdict.append("new")
        return not verdict or verdict[0] == "new"

    def keep(batch: StagedBatch, job: PendingHashes) -> int:
        return _keep_new(batch, job, seen, writer, quarantine, dup_counts) if decide() else 0

    # Staging (two threads) overlaps with de-duplication and writing (the keeper thread, in batch
    # order) and with hashing (worker processes): numpy, pyarrow and hashlib release the GIL for
    # the heavy parts. At most a few batches are in flight, so memory stays bounded.
    kept: list[Future[int]] = []
    staging: list[Future[StagedBatch]] = []

    def hand_on(batch: StagedBatch) -> None:
        if batch.quarantine.num_rows:
            quarantine.append(batch.quarantine)
        _add_counts(source_rules, batch.rule_counts)
        _add_counts(source_remapped, batch.remapped)
        kept.append(keeper.submit(keep, batch, hasher.submit(batch.ids, batch.id_keys)))
        while sum(not f.done() for f in kept) > 2:
            next(f for f in kept if not f.done()).result()

    try:
        with (
            ThreadPoolExecutor(max_workers=2, thread_name_prefix="yipanqi-stage") as stager,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="yipanqi-keep") as keeper,
        ):
            for raw in batches:
                if verdict and verdict[0] != "new":
                    break
                staging.append(stager.submit(stage_batch, raw, mapping, n_in + 1, codes))
                n_in += raw.num_rows
                if len(staging) > 2:  # batches are handed on in input order
                    hand_on(staging.pop(0).result())
                if source.kind != "csv":
                    report(ProgressEvent(f"load {name}", n_in, rows_total, "rows"))
            for future in staging:
                hand_on(future.result())
            n_loaded = sum(f.result() for f in kept)
    except (InputFormatError, pa.ArrowInvalid):
        # text of another encoding after an ASCII start can break parsing before the digest says so
        if digest is None or source.kind != "csv" or digest.result()[1] == encoding:
            raise
        verdict[:] = ["encoding"]
    decide()  # an input without rows
    if digest is not None:
        sha, full_encoding = digest.result()
        if verdict[0] == "loaded":
            earlier = digests.get(sha)
            return InputSummary(
                source.label, source.kind, encoding, sha, 0, 0, 0, earlier or run_id
            ), None
        if verdict[0] == "encoding":  # ASCII at the start, another encoding later: read it again
            return _ingest_one(source, reading, encoding_hint=full_encoding)
    for counts in (source_rules, dup_counts):
        _add_counts(reading.rule_counts, counts)
    _add_counts(reading.remapped, source_remapped)

    if malformed.found:
        # the rows so far are numbered among well-formed rows: renumber them among all rows
        quarantine = [
            t.set_column(
                t.schema.get_field_index("row_number"),
                "row_number",
                pa.array(malformed.renumber(np.asarray(t["row_number"], np.int64))),
            )
            for t in quarantine
        ]
        quarantine.append(_malformed_quarantine(malformed, reading.rule_counts))
        n_in += len(malformed.found)

    if source.kind == "sql":
        sha = sql_sha.hexdigest()
        earlier = digests.get(sha)
        if earlier is not None or sha in run_digests:
            # the same content again: every valid row was a duplicate; nothing to keep or report
            if sum(writer.rows.values()) != sum(rows_before.values()):  # pragma: no cover
                raise EtlError(
                    f"{source.label}: same content as run {earlier} but new records were staged"
                )
            return InputSummary(
                source.label, source.kind, "", sha, 0, 0, 0, earlier or run_id
            ), None

    q = (
        pa.concat_tables(quarantine)
        if quarantine
        else pa.table({"row_number": pa.array([], pa.int64()), "reason": pa.array([], pa.string())})
    )
    q = pa.table(
        {
            "source": pa.array(np.full(q.num_rows, source.label, dtype=object), pa.string()),
            "row_number": q.column("row_number"),
            "reason": q.column("reason"),
        }
    )
    summary = InputSummary(
        source.label, source.kind, encoding, sha, n_in, n_loaded, q.num_rows, None, tuple(extra)
    )
    if n_in != n_loaded + q.num_rows:  # pragma: no cover - a bug, never a data problem
        raise EtlError(
            f"{source.label}: {n_in} rows in but {n_loaded} loaded + {q.num_rows} quarantined"
        )
    return summary, q


def _malformed_quarantine(
    malformed: sources.MalformedLines, rule_counts: dict[str, int]
) -> pa.Table:
    """Quarantine rows of the malformed CSV lines: their row number (0: unknown) and field count."""
    rule = f"not a CSV row of {malformed.expected} fields"
    numbers, reasons = [], []
    for row, fields in malformed.found:
        unknown = "" if row else " (row number unknown)"
        numbers.append(row)
        reasons.append(f"{rule}: {fields} found{unknown}")
        rule_counts[rule + unknown] = rule_counts.get(rule + unknown, 0) + 1
    return pa.table(
        {"row_number": pa.array(numbers, pa.int64()), "reason": pa.array(reasons, pa.string())}
    )


def _add_counts(total: dict[str, int], counts: dict[str, int]) -> None:
    for key, count in counts.items():
        total[key] = total.get(key, 0) + count


def _keep_new(
    batch: StagedBatch,
    job: PendingHashes,
    seen: _SeenKeys,
    writer: staged.RunWriter,
    quarantine: list[pa.Table],
    rule_counts: dict[str, int],
) -> int:
    """Write the batch's records that are not duplicates; quarantine the others. Returns rows kept."""
    hashes = job.result()
    n = batch.records.num_rows
    if n == 0:
        return 0
    hash_array = pa.Array.from_buffers(pa.binary(HASH_BYTES), n, [None, pa.py_buffer(hashes)])
    keys = (
        np.frombuffer(hashes, dtype=np.uint8)
        .reshape(n, HASH_BYTES)[:, :8]
        .copy()
        .view(np.int64)
        .ravel()
    )
    dup_run, dup_loaded = seen.claim(batch.period_months, keys)
    dup = dup_run | dup_loaded
    records = batch.records.add_column(0, "person_hash", hash_array)
    if dup.any():
        idx = np.flatnonzero(dup)
        reasons = np.where(dup_loaded[idx], DUPLICATE_LOADED, DUPLICATE_IN_RUN)
        quarantine.append(
            pa.table(
                {
                    "row_number": pa.array(batch.row_numbers[idx]),
                    "reason": pa.array(reasons.tolist()),
                }
            )
        )
        for rule, mask in (
            (DUPLICATE_IN_RUN, dup_run & ~dup_loaded),
            (DUPLICATE_LOADED, dup_loaded),
        ):
            if mask.any():
                rule_counts[rule] = rule_counts.get(rule, 0) + int(mask.sum())
        records = records.filter(pa.array(~dup))
    period = records.column("period").combine_chunks()
    labels = period.dictionary.to_pylist()
    if len(labels) == 1:
        writer.write(labels[0], records)
    else:  # sort by period once, then write contiguous slices
        indices = np.asarray(period.indices)
        order = np.argsort(indices, kind="stable")
        records = records.take(pa.array(order))
        bounds = np.searchsorted(indices[order], np.arange(len(labels) + 1))
        for i, label in enumerate(labels):
            if bounds[i + 1] > bounds[i]:
                writer.write(label, records.slice(bounds[i], bounds[i + 1] - bounds[i]))
    return records.num_rows


class _SeenKeys:
    """Person-period keys already claimed: by earlier runs (read lazily per period) and by this run."""

    def __init__(self, load_period: Callable[[str], np.ndarray]) -> None:
        self._load_period = load_period
        self._loaded: dict[int, np.ndarray] = {}
        self._run: dict[int, np.ndarray] = {}

    def claim(self, months: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(duplicate of a row of this run, duplicate of a loaded record) per row; claims the rest."""
        n = len(keys)
        dup_run = np.zeros(n, dtype=bool)
        dup_loaded = np.zeros(n, dtype=bool)
        if len(months) and months.min() != months.max():
            order = np.argsort(months, kind="stable")
            sorted_months = months[order]
            unique_months = np.unique(sorted_months)
            bounds = np.searchsorted(sorted_months, np.append(unique_months, unique_months[-1] + 1))
            groups: list[tuple[int, np.ndarray | None]] = [
                (int(m), order[bounds[i] : bounds[i + 1]]) for i, m in enumerate(unique_months)
            ]
        else:
            groups = [(int(months[0]), None)] if len(months) else []
        for month, idx in groups:
            k = keys if idx is None else keys[idx]
            if month not in self._loaded:
                self._loaded[month] = self._load_period(f"{month // 12:04d}-{month % 12 + 1:02d}")
            # look up the sorted distinct keys (cache-friendly), then map back to rows
            unique, first, inverse = np.unique(k, return_index=True, return_inverse=True)
            u_loaded = _in_sorted(unique, self._loaded[month])
            current = self._run.get(month, np.zeros(0, np.int64))
            u_run = _in_sorted(unique, current)
            later = np.ones(len(k), dtype=bool)
            later[first] = False
            loaded = u_loaded[inverse]
            d_run = (u_run[inverse] | later) & ~loaded
            if idx is None:
                dup_run |= d_run
                dup_loaded |= loaded
            else:
                dup_run[idx] = d_run
                dup_loaded[idx] = loaded
            new = unique[~u_loaded & ~u_run]
            # both sorted: the stable sort (timsort) merges the two runs in linear time
            self._run[month] = (
                np.sort(np.concatenate([current, new]), kind="stable") if len(current) else new
            )
        return dup_run, dup_loaded


def _in_sorted(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    if len(sorted_keys) == 0:
        return np.zeros(len(values), dtype=bool)
    pos = np.searchsorted(sorted_keys, values)
    pos[pos == len(sorted_keys)] = 0
    return sorted_keys[pos] == values


# --- helpers ---------------------------------------------------------------------------------


def _store_id(engine: sa.Engine) -> str:
    store_id = store.meta(engine, "store_id")
    if not store_id:  # pragma: no cover - open_store writes it
        raise EtlError("the store has no store_id")
    return store_id


@functools.lru_cache(maxsize=4)
def _geography(regions_path: Path | None) -> tuple[pd.DataFrame, RegionConfig]:
    """The county hierarchy and the region configuration (read once per process and path)."""
    from geodata.hierarchy import hierarchy_table, province_table
    from geodata.regions import load_regions

    hierarchy = hierarchy_table()
    unit_codes = set(hierarchy["county_code"]) | set(hierarchy["prefecture_code"])
    return hierarchy, load_regions(regions_path, province_table(), unit_codes)


@contextmanager
def _lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise EtlError(
                f"another ingest or aggregate is running on {root.parent.parent}; wait for it to finish"
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def code_version() -> str:
    """``yipanqi <version>`` plus the git commit of the checkout, when there is one."""
    try:
        from importlib.metadata import version

        ver = version("yipanqi")
    except Exception:  # noqa: BLE001 - not installed: read the checkout's pyproject
        ver = _pyproject_version()
    commit = ""
    repo = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        if out.returncode == 0:
            commit = out.stdout.strip()
            dirty = subprocess.run(
                ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
            if dirty.returncode == 0 and dirty.stdout.strip():
                commit += "-dirty"
    except (OSError, subprocess.SubprocessError):
        pass
    return f"yipanqi {ver}" + (f" ({commit})" if commit else "")


def _pyproject_version() -> str:
    import tomllib

    path = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"
