"""The store: aggregates, quarantine and lineage in a SQL database through SQLAlchemy.

A SQLite file under the data directory by default (opened in WAL mode, so readers keep reading
while a load runs), PostgreSQL by URL (``postgresql+psycopg://...``). Records never enter the store:
only aggregates (flows, coverage, assessment scores), quarantine rows (source, row number, reason)
and the runs that produced them.

Atomicity: a load replaces the aggregates of the periods it touched, writes its quarantine rows and
marks its run as succeeded in **one transaction**. A load that fails or is killed leaves the
previous data intact and readable; its run stays ``running`` (killed) or becomes ``failed``, and the
next ingest on the same machine marks a dead ``running`` run ``abandoned``.

Tables (see docs/record-format.md for the definitions of the numbers):

- ``store_meta`` (key, value): ``store_id``, ``schema_version``, ``key_fingerprint``;
- ``runs``: one row per ingest or aggregate run, with counts, code version, times and status;
- ``run_inputs``: the inputs of a run with their sha256 and counts;
- ``quarantine``: (run_id, source, row_number, reason);
- ``flows``: county-to-county flows per period, one column of persons per cohort;
- ``flows_rollup``: the same at prefecture, province and region level;
- ``coverage``: every indicator as numerator and denominator per county, period and side;
- ``assessment``: two-way assessment scores per county, period and role;
- ``period_totals``: persons per period (what periods exist);
- ``units``, ``regions``, ``region_members``: the hierarchy and regions the aggregates used.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa

from etl.errors import StoreError
from etl.records import COHORTS, INDICATORS

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1"
metadata = sa.MetaData()

store_meta = sa.Table(
    "store_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
runs = sa.Table(
    "runs",
    metadata,
    sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),  # ingest | aggregate
    sa.Column("status", sa.String(16), nullable=False),  # running | succeeded | failed | abandoned
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("ended_at", sa.DateTime),
    sa.Column("n_in", sa.BigInteger, nullable=False, default=0),
    sa.Column("n_loaded", sa.BigInteger, nullable=False, default=0),
    sa.Column("n_quarantined", sa.BigInteger, nullable=False, default=0),
    sa.Column("periods", sa.Text, nullable=False, default=""),  # comma-separated YYYY-MM touched
    sa.Column("small_cell_threshold", sa.Integer),
    sa.Column("code_version", sa.String(80), nullable=False),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("message", sa.Text, nullable=False, default=""),
)
run_inputs = sa.Table(
    "run_inputs",
    metadata,
    sa.Column("run_id", sa.Integer, nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("format", sa.String(16), nullable=False),
    sa.Column("encoding", sa.String(16), nullable=False, default=""),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("n_in", sa.BigInteger, nullable=False),
    sa.Column("n_loaded", sa.BigInteger, nullable=False),
    sa.Column("n_quarantined", sa.BigInteger, nullable=False),
    sa.Column("skipped_as_run", sa.Integer),  # already ingested by that run: nothing read
    sa.Column("extra_columns", sa.Text, nullable=False, default=""),
)
quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column("run_id", sa.Integer, nullable=False, index=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("row_number", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)
flows = sa.Table(
    "flows",
    metadata,
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("hukou_code", sa.String(6), nullable=False),
    sa.Column("residence_code", sa.String(6), nullable=False),
    *[sa.Column(f"persons_{c}", sa.BigInteger, nullable=False) for c in COHORTS],
    sa.Column("is_diagonal", sa.Boolean, nullable=False),
    sa.Column("is_inter_province", sa.Boolean, nullable=False),
    sa.Index("ix_flows_period", "period"),
)
"""One row per county pair with persons of each cohort (``persons_all`` > 0); the long form
(one row per cohort, zero counts left out, with ``small_cell``) is what ``read_flows`` and the
flows export give. Wide storage halves the rows of the largest table."""
flows_rollup = sa.Table(
    "flows_rollup",
    metadata,
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("level", sa.String(12), nullable=False),  # prefecture | province | region
    sa.Column("origin_code", sa.String(24), nullable=False),
    sa.Column("destination_code", sa.String(24), nullable=False),
    sa.Column("cohort", sa.String(24), nullable=False),
    sa.Column("persons", sa.BigInteger, nullable=False),
    sa.Column("is_within", sa.Boolean, nullable=False),
    sa.Column("small_cell", sa.Boolean, nullable=False),
    sa.Index("ix_flows_rollup_period_level", "period", "level", "cohort"),
)
coverage = sa.Table(
    "coverage",
    metadata,
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("county_code", sa.String(6), nullable=False),
    sa.Column("side", sa.String(8), nullable=False),  # inflow | outflow
    sa.Column("indicator", sa.String(32), nullable=False),
    sa.Column("numerator", sa.BigInteger, nullable=False),
    sa.Column("denominator", sa.BigInteger, nullable=False),
    sa.Column("small_cell", sa.Boolean, nullable=False),
    sa.Index("ix_coverage_period_indicator", "period", "indicator"),
)
assessment = sa.Table(
    "assessment",
    metadata,
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("county_code", sa.String(6), nullable=False),
    sa.Column("role", sa.String(12), nullable=False),  # origin | destination
    sa.Column("n_indicators", sa.Integer, nullable=False),
    sa.Column("n_at_target", sa.Integer, nullable=False),
    sa.Column("score", sa.Float),
    sa.Column("small_cell", sa.Boolean, nullable=False),
    sa.Index("ix_assessment_period", "period", "role"),
)
unit_flows = sa.Table(
    "unit_flows",
    metadata,
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("level", sa.String(12), nullable=False),  # county | prefecture | province
    sa.Column("code", sa.String(6), nullable=False),
    sa.Column("inflow", sa.BigInteger, nullable=False),
    sa.Column("outflow", sa.BigInteger, nullable=False),
    sa.Column("within", sa.BigInteger, nullable=False),
    sa.Index("ix_unit_flows_level_code", "level", "code"),
)
"""Persons (cohort all) flowing into a unit from the other units of its level, out of it to them,
and within it, per period: a place's totals without reading every pair (see ``etl.aggregate``)."""
period_totals = sa.Table(
    "period_totals",
    metadata,
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("persons", sa.BigInteger, nullable=False),
    sa.Column("run_id", sa.Integer, nullable=False),
)
units = sa.Table(
    "units",
    metadata,
    sa.Column("county_code", sa.String(6), primary_key=True),
    sa.Column("county_name", sa.Text, nullable=False),
    sa.Column("prefecture_code", sa.String(6), nullable=False),
    sa.Column("prefecture_name", sa.Text, nullable=False),
    sa.Column("province_code", sa.String(6), nullable=False),
    sa.Column("province_name", sa.Text, nullable=False),
)
regions = sa.Table(
    "regions",
    metadata,
    sa.Column("region_code", sa.String(24), primary_key=True),
    sa.Column("name_zh", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
)
region_members = sa.Table(
    "region_members",
    metadata,
    sa.Column("region_code", sa.String(24), nullable=False),
    sa.Column("province_code", sa.String(6), nullable=False),
)

MART_TABLES = (flows, flows_rollup, unit_flows, coverage, assessment, period_totals)
"""Tables whose rows are replaced period by period."""

OTHER_REGION = "other"
"""Pseudo-region of provinces that belong to no collaboration region (其他)."""


@dataclass(frozen=True)
class RunRecord:
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


def open_store(url: str) -> sa.Engine:
    """An engine on the store at ``url``, with its tables created if missing."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot open store {_mask(url)}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            known = dict(conn.execute(sa.select(store_meta.c.key, store_meta.c.value)).all())
            if "store_id" not in known:
                conn.execute(
                    store_meta.insert(),
                    [
                        {"key": "store_id", "value": uuid.uuid4().hex},
                        {"key": "schema_version", "value": SCHEMA_VERSION},
                    ],
                )
            elif known.get("schema_version") != SCHEMA_VERSION:
                raise StoreError(
                    f"store {_mask(url)} has schema version {known.get('schema_version')!r}; this "
                    f"code needs {SCHEMA_VERSION!r}: rebuild the store (ingest into a new URL)"
                )
            _fill_unit_flows(conn)
    except sa.exc.OperationalError as exc:
        raise StoreError(f"cannot open store {_mask(url)}: {str(exc).splitlines()[0]}") from exc
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _fill_unit_flows(conn: sa.Connection) -> None:
    """Sum ``unit_flows`` from the flow tables in a store aggregated before that table existed
    (once; later loads write it with the other marts)."""
    if conn.execute(sa.select(unit_flows.c.period).limit(1)).first() is not None:
        return
    if conn.execute(sa.select(flows.c.period).limit(1)).first() is None:
        return
    log.info("summing unit flows from the flow tables (once: the store predates them)")
    sides = []
    for level, table, origin, destination, persons, within, where in (
        (
            "county",
            flows,
            flows.c.hukou_code,
            flows.c.residence_code,
            flows.c.persons_all,
            flows.c.is_diagonal,
            [],
        ),
        *(
            (
                level,
                flows_rollup,
                flows_rollup.c.origin_code,
                flows_rollup.c.destination_code,
                flows_rollup.c.persons,
                flows_rollup.c.is_within,
                [flows_rollup.c.level == level, flows_rollup.c.cohort == "all"],
            )
            for level in ("prefecture", "province")
        ),
    ):
        zero = sa.literal(0, sa.BigInteger)
        between = sa.case((within, zero), else_=persons)
        inside = sa.case((within, persons), else_=zero)
        for code, inflow, outflow, own in (
            (destination, between, zero, inside),
            (origin, zero, between, zero),
        ):
            sides.append(
                sa.select(
                    table.c.period,
                    sa.literal(level, sa.String(12)).label("level"),
                    code.label("code"),
                    inflow.label("inflow"),
                    outflow.label("outflow"),
                    own.label("within"),
                ).where(*where)
            )
    both = sa.union_all(*sides).subquery()
    totals = sa.select(
        both.c.period,
        both.c.level,
        both.c.code,
        sa.func.sum(both.c.inflow),
        sa.func.sum(both.c.outflow),
        sa.func.sum(both.c.within),
    ).group_by(both.c.period, both.c.level, both.c.code)
    conn.execute(
        unit_flows.insert().from_select(
            ["period", "level", "code", "inflow", "outflow", "within"], totals
        )
    )


def meta(engine: sa.Engine | sa.Connection, key: str) -> str | None:
    with _connect(engine) as conn:
        return conn.execute(sa.select(store_meta.c.value).where(store_meta.c.key == key)).scalar()


def set_meta(conn: sa.Connection, key: str, value: str) -> None:
    conn.execute(store_meta.delete().where(store_meta.c.key == key))
    conn.execute(store_meta.insert().values(key=key, value=value))


# --- runs -------------------------------------------------------------------------------------


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
                host=socket.gethostname()[:255],
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


def mark_abandoned(engine: sa.Engine) -> list[int]:
    """Runs still ``running`` on this host whose process is dead become ``abandoned``."""
    host = socket.gethostname()[:255]
    with engine.begin() as conn:
        rows = conn.execute(
            sa.select(runs.c.run_id, runs.c.pid).where(
                runs.c.status == "running", runs.c.host == host
            )
        ).all()
        dead = [run_id for run_id, pid in rows if not _alive(pid)]
        if dead:
            conn.execute(
                runs.update()
                .where(runs.c.run_id.in_(dead))
                .values(status="abandoned", message="the process stopped before the run finished")
            )
    return dead


def succeeded_run_ids(engine: sa.Engine | sa.Connection, kind: str = "ingest") -> set[int]:
    with _connect(engine) as conn:
        return set(
            conn.execute(
                sa.select(runs.c.run_id).where(runs.c.status == "succeeded", runs.c.kind == kind)
            ).scalars()
        )


def unsuccessful_run_ids(engine: sa.Engine) -> set[int]:
    with _connect(engine) as conn:
        return set(
            conn.execute(
                sa.select(runs.c.run_id).where(runs.c.status.in_(["failed", "abandoned"]))
            ).scalars()
        )


def ingested_digests(engine: sa.Engine) -> dict[str, int]:
    """sha256 -> run id, for inputs that a succeeded run read."""
    with _connect(engine) as conn:
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
    with _connect(engine) as conn:
        return [_run_record(row) for row in conn.execute(query).mappings()]


def latest_run(engine: sa.Engine, status: str | None = "succeeded") -> RunRecord | None:
    """The newest run (of ``status``, if given)."""
    query = sa.select(runs).order_by(runs.c.run_id.desc()).limit(1)
    if status:
        query = query.where(runs.c.status == status)
    with _connect(engine) as conn:
        row = conn.execute(query).mappings().first()
    return _run_record(row) if row else None


def read_run_inputs(engine: sa.Engine, run_id: int | None = None) -> pd.DataFrame:
    query = sa.select(run_inputs).order_by(run_inputs.c.run_id, run_inputs.c.position)
    if run_id is not None:
        query = query.where(run_inputs.c.run_id == run_id)
    with _connect(engine) as conn:
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
    )


# --- writes -----------------------------------------------------------------------------------


def bulk_insert(conn: sa.Connection, table: sa.Table, data: pa.Table) -> None:
    """Insert an Arrow table whose columns are ``table``'s, in order (COPY on PostgreSQL)."""
    if data.num_rows == 0:
        return
    names = [c.name for c in table.columns]
    data = data.select(names)
    dialect = conn.dialect.name
    if dialect == "postgresql" and conn.dialect.driver == "psycopg":
        buf = io.BytesIO()
        pacsv.write_csv(data, buf, pacsv.WriteOptions(include_header=False))
        dbapi = conn.connection.dbapi_connection
        if dbapi is None:  # pragma: no cover - a live connection always has one
            raise StoreError("lost the database connection during a load")
        cursor = dbapi.cursor()
        columns = ", ".join(f'"{n}"' for n in names)
        with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN (FORMAT csv)') as copy:
            copy.write(buf.getvalue())
        return
    columns_py = [_python_values(data.column(i)) for i in range(data.num_columns)]
    if dialect == "sqlite":
        _sqlite_insert(conn, table.name, columns_py)
    else:
        rows = zip(*columns_py, strict=True)
        conn.execute(table.insert(), [dict(zip(names, r, strict=True)) for r in rows])


def _sqlite_insert(conn: sa.Connection, name: str, columns: list[list]) -> None:
    """Multi-row ``INSERT ... VALUES (...), (...)``: about 1.5x faster than one row per statement.

    Rows go in groups that stay under SQLite's oldest limit of 999 parameters per statement.
    """
    n, width = len(columns[0]), len(columns)
    per = max(1, 999 // width)
    values = np.empty((n, width), dtype=object)
    for j, column in enumerate(columns):
        values[:, j] = column
    full = n // per * per
    row = "(" + ", ".join("?" for _ in range(width)) + ")"
    dbapi = conn.connection.dbapi_connection  # the same connection, inside the same transaction
    if dbapi is None:  # pragma: no cover - a live connection always has one
        raise StoreError("lost the database connection during a load")
    cursor = dbapi.cursor()
    try:
        if full:
            statement = f'INSERT INTO "{name}" VALUES ' + ", ".join([row] * per)
            cursor.executemany(statement, values[:full].reshape(-1, per * width).tolist())
        if full < n:
            cursor.executemany(f'INSERT INTO "{name}" VALUES {row}', values[full:].tolist())
    finally:
        cursor.close()


def _python_values(column: pa.ChunkedArray) -> list:
    """A column as Python values, through numpy (pyarrow's ``to_pylist`` is several times slower)."""
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_dictionary(array.type):
        labels = np.array(array.dictionary.to_pylist(), dtype=object)
        values = labels[np.asarray(array.indices.fill_null(0))]
        if array.null_count:
            values[np.asarray(array.is_null())] = None
        return values.tolist()
    return array.to_numpy(zero_copy_only=False).tolist()


def replace_periods(
    conn: sa.Connection, marts: dict[str, pa.Table], periods: Sequence[str]
) -> None:
    """Delete the mart rows of ``periods`` and insert ``marts`` (table name -> rows) instead."""
    delete_periods(conn, periods)
    insert_marts(conn, marts)


def delete_periods(conn: sa.Connection, periods: Sequence[str]) -> None:
    """Delete the mart rows of ``periods`` (inside the caller's transaction)."""
    for table in MART_TABLES:
        for chunk in _chunks(list(periods), 500):
            conn.execute(table.delete().where(table.c.period.in_(chunk)))


def insert_marts(conn: sa.Connection, marts: dict[str, pa.Table]) -> None:
    """Insert mart rows (table name -> Arrow table) inside the caller's transaction."""
    for table in MART_TABLES:
        if table.name in marts:
            bulk_insert(conn, table, marts[table.name])


def replace_reference(conn: sa.Connection, reference: dict[str, pa.Table]) -> None:
    """Replace the hierarchy and region tables."""
    for table in (units, regions, region_members):
        if table.name in reference:
            conn.execute(table.delete())
            bulk_insert(conn, table, reference[table.name])


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- reads for the dashboard --------------------------------------------------------------------


def periods(engine: sa.Engine) -> list[str]:
    """Periods with aggregates, oldest first."""
    with _connect(engine) as conn:
        return list(
            conn.execute(
                sa.select(period_totals.c.period).order_by(period_totals.c.period)
            ).scalars()
        )


def read_county_pairs(engine: sa.Engine, period: str, cohort: str = "all") -> pd.DataFrame:
    """The county flows of one period and cohort, unordered: ``hukou_code, residence_code,
    persons, is_diagonal`` (pairs with persons > 0). The lean read behind the flows page (1.0 s
    for a period of the 56 M-record store; ``read_flows``, long and ordered with every flag: 1.8 s)."""
    if cohort not in COHORTS:
        raise ValueError(f"unknown cohort {cohort!r}; one of {COHORTS}")
    persons = flows.c[f"persons_{cohort}"]
    query = sa.select(
        flows.c.hukou_code, flows.c.residence_code, persons.label("persons"), flows.c.is_diagonal
    ).where(flows.c.period == period, persons > 0)
    with _connect(engine) as conn:
        return _typed(pd.read_sql_query(query, conn))


def read_unit_flows(engine: sa.Engine, level: str, code: str | None = None) -> pd.DataFrame:
    """``period, code, inflow, outflow, within`` of every unit of ``level`` (county, prefecture or
    province), or of one, in every period with flows; see ``unit_flows``."""
    query = sa.select(
        unit_flows.c.period,
        unit_flows.c.code,
        unit_flows.c.inflow,
        unit_flows.c.outflow,
        unit_flows.c.within,
    )
    query = query.where(unit_flows.c.level == level)
    if code is not None:
        query = query.where(unit_flows.c.code == code)
    with _connect(engine) as conn:
        data = pd.read_sql_query(query.order_by(unit_flows.c.period, unit_flows.c.code), conn)
    for name in ("inflow", "outflow", "within"):
        data[name] = data[name].astype("int64")
    return data


def read_period_totals(engine: sa.Engine) -> pd.DataFrame:
    with _connect(engine) as conn:
        return pd.read_sql_query(sa.select(period_totals).order_by(period_totals.c.period), conn)


def read_flows(
    engine: sa.Engine,
    period: str | None = None,
    cohort: str | None = "all",
    level: str = "county",
    min_persons: int = 0,
    limit: int | None = None,
) -> pd.DataFrame:
    """Flows of one period (or all) and one cohort (or all: ``None``), largest first.

    At ``level="county"``: ``period, hukou_code, residence_code, cohort, persons, is_diagonal,
    is_inter_province, small_cell``. At ``prefecture``, ``province`` or ``region``: ``period, level,
    origin_code, destination_code, cohort, persons, is_within, small_cell`` (``is_within``: origin
    and destination are the same unit at that level; never add those to between-unit totals).
    Zero counts are not rows. ``small_cell``: persons under the store's small-cell threshold.
    """
    if cohort is not None and cohort not in COHORTS:
        raise ValueError(f"unknown cohort {cohort!r}; one of {COHORTS}")
    if level == "county":
        query = _county_flows_query(period, cohort, min_persons)
        order = [
            query.c.period,
            query.c.persons.desc(),
            query.c.hukou_code,
            query.c.residence_code,
            query.c.cohort,
        ]
        select = sa.select(query)
    elif level in ("prefecture", "province", "region"):
        table = flows_rollup
        select = sa.select(table).where(table.c.level == level)
        if period is not None:
            select = select.where(table.c.period == period)
        if cohort is not None:
            select = select.where(table.c.cohort == cohort)
        if min_persons:
            select = select.where(table.c.persons >= min_persons)
        order = [
            table.c.period,
            table.c.persons.desc(),
            table.c.origin_code,
            table.c.destination_code,
            table.c.cohort,
        ]
    else:
        raise ValueError(f"unknown level {level!r}; one of county, prefecture, province, region")
    select = select.order_by(*order)
    if limit:
        select = select.limit(limit)
    with _connect(engine) as conn:
        data = _typed(pd.read_sql_query(select, conn))
        if level == "county":
            threshold = int(meta(conn, "small_cell_threshold") or 0)
            data = data.drop(columns="cohort_order")
            data["small_cell"] = data["persons"] < threshold
    return data


def _county_flows_query(
    period: str | None, cohort: str | None, min_persons: int = 0
) -> sa.Subquery:
    """The wide ``flows`` table as long rows (one per cohort with persons > 0)."""
    parts = []
    for name in COHORTS if cohort is None else (cohort,):
        column = flows.c[f"persons_{name}"]
        part = sa.select(
            flows.c.period,
            flows.c.hukou_code,
            flows.c.residence_code,
            sa.literal(name, sa.String(24)).label("cohort"),
            sa.literal(COHORTS.index(name)).label("cohort_order"),
            column.label("persons"),
            flows.c.is_diagonal,
            flows.c.is_inter_province,
        ).where(column > max(0, min_persons - 1))
        if period is not None:
            part = part.where(flows.c.period == period)
        parts.append(part)
    return sa.union_all(*parts).subquery("county_flows")


def read_coverage(
    engine: sa.Engine,
    period: str | None = None,
    indicator: str | None = None,
    level: str = "county",
    small_cell_threshold: int | None = None,
) -> pd.DataFrame:
    """Indicator numerators and denominators, with ``rate`` = numerator per person of the denominator.

    Columns: ``period, <level>_code, side, indicator, numerator, denominator, rate, target,
    at_target, small_cell``. ``level`` is ``county`` (as stored), ``prefecture``, ``province`` or
    ``region`` (sums of the counties; a province in two regions counts in both). ``rate`` is NaN
    where the denominator is 0. ``small_cell`` is recomputed after summing, with the threshold the
    store was built with unless ``small_cell_threshold`` is given.
    """
    query = sa.select(coverage)
    if period is not None:
        query = query.where(coverage.c.period == period)
    if indicator is not None:
        query = query.where(coverage.c.indicator == indicator)
    with _connect(engine) as conn:
        data = pd.read_sql_query(query, conn)
        if level != "county":
            data = _roll_coverage(conn, data, level)
            threshold = small_cell_threshold
            if threshold is None:
                threshold = int(meta(conn, "small_cell_threshold") or 0)
            data["small_cell"] = data["denominator"] < threshold
    key = f"{level}_code"
    data = data.sort_values(["period", "indicator", key], ignore_index=True)
    data["rate"] = data["numerator"] / data["denominator"].where(data["denominator"] > 0)
    target = {i.flag: i.target for i in INDICATORS}
    data["target"] = data["indicator"].map(target)
    data["at_target"] = data["rate"] >= data["target"]
    return _typed(data)


def _roll_coverage(conn: sa.Connection, data: pd.DataFrame, level: str) -> pd.DataFrame:
    hierarchy = pd.read_sql_query(sa.select(units), conn)
    data = data.merge(hierarchy, on="county_code", how="left")
    if level == "region":
        members = pd.read_sql_query(sa.select(region_members), conn)
        data = data.merge(members, on="province_code", how="left")
        data["region_code"] = data["region_code"].fillna(OTHER_REGION)
    elif level not in ("prefecture", "province"):
        raise ValueError(f"unknown level {level!r}; one of county, prefecture, province, region")
    key = f"{level}_code"
    return data.groupby(["period", key, "side", "indicator"], as_index=False)[
        ["numerator", "denominator"]
    ].sum()


def read_assessment(
    engine: sa.Engine, period: str | None = None, role: str | None = None
) -> pd.DataFrame:
    """Two-way assessment: ``period, county_code, role, n_indicators, n_at_target, score, small_cell``."""
    query = sa.select(assessment)
    if period is not None:
        query = query.where(assessment.c.period == period)
    if role is not None:
        query = query.where(assessment.c.role == role)
    query = query.order_by(assessment.c.period, assessment.c.role, assessment.c.county_code)
    with _connect(engine) as conn:
        return _typed(pd.read_sql_query(query, conn))


def read_quarantine(engine: sa.Engine, run_id: int | None = None) -> pd.DataFrame:
    """Quarantine rows ``run_id, source, row_number, reason`` in load order."""
    query = sa.select(quarantine)
    if run_id is not None:
        query = query.where(quarantine.c.run_id == run_id)
    query = query.order_by(quarantine.c.run_id, quarantine.c.source, quarantine.c.row_number)
    with _connect(engine) as conn:
        return pd.read_sql_query(query, conn)


def read_units(engine: sa.Engine) -> pd.DataFrame:
    with _connect(engine) as conn:
        return pd.read_sql_query(sa.select(units).order_by(units.c.county_code), conn)


def _typed(data: pd.DataFrame) -> pd.DataFrame:
    for name in ("is_diagonal", "is_inter_province", "is_within", "small_cell", "at_target"):
        if name in data:
            data[name] = data[name].astype(bool)
    return data


@contextmanager
def _connect(engine: sa.Engine | sa.Connection) -> Iterator[sa.Connection]:
    if isinstance(engine, sa.Connection):
        yield engine
    else:
        with engine.connect() as conn:
            yield conn


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's live process
        return True
    return True


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _mask(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable URL>"
