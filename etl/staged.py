"""The staging area: pseudonymised records as Parquet under the data directory, one folder per period.

Layout: ``<data_dir>/staged/<store_id>/period=YYYY-MM/run-<run_id>.parquet``. A store has its own
staging area (its ``store_id`` is written in the store), so two stores never mix their records.
A file belongs to the records only once the store marks its run as succeeded: files of a failed or
killed run are ignored, and removed by the next ingest.

A staged file holds ``person_hash`` (16 bytes, see ``etl.pseudonymise``) and the typed columns of
``etl.stage``: never a raw ID or a name. Within a period a person hash appears once in the whole
area: the loader quarantines later duplicates of a person-period.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from etl.pseudonymise import HASH_BYTES
from etl.records import FLAG_FIELDS

_FILE = re.compile(r"^run-(\d+)\.parquet$")
_PERIOD_DIR = re.compile(r"^period=(\d{4}-\d{2})$")

STAGED_SCHEMA = pa.schema(
    [
        ("person_hash", pa.binary(HASH_BYTES)),
        ("sex", pa.int8()),
        ("birth_date", pa.date32()),
        ("age", pa.int16()),
        ("marital_status", pa.int8()),
        ("hukou_code", pa.int32()),
        ("residence_code", pa.int32()),
        ("arrival_date", pa.date32()),
        ("period", pa.dictionary(pa.int32(), pa.string())),
        *[(name, pa.bool_()) for name in FLAG_FIELDS],
    ]
)


def staging_root(data_dir: Path, store_id: str) -> Path:
    return Path(data_dir) / "staged" / store_id


def staged_files(root: Path) -> list[tuple[str, int, Path]]:
    """Every staged file as (period, run_id, path), sorted."""
    out: list[tuple[str, int, Path]] = []
    if not root.is_dir():
        return out
    for period_dir in root.iterdir():
        m = _PERIOD_DIR.match(period_dir.name)
        if not m or not period_dir.is_dir():
            continue
        for f in period_dir.iterdir():
            fm = _FILE.match(f.name)
            if fm:
                out.append((m.group(1), int(fm.group(1)), f))
    return sorted(out)


def committed_files(root: Path, run_ids: set[int], periods: set[str] | None = None) -> list[Path]:
    """Files of succeeded runs (``run_ids``), optionally of some periods only."""
    return [
        path
        for period, run_id, path in staged_files(root)
        if run_id in run_ids and (periods is None or period in periods)
    ]


def remove_runs(root: Path, run_ids: set[int]) -> int:
    """Delete the files of runs that did not succeed; returns how many were removed."""
    removed = 0
    for _, run_id, path in staged_files(root):
        if run_id in run_ids:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def period_hash_keys(files: list[Path]) -> np.ndarray:
    """Sorted 64-bit keys (the first 8 bytes of each person hash) of staged files."""
    parts = []
    for f in files:
        column = pq.read_table(f, columns=["person_hash"])["person_hash"].combine_chunks()
        parts.append(hash_keys(column))
    if not parts:
        return np.zeros(0, dtype=np.int64)
    return np.sort(np.concatenate(parts))


def hash_keys(hashes: pa.Array) -> np.ndarray:
    """First 8 bytes of each fixed-size hash as int64 (for de-duplication)."""
    buf = hashes.buffers()[1]
    raw = np.frombuffer(buf, dtype=np.uint8)[hashes.offset * HASH_BYTES :][: len(hashes) * HASH_BYTES]
    return raw.reshape(-1, HASH_BYTES)[:, :8].copy().view(np.int64).ravel()


class RunWriter:
    """Writes one run's records, one Parquet file per period.

    Rows are buffered per period and written in row groups of ``row_group_rows`` (an input that
    mixes many months would otherwise give tiny row groups, which read back slowly).
    """

    def __init__(self, root: Path, run_id: int, row_group_rows: int = 128 * 1024) -> None:
        self.root = root
        self.run_id = run_id
        self.row_group_rows = row_group_rows
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._buffers: dict[str, list[pa.Table]] = {}
        self._buffered: dict[str, int] = {}
        self.paths: dict[str, Path] = {}
        self.rows: dict[str, int] = {}

    def path(self, period: str) -> Path:
        return self.root / f"period={period}" / f"run-{self.run_id}.parquet"

    def write(self, period: str, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        self._buffers.setdefault(period, []).append(table)
        self._buffered[period] = self._buffered.get(period, 0) + table.num_rows
        self.rows[period] = self.rows.get(period, 0) + table.num_rows
        if self._buffered[period] >= self.row_group_rows:
            self._flush(period)

    def _flush(self, period: str) -> None:
        parts = self._buffers.pop(period, [])
        self._buffered.pop(period, None)
        if not parts:
            return
        writer = self._writers.get(period)
        if writer is None:
            path = self.path(period)
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = pq.ParquetWriter(
                path,
                STAGED_SCHEMA,
                compression="snappy",  # the cheapest to write and to read back; hashes do not compress
                use_dictionary=["period"],  # random hashes make dictionary attempts slow and useless
                write_statistics=["period", "hukou_code", "residence_code"],
            )
            self._writers[period] = writer
            self.paths[period] = path
        table = pa.concat_tables([t.cast(STAGED_SCHEMA) for t in parts])
        writer.write_table(table, row_group_size=max(self.row_group_rows, table.num_rows))

    def close(self) -> None:
        """Write what is buffered and close the files. An input of fewer than ``row_group_rows``
        records per period is written here in full, so periods are written two at a time (each to
        its own file; pyarrow releases the GIL)."""
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="yipanqi-close") as pool:
            list(pool.map(self._flush, list(self._buffers)))
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def abort(self) -> None:
        self._buffers.clear()
        self._buffered.clear()
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        for path in self.paths.values():
            path.unlink(missing_ok=True)
