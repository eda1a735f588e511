"""What each Spark task runs on its Arrow batches: staging and hashing with the default engine's code.

``stage_partition`` is the function ``mapInArrow`` calls for one partition of an input. Every batch
goes through ``etl.stage.stage_batch`` (validation, crosswalk, casting: the rules are written once,
in ``etl.stage``) and its valid IDs through ``etl.pseudonymise.person_hashes``. Out come rows of
one schema (``OUTPUT_SCHEMA``) told apart by ``kind``:

- ``RECORD``: a staged record with its person hash;
- ``QUARANTINE``: a row that breaks a rule, with its reason (a CSV line of the wrong number of
  fields is one too, with the default engine's reason);
- ``STATS``: one per partition: its rows (``row``) and, as JSON in ``reason``, the rule counts,
  the remapped codes, the records staged and their periods;
- ``ERROR``: a column a library cannot read at all; ``reason`` holds ``<rows>\\t<message>``.

``row`` is the row's number within its partition (1-based) for CSV inputs, whose partitions are
consecutive byte ranges of the file: the driver adds each partition's offset once every partition
has been counted (``etl.spark.load``). For Parquet inputs it is the row's number in the file
(Spark's ``_metadata.row_index`` plus 1) and ``part`` is 0.

Nothing here logs, and no value read leaves a task except as a staged record or the published
county code a reason may name. The hash key arrives in the task's closure, never in Spark's
configuration.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.codebook import CodeBook
from etl.dates import PeriodWindow
from etl.errors import InputFormatError
from etl.pseudonymise import HASH_BYTES, person_hashes
from etl.reading import add_counts
from etl.records import FLAG_FIELDS
from etl.stage import stage_batch

RECORD, QUARANTINE, STATS, ERROR = 0, 1, 2, 3
CORRUPT = "_yipanqi_corrupt_line"
ROW_INDEX = "_yipanqi_row_index"

OUTPUT_SCHEMA = pa.schema(
    [
        ("kind", pa.int8()),
        ("part", pa.int32()),
        ("row", pa.int64()),
        ("person_hash", pa.binary()),
        ("sex", pa.int8()),
        ("age", pa.int16()),
        ("marital_status", pa.int8()),
        ("hukou_code", pa.int32()),
        ("residence_code", pa.int32()),
        ("period", pa.string()),
        *[(name, pa.bool_()) for name in FLAG_FIELDS],
        ("reason", pa.string()),
    ]
)
OUTPUT_DDL = ", ".join(
    f"`{f.name}` {_t}"
    for f, _t in zip(
        OUTPUT_SCHEMA,
        [
            "TINYINT", "INT", "BIGINT", "BINARY", "TINYINT", "SMALLINT", "TINYINT", "INT", "INT",
            "STRING", *["BOOLEAN"] * len(FLAG_FIELDS), "STRING",
        ],
        strict=True,
    )
)  # fmt: skip
"""``OUTPUT_SCHEMA`` as Spark's DDL (``mapInArrow`` wants the schema it will get, exactly)."""

_ROWS = re.compile(r"^rows \d+-\d+, ")


@dataclass(frozen=True)
class StageTask:
    """What every task of one input needs: the column mapping (canonical -> input column), the
    code book and period window, the hash key, and for a CSV input its header's width (lines of
    another width are quarantined); ``parquet``: rows are numbered by ``ROW_INDEX``."""

    mapping: dict[str, str]
    codes: CodeBook
    window: PeriodWindow
    key: bytes
    n_fields: int
    parquet: bool

    def __repr__(self) -> str:  # never show the key (a failed task may print its closure)
        return f"StageTask(columns={len(self.mapping)}, parquet={self.parquet})"

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return stage_partition(batches, self)


