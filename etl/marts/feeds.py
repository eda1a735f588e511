"""Reads of the departmental feeds and the records' events: whole-number numerators and
denominators per unit, department, item and measure, never ratios (docs/feeds.md).

Long shape of ``read_feed_rates`` (``FEED_RATE_COLUMNS``): ``period, level, unit_code,
department, item, measure, numerator, denominator, target_bp, small_cell``:

- ``on_time``: submissions received by their due date / submissions expected (every county
  owing reports in the period, ``feed_expected``, for each department); item ``""``;
- ``zero``: zero submissions / submissions received; item ``""``; no target;
- ``match``: reported items whose ``count`` equals the records' count of the same event
  (``record_events``) / items with both; per item;
- ``checked``: sum of ``count_checked`` / sum of ``count``, per item with a rate.

``target_bp``: the target of seed 002 (``etl.feeds.targets``), NA where the seed sets none.
``small_cell``: the denominator counts persons (``checked``: cases handled) and is under the
store's threshold; counts of reports (``on_time``, ``zero``, ``match``) are no persons and are
never small cells. ``suppressed_rates`` blanks small cells for a table that leaves the system.

County rows are summed to prefecture, province and region (``other``: provinces of no region; a
province in two regions counts in both). Scope: only units inside it (``etl.marts.scoping``);
``region``: only counties of that collaboration region (a filter, within the scope).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from etl.disclosure import Margins, suppress
from etl.feeds.format import DEPARTMENT_BY_CODE, ITEMS
from etl.feeds.targets import MEASURES, target_bp
from etl.indicators import small_cell
from etl.marts.common import threshold
from etl.marts.scoping import inside, where
from etl.scope import Scope
from etl.store.row_security import scoped
from etl.store.schema import (
    OTHER_REGION,
    feed_expected,
    feed_reports,
    record_events,
    region_members,
    units,
)

FEED_LEVELS = ("county", "prefecture", "province", "region")
FEED_RATE_COLUMNS = (
    "period", "level", "unit_code", "department", "item", "measure", "numerator", "denominator",
    "target_bp", "small_cell",
)  # fmt: skip
SUBMISSION_COLUMNS = (
    "period", "department", "county_code", "due_date", "received", "on_time", "zero", "n_items",
    "submitted_at",
)  # fmt: skip
EVENT_COLUMNS = ("period", "county_code", "event", "persons")
COUNT_COLUMNS = ("period", "department", "county_code", "item", "count")
PERSON_MEASURES = frozenset({"checked"})
"""Measures whose denominator counts persons (small cells apply)."""


def read_feed_rates(
    engine: sa.Engine | sa.Connection,
    period: str | None = None,
    department: str | None = None,
    level: str = "county",
    *,
    scope: Scope,
    region: str | None = None,
    measure: str | None = None,
) -> pd.DataFrame:
    """Every feed measure per unit of ``level`` in ``FEED_RATE_COLUMNS`` (see the module
    docstring), for one period, department, region and measure (None: all), by period,
    department, item, measure and unit code."""
    if level not in FEED_LEVELS:
        raise ValueError(f"unknown level {level!r}; one of {', '.join(FEED_LEVELS)}")
    if department is not None and department not in DEPARTMENT_BY_CODE:
        raise ValueError(f"unknown department {department!r}; one of {', '.join(DEPARTMENT_BY_CODE)}")
    if measure is not None and measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; one of {', '.join(MEASURES)}")
    wanted = MEASURES if measure is None else (measure,)
    parts = []
    with scoped(engine, scope) as conn:
        under = threshold(conn)
        for name in wanted:
            # regions are summed from provinces: one join of a few hundred rows, not of every row
            inner = "province" if level == "region" else level
            query = _MEASURE_QUERIES[name](period, department, inner, scope, region)
            if query is not None:
                parts.append(pd.read_sql_query(_to_regions(query, scope) if level == "region" else query, conn))
    frames = [p for p in parts if len(p)]
    data = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["period", "unit_code", "department", "item", "measure",
                                   "numerator", "denominator"])  # fmt: skip
    )
    data.insert(1, "level", level)
    for name in ("numerator", "denominator"):
        data[name] = pd.to_numeric(data[name]).fillna(0).astype("int64")
    data["unit_code"] = data["unit_code"].astype(str)
    data["item"] = data["item"].fillna("").astype(str)
    kinds = data[["department", "measure", "item"]].drop_duplicates()
    kinds["target_bp"] = pd.array(
        [target_bp(d, m, i or None) for d, m, i in kinds.itertuples(index=False)], dtype="Int64"
    )
    data = data.merge(kinds, on=["department", "measure", "item"], how="left")
    persons = data["measure"].isin(PERSON_MEASURES).to_numpy(dtype=bool)
    data["small_cell"] = persons & small_cell(data["denominator"].to_numpy(), under)
    order = {m: i for i, m in enumerate(MEASURES)}
    data = data.assign(_m=data["measure"].map(order)).sort_values(
        ["period", "department", "item", "_m", "unit_code"], ignore_index=True
    )
    return data[list(FEED_RATE_COLUMNS)]


ALL_DEPARTMENTS = "all"


def departments_summed(data: pd.DataFrame) -> pd.DataFrame:
    """``read_feed_rates`` rows of the submission measures (``on_time``, ``zero``) summed over
    the departments of each period and unit: department ``"all"``, no target (the seed sets
    targets per department); ``small_cell`` stays false (reports, not persons)."""
    keys = ["period", "level", "unit_code", "item", "measure"]
    part = data[data["measure"].isin(("on_time", "zero"))]
    summed = part.groupby(keys, sort=True, as_index=False)[["numerator", "denominator"]].sum()
    summed.insert(3, "department", ALL_DEPARTMENTS)
    summed["target_bp"] = pd.array([pd.NA] * len(summed), dtype="Int64")
    summed["small_cell"] = False
    return summed[list(FEED_RATE_COLUMNS)]


def suppressed_rates(data: pd.DataFrame) -> pd.DataFrame:
    """``read_feed_rates`` rows as they may leave the system: numerator and denominator blank
    where ``small_cell``, and where the total of a period, department, item and measure over the
    table's units (a published margin) would give one away (``etl.disclosure``)."""
    margins = Margins("denominator", (("period", "department", "item", "measure"),))
    return suppress(data, ["numerator", "denominator"], data["small_cell"], margins)


