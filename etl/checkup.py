"""``check_store``: is a store sound, and do its staged records match its runs?

What is checked (``yipanqi store check``), and what a failure means:

- the store opens as a reader would open it (never created): the file is a whole SQLite database
  (``etl.store.integrity``), the schema version and every table are this code's;
- every page (SQLite ``PRAGMA quick_check``): a damaged store is a ``StoreDamagedError`` naming
  the way back (restore the last backup);
- loads that died: runs left ``running`` by a process that is gone are marked ``failed`` and the
  staged files of runs that did not succeed are removed (``etl.pipeline.recover``, as the next
  ingest would do; skipped while a load holds the staging area);
- the staged files of every succeeded ingest run exist and their Parquet footers read: a missing
  or truncated file would silently drop its records from the next ``yipanqi aggregate``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from etl import staged, store
from etl.pipeline import recover_store
from etl.store.integrity import quick_check, sqlite_file, store_errors
from etl.store.schema import mask


@dataclass
class CheckReport:
    """Lines to show (what was found and done) and problems (each one line with what to do)."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_store(url: str, data_dir: str | Path) -> CheckReport:
    """Check the store at ``url`` and its staging area under ``data_dir`` (see the module)."""
    where = mask(url)
    report = CheckReport()
    path = sqlite_file(url)
    with store_errors(where):
        engine = store.open_store(url)
        try:
            size = f", {path.stat().st_size / 1e6:,.1f} MB" if path is not None else ""
            report.lines.append(f"store {where} ({engine.dialect.name}{size})")
            with engine.connect() as conn:
                if engine.dialect.name == "sqlite":
                    quick_check(conn, where)
                    report.lines.append("pages: quick_check ok")
                n_tables = len(set(sa.inspect(conn).get_table_names()) & set(store.metadata.tables))
            report.lines.append(
                f"layout: schema version {store.SCHEMA_VERSION}, all {n_tables} tables"
            )
            store_id = store.meta(engine, "store_id") or ""
        finally:
            engine.dispose()
    root = staged.staging_root(Path(data_dir), store_id)
    if root.is_dir():
        recovered = recover_store(url, data_dir)
        if recovered is None:
            report.lines.append("a load is running: its staging area was not cleaned up")
        else:
            report.lines.append(
                "after loads that died: " + (recovered.sentence() or "nothing to clean up")
            )
    else:
        with store_errors(where):
            engine = store.open_store(url)
            try:
                dead = store.fail_dead_runs(engine)
            finally:
                engine.dispose()
        if dead:
            ids = ", ".join(map(str, dead))
            report.lines.append(f"run(s) {ids} left running by a process that is gone: marked failed")
        report.lines.append(f"no staged records for this store under {data_dir}")
    with store_errors(where):
        engine = store.open_store(url)
        try:
            runs = store.list_runs(engine)
        finally:
            engine.dispose()
    statuses = Counter(run.status for run in runs)
    report.lines.append(
        f"runs: {len(runs)}"
        + (" (" + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) + ")" if runs else "")
    )
    if root.is_dir():
        _check_staged(root, [r for r in runs if r.kind == "ingest" and r.status == "succeeded"], report)
    return report


def _check_staged(root: Path, succeeded: list[store.RunRecord], report: CheckReport) -> None:
    bad: list[Path] = []
    n_files = 0
    for run in succeeded:
        for period in run.periods:
            path = root / f"period={period}" / f"run-{run.run_id}.parquet"
            n_files += 1
            try:
                pq.read_metadata(path)
            except (OSError, pa.ArrowException):
                bad.append(path)
    report.lines.append(f"staged files of succeeded runs: {n_files - len(bad)} of {n_files} readable")
    if bad:
        report.problems.append(
            f"{len(bad)} staged file(s) of succeeded runs are missing or unreadable (first: "
            f"{bad[0]}): `yipanqi aggregate` would leave their records out; restore the data "
            "directory from its backup, or ingest the inputs again into a new store"
        )
