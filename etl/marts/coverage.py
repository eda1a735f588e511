"""Reads of the coverage and assessment marts: numerators and denominators per unit, never ratios
(``etl.indicators`` computes those).

Coverage is stored per county; a prefecture, province or region row sums its counties (a province
in two regions counts in both; provinces of no region form ``other``). Scope: only units inside it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

import pandas as pd
import sqlalchemy as sa

from etl.indicators import INDICATOR_BY_FLAG, small_cell
from etl.marts.common import flag_small, read_frame, threshold, typed
from etl.marts.scoping import inside, where
from etl.scope import Scope
from etl.store.row_security import scoped
from etl.store.schema import OTHER_REGION, assessment, coverage, region_members, units

COVERAGE_LEVELS = ("county", "prefecture", "province", "region")
COVERAGE_COLUMNS = (
    "period", "level", "unit_code", "side", "indicator", "numerator", "denominator", "small_cell",
)  # fmt: skip
"""The long shape of a coverage read; ``small_cell``: the denominator is under the threshold."""
SUM_COLUMNS = ("period", "side", "indicator", "numerator", "denominator", "small_cell")
"""A set of counties' coverage summed (``coverage_sums``)."""
ASSESSMENT_COLUMNS = (
    "period", "county_code", "role", "n_indicators", "n_at_target", "score", "small_cell",
)  # fmt: skip
_COUNTS = ("numerator", "denominator")


def read_coverage(
    engine: sa.Engine | sa.Connection,
    period: str | None = None,
    indicator: str | None = None,
    level: str = "county",
    *,
    scope: Scope,
    side: str | None = None,
) -> pd.DataFrame:
    """Indicators' numerators and denominators per unit of ``level`` in ``COVERAGE_COLUMNS``,
    for one period and indicator (None: all), by period, indicator and unit code."""
    if level not in COVERAGE_LEVELS:
        raise ValueError(f"unknown level {level!r}; one of {', '.join(COVERAGE_LEVELS)}")
    if indicator is not None and indicator not in INDICATOR_BY_FLAG:
        raise ValueError(f"unknown indicator {indicator!r}; one of {', '.join(INDICATOR_BY_FLAG)}")
    c = coverage
    source: sa.FromClause = c
    if level == "county":
        code: sa.ColumnElement = c.c.county_code
    else:
        source = c.join(units, units.c.county_code == c.c.county_code)
        if level != "region":
            code = units.c[f"{level}_code"]
        else:
            source = source.outerjoin(
                region_members, region_members.c.province_code == units.c.province_code
            )
            code = sa.func.coalesce(region_members.c.region_code, OTHER_REGION)
    filters = where(inside(code, level, scope))
    filters += [column == value for column, value in (
        (c.c.period, period), (c.c.indicator, indicator), (c.c.side, side)) if value is not None
    ]  # fmt: skip
    keys = (c.c.period, code.label("unit_code"), c.c.side, c.c.indicator)
    query = (
        sa.select(*keys, sa.func.sum(c.c.numerator).label("numerator"),
                  sa.func.sum(c.c.denominator).label("denominator"))
        .select_from(source)
        .where(*filters)
        .group_by(*keys[:1], code, *keys[2:])
        .order_by(c.c.period, c.c.indicator, code)
    )  # fmt: skip
    with scoped(engine, scope) as conn:
        data = flag_small(read_frame(query, conn), "denominator", conn)
    data.insert(1, "level", level)
    return typed(data[list(COVERAGE_COLUMNS)], _COUNTS)


def coverage_sums(
    engine: sa.Engine | sa.Connection,
    period: str | None = None,
    *,
    scope: Scope,
    counties: Collection[str] | None = None,
) -> pd.DataFrame:
    """Every indicator summed over the scope's counties (or those of them among ``counties``),
    per period and side, in ``SUM_COLUMNS``; an indicator without records is not a row."""
    c = coverage
    filters = where(inside(c.c.county_code, "county", scope))
    if counties is not None:
        filters.append(c.c.county_code.in_(list(counties)))
    if period is not None:
        filters.append(c.c.period == period)
    keys = (c.c.period, c.c.side, c.c.indicator)
    query = (
        sa.select(*keys, sa.func.sum(c.c.numerator).label("numerator"),
                  sa.func.sum(c.c.denominator).label("denominator"))
        .where(*filters)
        .group_by(*keys)
        .order_by(*keys)
    )  # fmt: skip
    with scoped(engine, scope) as conn:
        data = flag_small(read_frame(query, conn), "denominator", conn)
    return typed(data, _COUNTS)


def stream_coverage(
    engine: sa.Engine, *, scope: Scope, rows: int = 50_000
) -> Iterator[pd.DataFrame]:
    """Every county's coverage in ``COVERAGE_COLUMNS``, by period, county, side and indicator,
    ``rows`` at a time."""
    c = coverage
    query = (
        sa.select(c.c.period, c.c.county_code.label("unit_code"), c.c.side, c.c.indicator,
                  c.c.numerator, c.c.denominator)
        .where(*where(inside(c.c.county_code, "county", scope)))
        .order_by(c.c.period, c.c.county_code, c.c.side, c.c.indicator)
    )  # fmt: skip
    with scoped(engine, scope) as conn:
        under = threshold(conn)
        result = conn.execution_options(stream_results=True, yield_per=rows).execute(query)
        for part in result.partitions():
            data = pd.DataFrame(part, columns=list(result.keys()))
            data.insert(1, "level", "county")
            data["small_cell"] = small_cell(data["denominator"], under)
            yield typed(data[list(COVERAGE_COLUMNS)], _COUNTS)


def read_assessment(
    engine: sa.Engine | sa.Connection,
    period: str | None = None,
    role: str | None = None,
    *,
    scope: Scope,
    county: str | None = None,
) -> pd.DataFrame:
    """Two-way assessment of the counties inside the scope (or of ``county``), in
    ``ASSESSMENT_COLUMNS``, by period, role and county."""
    t = assessment
    filters = where(inside(t.c.county_code, "county", scope))
    filters += [column == value for column, value in (
        (t.c.period, period), (t.c.role, role), (t.c.county_code, county)) if value is not None
    ]  # fmt: skip
    query = (
        sa.select(*[t.c[name] for name in ASSESSMENT_COLUMNS])
        .where(*filters)
        .order_by(t.c.period, t.c.role, t.c.county_code)
    )
    with scoped(engine, scope) as conn:
        data = read_frame(query, conn)
    return typed(data, ("n_indicators", "n_at_target"))
