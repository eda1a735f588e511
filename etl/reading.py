"""Reading one input of an ingest run: batches -> staging -> hashing -> de-duplication -> staging area.

``read_input`` reads an input (``etl.sources``) in batches, stages each batch (``etl.stage``),
hands its IDs to the hasher (``etl.pseudonymise``), drops later duplicates of a person-period
(``etl.dedup``) and appends the records to the run's staged files (``etl.staged``). It returns the
input's summary (``etl.lineage``) and its quarantine rows (``source``, ``row_number``,
``reason``).

A file's sha256 and encoding are worked out while its first batches are staged; nothing of it is
written before they are known: a file some run already loaded is skipped, and a CSV file that is
ASCII at the start and GB18030 later is read again in GB18030.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from etl import crashpoints, sources, staged
from etl.codebook import CodeBook
from etl.dates import PeriodWindow
from etl.dedup import SeenKeys, keep_new
from etl.errors import EtlError, InputFormatError
from etl.lineage import InputSummary
from etl.progress import ProgressCallback, ProgressEvent, byte_counter
from etl.pseudonymise import Hasher, PendingHashes
from etl.redact import library_reason
from etl.stage import StagedBatch, stage_batch

PARQUET_BATCH_ROWS = 256 * 1024


@dataclass(frozen=True)
class Reading:
    """What the inputs of a run share while they are read. ``digests``: sha256 -> run of the
    inputs loaded before, ``run_digests``: of this run's inputs so far; ``rule_counts`` and
    ``remapped`` are summed over the inputs; ``window``: the periods accepted."""

    codes: CodeBook
    hasher: Hasher
    seen: SeenKeys
    writer: staged.RunWriter
    digests: dict[str, int]
    run_digests: dict[str, int]
    run_id: int
    report: ProgressCallback
    rule_counts: dict[str, int]
    remapped: dict[str, int]
    digest_pool: ThreadPoolExecutor
    window: PeriodWindow


def read_input(
    source: sources.Source, reading: Reading, encoding_hint: str | None = None
) -> tuple[InputSummary, pa.Table | None]:
    """Load one input (see the module docstring): its summary, and its quarantine rows (None
    when the input is skipped as already loaded). ``encoding_hint``: the encoding to read a CSV
    file in, when a first reading found it to be another than the one its start suggests."""
    codes, hasher, seen, writer = reading.codes, reading.hasher, reading.seen, reading.writer
    digests, run_digests, run_id, report = (
        reading.digests,
        reading.run_digests,
        reading.run_id,
        reading.report,
    )
    name = _display_name(source)
    encoding = ""
    sha = ""
    digest: Future[tuple[str, str]] | None = None
    if source.path is not None:
        hashed = byte_counter(report, f"hash {name}", source.path.stat().st_size)

        # the file's digest (is it loaded already?) and its encoding are worked out while the first
        # batches are parsed and staged: nothing is written before they are known (``verdict``)
        digest = reading.digest_pool.submit(sources.file_digest, source.path, hashed)
        if source.kind == "csv":
            encoding = encoding_hint or sources.sniff_encoding(source.path)

    malformed = sources.MalformedLines()
    sql_sha = hashlib.sha256()
    mapping, extra, batches, rows_total = _open_batches(
        source, encoding, malformed, sql_sha, report
    )

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
        return keep_new(batch, job, seen, writer, quarantine, dup_counts) if decide() else 0

    # Staging (two threads) overlaps with de-duplication and writing (the keeper thread, in batch
    # order) and with hashing (worker processes): numpy, pyarrow and hashlib release the GIL for
    # the heavy parts. At most a few batches are in flight, so memory stays bounded.
    kept: list[Future[int]] = []
    staging: list[Future[StagedBatch]] = []

    def staged_batch(future: Future[StagedBatch]) -> StagedBatch:
        try:
            return future.result()
        except InputFormatError as exc:  # a column of a batch that cannot be read
            raise InputFormatError(f"{source.label}: {exc}") from None

    def hand_on(batch: StagedBatch) -> None:
        if batch.quarantine.num_rows:
            quarantine.append(batch.quarantine)
        add_counts(source_rules, batch.rule_counts)
        add_counts(source_remapped, batch.remapped)
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
                crashpoints.reached("parse")
                staging.append(stager.submit(stage_batch, raw, mapping, n_in + 1, codes, reading.window))
                n_in += raw.num_rows
                if len(staging) > 2:  # batches are handed on in input order
                    hand_on(staged_batch(staging.pop(0)))
                if source.kind != "csv":
                    report(ProgressEvent(f"load {name}", n_in, rows_total, "rows"))
            for future in staging:
                hand_on(staged_batch(future))
            n_loaded = sum(f.result() for f in kept)
    except (InputFormatError, pa.ArrowException) as exc:
        # text of another encoding after an ASCII start can break parsing before the digest says so
        if digest is None or source.kind != "csv" or digest.result()[1] == encoding:
            if isinstance(exc, InputFormatError):
                raise
            raise InputFormatError(f"{source.label}: {library_reason(exc)}") from None
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
            return read_input(source, reading, encoding_hint=full_encoding)
    for counts in (source_rules, dup_counts):
        add_counts(reading.rule_counts, counts)
    add_counts(reading.remapped, source_remapped)

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
        quarantine.append(malformed_quarantine(malformed, reading.rule_counts))
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


def _open_batches(
    source: sources.Source,
    encoding: str,
    malformed: sources.MalformedLines,
    sql_sha: hashlib._Hash,
    report: ProgressCallback,
) -> tuple[dict[str, str], list[str], Iterator[pa.Table], int | None]:
    """The column mapping, extra columns, raw batches and row count (None: unknown) of an input;
    CSV lines that are not rows go to ``malformed``, and a SQL table's rows into ``sql_sha``."""
    name = _display_name(source)
    if source.kind == "csv":
        assert source.path is not None
        names = sources.read_csv_header(source.path, encoding)
        mapping, extra = sources.map_columns(names, source.label)
        read = byte_counter(report, f"load {name}", source.path.stat().st_size)

        batches = sources.csv_batches(
            source.path, encoding, list(mapping.values()), malformed, on_bytes=read
        )
        return mapping, extra, batches, None
    if source.kind == "parquet":
        assert source.path is not None
        names = sources.parquet_columns(source.path)
        mapping, extra = sources.map_columns(names, source.label)
        batches = sources.parquet_batches(source.path, list(mapping.values()), PARQUET_BATCH_ROWS)
        return mapping, extra, batches, sources.parquet_rows(source.path)
    names = sources.sql_columns(source)
    mapping, extra = sources.map_columns(names, source.label)
    batches = sources.table_digest(
        sources.sql_batches(source, list(mapping.values()), PARQUET_BATCH_ROWS), sql_sha
    )
    return mapping, extra, batches, None


def _display_name(source: sources.Source) -> str:
    return Path(source.label).name if source.kind != "sql" else source.label


def malformed_quarantine(
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


def add_counts(total: dict[str, int], counts: dict[str, int]) -> None:
    for key, count in counts.items():
        total[key] = total.get(key, 0) + count
