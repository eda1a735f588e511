"""Time comparison on the overview: a measure over a *span* (one period, or a year: the sum of its
twelve months' counts from the marts, never an average of monthly rates) and the change between
two spans.

- ``spans``: the spans the store can show: every complete year (all twelve periods present),
  then every period;
- ``span_values``: a measure over a span, as ``dashboard.data.overview.measure_values`` gives it
  for one period. A year's rate is its summed numerator over its summed denominator
  (``etl.indicators.ratio``); a year's cell is withheld when its summed count is a small cell, or
  when any of its months is withheld (the year's sum would give that month away);
- ``difference``: ``after - before`` per unit, in the measure's unit of change (``CHANGE_UNITS``:
  percentage points for a rate, persons for a count, per 1,000 residents for
  ``inflow_per_1000``); a cell withheld in either span is withheld in the difference, never a
  number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dashboard.data.overview import (
    FLOW_MEASURES,
    MeasureValues,
    coverage_totals,
    flow_totals,
    measure_values,
    residents,
    threshold,
    unit_codes,
    withheld,
)
from dashboard.data.store import periods
from etl import indicators
from etl.disclosure import SUPPRESSED
from etl.indicators import INDICATORS

COMPARABLE = FLOW_MEASURES + tuple(i.flag for i in INDICATORS)
"""Measures that change between periods (the census shares do not)."""

CHANGE_UNITS = {
    "inflow": "persons",
    "outflow": "persons",
    "net": "persons",
    "inflow_per_1000": "per_1000",
}
"""Unit of a change; every indicator's is ``pp`` (percentage points)."""


def change_unit(measure: str) -> str:
    return CHANGE_UNITS.get(measure, "pp")


def complete_years() -> tuple[str, ...]:
    """Years whose twelve periods are all in the store."""
    available = set(periods())
    years = sorted({p[:4] for p in available})
    return tuple(y for y in years if all(f"{y}-{m:02d}" in available for m in range(1, 13)))


def spans() -> tuple[str, ...]:
    """Complete years, then periods (oldest first)."""
    return complete_years() + tuple(periods())


def span_periods(span: str) -> tuple[str, ...]:
    """The periods of ``span`` (a YYYY-MM period, or a complete YYYY year); ValueError for any
    other."""
    if span in complete_years():
        return tuple(f"{span}-{m:02d}" for m in range(1, 13))
    if span in periods():
        return (span,)
    raise ValueError(f"unknown period or incomplete year {span!r}")


def span_values(measure: str, level: str, span: str) -> MeasureValues:
    """``measure`` for every unit of ``level`` over ``span``."""
    chosen = span_periods(span)
    if len(chosen) == 1 or measure not in COMPARABLE:  # a census share is the same in every period
        return measure_values(measure, level, chosen[-1])
    codes = unit_codes(level)
    small = threshold()
    if measure in FLOW_MEASURES:
        totals = flow_totals(level)
        rows = totals[totals["period"].isin(chosen)]
        monthly = {
            name: rows.pivot_table(index="unit_code", columns="period", values=name, aggfunc="sum")
            .reindex(index=codes, columns=list(chosen))
            .fillna(0)
            .to_numpy(float)
            for name in ("inflow", "outflow")
        }
        inflow, outflow = monthly["inflow"].sum(axis=1), monthly["outflow"].sum(axis=1)
        if measure == "outflow":
            month_count, count = monthly["outflow"], outflow
        elif measure == "net":
            month_count = np.minimum(monthly["inflow"], monthly["outflow"])
            count = np.minimum(inflow, outflow)
        else:
            month_count, count = monthly["inflow"], inflow
        hidden = indicators.small_cell(count, small) | indicators.withheld(month_count, small).any(
            axis=1
        )
        nan = np.full(len(codes), np.nan)
        if measure == "inflow":
            value, numerator, denominator = inflow, inflow, nan
        elif measure == "outflow":
            value, numerator, denominator = outflow, outflow, nan
        elif measure == "net":
            value, numerator, denominator = inflow - outflow, inflow, outflow
        else:
            pop = residents(level).reindex(codes).to_numpy()
            with np.errstate(invalid="ignore", divide="ignore"):
                value = inflow / pop * 1000
            numerator, denominator = inflow, pop
    else:
        totals = coverage_totals(level, measure)
        rows = totals[totals["period"].isin(chosen)]
        sums = rows.groupby("unit_code")[["numerator", "denominator"]].sum().reindex(codes)
        numerator = sums["numerator"].fillna(0).to_numpy(float)
        denominator = sums["denominator"].fillna(0).to_numpy(float)
        month_hidden = (
            rows.groupby("unit_code")[SUPPRESSED].any().reindex(codes).fillna(False).to_numpy(bool)
        )
        value = indicators.ratio(numerator, denominator)
        hidden = month_hidden | indicators.withheld(denominator, small)
    return MeasureValues(
        codes,
        np.asarray(value, dtype=float),
        np.asarray(numerator, dtype=float),
        np.asarray(denominator, dtype=float),
        np.asarray(hidden, dtype=bool),
    )


