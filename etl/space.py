"""Free space for a load: estimates of what staging and storing will take, checked before each.

A load that runs out of disk half-way is safe (the store keeps its previous data, the run is
marked failed, its staged files are removed), but it wastes the time spent and briefly fills the
disk that the store and the dashboard share. So a load first compares an estimate with the free
space (``shutil.disk_usage``) and refuses in one line when it is short:

- *before staging*, on the data directory's disk: the staged Parquet of the inputs. Measured on
  generated records (101,548 rows, 8.7 MB of CSV -> 2.5 MB staged, 25 bytes a record), doubled
  for safety: ``CSV_STAGED_RATIO`` of a CSV's size, ``RECORD_BYTES`` per row of a Parquet input;
  a database input, whose size is not known ahead, counts nothing;
- *before the store is written*, on the SQLite store's disk (a PostgreSQL server's disk is its
  own): the journal of the load's single transaction, which holds every page it deletes or writes,
  estimated as twice the store's size per period (``PERIOD_BYTES_NEW_STORE`` per period for a
  store without periods yet) times the periods the load touches.

Both add ``MARGIN`` (the disk must not be left full: the store needs room to be read). When the
data directory and the store are on one disk, what staging still holds is counted against it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from etl.errors import DiskSpaceError

CSV_STAGED_RATIO = 0.6
RECORD_BYTES = 50
PERIOD_BYTES_NEW_STORE = 16 << 20
MARGIN = 64 << 20


def staging_estimate(sizes: Sequence[tuple[str, int]]) -> int:
    """Bytes the staged files of inputs will take; ``sizes``: (kind, bytes or rows) per input,
    kind ``csv`` (bytes of the file), ``parquet`` (rows) or anything else (not counted)."""
    total = 0.0
    for kind, amount in sizes:
        if kind == "csv":
            total += amount * CSV_STAGED_RATIO
        elif kind == "parquet":
            total += amount * RECORD_BYTES
    return int(total)


def store_estimate(store_bytes: int, store_periods: int, periods: int) -> int:
    """Bytes the journal of a load of ``periods`` periods into a SQLite store may take."""
    per_period = store_bytes / store_periods if store_periods else PERIOD_BYTES_NEW_STORE
    return int(2 * per_period * periods)


def require(path: Path, needed: int, what: str, advice: str) -> None:
    """``DiskSpaceError`` unless the disk holding ``path`` has ``needed`` + ``MARGIN`` bytes free."""
    free = free_bytes(path)
    if free < needed + MARGIN:
        raise DiskSpaceError(
            f"not enough free space on the disk of {path} for {what}: about {_mb(needed + MARGIN)} "
            f"needed (estimate, with a {_mb(MARGIN)} margin), {_mb(free)} free; {advice}"
        )


def free_bytes(path: Path) -> int:
    """Free bytes (for this user) on the disk holding ``path`` or its nearest existing parent."""
    probe = Path(path)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return shutil.disk_usage(probe).free


def same_disk(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` (or their nearest existing parents) are on one file system."""

    def device(path: Path) -> int:
        probe = Path(path)
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        return os.stat(probe).st_dev

    return device(a) == device(b)


def is_disk_full(exc: BaseException) -> bool:
    """True for the ways the libraries say that a disk is full (errno ENOSPC, SQLite's
    "database or disk is full", pyarrow's and DuckDB's "No space left on device")."""
    for error in (exc, getattr(exc, "orig", None), exc.__cause__, exc.__context__):
        if error is None:
            continue
        if isinstance(error, OSError) and error.errno == 28:
            return True
        text = str(error).lower()
        if "no space left on device" in text or "database or disk is full" in text:
            return True
    return False


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f} MB"
