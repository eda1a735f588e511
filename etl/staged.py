"""The staging area: pseudonymised records as Parquet under the data directory, one folder per period.

Layout: ``<data_dir>/staged/<store_id>/period=YYYY-MM/run-<run_id>.parquet`` (the Spark engine
writes several files per period and run: ``run-<run_id>-<n>.parquet``, see ``etl.spark.load``). A store has its own
staging area (its ``store_id`` is written in the store), so two stores never mix their records.
A file belongs to the records only once the store marks its run as succeeded: files of a failed or
killed run are ignored, and removed at the next start (``remove_debris``: every file of a run that
did not succeed, and half-written ``.tmp`` files, while the area is locked).

A staged file holds ``person_hash`` (16 bytes, see ``etl.pseudonymise``) and only the columns the
marts read (``STAGED_SCHEMA``): sex, age (completed years on the first day of the period),
marital status, the two county codes, the period and the nine flags. Never a raw ID, a name, a
birth date or an arrival date. Within a period a person hash appears once in the whole area: the
loader quarantines later duplicates of a person-period.

The area is readable by its owner only: directories are created with mode 0700 and files with
0600 (``private_dir``, ``private_file``), and ``locked`` tightens an area made by an older
version, rewriting its files without the columns the marts do not read (``minimise``). The person
hash of an ID can still be recomputed by anyone who holds the hash key (docs/privacy.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from etl import crashpoints
from etl.errors import EtlError
from etl.pseudonymise import HASH_BYTES
from etl.records import FLAG_FIELDS

_FILE = re.compile(r"^run-(\d+)(?:-\d+)?\.parquet$")
_PERIOD_DIR = re.compile(r"^period=(\d{4}-\d{2})$")

STAGED_SCHEMA = pa.schema(
    [
        ("person_hash", pa.binary(HASH_BYTES)),
        ("sex", pa.int8()),
        ("age", pa.int16()),
        ("marital_status", pa.int8()),
        ("hukou_code", pa.int32()),
        ("residence_code", pa.int32()),
        ("period", pa.dictionary(pa.int32(), pa.string())),
        *[(name, pa.bool_()) for name in FLAG_FIELDS],
    ]
)
DIR_MODE, FILE_MODE = 0o700, 0o600
_MINIMISED = ".minimised-v2"  # marks an area whose files hold STAGED_SCHEMA's columns only


def staging_root(data_dir: Path, store_id: str) -> Path:
    return Path(data_dir) / "staged" / store_id


def private_dir(path: Path) -> Path:
    """``path`` as a directory only its owner can enter (created, or tightened if it exists)."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != DIR_MODE:
        path.chmod(DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """``path`` created empty (or truncated) with mode 0600, before anything is written to it."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE))
    path.chmod(FILE_MODE)  # a file that existed keeps its mode through O_CREAT
    return path


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """The staging area ``root`` (``<data_dir>/staged/<store_id>``), private and locked for one
    ingest or aggregation; an area of an older version is minimised first."""
    private_dir(root.parent)
    private_dir(root)
    lock = root / ".lock"
    if not lock.exists():
        private_file(lock)
    with lock.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise EtlError(
                f"another ingest or aggregate is running on {root.parent.parent}; wait for it to finish"
            ) from None
        try:
            if not (root / _MINIMISED).exists():
                minimise(root)
                private_file(root / _MINIMISED)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def minimise(root: Path) -> int:
    """Make every staged file private and rewrite those holding more than ``STAGED_SCHEMA``'s
    columns (birth and arrival dates, written by older versions) without them. Returns how many
    files were rewritten; each is replaced atomically."""
    rewritten = 0
    for _, _, path in staged_files(root):
        private_dir(path.parent)
        if set(pq.read_schema(path).names) - set(STAGED_SCHEMA.names):
            table = pq.read_table(path, columns=STAGED_SCHEMA.names).cast(STAGED_SCHEMA)
            tmp = private_file(path.with_name(path.name + ".tmp"))
            pq.write_table(table, tmp, compression="snappy")
            os.replace(tmp, path)
            rewritten += 1
        path.chmod(FILE_MODE)
    return rewritten


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


def remove_debris(root: Path, succeeded: set[int]) -> tuple[int, int]:
    """Delete every staged file of a run not in ``succeeded`` (failed, killed, or unknown to the
    store, e.g. after a backup was restored) and leftover ``.tmp`` files; call it only while the
    area is ``locked`` (no load is writing). Returns (files, bytes) removed."""
    files = n_bytes = 0
    debris = [path for _, run_id, path in staged_files(root) if run_id not in succeeded]
    if root.is_dir():
        debris += [p for p in root.glob("period=*/*.tmp") if p.is_file()]
    for path in debris:
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            continue
        files += 1
        n_bytes += size
    for period_dir in root.glob("period=*") if root.is_dir() else []:
        if period_dir.is_dir() and not any(period_dir.iterdir()):
            period_dir.rmdir()
    return files, n_bytes


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
    """First 8 bytes of each hash as int64 (for de-duplication). The Spark engine's files hold
    the hashes as variable-length binary: they are read as fixed-size ones."""
    if not pa.types.is_fixed_size_binary(hashes.type):
        hashes = hashes.cast(pa.binary(HASH_BYTES))
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
        self.adopted: list[Path] = []
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

    def adopt(self, period: str, path: Path, rows: int) -> None:
        """Count ``path``, a file of ``rows`` records of ``period`` written by another writer
        (the Spark engine's) under this run's name, as the run's: ``abort`` removes it too."""
        self.adopted.append(path)
        self.rows[period] = self.rows.get(period, 0) + rows

    def _flush(self, period: str) -> None:
        parts = self._buffers.pop(period, [])
        self._buffered.pop(period, None)
        if not parts:
            return
        writer = self._writers.get(period)
        if writer is None:
            path = self.path(period)
            private_dir(path.parent)
            self.paths[period] = path  # before the file exists: ``abort`` removes it whatever fails
            writer = pq.ParquetWriter(
                private_file(path),
                STAGED_SCHEMA,
                compression="snappy",  # the cheapest to write and to read back; hashes do not compress
                use_dictionary=["period"],  # random hashes make dictionary attempts slow and useless
                write_statistics=["period", "hukou_code", "residence_code"],
            )
            self._writers[period] = writer
        table = pa.concat_tables([t.cast(STAGED_SCHEMA) for t in parts])
        writer.write_table(table, row_group_size=max(self.row_group_rows, table.num_rows))
        crashpoints.reached("stage")

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
        """Remove every file of the run; never raises (a full disk may fail closing a file)."""
        self._buffers.clear()
        self._buffered.clear()
        for writer in self._writers.values():
            with contextlib.suppress(Exception):  # the file is deleted next
                writer.close()
        self._writers.clear()
        for path in [*self.paths.values(), *self.adopted]:
            with contextlib.suppress(OSError):  # else removed at the next start
                path.unlink(missing_ok=True)
