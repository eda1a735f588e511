"""Upgrading a store to this code's layout: an explicit step, never a side effect of a read.

``upgrade_store`` creates the missing tables, fills what a newer layout adds, and records the new
schema version, in one transaction. It runs from ``yipanqi store upgrade`` and at the start of
every ingest or aggregate (``open_for_writing``); readers (``etl.store.open_store``) only check the
version and refuse an older store. A brand-new, empty database is upgraded from nothing: every
table is created.

Steps by version (see ``etl.store.schema``):

- to 2: the ``unit_flows`` mart is summed from the flow tables of a store aggregated before it
  existed (persons of cohort ``all`` into each county, prefecture and province from the other
  units of its level, out of it to them, and within it, per period).

At every version, on PostgreSQL: the row-level security of the area tables is added where missing
(``etl.store.row_security``), and a writer whose role it binds is refused (its per-period
replacement would see no row): loads and upgrades run as the tables' owner.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from etl.store import integrity, row_security
from etl.store.schema import (
    SCHEMA_VERSION,
    check_layout,
    connect,
    create_tables,
    disposed_on_error,
    flows,
    flows_rollup,
    mask,
    schema_version,
    set_meta,
    unit_flows,
)

log = logging.getLogger(__name__)


def open_for_writing(url: str, *, create: bool = True) -> sa.Engine:
    """An engine on the store at ``url``, checked page by page (SQLite ``quick_check``) and
    upgraded to this code's layout; created if there is none and ``create`` (ingest, the first
    start), else a missing store is a ``StoreMissingError`` (aggregate)."""
    return _upgraded(url, create)[0]


def upgrade(url: str) -> list[str]:
    """Upgrade the store at ``url`` (``yipanqi store upgrade``); returns what was done."""
    engine, done = _upgraded(url)
    engine.dispose()
    return done


def _upgraded(url: str, create: bool = True) -> tuple[sa.Engine, list[str]]:
    engine = connect(url, create=create)
    with disposed_on_error(engine, url):
        with engine.connect() as conn:
            integrity.quick_check(conn, mask(url))
        return engine, upgrade_store(engine, url)


def upgrade_store(engine: sa.Engine, url: str = "") -> list[str]:
    """Bring the store to ``SCHEMA_VERSION``; returns what was done (empty: it was current).

    A version newer than this code's, or one that is not a number, is a StoreError: nothing is
    changed.
    """
    where = mask(url or engine.url.render_as_string(hide_password=True))
    done: list[str] = []
    with engine.begin() as conn:
        row_security.check_writer(conn, where)
        version = schema_version(conn)
        if version is not None and not 1 <= version <= SCHEMA_VERSION:
            check_layout(conn, where)  # raises: too new or unknown
        existing = set(sa.inspect(conn).get_table_names())
        create_tables(conn)
        created = sorted(set(sa.inspect(conn).get_table_names()) - existing)
        if version is None:
            done.append(f"created a new store (schema version {SCHEMA_VERSION})")
            return done
        if created:
            done.append(f"created table(s) {', '.join(created)}")
        if version < 2 and _fill_unit_flows(conn):
            done.append("summed unit_flows from the flow tables")
        if row_security.install(conn):
            done.append(
                "row-level security on "
                + ", ".join(t.name for t in row_security.AREA_TABLES)
                + " (policy "
                + row_security.POLICY
                + ")"
            )
        if version != SCHEMA_VERSION:
            set_meta(conn, "schema_version", str(SCHEMA_VERSION))
            done.append(f"schema version {version} -> {SCHEMA_VERSION}")
    for step in done:
        log.info("store %s: %s", where, step)
    return done


def _fill_unit_flows(conn: sa.Connection) -> bool:
    """Sum ``unit_flows`` from the flow tables when it is empty and they are not; True if done."""
    if conn.execute(sa.select(unit_flows.c.period).limit(1)).first() is not None:
        return False
    if conn.execute(sa.select(flows.c.period).limit(1)).first() is None:
        return False
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
    return True
