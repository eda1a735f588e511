"""Loading a run's inputs on Spark: read -> stage and hash (tasks) -> de-duplicate (shuffle) -> stage.

``load_inputs`` is the Spark engine's counterpart of the loop over ``etl.reading.read_input`` in
``etl.pipeline``, with the same results: each input's summary and quarantine rows (source, row
number, reason), the run's rule counts and remapped codes, and the run's records in the staging
area. The steps:

1. per input, on the driver: its sha256 and encoding (``etl.sources.file_digest``; an input a
   succeeded run, or this run, already read is skipped) and its header mapped onto the fields
   (``etl.sources.map_columns``, the same one-line errors);
2. Spark reads it (CSV: every column as text, lines of another width kept aside as malformed;
   Parquet: its columns and each row's index in the file), and each task stages and hashes its
   batches with the default engine's code (``etl.spark.stage_task``). The tasks' output is
   written once to a scratch folder, so nothing is staged or hashed twice;
3. de-duplication over the whole run (``etl.dedup``'s rule): a person-period is the first
   ``KEY_BYTES`` bytes of the person hash within a period; a record whose key an earlier run
   staged is ``DUPLICATE_LOADED``, and of the others only the first in input order (input, then
   row) is kept, later ones being ``DUPLICATE_IN_RUN``. This is one shuffle by (period, key);
4. the kept records are written by Spark, partitioned by period, and moved into the staging area
   as ``period=YYYY-MM/run-<run>-<n>.parquet`` (``etl.staged``): both engines read them.

CSV inputs are read line by line (a quoted value holding a line break is not supported, as in
the default engine); UTF-16/32 files are refused. SQL tables are read by the default engine only.
Paths must be visible to the driver and the executors (one machine, or a shared file system).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from etl import sources, staged
from etl.codebook import CodeBook
from etl.dates import PeriodWindow
from etl.dedup import DUPLICATE_IN_RUN, DUPLICATE_LOADED
from etl.errors import InputFormatError
from etl.lineage import InputSummary
from etl.progress import ProgressCallback, ProgressEvent
from etl.reading import add_counts
from etl.spark.stage_task import (
    CORRUPT,
    ERROR,
    OUTPUT_DDL,
    QUARANTINE,
    RECORD,
    ROW_INDEX,
    STATS,
    StageTask,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

KEY_BYTES = 8
"""Bytes of the person hash that make a person-period key (``etl.dedup``, ``etl.staged.hash_keys``)."""

STAGED_DDL = (
    "person_hash BINARY, sex TINYINT, age SMALLINT, marital_status TINYINT, hukou_code INT, "
    "residence_code INT, "
    + ", ".join(f"{name} BOOLEAN" for name in staged.STAGED_SCHEMA.names[7:])
)
"""``etl.staged.STAGED_SCHEMA`` without ``period`` (the folder says it), as Spark reads it."""

_PERIOD_DIR = re.compile(r"period=(\d{4}-\d{2})")


@dataclass
class LoadContext:
    """What a run's loading works with (``etl.pipeline`` makes it); the counts are filled in."""

    codes: CodeBook
    window: PeriodWindow
    key: bytes
    run_id: int
    root: Path
    committed: set[int]
    digests: dict[str, int]
    writer: staged.RunWriter
    report: ProgressCallback
    rule_counts: dict[str, int] = field(default_factory=dict)
    remapped: dict[str, int] = field(default_factory=dict)


@dataclass
class _Read:
    """One input after its tasks ran: the driver's view of their output."""

    position: int
    source: sources.Source
    encoding: str
    sha: str
    extra: list[str]
    offsets: dict[int, int]
    n_in: int
    n_records: int
    periods: set[str]
    quarantine: pa.Table