def read_feed_submissions(
    engine: sa.Engine | sa.Connection,
    period: str | None = None,
    department: str | None = None,
    *,
    scope: Scope,
    region: str | None = None,
    received: bool | None = None,
    on_time: bool | None = None,
) -> pd.DataFrame:
    """Each county's expected submissions in ``SUBMISSION_COLUMNS`` (who reported on time, who
    late, who not at all: ``received`` false), by period, department and county."""
    e, r = feed_expected, feed_reports
    departments = _departments() if department is None else _departments((department,))
    sent = (
        sa.select(
            r.c.period, r.c.department, r.c.county_code,
            sa.func.count().label("n_items"), sa.func.max(r.c.submitted_at).label("submitted_at"),
            sa.func.max(sa.case((r.c.on_time, 1), else_=0)).label("on_time"),
            sa.func.max(sa.case((r.c.zero, 1), else_=0)).label("zero"),
        )
        .where(*[c == v for c, v in ((r.c.period, period), (r.c.department, department)) if v is not None])
        .group_by(r.c.period, r.c.department, r.c.county_code)
        .subquery()
    )  # fmt: skip
    filters = _county_filters(e.c.county_code, scope, region)
    if period is not None:
        filters.append(e.c.period == period)
    got = sent.c.n_items.is_not(None)
    if received is not None:
        filters.append(got if received else ~got)
    if on_time is not None:
        filters.append(sa.func.coalesce(sent.c.on_time, 0) == int(on_time))
    query = (
        sa.select(
            e.c.period, departments.c.department, e.c.county_code, e.c.due_date,
            sa.case((got, 1), else_=0).label("received"),
            sa.func.coalesce(sent.c.on_time, 0).label("on_time"),
            sa.func.coalesce(sent.c.zero, 0).label("zero"),
            sa.func.coalesce(sent.c.n_items, 0).label("n_items"), sent.c.submitted_at,
        )
        .select_from(
            e.join(departments, sa.true()).outerjoin(
                sent,
                sa.and_(sent.c.period == e.c.period, sent.c.county_code == e.c.county_code,
                        sent.c.department == departments.c.department),
            )
        )
        .where(*filters)
        .order_by(e.c.period, departments.c.department, e.c.county_code)
    )  # fmt: skip
    with scoped(engine, scope) as conn:
        data = pd.read_sql_query(query, conn)
    for name in ("received", "on_time", "zero"):
        data[name] = data[name].astype(bool)
    data["n_items"] = data["n_items"].astype("int64")
    data["due_date"] = pd.to_datetime(data["due_date"]).dt.date
    data["submitted_at"] = pd.to_datetime(data["submitted_at"])
    return data[list(SUBMISSION_COLUMNS)]


