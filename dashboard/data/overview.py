"""Measures for the overview map and headlines, per unit (county, prefecture, province) and period.

Measures (``MEASURES``):
- ``inflow`` / ``outflow``: floating persons (cohort ``all``) living in / registered in the unit,
  between units only (the diagonal or *within* flows are never part of them); ``net`` = in - out;
- ``inflow_per_1000``: inflow per 1,000 residents (2010 census resident population of the unit);
- each coverage indicator (its flag name): rate = numerator / denominator on the indicator's side;
- ``census2020_inter_share`` / ``census2010_inter_share``: the census share of residents registered
  in another province (省外 人户分离人口 / 常住人口), the same in every period.

A value whose count (inflow or outflow persons, or the indicator's denominator) is under the
store's small-cell threshold is *suppressed*: shown as such, never as a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import sqlalchemy as sa

from dashboard.data import geo
from dashboard.data.store import cached
from etl import store
from etl.records import INDICATOR_BY_FLAG, INDICATORS
from geodata import census

LEVELS = ("province", "prefecture", "county")
FLOW_MEASURES = ("inflow", "outflow", "net", "inflow_per_1000")
CENSUS_MEASURES = {"census2020_inter_share": 2020, "census2010_inter_share": 2010}
MEASURES = FLOW_MEASURES + tuple(i.flag for i in INDICATORS) + tuple(CENSUS_MEASURES)


@dataclass(frozen=True)
class MeasureValues:
    """One measure at one level in one period, aligned with ``codes``.

    ``value`` is NaN where there is no data; ``suppressed`` marks small cells; ``numerator`` and
    ``denominator`` are the counts behind a rate (for flow measures: persons and residents).
    """

    codes: list[str]
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    suppressed: np.ndarray


def unit_codes(level: str) -> list[str]:
    """Codes of the level's units inside the data's coverage, in code order."""
    h = geo.hierarchy()
    h = h[h["in_coverage"]]
    return sorted(h[f"{level}_code"].unique().tolist())


def threshold() -> int:
    return _threshold()


@cached()
def _threshold(engine: sa.Engine) -> int:
    return int(store.meta(engine, "small_cell_threshold") or 0)


@cached(maxsize=8)
def flow_totals(engine: sa.Engine, level: str) -> pd.DataFrame:
    """``period, code, inflow, outflow`` for every unit and period (cohort all, between units)."""
    return store.read_unit_flows(engine, level)[["period", "code", "inflow", "outflow"]]


@cached(maxsize=32)
def coverage_totals(engine: sa.Engine, level: str, flag: str) -> pd.DataFrame:
    """``period, code, numerator, denominator`` of one indicator at a level, every period."""
    data = store.read_coverage(engine, indicator=flag, level=level)
    data = data[data["side"] == INDICATOR_BY_FLAG[flag].side]
    return data.rename(columns={f"{level}_code": "code"})[
        ["period", "code", "numerator", "denominator"]
    ]


@lru_cache(maxsize=4)
def residents(level: str) -> pd.Series:
    """2010 census resident population per unit (persons), indexed by code."""
    table = census.county_census(2010).merge(
        geo.hierarchy()[["county_code", "prefecture_code"]], on="county_code"
    )
    return table.groupby(f"{level}_code")["pop_total"].sum(min_count=1).astype("float64")


def measure_values(measure: str, level: str, period: str) -> MeasureValues:
    """One measure for every unit of ``level`` in ``period``."""
    codes = unit_codes(level)
    if measure in CENSUS_MEASURES:
        return _census_share(CENSUS_MEASURES[measure], level, tuple(codes))
    num, den = _counts(measure, level, period, codes)
    small = threshold()
    if measure in FLOW_MEASURES:
        inflow, outflow = num
        if measure == "inflow":
            value, numerator, denominator, count = (
                inflow,
                inflow,
                np.full(len(codes), np.nan),
                inflow,
            )
        elif measure == "outflow":
            value, numerator, denominator, count = (
                outflow,
                outflow,
                np.full(len(codes), np.nan),
                outflow,
            )
        elif measure == "net":
            value, numerator, denominator = inflow - outflow, inflow, outflow
            count = np.minimum(inflow, outflow)
        else:
            pop = residents(level).reindex(codes).to_numpy()
            with np.errstate(invalid="ignore", divide="ignore"):  # NaN: no census population
                value = inflow / pop * 1000
            numerator, denominator, count = inflow, pop, inflow
        suppressed = count < small
    else:
        numerator, denominator = num, den
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(denominator > 0, numerator / denominator, np.nan)
        suppressed = (denominator < small) & (denominator > 0)
    return MeasureValues(
        codes,
        np.asarray(value, dtype=float),
        np.asarray(numerator, dtype=float),
        np.asarray(denominator, dtype=float),
        np.asarray(suppressed, dtype=bool),
    )


@lru_cache(maxsize=8)
def _census_share(year: int, level: str, codes: tuple[str, ...]) -> MeasureValues:
    """Residents registered in another province per resident (census ``year``); NaN: no census."""
    table = census.county_census(year).merge(
        geo.hierarchy()[["county_code", "prefecture_code"]], on="county_code"
    )
    sums = table.groupby(f"{level}_code")[["n_hukou_other_province", "pop_total"]].sum(min_count=1)
    sums = sums.astype("float64").reindex(list(codes))
    num, den = sums["n_hukou_other_province"].to_numpy(), sums["pop_total"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        value = num / den
    return MeasureValues(list(codes), value, num, den, np.zeros(len(codes), dtype=bool))


def _counts(measure: str, level: str, period: str, codes: list[str]):
    if measure in FLOW_MEASURES:
        totals = flow_totals(level)
        now = totals[totals["period"] == period].set_index("code").reindex(codes)
        return (
            now["inflow"].fillna(0).to_numpy(float),
            now["outflow"].fillna(0).to_numpy(float),
        ), None
    totals = coverage_totals(level, measure)
    now = totals[totals["period"] == period].set_index("code").reindex(codes)
    return now["numerator"].to_numpy(float), now["denominator"].to_numpy(float)


def all_period_values(measure: str, level: str) -> np.ndarray:
    """Every unsuppressed value of a measure at a level over all periods (for stable class breaks)."""
    from dashboard.data.store import periods

    values = [measure_values(measure, level, p) for p in periods()]
    return (
        np.concatenate([v.value[~v.suppressed & np.isfinite(v.value)] for v in values])
        if values
        else np.array([])
    )


@dataclass(frozen=True)
class Headline:
    """National figure of a period: an indicator's rate against its target, and the gap in people."""

    flag: str
    numerator: int
    denominator: int
    target: float

    @property
    def rate(self) -> float:
        return self.numerator / self.denominator if self.denominator else float("nan")

    @property
    def gap_people(self) -> int:
        """Persons who would have to be served to reach the target: ceil(target x den) - num, >= 0."""
        return max(0, int(np.ceil(self.target * self.denominator - 1e-9)) - self.numerator)