def load_inputs(
    spark: SparkSession, inputs: list[sources.Source], context: LoadContext
) -> tuple[list[InputSummary], list[pa.Table]]:
    """Load ``inputs`` (see the module docstring): each one's summary and quarantine rows."""
    scratch = Path(tempfile.mkdtemp(prefix=f".spark-run-{context.run_id}-", dir=context.root))
    try:
        summaries: list[InputSummary | None] = []
        planned: list[tuple[int, sources.Source, str, str, list[str], DataFrame]] = []
        run_digests: dict[str, int] = {}
        for position, source in enumerate(inputs):
            plan = _plan_input(spark, source, position, context, run_digests)
            if isinstance(plan, InputSummary):
                summaries.append(plan)
                continue
            run_digests[plan[1]] = position
            summaries.append(None)
            planned.append((position, source, *plan))
        context.report(ProgressEvent("stage and hash (Spark)", 0, 1, "steps"))
        output = _run_tasks(spark, [p[-1] for p in planned], scratch)
        context.report(ProgressEvent("stage and hash (Spark)", 1, 1, "steps"))
        reads = _driver_views(output, planned, context)
        duplicates = _deduplicate(spark, output, reads, context, scratch)
        out_summaries, quarantines = [], []
        by_position = {r.position: r for r in reads}
        for position, summary in enumerate(summaries):
            if summary is not None:
                out_summaries.append(summary)
                continue
            read = by_position[position]
            dup = duplicates.get(position)
            q = read.quarantine if dup is None else pa.concat_tables([read.quarantine, dup])
            n_quarantined = q.num_rows
            n_loaded = read.n_records - (0 if dup is None else dup.num_rows)
            if read.n_in != n_loaded + n_quarantined:  # pragma: no cover - a bug, never data
                raise InputFormatError(
                    f"{read.source.label}: {read.n_in} rows in but {n_loaded} loaded + "
                    f"{n_quarantined} quarantined"
                )
            out_summaries.append(
                InputSummary(
                    read.source.label, read.source.kind, read.encoding, read.sha, read.n_in,
                    n_loaded, n_quarantined, None, tuple(read.extra),
                )  # fmt: skip
            )
            quarantines.append(_with_source(q, read.source.label))
        return out_summaries, quarantines
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _plan_input(
    spark: SparkSession,
    source: sources.Source,
    position: int,
    context: LoadContext,
    run_digests: dict[str, int],
) -> tuple[str, str, list[str], DataFrame] | InputSummary:
    """An input's encoding, sha256, extra columns and its staging tasks' output (a DataFrame, not
    yet run), or its summary as skipped when its content was read before."""
    if source.kind == "sql" or source.path is None:
        raise InputFormatError(
            f"{source.label}: the Spark engine reads CSV and Parquet files; load a database "
            "table with the default engine (--engine duckdb)"
        )
    sha, encoding = sources.file_digest(source.path)
    earlier = context.digests.get(sha, run_digests.get(sha))
    if earlier is not None:
        kind_encoding = encoding if source.kind == "csv" else ""
        return InputSummary(
            source.label, source.kind, kind_encoding, sha, 0, 0, 0,
            context.digests.get(sha, context.run_id),
        )  # fmt: skip
    from pyspark.sql import functions as F

    if source.kind == "csv":
        if encoding not in ("utf-8", "gb18030"):
            raise InputFormatError(
                f"{source.label}: {encoding} text: the Spark engine reads UTF-8 or GB18030 CSV; "
                "re-save the file in one of them, or load it with the default engine"
            )
        if encoding == "gb18030":  # Spark 4 reads only Unicode and Latin-1 CSV unless told
            spark.conf.set("spark.sql.legacy.javaCharsets", "true")
        header, ended = sources.csv_header(source.path, encoding)
        mapping, extra = sources.map_columns(header, source.label)
        names = [f"c{i}" for i in range(len(header))]
        if not ended:  # a header alone, without a line break: no rows
            raw = spark.createDataFrame([], ", ".join(f"{n} STRING" for n in names)).withColumn(
                CORRUPT, F.lit(None).cast("string")
            )
        else:
            schema = ", ".join(f"{n} STRING" for n in names) + f", {CORRUPT} STRING"
            raw = (
                spark.read.schema(schema)
                .options(
                    header=True, encoding=encoding.upper(), escape='"', mode="PERMISSIVE",
                    columnNameOfCorruptRecord=CORRUPT, multiLine=False,
                )  # fmt: skip
                .csv(str(source.path))
            )
        task_mapping = {f: names[header.index(col)] for f, col in mapping.items()}
        raw = raw.select(*sorted(set(task_mapping.values())), CORRUPT)
        task = StageTask(task_mapping, context.codes, context.window, context.key, len(header), False)
        encoding_out = encoding
    else:
        names = sources.parquet_columns(source.path)
        mapping, extra = sources.map_columns(names, source.label)
        raw = spark.read.parquet(str(source.path))
        raw = raw.select(
            *[F.col(f"`{c}`") for c in dict.fromkeys(mapping.values())],
            F.col("_metadata.row_index").alias(ROW_INDEX),
        )
        task = StageTask(dict(mapping), context.codes, context.window, context.key, 0, True)
        encoding_out = ""
    return encoding_out, sha, extra, raw.mapInArrow(task, OUTPUT_DDL).withColumn("src", F.lit(position))