def stage_partition(batches: Iterator[pa.RecordBatch], task: StageTask) -> Iterator[pa.RecordBatch]:
    """Stage and hash one partition's batches (see the module docstring)."""
    from pyspark import TaskContext

    context = TaskContext.get()
    part = 0 if task.parquet or context is None else context.partitionId()
    rules: dict[str, int] = {}
    remapped: dict[str, int] = {}
    n_rows = n_records = 0
    periods: set[str] = set()
    for batch in batches:
        raw = pa.Table.from_batches([batch])
        n = raw.num_rows
        if task.parquet:
            rows = np.asarray(raw[ROW_INDEX], dtype=np.int64) + 1
        else:
            rows = np.arange(n_rows + 1, n_rows + n + 1, dtype=np.int64)
        n_rows += n
        if not task.parquet:
            raw, rows, malformed = _split_malformed(raw, rows, task.n_fields, rules)
            if malformed is not None:
                yield _quarantine_batch(part, malformed[0], malformed[1])
        if raw.num_rows == 0:
            continue
        try:
            staged = stage_batch(raw, task.mapping, 0, task.codes, task.window)
        except InputFormatError as exc:
            message = _ROWS.sub("", str(exc))
            yield _quarantine_batch(part, rows[:1], [f"{raw.num_rows}\t{message}"], ERROR)
            continue
        add_counts(rules, staged.rule_counts)
        add_counts(remapped, staged.remapped)
        q = staged.quarantine
        if q.num_rows:
            positions = np.asarray(q["row_number"], dtype=np.int64)
            yield _quarantine_batch(part, rows[positions], q["reason"].to_pylist())
        if staged.records.num_rows:
            n_records += staged.records.num_rows
            periods.update(pc.unique(staged.records["period"].combine_chunks().cast(pa.string())).to_pylist())
            hashes = person_hashes(staged.ids, task.key)
            yield _record_batch(part, rows[staged.row_numbers], staged.records, hashes)
    stats = json.dumps(
        {"rules": rules, "remapped": remapped, "records": n_records, "periods": sorted(periods)}
    )
    yield _quarantine_batch(part, np.array([n_rows]), [stats], STATS)


def _split_malformed(
    raw: pa.Table, rows: np.ndarray, n_fields: int, rules: dict[str, int]
) -> tuple[pa.Table, np.ndarray, tuple[np.ndarray, list[str]] | None]:
    """The well-formed rows of a CSV batch (empty fields as empty text, as the default engine
    reads them) and the malformed lines' numbers and reasons (``etl.reading``'s wording)."""
    corrupt = raw[CORRUPT]
    bad = np.asarray(corrupt.is_valid(), dtype=bool)
    malformed = None
    if bad.any():
        rule = f"not a CSV row of {n_fields} fields"
        lines = corrupt.filter(pa.array(bad)).to_pylist()
        reasons = [f"{rule}: {_field_count(line)} found" for line in lines]
        rules[rule] = rules.get(rule, 0) + len(reasons)
        malformed = (rows[bad], reasons)
        raw = raw.filter(pa.array(~bad))
        rows = rows[~bad]
    raw = raw.drop_columns([CORRUPT])
    filled = [pc.fill_null(raw[name], "") for name in raw.column_names]
    return pa.table(filled, names=raw.column_names), rows, malformed


def _field_count(line: str) -> int:
    return len(next(csv.reader([line]), []))


def _quarantine_batch(part: int, rows: np.ndarray, reasons: list[str], kind: int = QUARANTINE) -> pa.RecordBatch:
    n = len(reasons)
    columns: dict[str, pa.Array] = {}
    for field in OUTPUT_SCHEMA:
        if field.name == "kind":
            columns["kind"] = pa.array(np.full(n, kind, np.int8))
        elif field.name == "part":
            columns["part"] = pa.array(np.full(n, part, np.int32))
        elif field.name == "row":
            columns["row"] = pa.array(np.asarray(rows, np.int64))
        elif field.name == "reason":
            columns["reason"] = pa.array(reasons, pa.string())
        else:
            columns[field.name] = pa.nulls(n, field.type)
    return pa.RecordBatch.from_pydict(columns, schema=OUTPUT_SCHEMA)


def _record_batch(part: int, rows: np.ndarray, records: pa.Table, hashes: bytes) -> pa.RecordBatch:
    n = records.num_rows
    columns: dict[str, pa.Array] = {
        "kind": pa.array(np.full(n, RECORD, np.int8)),
        "part": pa.array(np.full(n, part, np.int32)),
        "row": pa.array(rows),
        "person_hash": pa.Array.from_buffers(
            pa.binary(HASH_BYTES), n, [None, pa.py_buffer(hashes)]
        ).cast(pa.binary()),
    }
    for field in OUTPUT_SCHEMA:
        if field.name in records.column_names:
            columns[field.name] = records[field.name].combine_chunks().cast(field.type)
    columns["reason"] = pa.nulls(n, pa.string())
    return pa.RecordBatch.from_pydict(columns, schema=OUTPUT_SCHEMA)

