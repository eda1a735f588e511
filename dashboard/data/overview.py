"""Measures for the overview map and headlines, per unit (county, prefecture, province) and period.

Measures (``MEASURES``):
- ``inflow`` / ``outflow``: floating persons (cohort ``all``) living in / registered in the unit,
  between units only (the diagonal or *within* flows are never part of them); ``net`` = in - out;
- ``inflow_per_1000``: inflow per 1,000 residents (2010 census resident population of the unit);
- each coverage indicator (its flag name): its ratio (``etl.indicators``) on the indicator's side;
- ``census2020_inter_share`` / ``census2010_inter_share``: the census share of residents registered
  in another province (省外 人户分离人口 / 常住人口), the same in every period.

A value whose count (inflow or outflow persons, or the indicator's denominator) is under the
store's small-cell threshold is *suppressed*: shown as such, never as a number (for a ratio, a
denominator of 0 is no data rather than suppressed). A rate is also withheld where a sum the pages
publish would give a withheld one away (``etl.marts.published``: the same cells on every level,
page and export).

Headlines (``headlines``) are the reader's scope's: for the nation, every floating person of the
period, the between-county movers and the inter-province ones (``etl.marts.read_period_totals``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard.data import geo, store
from dashboard.data.store import cached, published_coverage, small_cell_threshold
from etl import indicators, marts, targets
from etl.disclosure import SUPPRESSED, complementary, unit_margins
from etl.indicators import INDICATOR_BY_FLAG, INDICATORS
from etl.scope import Scope
from geodata import census

LEVELS = ("province", "prefecture", "county")
FLOW_MEASURES = ("inflow", "outflow", "net", "inflow_per_1000")
CENSUS_MEASURES = {"census2020_inter_share": 2020, "census2010_inter_share": 2010}
MEASURES = FLOW_MEASURES + tuple(i.flag for i in INDICATORS) + tuple(CENSUS_MEASURES)
PARENTS = {
    "county": ("prefecture_code", "province_code"),
    "prefecture": ("province_code",),
    "province": (),
}
"""The units a level's units add up to on the maps (the margins of secondary suppression)."""


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
    """Codes of the level's units inside the data's coverage and the reader's scope, in code order."""
    h = geo.hierarchy()
    h = h[h["in_coverage"]]
    shown = store.scope_units(level)
    codes = h[f"{level}_code"].unique().tolist()
    return sorted(codes if shown is None else [c for c in codes if c in shown])


def threshold() -> int:
    return small_cell_threshold()


@cached(maxsize=8)
def flow_totals(engine: Engine, level: str, *, scope: Scope) -> pd.DataFrame:
    """``period, unit_code, inflow, outflow`` for every unit and period (cohort all, between
    units)."""
    return marts.read_unit_flows(engine, level, scope=scope)[
        ["period", "unit_code", "inflow", "outflow"]
    ]


def coverage_totals(level: str, flag: str) -> pd.DataFrame:
    """``period, unit_code, numerator, denominator, suppressed`` of one indicator at a level,
    every period."""
    data = published_coverage(flag)
    return data.loc[
        data["level"] == level, ["period", "unit_code", "numerator", "denominator", SUPPRESSED]
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
    num, den, withheld = _counts(measure, level, period, codes)
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
        suppressed = indicators.small_cell(count, small)
    else:
        numerator, denominator = num, den
        value = indicators.ratio(numerator, denominator)
        suppressed = withheld
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
        now = totals[totals["period"] == period].set_index("unit_code").reindex(codes)
        return (
            (now["inflow"].fillna(0).to_numpy(float), now["outflow"].fillna(0).to_numpy(float)),
            None,
            None,
        )
    totals = coverage_totals(level, measure)
    now = totals[totals["period"] == period].set_index("unit_code").reindex(codes)
    return (
        now["numerator"].to_numpy(float),
        now["denominator"].to_numpy(float),
        now[SUPPRESSED].fillna(False).to_numpy(bool),
    )


def withheld(values: MeasureValues, measure: str, level: str) -> np.ndarray:
    """Which of ``values``' units are withheld from every table and analysis. A coverage rate's
    ``suppressed`` is already the pages' rule (``etl.marts.published``: small cells and the cells
    that would give one away through any published sum); persons add the complementary cells of
    the sums per parent unit (``PARENTS``; ``etl.disclosure.complementary``)."""
    hidden = np.asarray(values.suppressed, dtype=bool)
    if measure in INDICATOR_BY_FLAG:
        return hidden
    parents = PARENTS[level]
    h = geo.hierarchy().drop_duplicates(f"{level}_code").set_index(f"{level}_code", drop=False)
    tested = pd.DataFrame(
        {"_count": values.numerator, **{p: h[p].reindex(values.codes).to_numpy() for p in parents}}
    )
    return complementary(tested, hidden, unit_margins((), parents, count="_count"))


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
    """An indicator over a scope in a period: its summed numerator and denominator, with the
    ratio, target in force for ``period`` (``etl.targets``), gap in people and "at target" of
    ``etl.indicators``."""

    flag: str
    numerator: int
    denominator: int
    period: str

    @property
    def target(self) -> float:
        return self.bp / indicators.BASIS

    @property
    def rate(self) -> float:
        """Numerator per person of the denominator; NaN without a denominator."""
        return float(indicators.ratio(self.numerator, self.denominator))

    @property
    def gap_people(self) -> int:
        """Persons who would have to be served to reach the target (0 at target)."""
        return int(indicators.gap(self.numerator, self.denominator, self.bp))

    @property
    def at_target(self) -> bool:
        return bool(indicators.at_target(self.numerator, self.denominator, self.bp))

    @property
    def bp(self) -> int:
        """The target in force for the period, in basis points."""
        return targets.target_bp(self.flag, self.period)


def headline_rows(sums: pd.DataFrame, period: str) -> tuple[Headline, ...]:
    """Every indicator, in ``INDICATORS`` order, from coverage sums (``etl.marts.coverage_sums``
    of one period): on its own side; 0/0 where it has no row."""
    rows = []
    for indicator in INDICATORS:
        match = sums[(sums["indicator"] == indicator.flag) & (sums["side"] == indicator.side)]
        rows.append(
            Headline(
                indicator.flag,
                int(match["numerator"].sum()),
                int(match["denominator"].sum()),
                period,
            )
        )
    return tuple(rows)


def headlines(period: str) -> tuple[dict[str, float], list[Headline]]:
    """(``persons``, ``between``, ``inter_province`` counts of the period; each indicator over
    the reader's scope)."""
    return _headlines(period)


@cached(maxsize=64)
def _headlines(
    engine: Engine, period: str, *, scope: Scope
) -> tuple[dict[str, float], list[Headline]]:
    totals = period_totals().set_index("period")
    row = totals.loc[period] if period in totals.index else None
    counts = {
        name: float(row[name]) if row is not None else 0.0
        for name in ("persons", "between", "inter_province")
    }
    return counts, list(headline_rows(marts.coverage_sums(engine, period, scope=scope), period))


@cached(maxsize=4)
def period_totals(engine: Engine, *, scope: Scope) -> pd.DataFrame:
    """``period, persons, between, inter_province`` of every period (``etl.marts``)."""
    return marts.read_period_totals(engine, scope=scope)