def _run_tasks(spark: SparkSession, outputs: list[DataFrame], scratch: Path) -> DataFrame | None:
    """Run every input's tasks in one job, their output written once (read back, never redone)."""
    if not outputs:
        return None
    union = outputs[0]
    for frame in outputs[1:]:
        union = union.unionByName(frame)
    path = scratch / "tasks"
    union.write.parquet(str(path))
    return spark.read.parquet(str(path))


def _driver_views(
    output: DataFrame | None,
    planned: list[tuple[int, sources.Source, str, str, list[str], DataFrame]],
    context: LoadContext,
) -> list[_Read]:
    """Each input's counts, partition offsets and quarantine rows, from its tasks' output."""
    if output is None:
        return []
    from pyspark.sql import functions as F

    small = output.where(F.col("kind") != RECORD).select("src", "kind", "part", "row", "reason")
    table = small.toArrow()
    src = np.asarray(table["src"])
    return [
        _driver_view(source, position, encoding, sha, extra, table.filter(pa.array(src == position)), context)
        for position, source, encoding, sha, extra, _ in planned
    ]


def _driver_view(
    source: sources.Source,
    position: int,
    encoding: str,
    sha: str,
    extra: list[str],
    small: pa.Table,
    context: LoadContext,
) -> _Read:
    """Counts, partition offsets and quarantine rows of one input's task output."""
    kind = np.asarray(small["kind"])
    part = np.asarray(small["part"], dtype=np.int64)
    row = np.asarray(small["row"], dtype=np.int64)
    reason = small["reason"].to_pylist()
    stats = np.flatnonzero(kind == STATS)
    sizes = dict.fromkeys(sorted({int(part[i]) for i in stats}), 0)
    n_records = 0
    periods: set[str] = set()
    for i in stats:
        sizes[int(part[i])] += int(row[i])
        found = json.loads(reason[i])
        add_counts(context.rule_counts, found["rules"])
        add_counts(context.remapped, found["remapped"])
        n_records += found["records"]
        periods.update(found["periods"])
    offsets, total = {}, 0
    for p, size in sizes.items():
        offsets[p] = total
        total += size
    errors = np.flatnonzero(kind == ERROR)
    if len(errors):
        first = min(errors, key=lambda i: (part[i], row[i]))
        n, message = reason[first].split("\t", 1)
        start = offsets.get(int(part[first]), 0) + int(row[first])
        raise InputFormatError(f"{source.label}: rows {start}-{start + int(n) - 1}, {message}")
    picked = np.flatnonzero(kind == QUARANTINE)
    numbers = np.array([offsets.get(int(part[i]), 0) + int(row[i]) for i in picked], np.int64)
    quarantine = pa.table(
        {
            "row_number": pa.array(numbers, pa.int64()),
            "reason": pa.array([reason[i] for i in picked], pa.string()),
        }
    )
    return _Read(
        position, source, encoding, sha, extra, offsets, total, n_records, periods, quarantine
    )


