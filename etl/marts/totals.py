"""Reads of the totals marts: each unit's flows (``unit_flows``) and each period's persons.

Scope: a unit's row only when the unit lies inside the scope; a period's totals are those of the
scope's own units (see ``read_period_totals``).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from etl.marts.common import periods, read_frame, typed
from etl.marts.scoping import inside, where
from etl.scope import Scope
from etl.store.row_security import scoped
from etl.store.schema import period_totals, unit_flows

UNIT_FLOW_LEVELS = ("county", "prefecture", "province")
UNIT_FLOW_COLUMNS = ("period", "level", "unit_code", "inflow", "outflow", "within")
"""Persons (cohort all) into the unit from the other units of its level, out of it to them, and
within it (a county's within: its intra-county movers), per period."""
PERIOD_COLUMNS = ("period", "persons", "between", "inter_province")
_FLOWS = ("inflow", "outflow", "within")


def read_unit_flows(
    engine: sa.Engine | sa.Connection,
    level: str,
    code: str | None = None,
    *,
    scope: Scope,
    period: str | None = None,
) -> pd.DataFrame:
    """``UNIT_FLOW_COLUMNS`` of every unit of ``level`` inside the scope (or of the unit
    ``code``), in every period with flows (or ``period``), by period and code."""
    if level not in UNIT_FLOW_LEVELS:
        raise ValueError(f"unknown level {level!r}; one of {', '.join(UNIT_FLOW_LEVELS)}")
    t = unit_flows
    filters = [t.c.level == level, *where(inside(t.c.code, level, scope))]
    if code is not None:
        filters.append(t.c.code == code)
    if period is not None:
        filters.append(t.c.period == period)
    query = (
        sa.select(t.c.period, t.c.level, t.c.code.label("unit_code"), *[t.c[n] for n in _FLOWS])
        .where(*filters)
        .order_by(t.c.period, t.c.code)
    )
    with scoped(engine, scope) as conn:
        return typed(read_frame(query, conn), _FLOWS)


def read_period_totals(engine: sa.Engine | sa.Connection, *, scope: Scope) -> pd.DataFrame:
    """Every period's ``persons`` (floating persons living in the scope: every record for the
    nation), ``between`` (those of them registered in another county) and ``inter_province``
    (those living in the scope's provinces registered in another province; 0 for a prefecture
    scope, which holds no whole province), in ``PERIOD_COLUMNS``.

    For the nation ``persons`` is the stored count of the period's records, ``between`` every
    between-county flow and ``inter_province`` every inter-province one.
    """
    t = unit_flows

    def summed(level: str, columns: tuple[str, ...]) -> pd.DataFrame:
        query = (
            sa.select(t.c.period, *[sa.func.sum(t.c[n]).label(n) for n in columns])
            .where(t.c.level == level, *where(inside(t.c.code, level, scope)))
            .group_by(t.c.period)
        )
        return pd.read_sql_query(query, conn).set_index("period")

    with scoped(engine, scope) as conn:
        every = pd.Index(periods(conn, scope=scope), name="period")
        county = summed("county", ("inflow", "within")).reindex(every, fill_value=0)
        province = summed("province", ("inflow",)).reindex(every, fill_value=0)
        if scope.is_nation:
            stored = sa.select(period_totals.c.period, period_totals.c.persons)
            persons = pd.read_sql_query(stored, conn).set_index("period")["persons"]
        else:
            persons = county["inflow"] + county["within"]
    data = pd.DataFrame(
        {
            "persons": persons.reindex(every, fill_value=0),
            "between": county["inflow"],
            "inter_province": province["inflow"],
        },
        index=every,
    ).reset_index()
    return typed(data, PERIOD_COLUMNS[1:])
