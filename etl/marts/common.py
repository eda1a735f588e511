"""What every mart read shares: the periods, the small-cell threshold (read here and nowhere
else), the hierarchy of a scope, and typing of the frames read."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from etl.indicators import small_cell
from etl.marts.scoping import inside, where
from etl.records import COHORTS
from etl.scope import Scope
from etl.store.row_security import scoped
from etl.store.schema import period_totals, region_members, regions, store_meta, units

DEFAULT_THRESHOLD = 0
"""The threshold of a store that records none (nothing is a small cell)."""


def periods(engine: sa.Engine | sa.Connection, *, scope: Scope) -> list[str]:
    """Periods with aggregates, oldest first (the same for every scope)."""
    with scoped(engine, scope) as conn:
        query = sa.select(period_totals.c.period).order_by(period_totals.c.period)
        return list(conn.execute(query).scalars())


def small_cell_threshold(engine: sa.Engine | sa.Connection, *, scope: Scope) -> int:
    """Counts under this are small cells: the threshold the store's marts were built with
    (``store_meta``; the same for every scope)."""
    with scoped(engine, scope) as conn:
        return threshold(conn)


def threshold(conn: sa.Connection) -> int:
    """The one read of the threshold from the store's metadata."""
    query = sa.select(store_meta.c.value).where(store_meta.c.key == "small_cell_threshold")
    value = conn.execute(query).scalar()
    return int(value) if value is not None else DEFAULT_THRESHOLD


def flag_small(data: pd.DataFrame, count: str, conn: sa.Connection) -> pd.DataFrame:
    """``data`` with ``small_cell`` set from its ``count`` column and the store's threshold."""
    data["small_cell"] = small_cell(data[count], threshold(conn)).astype(bool)
    return data


def read_frame(query: sa.Select, conn: sa.Connection) -> pd.DataFrame:
    """``pd.read_sql_query(query, conn)`` without SQLAlchemy's per-row result processing (a
    period's 420 k county pairs: 0.57 s instead of 1.28 s on SQLite, 0.43 s instead of 0.96 s on
    PostgreSQL): the statement compiled for the connection's dialect runs on its DBAPI cursor, in
    the same transaction (PostgreSQL's row-security settings of ``scoped`` hold), and the rows
    become columns with pandas' own inference. Boolean columns come back as bool (SQLite stores
    them as integers). For the marts' reads of codes, counts and flags: values that need
    SQLAlchemy's type processing (dates on SQLite) are read with ``pd.read_sql_query``."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    if conn.dialect.positional:
        params = tuple(params[name] for name in compiled.positiontup or ())
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    finally:
        cursor.close()
    data = pd.DataFrame.from_records(rows, columns=names, coerce_float=True)
    for column in query.selected_columns:
        if isinstance(column.type, sa.Boolean) and column.name in data:
            data[column.name] = data[column.name].astype(bool)
    return data


def read_units(engine: sa.Engine | sa.Connection, *, scope: Scope) -> pd.DataFrame:
    """The hierarchy of the counties inside ``scope``: ``county_code, county_name,
    prefecture_code, prefecture_name, province_code, province_name``, by county code."""
    query = sa.select(units).where(*where(inside(units.c.county_code, "county", scope)))
    with scoped(engine, scope) as conn:
        return pd.read_sql_query(query.order_by(units.c.county_code), conn)


def read_region_members(engine: sa.Engine | sa.Connection, *, scope: Scope) -> pd.DataFrame:
    """``region_code, province_code``: the member provinces of the collaboration regions, where
    both the region and the province lie inside ``scope`` (a province may sit in two regions;
    provinces of no region are not rows)."""
    t = region_members
    query = sa.select(t.c.region_code, t.c.province_code).where(
        *where(inside(t.c.province_code, "province", scope), inside(t.c.region_code, "region", scope))
    )
    with scoped(engine, scope) as conn:
        return pd.read_sql_query(query.order_by(t.c.region_code, t.c.province_code), conn)


def read_regions(engine: sa.Engine | sa.Connection, *, scope: Scope) -> pd.DataFrame:
    """``region_code, name_zh, name_en`` of every collaboration region (names are public: the
    same for every scope), by code."""
    query = sa.select(regions.c.region_code, regions.c.name_zh, regions.c.name_en)
    with scoped(engine, scope) as conn:
        return pd.read_sql_query(query.order_by(regions.c.region_code), conn)


def check_cohort(cohort: str | None) -> None:
    if cohort is not None and cohort not in COHORTS:
        raise ValueError(f"unknown cohort {cohort!r}; one of {', '.join(COHORTS)}")


def typed(data: pd.DataFrame, counts: tuple[str, ...] = ()) -> pd.DataFrame:
    """Flags as bool and ``counts`` as int64 (databases return them as they store them)."""
    for name in ("is_within", "is_inter_province", "small_cell"):
        if name in data:
            data[name] = data[name].astype(bool)
    for name in counts:
        if name in data:
            data[name] = data[name].astype("int64")
    return data
