"""The store's schema: its tables, its version, and opening it.

A SQLite file under the data directory by default (opened in WAL mode, so readers keep reading
while a load runs), PostgreSQL by URL (``postgresql+psycopg://...``). Records never enter the store:
only aggregates (flows, coverage, assessment scores), quarantine rows (source, row number, reason)
and the runs that produced them.

Tables (see docs/record-format.md for the definitions of the numbers):

- ``store_meta`` (key, value): ``store_id``, ``schema_version``, ``key_fingerprint``,
  ``small_cell_threshold``;
- ``runs``: one row per ingest or aggregate run, with counts, code version, times and status;
- ``run_inputs``: the inputs of a run with their sha256 and counts;
- ``quarantine``: (run_id, source, row_number, reason);
- the *marts* (read only through ``etl.marts``): ``flows`` (county-to-county flows per period, one
  column of persons per cohort), ``flows_rollup`` (the same at prefecture, province and region
  level, long), ``unit_flows`` (each unit's in, out and within persons), ``coverage`` (every
  indicator as numerator and denominator per county, period and side), ``assessment`` (two-way
  assessment scores per county, period and role), ``period_totals`` (persons per period),
  ``record_events`` (arrivals per county and period);
- the departmental feeds: ``feed_reports`` (validated feed rows with their submission's flags)
  and ``feed_expected`` (the county-periods owing reports, with due dates); see ``etl.feeds``;
- ``units``, ``regions``, ``region_members``: the hierarchy and regions the aggregates used;
- ``scenarios``, ``storyboard_slides``, ``saved_scopes``: saved work and the scope each item was
  saved under (defined and queried in ``etl.store.saved``).

*Schema version*: ``SCHEMA_VERSION`` is the layout this code reads. ``open_store`` (every reader:
the dashboard, exports, the command line) only opens and checks: a store missing a table or of
an older version is refused with a one-line ``StoreError`` naming ``yipanqi store upgrade``; it
never creates a table or rewrites a row. Only writers change the layout: ``etl.store.migrate``
(``yipanqi store upgrade``, and every ingest or aggregate) and ``open_store(url, create=True)``,
which makes the tables of a brand-new, empty database (the first ingest, the first start).

Version history: 1 = the first layout; 2 = ``unit_flows`` exists and is filled (a store of
version 1 may lack it; the upgrade sums it from the flow tables). A store made before the
saved-work tables joined the layout (they were created on the first save) may lack them: it is
refused like any store missing a table, and the upgrade creates them. The same holds for the
tables of the departmental feeds and ``record_events``: the upgrade (or any ingest) creates them
empty; ``yipanqi aggregate`` then fills ``record_events`` from the staged records.

*Row-level security* (PostgreSQL only, ``etl.store.row_security``): a new store gets it when its
tables are made; a PostgreSQL store without it (made by older code) is refused like one missing a
table, and the upgrade adds it. It is no schema version: SQLite stores have nothing to change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from etl.errors import EtlError, StoreError
from etl.records import COHORTS
from etl.store import integrity

SCHEMA_VERSION = 2
CONNECT_TIMEOUT = 10  # seconds to reach a PostgreSQL server
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
(one row per cohort, zero counts left out, with ``small_cell``) is what ``etl.marts.read_flows``
and the flows export give. Wide storage halves the rows of the largest table."""
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