def headlines(period: str) -> tuple[dict[str, float], list[Headline]]:
    """(``persons``, ``between``, ``inter_province`` counts of the period; each indicator nationally)."""
    return _headlines(period)


@cached(maxsize=64)
def _headlines(engine: sa.Engine, period: str) -> tuple[dict[str, float], list[Headline]]:
    flows = store.flows
    query = sa.select(
        sa.func.sum(flows.c.persons_all).label("between"),
        sa.func.sum(sa.case((flows.c.is_inter_province, flows.c.persons_all), else_=0)).label(
            "inter"
        ),
    ).where(flows.c.period == period, sa.not_(flows.c.is_diagonal))
    with engine.connect() as conn:
        between, inter = conn.execute(query).one()
        persons = conn.execute(
            sa.select(store.period_totals.c.persons).where(store.period_totals.c.period == period)
        ).scalar_one_or_none()
        cov = pd.read_sql_query(
            sa.select(
                store.coverage.c.side,
                store.coverage.c.indicator,
                sa.func.sum(store.coverage.c.numerator).label("numerator"),
                sa.func.sum(store.coverage.c.denominator).label("denominator"),
            )
            .where(store.coverage.c.period == period)
            .group_by(store.coverage.c.side, store.coverage.c.indicator),
            conn,
        )
    rows = []
    for indicator in INDICATORS:
        match = cov[(cov["indicator"] == indicator.flag) & (cov["side"] == indicator.side)]
        num = int(match["numerator"].sum()) if len(match) else 0
        den = int(match["denominator"].sum()) if len(match) else 0
        rows.append(Headline(indicator.flag, num, den, indicator.target))
    counts = {
        "persons": float(persons or 0),
        "between": float(between or 0),
        "inter_province": float(inter or 0),
    }
    return counts, rows
