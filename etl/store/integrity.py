"""Is the store there, whole and reachable? The checks made when a store is opened, and the
one-line answers a database error becomes.

Checks, cheapest first:

- *where* (every open): a SQLite URL must name an existing file unless the caller may create a
  store (``create``: ingest, the first start, ``yipanqi store upgrade``); a reader never creates
  a file or a folder. A PostgreSQL database that does not exist is named the same way;
- *the file* (every open of a SQLite store, 100 bytes read): a 0-byte file, a file that is not
  SQLite (foreign), one whose header is damaged and one shorter than its header says
  (truncated) are refused; a 0-byte file is never initialised as a new store;
- *every page* (``quick_check``: each ingest and ``yipanqi store check``; about 6 ms per MB on
  our 2-core machine): SQLite's ``PRAGMA quick_check`` walks every b-tree page. A command-line
  reader checks the tables it reads (``quick_check(conn, where, tables)``: the lineage for
  ``yipanqi runs``, the exported table for an export), so it never prints rows of a damaged
  table; the dashboard does not check (it reads on every click): a damaged page that any reader
  meets becomes the same one-line answer (``store_error``).

What no check finds: SQLite keeps no checksums of values, so bytes changed inside a stored value
(not in a page's structure) read back as a different value. Backups (``yipanqi store backup``)
are the way back from any damage.

``store_error`` turns a database exception into one ``EtlError`` whose message says what is
wrong and what to do: ``StoreUnavailableError`` (the server cannot be reached or dropped the
connection: retry), ``StoreDamagedError`` (restore the last backup), ``StoreMissingError``,
``DiskSpaceError`` (the disk holding the store is full) or a plain ``StoreError``. Messages quote
only the library's first line (the store holds aggregates, never records).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from etl.errors import (
    DiskSpaceError,
    EtlError,
    StoreDamagedError,
    StoreError,
    StoreMissingError,
    StoreUnavailableError,
)

SQLITE_MAGIC = b"SQLite format 3\x00"
RESTORE = (
    "restore the last backup (`yipanqi store restore BACKUP`; `yipanqi store backup` makes them) "
    "or ingest the records again into a new store"
)
_DAMAGED_SQLITE = ("malformed", "not a database", "encrypted")
# PostgreSQL SQLSTATE classes of a server that is gone or going: connection exception (08),
# operator intervention (57P: shutdown, crash, cannot connect now)
_UNAVAILABLE_STATES = ("08", "57P")


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None: another database, or SQLite in memory)."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return None
    if not parsed.drivername.startswith("sqlite"):
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def missing(where: str) -> StoreMissingError:
    return StoreMissingError(
        f"no store at {where}: check --store or YIPANQI_STORE_URL (a read never creates a store; "
        "`yipanqi ingest` makes one)"
    )


def check_sqlite_file(path: Path, where: str, *, create: bool = False) -> None:
    """Refuse a SQLite file that cannot be a store (``StoreDamagedError``), and a missing one
    unless ``create`` (``StoreMissingError``). Reads the first 100 bytes only."""
    if not path.exists():
        if create:
            return
        raise missing(where)
    if path.is_dir():
        raise StoreError(f"the store {where} is a folder, not a file: give the path of a file")
    size = path.stat().st_size
    if size == 0:
        raise StoreDamagedError(
            f"the store {where} is an empty file (0 bytes), not a store: delete it and ingest, "
            "or restore the last backup (`yipanqi store restore BACKUP`)"
        )
    with path.open("rb") as handle:
        header = handle.read(100)
    if not header.startswith(SQLITE_MAGIC):
        raise StoreDamagedError(
            f"{where} is not a SQLite database (a foreign file, or its header is overwritten): "
            f"check the URL; if it held your store, {RESTORE}"
        )
    page_size = _page_size(header)
    if page_size is None or len(header) < 100:
        raise StoreDamagedError(f"the store {where} has a damaged header: {RESTORE}")
    wal = path.with_name(path.name + "-wal")
    wal_pending = wal.exists() and wal.stat().st_size > 0
    pages = int.from_bytes(header[28:32], "big")
    counted = header[24:28] == header[92:96] and pages > 0
    short = size % page_size != 0 or (counted and not wal_pending and size < pages * page_size)
    if short:
        raise StoreDamagedError(
            f"the store {where} is truncated ({size:,} bytes, its header says "
            f"{pages * page_size:,}): {RESTORE}"
        )


def _page_size(header: bytes) -> int | None:
    value = int.from_bytes(header[16:18], "big")
    size = 65536 if value == 1 else value
    return size if 512 <= size <= 65536 and size & (size - 1) == 0 else None


def quick_check(conn: sa.Connection, where: str, tables: tuple[str, ...] = ()) -> None:
    """SQLite's ``PRAGMA quick_check`` over every page, or over the b-trees of ``tables`` only
    (a reader checks what it reads); nothing to do on other databases. ``StoreDamagedError``
    naming the first problem found."""
    if conn.dialect.name != "sqlite":
        return
    statements = [f'PRAGMA quick_check("{t}")' for t in tables] or ["PRAGMA quick_check(5)"]
    found: list[str] = []
    with store_errors(where):
        for statement in statements:
            for row in conn.exec_driver_sql(statement).scalars():
                found += [line.strip() for line in str(row).splitlines() if line.strip()]
    problems = [line for line in found if line != "ok" and not line.startswith("***")]
    if problems:
        raise StoreDamagedError(
            f"the store {where} is damaged (quick_check: {problems[0][:160]}): {RESTORE}"
        )


def store_error(exc: BaseException, where: str) -> EtlError:
    """The one-line error that a database exception on the store at ``where`` means."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    text = lines[0].strip() if lines else type(orig).__name__
    if isinstance(orig, sqlite3.Error):
        low = text.lower()
        if "disk is full" in low:
            return DiskSpaceError(
                f"the disk holding the store {where} is full: free space there, then retry"
            )
        if any(word in low for word in _DAMAGED_SQLITE):
            return StoreDamagedError(f"the store {where} is damaged ({text}): {RESTORE}")
        if "unable to open" in low:
            return StoreError(
                f"cannot open the store {where} ({text}): check that its folder exists and is "
                "readable and writable by this user"
            )
        return StoreError(f"the store {where} failed: {text}")
    state = getattr(orig, "sqlstate", None) or ""
    if "does not exist" in text and "database" in text:
        return StoreMissingError(
            f"no store at {where}: the database does not exist; check --store or "
            "YIPANQI_STORE_URL (`yipanqi ingest` fills a new, empty database)"
        )
    if state.startswith("53100"):
        return DiskSpaceError(f"the database server of {where} is out of disk space: {text}")
    connection_lost = getattr(exc, "connection_invalidated", False)
    if (
        connection_lost
        or state.startswith(_UNAVAILABLE_STATES)
        or (isinstance(exc, sa.exc.OperationalError) and not state)
    ):
        return StoreUnavailableError(
            f"cannot reach the store {where} ({text}): check that the database server is "
            "running and reachable, then retry"
        )
    return StoreError(f"the store {where} failed: {text}")


@contextmanager
def store_errors(where: str) -> Iterator[None]:
    """Database exceptions in the block become the one-line errors of ``store_error``."""
    try:
        yield
    except sa.exc.DBAPIError as exc:
        raise store_error(exc, where) from exc
    except sqlite3.Error as exc:  # the sqlite3 module used directly (backups)
        raise store_error(exc, where) from exc