@dataclass(frozen=True)
class Difference:
    """The change of a measure between two spans, aligned with ``codes``: ``change`` is NaN where
    either span has no data or is withheld (``withheld`` marks the latter)."""

    codes: list[str]
    before: MeasureValues
    after: MeasureValues
    change: np.ndarray
    withheld: np.ndarray
    unit: str


def difference(measure: str, level: str, before: str, after: str) -> Difference:
    """``after - before`` of ``measure`` per unit of ``level``: percentage points for a rate."""
    old = span_values(measure, level, before)
    new = span_values(measure, level, after)
    hidden = old.suppressed | new.suppressed
    scale = 100.0 if measure not in FLOW_MEASURES else 1.0
    change = (new.value - old.value) * scale
    change = np.where(hidden, np.nan, change)
    return Difference(old.codes, old, new, change, hidden, change_unit(measure))


@dataclass(frozen=True)
class Trend:
    """A measure's lines: per area (``codes``) its monthly ``values`` over ``periods`` (NaN: no
    data), their counts, and which are ``withheld`` as each period's layer withholds them
    (``overview.withheld``)."""

    codes: tuple[str, ...]
    periods: tuple[str, ...]
    values: np.ndarray  # areas x periods
    numerators: np.ndarray
    denominators: np.ndarray
    withheld: np.ndarray  # bool, areas x periods

    def shown(self) -> np.ndarray:
        """The values a reader may see (NaN where withheld or without data)."""
        return np.where(self.withheld, np.nan, self.values)


def trend_cells(measure: str, level: str, codes: Sequence[str]) -> Trend:
    """``codes``' values of ``measure`` in every period (``periods()`` order), withheld as the
    period's layer withholds them: the one walk behind the trend on screen (``monthly_series``)
    and its download (``dashboard.export.overview_views``). Codes outside the level's units in
    the reader's scope are left out."""
    shown = unit_codes(level)
    kept = tuple(code for code in codes if code in shown)
    at = [shown.index(code) for code in kept]
    every = periods()
    value, num, den = (np.full((len(at), len(every)), np.nan) for _ in range(3))
    held = np.zeros((len(at), len(every)), dtype=bool)
    for j, period in enumerate(every):
        values = measure_values(measure, level, period)
        value[:, j] = values.value[at]
        num[:, j] = values.numerator[at]
        den[:, j] = values.denominator[at]
        held[:, j] = withheld(values, measure, level)[at]
    return Trend(kept, every, value, num, den, held)


def monthly_series(measure: str, level: str, codes: list[str]) -> dict[str, list[float | None]]:
    """Each of ``codes``' monthly values of ``measure`` over every period (None where withheld or
    without data), in ``periods()`` order (``trend_cells``)."""
    trend = trend_cells(measure, level, codes)
    shown = trend.shown()
    return {
        code: [float(v) if np.isfinite(v) else None for v in shown[i]]
        for i, code in enumerate(trend.codes)
    }


def largest_units(measure: str, level: str, n: int = 3) -> list[str]:
    """The ``n`` units with the most persons behind ``measure`` over every period, counting only
    the months they are shown (the trend's default areas: a withheld count ranks nothing)."""
    codes = unit_codes(level)
    weight = np.zeros(len(codes))
    for period in periods():
        values = measure_values(measure, level, period)
        behind = values.numerator if measure in FLOW_MEASURES else values.denominator
        weight += np.where(withheld(values, measure, level) | ~np.isfinite(behind), 0, behind)
    order = np.argsort(-weight, kind="stable")[:n]
    return [codes[i] for i in order if weight[i] > 0]
