"""Reads of the flow marts (``flows``: county pairs, wide by cohort; ``flows_rollup``: prefecture,
province and region pairs, long) in one long shape at every level.

Scope: county and prefecture rows only when both ends lie inside the scope; province and region
rows when at least one end does (``etl.marts`` has the rules).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

import pandas as pd
import sqlalchemy as sa

from etl.indicators import small_cell
from etl.marts.common import check_cohort, flag_small, read_frame, threshold, typed
from etl.marts.scoping import inside, where
from etl.records import COHORTS
from etl.scope import Scope
from etl.store.row_security import scoped
from etl.store.schema import flows, flows_rollup

FLOW_LEVELS = ("county", "prefecture", "province", "region")
FLOW_COLUMNS = (
    "period", "level", "origin_code", "destination_code", "cohort", "persons", "is_within",
    "small_cell",
)  # fmt: skip
"""The long shape of every flow read; county rows also carry ``is_inter_province`` (after
``is_within``): their two counties are in different provinces."""
COUNTY_COLUMNS = (*FLOW_COLUMNS[:-1], "is_inter_province", "small_cell")
PAIR_COLUMNS = ("origin_code", "destination_code", "persons", "is_within", "small_cell")
"""The lean shape of one period, cohort and level (``read_pairs``)."""


def read_flows(
    engine: sa.Engine | sa.Connection,
    period: str | None = None,
    cohort: str | None = "all",
    level: str = "county",
    *,
    scope: Scope,
) -> pd.DataFrame:
    """Flows of one period (None: every period) and cohort (None: every cohort) at ``level``, in
    ``FLOW_COLUMNS`` (with ``is_inter_province`` at county level), largest first in each period.

    Zero counts are not rows; ``is_within``: origin and destination are the same unit (at county
    level the diagonal), never to be added to between-unit totals.
    """
    check_cohort(cohort)
    _check_level(level)
    if level == "county":
        long = _county_long(period, cohort, scope)
        query = sa.select(long).order_by(
            long.c.period, long.c.persons.desc(), long.c.origin_code, long.c.destination_code,
            long.c.cohort_order,
        )  # fmt: skip
        with scoped(engine, scope) as conn:
            data = flag_small(pd.read_sql_query(query, conn), "persons", conn)
        data = data.drop(columns="cohort_order")
        data.insert(1, "level", "county")
        return typed(data[list(COUNTY_COLUMNS)], ("persons",))
    t = flows_rollup
    query = sa.select(*[t.c[name] for name in FLOW_COLUMNS]).where(
        t.c.level == level, *_rollup_scope(level, scope)
    )
    if period is not None:
        query = query.where(t.c.period == period)
    if cohort is not None:
        query = query.where(t.c.cohort == cohort)
    query = query.order_by(
        t.c.period, t.c.persons.desc(), t.c.origin_code, t.c.destination_code, t.c.cohort
    )
    with scoped(engine, scope) as conn:
        return typed(pd.read_sql_query(query, conn), ("persons",))


def read_pairs(
    engine: sa.Engine | sa.Connection,
    period: str,
    cohort: str = "all",
    level: str = "county",
    *,
    scope: Scope,
    touching: Collection[str] | None = None,
) -> pd.DataFrame:
    """The flows of one period, cohort and level in ``PAIR_COLUMNS``, unordered: the lean read
    behind the flows page (about 1 s for a period of a 56 M-record store, where ``read_flows``
    takes nearly 2). ``touching``: only flows with an end among these codes."""
    check_cohort(cohort)
    _check_level(level)
    if level == "county":
        persons = flows.c[f"persons_{cohort}"]
        ends = (flows.c.hukou_code, flows.c.residence_code)
        query = sa.select(
            flows.c.hukou_code.label("origin_code"),
            flows.c.residence_code.label("destination_code"),
            persons.label("persons"),
            flows.c.is_diagonal.label("is_within"),
        ).where(flows.c.period == period, persons > 0, *_county_scope(scope))
    else:
        t = flows_rollup
        ends = (t.c.origin_code, t.c.destination_code)
        query = sa.select(t.c.origin_code, t.c.destination_code, t.c.persons, t.c.is_within).where(
            t.c.period == period, t.c.level == level, t.c.cohort == cohort,
            *_rollup_scope(level, scope),
        )  # fmt: skip
    if touching is not None:
        codes = list(touching)
        query = query.where(sa.or_(ends[0].in_(codes), ends[1].in_(codes)))
    with scoped(engine, scope) as conn:
        data = flag_small(read_frame(query, conn), "persons", conn)
    return typed(data, ("persons",))


def stream_flows(
    engine: sa.Engine, *, scope: Scope, rows: int = 50_000
) -> Iterator[pd.DataFrame]:
    """Every county flow of every period and cohort in ``FLOW_COLUMNS`` (and
    ``is_inter_province``), ordered by period, origin, destination and cohort, ``rows`` at a time
    (the county table of a national store does not fit in memory)."""
    long = _county_long(None, None, scope)
    query = sa.select(long).order_by(
        long.c.period, long.c.origin_code, long.c.destination_code, long.c.cohort_order
    )
    with scoped(engine, scope) as conn:
        under = threshold(conn)
        result = conn.execution_options(stream_results=True, yield_per=rows).execute(query)
        for part in result.partitions():
            data = pd.DataFrame(part, columns=list(result.keys())).drop(columns="cohort_order")
            data.insert(1, "level", "county")
            data["small_cell"] = small_cell(data["persons"], under)
            yield typed(data[list(COUNTY_COLUMNS)], ("persons",))


def _county_long(period: str | None, cohort: str | None, scope: Scope) -> sa.Subquery:
    """The wide ``flows`` table as long rows (one per cohort with persons > 0)."""
    parts = []
    for name in COHORTS if cohort is None else (cohort,):
        column = flows.c[f"persons_{name}"]
        part = sa.select(
            flows.c.period,
            flows.c.hukou_code.label("origin_code"),
            flows.c.residence_code.label("destination_code"),
            sa.literal(name, sa.String(24)).label("cohort"),
            sa.literal(COHORTS.index(name)).label("cohort_order"),
            column.label("persons"),
            flows.c.is_diagonal.label("is_within"),
            flows.c.is_inter_province,
        ).where(column > 0, *_county_scope(scope))
        if period is not None:
            part = part.where(flows.c.period == period)
        parts.append(part)
    return sa.union_all(*parts).subquery("county_flows")


def _county_scope(scope: Scope) -> list[sa.ColumnElement[bool]]:
    """Both counties inside the scope."""
    return where(
        inside(flows.c.hukou_code, "county", scope), inside(flows.c.residence_code, "county", scope)
    )


def _rollup_scope(level: str, scope: Scope) -> list[sa.ColumnElement[bool]]:
    """Both ends inside the scope (prefecture), or at least one (province, region)."""
    t = flows_rollup
    origin = inside(t.c.origin_code, level, scope)
    destination = inside(t.c.destination_code, level, scope)
    if origin is None or destination is None:
        return []
    return [sa.and_(origin, destination) if level == "prefecture" else sa.or_(origin, destination)]


def _check_level(level: str) -> None:
    if level not in FLOW_LEVELS:
        raise ValueError(f"unknown level {level!r}; one of {', '.join(FLOW_LEVELS)}")