def read_record_events(
    engine: sa.Engine | sa.Connection,
    period: str | None = None,
    event: str | None = None,
    *,
    scope: Scope,
) -> pd.DataFrame:
    """The records' own events per county (``EVENT_COLUMNS``): persons, whole numbers."""
    t = record_events
    filters = where(inside(t.c.county_code, "county", scope))
    filters += [c == v for c, v in ((t.c.period, period), (t.c.event, event)) if v is not None]
    query = sa.select(*[t.c[n] for n in EVENT_COLUMNS]).where(*filters).order_by(
        t.c.period, t.c.event, t.c.county_code
    )
    with scoped(engine, scope) as conn:
        data = pd.read_sql_query(query, conn)
    data["persons"] = data["persons"].astype("int64")
    return data


def read_feed_counts(
    engine: sa.Engine | sa.Connection,
    period: str | None = None,
    department: str | None = None,
    item: str | None = None,
    *,
    scope: Scope,
) -> pd.DataFrame:
    """Each county's reported ``count`` per department and item (``COUNT_COLUMNS``): persons or
    cases as the department sent them, whole numbers, by period, department, item and county."""
    t = feed_reports
    filters = where(inside(t.c.county_code, "county", scope))
    pairs = ((t.c.period, period), (t.c.department, department), (t.c.item, item))
    filters += [c == v for c, v in pairs if v is not None]
    query = sa.select(*[t.c[n] for n in COUNT_COLUMNS]).where(*filters).order_by(
        t.c.period, t.c.department, t.c.item, t.c.county_code
    )
    with scoped(engine, scope) as conn:
        data = pd.read_sql_query(query, conn)
    data["count"] = data["count"].astype("int64")
    return data[list(COUNT_COLUMNS)]


# --- queries ------------------------------------------------------------------------------------


def _county_filters(
    county: sa.ColumnElement, scope: Scope, region: str | None
) -> list[sa.ColumnElement[bool]]:
    filters = where(inside(county, "county", scope))
    if region is not None:
        filters.append(inside(county, "county", Scope("region", region)))  # type: ignore[arg-type]
    return filters


def _unit(
    table: sa.Table, level: str
) -> tuple[sa.FromClause, sa.ColumnElement]:
    """``table`` joined to the hierarchy as ``level`` needs, and the unit code column."""
    if level == "county":
        return table, table.c.county_code
    source: sa.FromClause = table.join(units, units.c.county_code == table.c.county_code)
    if level != "region":
        return source, units.c[f"{level}_code"]
    source = source.outerjoin(region_members, region_members.c.province_code == units.c.province_code)
    return source, sa.func.coalesce(region_members.c.region_code, OTHER_REGION)


def _count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement:
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _grouped(
    table: sa.Table,
    level: str,
    scope: Scope,
    region: str | None,
    period: str | None,
    department: str | None,
    item: sa.ColumnElement,
    measure: str,
    numerator: sa.ColumnElement,
    denominator: sa.ColumnElement,
    extra: list[sa.ColumnElement[bool]] | None = None,
    join: tuple[sa.Table, sa.ColumnElement[bool]] | None = None,
) -> sa.Select:
    source, code = _unit(table, level)
    if join is not None:
        source = source.join(*join)
    filters = where(inside(code, level, scope)) + _county_filters(table.c.county_code, Scope(), region)
    filters += [c == v for c, v in ((table.c.period, period), (table.c.department, department)) if v is not None]
    filters += extra or []
    keys = [table.c.period, code, table.c.department]
    if isinstance(item, sa.Column):
        keys.append(item)
    return (
        sa.select(
            table.c.period, code.label("unit_code"), table.c.department, item.label("item"),
            sa.literal_column(f"'{measure}'").label("measure"), numerator.label("numerator"),
            denominator.label("denominator"),
        )
        .select_from(source)
        .where(*filters)
        .group_by(*keys)
    )  # fmt: skip