def _deduplicate(
    spark: SparkSession,
    output: DataFrame | None,
    reads: list[_Read],
    context: LoadContext,
    scratch: Path,
) -> dict[int, pa.Table]:
    """Keep the first record of each person-period (``etl.dedup``'s rule) and stage the kept
    ones; returns the duplicates' quarantine rows per input position."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if output is None or not any(r.n_records for r in reads):
        return {}
    offsets = spark.createDataFrame(
        [(r.position, p, o) for r in reads for p, o in r.offsets.items()] or [(0, 0, 0)],
        "src INT, part INT, offset BIGINT",
    )
    records = output.where(F.col("kind") == RECORD).drop("kind", "reason")
    records = records.withColumn("pkey", F.substring("person_hash", 1, KEY_BYTES))
    loaded = _loaded_keys(spark, context, set().union(*(r.periods for r in reads)))
    if loaded is not None:
        records = records.join(loaded, ["period", "pkey"], "left")
    else:
        records = records.withColumn("loaded", F.lit(False))
    order = Window.partitionBy("period", "pkey").orderBy("src", "part", "row")
    records = records.withColumn("first", F.row_number().over(order) == 1)
    records = records.withColumn("loaded", F.coalesce(F.col("loaded"), F.lit(False)))
    marked = scratch / "deduplicated"
    records.write.parquet(str(marked))
    records = spark.read.parquet(str(marked))

    dups = (
        records.where(F.col("loaded") | ~F.col("first"))
        .join(F.broadcast(offsets), ["src", "part"], "left")
        .select(
            "src",
            (F.coalesce(F.col("offset"), F.lit(0)) + F.col("row")).alias("row_number"),
            F.when(F.col("loaded"), F.lit(DUPLICATE_LOADED))
            .otherwise(F.lit(DUPLICATE_IN_RUN))
            .alias("reason"),
        )
        .toArrow()
    )
    out: dict[int, pa.Table] = {}
    if dups.num_rows:
        for rule in (DUPLICATE_IN_RUN, DUPLICATE_LOADED):
            if n := int(np.count_nonzero(np.asarray(dups["reason"].to_pylist()) == rule)):
                context.rule_counts[rule] = context.rule_counts.get(rule, 0) + n
        src = np.asarray(dups["src"])
        for position in np.unique(src):
            picked = dups.filter(pa.array(src == position))
            out[int(position)] = pa.table(
                {
                    "row_number": picked["row_number"].cast(pa.int64()),
                    "reason": picked["reason"].cast(pa.string()),
                },
                schema=pa.schema([("row_number", pa.int64()), ("reason", pa.string())]),
            )
    kept = records.where(~F.col("loaded") & F.col("first")).select(
        *[F.col(n) for n in ("period", *staged.STAGED_SCHEMA.names[:6], *staged.STAGED_SCHEMA.names[7:])]
    )
    written = scratch / "kept"
    kept.write.partitionBy("period").parquet(str(written))
    _adopt(written, context)
    return out


def _loaded_keys(spark: SparkSession, context: LoadContext, periods: set[str]) -> DataFrame | None:
    """(period, key, loaded=True) of the records earlier runs staged for ``periods``."""
    files = staged.committed_files(context.root, context.committed, periods)
    if not files:
        return None
    from pyspark.sql import functions as F

    return (
        staged_records(spark, files)
        .select("period", F.substring("person_hash", 1, KEY_BYTES).alias("pkey"))
        .distinct()
        .withColumn("loaded", F.lit(True))
    )


def staged_records(spark: SparkSession, files: list[Path]) -> DataFrame:
    """Staged files (either engine's) as one DataFrame with ``period`` from each file's folder."""
    from pyspark.sql import functions as F

    frame = (
        spark.read.schema(STAGED_DDL)
        .option("recursiveFileLookup", "true")  # no partition inference: the folder is read below
        .parquet(*[str(f) for f in files])
    )
    return frame.withColumn(
        "period", F.regexp_extract(F.col("_metadata.file_path"), _PERIOD_DIR.pattern, 1)
    )


def _adopt(written: Path, context: LoadContext) -> None:
    """Move Spark's files of each period into the staging area under this run's name."""
    for period_dir in sorted(written.glob("period=*")):
        period = period_dir.name.removeprefix("period=")
        for n, part in enumerate(sorted(period_dir.glob("part-*.parquet"))):
            rows = pq.ParquetFile(part).metadata.num_rows
            if rows == 0:
                continue
            target = context.writer.path(period).with_name(f"run-{context.run_id}-{n}.parquet")
            staged.private_dir(target.parent)
            context.writer.adopt(period, target, rows)
            os.replace(part, target)
            target.chmod(staged.FILE_MODE)


def _with_source(q: pa.Table, label: str) -> pa.Table:
    return pa.table(
        {
            "source": pa.array([label] * q.num_rows, pa.string()),
            "row_number": q.column("row_number"),
            "reason": q.column("reason"),
        }
    )