record_events = sa.Table(
    "record_events",
    metadata,
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("county_code", sa.String(6), nullable=False),
    sa.Column("event", sa.String(16), nullable=False),  # arrivals, departures
    sa.Column("persons", sa.BigInteger, nullable=False),
    sa.Index("ix_record_events_period", "period", "event"),
)
"""The records' own events per county and period, for the feeds' match rates (``etl.feeds``):
``arrivals`` = persons living in the county in the period who did not live there the period
before (known only where the period before is loaded too); ``departures`` = the same new residences
counted by hukou county, outside it (``etl.aggregate.events``)."""
feed_reports = sa.Table(
    "feed_reports",
    metadata,
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("department", sa.String(16), nullable=False),
    sa.Column("county_code", sa.String(6), nullable=False),
    sa.Column("item", sa.String(16), nullable=False),
    sa.Column("submitted_at", sa.DateTime, nullable=False),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("count_checked", sa.BigInteger),
    sa.Column("is_head", sa.Boolean, nullable=False),
    sa.Column("on_time", sa.Boolean, nullable=False),
    sa.Column("zero", sa.Boolean, nullable=False),
    sa.Index("ix_feed_reports_period", "period", "department"),
)
"""The departmental feed rows that passed validation (``etl.feeds.stage``), one per period,
department, county and item (counts per county, never a person), with their *submission*'s
flags (``etl.feeds.aggregate``): ``is_head`` marks one row per submission (counted once),
``on_time`` and ``zero`` are the submission's. A row's own zero report is ``count`` = 0 (staging
makes the flag and the count agree), so it is not stored twice."""
feed_expected = sa.Table(
    "feed_expected",
    metadata,
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("county_code", sa.String(6), nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Index("ix_feed_expected_period", "period"),
)
"""Every county expected to send each department's report for a period with feeds, and the due
date: a county-period without a department's rows in ``feed_reports`` is a missing submission."""

MART_TABLES = (flows, flows_rollup, unit_flows, coverage, assessment, period_totals)
"""Tables whose rows are replaced period by period (by record loads)."""
FEED_TABLES = (feed_reports, feed_expected)
"""Tables of the departmental feeds (replaced by feed loads only, ``etl.feeds.ingest``)."""

OTHER_REGION = "other"
"""Pseudo-region of provinces that belong to no collaboration region (其他)."""


def connect(url: str, *, create: bool = False) -> sa.Engine:
    """An engine on ``url`` (SQLite: WAL mode), nothing read or written yet.

    A SQLite file is checked first (``etl.store.integrity.check_sqlite_file``): a missing one is
    refused unless ``create`` (its folder is then made), an empty, foreign or truncated one always.
    """
    path = integrity.sqlite_file(url)
    if path is not None:
        integrity.check_sqlite_file(path, mask(url), create=create)
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = sa.create_engine(url, **_engine_options(url))
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot open store {mask(url)}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _engine_options(url: str) -> dict:
    """PostgreSQL: connections checked before use (a restarted server costs no failed request)
    and a connect timeout (a server that does not answer fails in seconds, not minutes)."""
    if not url.startswith("postgresql"):
        return {}
    options: dict = {"pool_pre_ping": True}
    if "connect_timeout" not in url:
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
    return options


def open_store(url: str, *, create: bool = False) -> sa.Engine:
    """An engine on the store at ``url``, checked to be of this code's layout.

    A store missing a table or of an older schema version is refused (``StoreError``: run
    ``yipanqi store upgrade``); nothing is created or changed. With ``create`` (writers only), a
    database holding none of the store's tables gets them all first: a brand-new store.
    """
    engine = connect(url, create=create)
    with disposed_on_error(engine, url):
        if create:
            with engine.begin() as conn:
                if not set(sa.inspect(conn).get_table_names()) & set(metadata.tables):
                    create_tables(conn)
        with engine.connect() as conn:
            check_layout(conn, url)
    return engine


@contextmanager
def disposed_on_error(engine: sa.Engine, url: str) -> Iterator[None]:
    """Dispose of ``engine`` when the block fails; a database error becomes a one-line
    ``StoreError`` naming the store and what to do (``etl.store.integrity.store_error``)."""
    try:
        yield
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        raise integrity.store_error(exc, mask(url)) from exc
    except EtlError:
        engine.dispose()
        raise


def create_tables(conn: sa.Connection) -> None:
    """Create every missing table; a store without an id gets one, at this schema version, and on
    PostgreSQL its row-level security (``etl.store.row_security``)."""
    from etl.store import row_security  # it reads this module's tables

    metadata.create_all(conn)
    if meta(conn, "store_id") is None:
        set_meta(conn, "store_id", uuid.uuid4().hex)
        set_meta(conn, "schema_version", str(SCHEMA_VERSION))
        row_security.install(conn)


def schema_version(conn: sa.Connection) -> int | None:
    """The store's schema version; None for a database without the store's tables, -1 for a
    version that is not a number."""
    if not sa.inspect(conn).has_table(store_meta.name):
        return None
    value = meta(conn, "schema_version")
    return int(value) if value is not None and value.isdigit() else -1


def check_layout(conn: sa.Connection, url: str) -> None:
    """StoreError unless the store has every table at ``SCHEMA_VERSION``."""
    where = mask(url)
    found = set(sa.inspect(conn).get_table_names())
    if not found & set(metadata.tables):
        raise StoreError(
            f"{where} holds no Yipanqi store: load records into it with `yipanqi ingest`"
        )
    version = schema_version(conn)
    if version is not None and version > SCHEMA_VERSION:
        raise StoreError(
            f"store {where} has schema version {version}, newer than this code's "
            f"{SCHEMA_VERSION}: update Yipanqi"
        )
    if version is not None and version < 1:
        raise StoreError(
            f"store {where} has an unknown schema version {meta(conn, 'schema_version')!r}: "
            "rebuild it (ingest into a new store URL)"
        )
    missing = sorted(set(metadata.tables) - found)
    if missing or version != SCHEMA_VERSION:
        what = f"lacks table(s) {', '.join(missing)}" if missing else f"is at schema version {version}"
        raise StoreError(
            f"store {where} {what} (this code reads version {SCHEMA_VERSION}): "
            f"run `yipanqi store upgrade --store URL` first"
        )
    from etl.store import row_security  # it reads this module's tables

    if not row_security.installed(conn):
        raise StoreError(
            f"store {where} lacks the row-level security of its area tables: run "
            "`yipanqi store upgrade --store URL` as the tables' owner first"
        )


def meta(engine: sa.Engine | sa.Connection, key: str) -> str | None:
    """The store_meta value of ``key`` (None if unset)."""
    with connection(engine) as conn:
        return conn.execute(sa.select(store_meta.c.value).where(store_meta.c.key == key)).scalar()


def set_meta(conn: sa.Connection, key: str, value: str) -> None:
    conn.execute(store_meta.delete().where(store_meta.c.key == key))
    conn.execute(store_meta.insert().values(key=key, value=value))


@contextmanager
def connection(engine: sa.Engine | sa.Connection) -> Iterator[sa.Connection]:
    """A connection of ``engine`` for the block (or ``engine`` itself if it is one)."""
    if isinstance(engine, sa.Connection):
        yield engine
    else:
        with engine.connect() as conn:
            yield conn


def mask(url: str) -> str:
    """``url`` with its password hidden, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable URL>"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
