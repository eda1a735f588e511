"""Runs and lineage: what each ingest or aggregate run read, produced and rejected.

A run is recorded as ``running`` in its own transaction before a load starts, and finished
(``succeeded`` with its counts and periods) inside the load's transaction, so a failed load leaves
``failed`` and a killed one (or one whose store went away before it could say so) ``running``;
the next start on the same host (an ingest, an aggregate, ``yipanqi store check``, the app)
marks a ``running`` run whose process is gone ``failed`` (``fail_dead_runs``). Stores of older
versions may hold ``abandoned`` runs: the same thing. ``run_inputs`` holds each input's sha256 and counts (re-ingesting a file is
skipped by its digest); ``quarantine`` holds where every rejected row was and why (no personal data).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from etl.errors import StoreError
from etl.store.schema import connection, quarantine, run_inputs, runs


@dataclass(frozen=True)
class RunRecord:
    """One run of the ``runs`` table."""

    run_id: int
    kind: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    n_in: int
    n_loaded: int
    n_quarantined: int
    periods: tuple[str, ...]
    code_version: str
    message: str
    host: str = ""
    pid: int = 0

    @property
    def process_gone(self) -> bool:
        """A ``running`` run whose process on this host is dead (``fail_dead_runs`` marks it)."""
        return self.status == "running" and self.host == _host() and not _alive(self.pid)


DEAD_RUN = "the process stopped before the run finished (killed, or the machine or the store went away)"


def start_run(engine: sa.Engine, kind: str, code_version: str, threshold: int | None) -> int:
    """Record a run as running (in its own transaction) and return its id."""
    with engine.begin() as conn:
        result = conn.execute(
            runs.insert().values(
                kind=kind,
                status="running",
                started_at=utc_now(),
                n_in=0,
                n_loaded=0,
                n_quarantined=0,
                periods="",
                small_cell_threshold=threshold,
                code_version=code_version[:80],
                host=_host(),
                pid=os.getpid(),
                message="",
            )
        )
        key = result.inserted_primary_key
        if key is None:  # pragma: no cover - every supported database returns it
            raise StoreError("the store did not return the new run's id")
        return int(key[0])


def finish_run(conn: sa.Connection, run_id: int, status: str, **values: object) -> None:
    conn.execute(
        runs.update()
        .where(runs.c.run_id == run_id)
        .values(status=status, ended_at=utc_now(), **values)
    )


def fail_run(engine: sa.Engine, run_id: int, message: str) -> None:
    """Best effort: mark a run failed (the load's own transaction has rolled back)."""
    try:
        with engine.begin() as conn:
            finish_run(conn, run_id, "failed", message=message[:2000])
    except sa.exc.SQLAlchemyError:  # pragma: no cover - the store itself is gone
        pass


def fail_dead_runs(engine: sa.Engine) -> list[int]:
    """Runs still ``running`` on this host whose process is dead become ``failed``; their ids."""
    with engine.begin() as conn:
        rows = conn.execute(
            sa.select(runs.c.run_id, runs.c.pid).where(
                runs.c.status == "running", runs.c.host == _host()
            )
        ).all()
        dead = [run_id for run_id, pid in rows if not _alive(pid)]
        if dead:
            conn.execute(
                runs.update()
                .where(runs.c.run_id.in_(dead))
                .values(status="failed", ended_at=utc_now(), message=DEAD_RUN)
            )
    return dead


def succeeded_run_ids(engine: sa.Engine | sa.Connection, kind: str = "ingest") -> set[int]:
    with connection(engine) as conn:
        return set(
            conn.execute(
                sa.select(runs.c.run_id).where(runs.c.status == "succeeded", runs.c.kind == kind)
            ).scalars()
        )


def ingested_digests(engine: sa.Engine) -> dict[str, int]:
    """sha256 -> run id, for inputs that a succeeded run read."""
    with connection(engine) as conn:
        rows = conn.execute(
            sa.select(run_inputs.c.sha256, run_inputs.c.run_id)
            .join(runs, runs.c.run_id == run_inputs.c.run_id)
            .where(runs.c.status == "succeeded", run_inputs.c.skipped_as_run.is_(None))
            .order_by(run_inputs.c.run_id)
        ).all()
    out: dict[str, int] = {}
    for sha, run_id in rows:
        out.setdefault(sha, run_id)
    return out


def list_runs(engine: sa.Engine, limit: int | None = None) -> list[RunRecord]:
    """Runs, newest first."""
    query = sa.select(runs).order_by(runs.c.run_id.desc())
    if limit:
        query = query.limit(limit)
    with connection(engine) as conn:
        return [_run_record(row) for row in conn.execute(query).mappings()]


def latest_run(engine: sa.Engine, status: str | None = "succeeded") -> RunRecord | None:
    """The newest run (of ``status``, if given)."""
    query = sa.select(runs).order_by(runs.c.run_id.desc()).limit(1)
    if status:
        query = query.where(runs.c.status == status)
    with connection(engine) as conn:
        row = conn.execute(query).mappings().first()
    return _run_record(row) if row else None


def read_run_inputs(engine: sa.Engine, run_id: int | None = None) -> pd.DataFrame:
    query = sa.select(run_inputs).order_by(run_inputs.c.run_id, run_inputs.c.position)
    if run_id is not None:
        query = query.where(run_inputs.c.run_id == run_id)
    with connection(engine) as conn:
        return pd.read_sql_query(query, conn)


def _run_record(row: sa.RowMapping) -> RunRecord:
    return RunRecord(
        run_id=row["run_id"],
        kind=row["kind"],
        status=row["status"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        n_in=row["n_in"],
        n_loaded=row["n_loaded"],
        n_quarantined=row["n_quarantined"],
        periods=tuple(p for p in (row["periods"] or "").split(",") if p),
        code_version=row["code_version"],
        message=row["message"] or "",
        host=row["host"],
        pid=row["pid"],
    )


def read_quarantine(engine: sa.Engine, run_id: int | None = None) -> pd.DataFrame:
    """Quarantine rows ``run_id, source, row_number, reason`` in load order."""
    query = sa.select(quarantine)
    if run_id is not None:
        query = query.where(quarantine.c.run_id == run_id)
    query = query.order_by(quarantine.c.run_id, quarantine.c.source, quarantine.c.row_number)
    with connection(engine) as conn:
        return pd.read_sql_query(query, conn)


def _host() -> str:
    return socket.gethostname()[:255]


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's live process
        return True
    return True


def utc_now() -> datetime:
    """Now in UTC, without a time zone (as the store's DateTime columns hold it)."""
    return datetime.now(UTC).replace(tzinfo=None)