def _departments(codes: tuple[str, ...] | None = None) -> sa.Subquery:
    """The departments (``department``) as a table of literal rows (SQLite has no VALUES
    table with column names)."""
    wanted = codes or tuple(DEPARTMENT_BY_CODE)
    rows = [sa.select(sa.literal(code, sa.String(16)).label("department")) for code in wanted]
    return sa.union_all(*rows).subquery("departments")


def _to_regions(query: sa.Select, scope: Scope) -> sa.Select:
    """A province-level measure query summed to collaboration regions (a province in two regions
    counts in both; provinces of no region form ``other``), only regions inside ``scope``."""
    sub = query.subquery()
    code = sa.func.coalesce(region_members.c.region_code, OTHER_REGION)
    keys = (sub.c.period, code, sub.c.department, sub.c.item, sub.c.measure)
    return (
        sa.select(*keys[:1], code.label("unit_code"), *keys[2:],
                  sa.func.sum(sub.c.numerator).label("numerator"),
                  sa.func.sum(sub.c.denominator).label("denominator"))
        .select_from(sub.outerjoin(region_members, region_members.c.province_code == sub.c.unit_code))
        .where(*where(inside(code, "region", scope)))
        .group_by(*keys)
    )  # fmt: skip


def _on_time(period, department, level, scope, region):  # noqa: ANN001, ANN202
    """Submissions on time per submissions expected: the expected county-periods of each unit x
    each department, with the on-time submissions (head rows) counted beside them."""
    r, e = feed_reports, feed_expected
    done = _grouped(r, level, scope, region, period, department, sa.literal_column("''"),
                    "on_time", _count(r.c.on_time), sa.func.count(),
                    extra=[r.c.is_head]).subquery()  # fmt: skip
    source, code = _unit(e, level)
    departments = _departments() if department is None else _departments((department,))
    filters = where(inside(code, level, scope)) + _county_filters(e.c.county_code, Scope(), region)
    if period is not None:
        filters.append(e.c.period == period)
    owed = (
        sa.select(e.c.period, code.label("unit_code"), departments.c.department,
                  sa.func.count().label("denominator"))
        .select_from(source.join(departments, sa.true()))
        .where(*filters)
        .group_by(e.c.period, code, departments.c.department)
        .subquery()
    )  # fmt: skip
    on = sa.and_(done.c.period == owed.c.period, done.c.unit_code == owed.c.unit_code,
                 done.c.department == owed.c.department)  # fmt: skip
    return sa.select(
        owed.c.period, owed.c.unit_code, owed.c.department, sa.literal_column("''").label("item"),
        sa.literal_column("'on_time'").label("measure"),
        sa.func.coalesce(done.c.numerator, 0).label("numerator"), owed.c.denominator,
    ).select_from(owed.outerjoin(done, on))  # fmt: skip


def _zero(period, department, level, scope, region):  # noqa: ANN001, ANN202
    r = feed_reports
    return _grouped(r, level, scope, region, period, department, sa.literal_column("''"), "zero",
                    _count(r.c.zero), sa.func.count(), extra=[r.c.is_head])  # fmt: skip


def _match(period, department, level, scope, region):  # noqa: ANN001, ANN202
    r, e = feed_reports, record_events
    compared = [(i.department, i.code, i.record_event) for i in ITEMS if i.record_event]
    if not compared:
        return None
    pairs = sa.or_(*[
        sa.and_(r.c.department == d, r.c.item == code, e.c.event == event)
        for d, code, event in compared
    ])  # fmt: skip
    on = sa.and_(e.c.period == r.c.period, e.c.county_code == r.c.county_code, pairs)
    return _grouped(r, level, scope, region, period, department, r.c.item, "match",
                    _count(r.c.count == e.c.persons), sa.func.count(), join=(e, on))  # fmt: skip


def _checked(period, department, level, scope, region):  # noqa: ANN001, ANN202
    r = feed_reports
    return _grouped(r, level, scope, region, period, department, r.c.item, "checked",
                    sa.func.sum(r.c.count_checked), sa.func.sum(r.c.count),
                    extra=[r.c.count_checked.is_not(None)])  # fmt: skip


_MEASURE_QUERIES = {"on_time": _on_time, "zero": _zero, "match": _match, "checked": _checked}
