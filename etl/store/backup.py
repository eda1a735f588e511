"""Backups of the store and the way back: consistent copies made while the store is in use.

- SQLite: the SQLite backup API (``sqlite3.Connection.backup``) copies every page under one read
  transaction, so the copy is the store as of one instant even while a load writes; the copy is
  written beside its destination, checked (``quick_check``, this code's layout), made a single
  self-contained file (no WAL) and only then renamed into place, mode 0600;
- PostgreSQL: ``pg_dump --format=custom`` (one snapshot transaction), with the password passed
  in the environment, never on the command line.

``restore`` puts a backup back: a SQLite store's file (with its ``-wal`` and ``-shm``) is moved
aside as ``<name>.damaged-<time>`` (never deleted), then the backup is copied in; a PostgreSQL
database is restored with ``pg_restore --clean --if-exists --single-transaction``. Staged files
of runs that the restored store does not know are removed at the next start
(``etl.pipeline.recover``), so a later run that reuses a run id never meets them.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404 # pg_dump / pg_restore with fixed argument lists, no shell
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from etl import space
from etl.errors import StoreError
from etl.store import integrity
from etl.store.schema import check_layout, connect, mask


@dataclass(frozen=True)
class Backup:
    """A backup made: where, how large, of which store (masked URL)."""

    path: Path
    n_bytes: int
    store: str


def backup(url: str, dest: Path) -> Backup:
    """Copy the store at ``url`` to ``dest`` (a new file, or a folder: a file named after the
    store and the time is made in it). Never overwrites; ``StoreError`` and its kinds say why."""
    where = mask(url)
    path = integrity.sqlite_file(url)
    if path is not None:
        integrity.check_sqlite_file(path, where)
        target = _target(dest, path.stem, ".sqlite")
        space.require(target.parent, path.stat().st_size, "the backup", "choose another place")
        partial = target.with_name(f".{target.name}.partial")
        try:
            with integrity.store_errors(where):
                source = sqlite3.connect(path.resolve().as_uri() + "?mode=rw", uri=True)
                copy = sqlite3.connect(partial)
                try:
                    source.backup(copy)
                    copy.execute("PRAGMA journal_mode=DELETE")
                finally:
                    source.close()
                    copy.close()
            _check_copy(partial, f"the backup {partial}")
            partial.chmod(0o600)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        return Backup(target, target.stat().st_size, where)
    if _postgres(url):
        _check_reachable(url, where, layout=True)
        target = _target(dest, _database(url), ".dump")
        partial = target.with_name(f".{target.name}.partial")
        try:
            _run_pg("pg_dump", ["--format=custom", "--file", str(partial)], url, where)
            _run_pg("pg_restore", ["--list", str(partial)], None, f"the backup {partial}")
            partial.chmod(0o600)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        return Backup(target, target.stat().st_size, where)
    raise StoreError(f"cannot back up {where}: only SQLite files and PostgreSQL are supported")


def restore(url: str, source: Path) -> str:
    """Replace the store at ``url`` by the backup ``source``; returns what was done (one line)."""
    where = mask(url)
    if not source.is_file():
        raise StoreError(f"no backup at {source}: give the file `yipanqi store backup` wrote")
    path = integrity.sqlite_file(url)
    if path is not None:
        _check_copy(source, f"the backup {source}")
        path.parent.mkdir(parents=True, exist_ok=True)
        incoming = path.with_name(f".{path.name}.restoring")
        incoming.unlink(missing_ok=True)
        try:
            with integrity.store_errors(str(source)):
                reader = _read_only(source)
                copy = sqlite3.connect(incoming)
                try:
                    reader.backup(copy)
                finally:
                    reader.close()
                    copy.close()
            incoming.chmod(0o600)
            kept = ""
            if path.exists():
                aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
                for suffix in ("-wal", "-shm"):  # a journal of the old file must never meet the new
                    journal = path.with_name(path.name + suffix)
                    if journal.exists():
                        os.replace(journal, aside.with_name(aside.name + suffix))
                os.replace(path, aside)
                kept = f"; the store it replaced is kept as {aside}"
            os.replace(incoming, path)
        finally:
            incoming.unlink(missing_ok=True)
        return f"restored {where} from {source}{kept}; restart the dashboard"
    if _postgres(url):
        _check_reachable(url, where, layout=False)
        _run_pg("pg_restore", ["--list", str(source)], None, f"the backup {source}")
        _run_pg(
            "pg_restore",
            ["--clean", "--if-exists", "--single-transaction", "--exit-on-error", str(source)],
            url,
            where,
        )
        return f"restored {where} from {source}; restart the dashboard"
    raise StoreError(f"cannot restore {where}: only SQLite files and PostgreSQL are supported")


def _target(dest: Path, stem: str, suffix: str) -> Path:
    dest = Path(dest).expanduser()
    if dest.is_dir():
        dest = dest / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}{suffix}"
    if dest.exists():
        raise StoreError(f"{dest} exists: a backup never overwrites a file; give a new name")
    if not dest.parent.is_dir():
        raise StoreError(f"no folder {dest.parent} for the backup: create it first")
    return dest


def _check_copy(path: Path, where: str) -> None:
    """A SQLite copy must be sound and of this code's layout (read only: the file is not
    changed, no journal is made beside it)."""
    integrity.check_sqlite_file(path, where)
    engine = sa.create_engine(
        "sqlite://", creator=lambda: _read_only(path)
    )
    try:
        with integrity.store_errors(where), engine.connect() as conn:
            integrity.quick_check(conn, where)
            check_layout(conn, where)
    finally:
        engine.dispose()


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def _postgres(url: str) -> bool:
    try:
        return sa.engine.make_url(url).get_backend_name() == "postgresql"
    except sa.exc.ArgumentError:
        return False


def _database(url: str) -> str:
    return sa.engine.make_url(url).database or "postgres"


def _check_reachable(url: str, where: str, layout: bool) -> None:
    """The server answers (and, with ``layout``, holds a store of this code's layout)."""
    engine = connect(url)
    try:
        with integrity.store_errors(where), engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
            if layout:
                check_layout(conn, where)
    finally:
        engine.dispose()


def _run_pg(program: str, args: list[str], url: str | None, where: str) -> None:
    """Run ``pg_dump`` or ``pg_restore`` on the database of ``url`` (None: no database, e.g.
    ``pg_restore --list``); one-line ``StoreError``."""
    binary = shutil.which(program)
    if binary is None:
        raise StoreError(
            f"{program} is not installed: install the PostgreSQL client (Debian: postgresql-client)"
        )
    env = dict(os.environ)
    database: list[str] = []
    if url is not None:
        parsed = sa.engine.make_url(url)
        if parsed.password:
            env["PGPASSWORD"] = str(parsed.password)
        target = parsed.set(drivername="postgresql", password=None)
        database = ["--dbname", target.render_as_string(hide_password=False)]
    done = subprocess.run(  # nosec B603 # a fixed program, the database as one argument
        [binary, *args, *database],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise StoreError(f"{program} of {where} failed: {lines[-1] if lines else done.returncode}")
