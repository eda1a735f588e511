"""The service-coverage indicators (DESIGN.md §4) and their arithmetic: the one home of both.

Every indicator counts persons of a *denominator* population (women 15-49, married women 15-49,
married persons 15-49, adults 18+) on one *side* of a flow (``outflow``: grouped by household
registration, hukou_code; ``inflow``: grouped by residence, residence_code); its *numerator* is
the persons of the denominator whose flag is 1. Stored as numerator and denominator, never as a
share, so any set of units re-aggregates exactly: sum the numerators and the denominators.

Terms, each computed by exactly one function below (no other module divides or compares them):

- ``ratio``: numerator per person of the denominator (a share, 0-1); NaN where the denominator
  is 0 (no one to serve: no data, not 0%);
- *target*: held as integer basis points (``bp``; 9,800 = 98%), per indicator and year: the
  target *in force* for a period is looked up in ``etl.targets`` (the one home of the lookup and
  of the target file); every rule below takes it as an argument;
- ``at_target``: the one exact rule, in integers: ``numerator x 10,000 >= target_bp x
  denominator`` with a denominator above 0 (0/0 is not at target);
- ``gap``: persons of the denominator who would still have to be served for the ratio to reach
  the target: the smallest whole g >= 0 with (numerator + g) at target, i.e.
  ``max(0, ceil(target_bp x denominator / 10,000) - numerator)``, in integers;
  ``shortfall`` is the same without rounding up, for projected (fractional) populations;
- ``attainment``: ``min(1, ratio / target)``, the share of the way to the target;
- ``score``: the two-way assessment's score of a unit on one side: the weighted mean of the
  attainments of its indicators that have a denominator (weights from ``etl.targets``);
- ``shown_rate``: the rate as every page, slide and export writes it: rounded to 0.1 point, except
  that a rate short of its target never shows as the target (97.96% against 98% shows 97.9%, not
  98.0%);
- *small cell*: a count (a flow's persons, an indicator's denominator) under the store's
  small-cell threshold: too few people to publish or to trust (``small_cell``). A display
  *withholds* a small cell above 0 (``withheld``); a zero discloses nobody and is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

BASIS = 10_000
"""Basis points per whole: targets are integers of 1/10,000."""


@dataclass(frozen=True)
class Indicator:
    """A service-coverage indicator: numerator = persons in the denominator whose flag is 1."""

    flag: str
    name_zh: str
    name_en: str
    side: str  # "outflow": grouped by hukou_code; "inflow": grouped by residence_code
    denominator: str  # see DENOMINATORS


DENOMINATORS = {
    "women_15_49": "women aged 15-49",
    "married_women_15_49": "married women aged 15-49",
    "married_15_49": "married persons aged 15-49, both sexes",
    "adults_18p": "persons aged 18 and over",
}

INDICATORS: tuple[Indicator, ...] = (
    Indicator("cert_issued", "婚育证明办证率", "Certificate issuance rate",
              "outflow", "women_15_49"),
    Indicator("cert_verified", "婚育证明验证率", "Certificate verification rate",
              "inflow", "women_15_49"),
    Indicator("health_check", "康检率", "Health check rate",
              "inflow", "married_women_15_49"),
    Indicator("contraception", "节育措施落实率", "Contraception rate",
              "inflow", "married_women_15_49"),
    Indicator("free_service", "免费技术服务率", "Free technical service rate",
              "inflow", "married_women_15_49"),
    Indicator("pregnancy_check", "孕检率", "Pregnancy check rate",
              "inflow", "married_women_15_49"),
    Indicator("free_contraceptives", "免费药具获得率", "Free contraceptives rate",
              "inflow", "married_15_49"),
    Indicator("prepregnancy_consult", "孕前优生咨询率", "Pre-pregnancy consultation rate",
              "inflow", "married_women_15_49"),
    Indicator("policy_aware", "政策知晓率", "Policy awareness rate",
              "inflow", "adults_18p"),
)  # fmt: skip
INDICATOR_BY_FLAG: dict[str, Indicator] = {i.flag: i for i in INDICATORS}
INDICATOR_ORDER: dict[str, int] = {i.flag: n for n, i in enumerate(INDICATORS)}
"""Position of each flag in ``INDICATORS`` (the order every table lists them in)."""


def indicator(flag: str) -> Indicator:
    """The indicator of ``flag``; ValueError naming the known flags for any other."""
    try:
        return INDICATOR_BY_FLAG[flag]
    except KeyError:
        raise ValueError(
            f"unknown indicator {flag!r}; one of {', '.join(INDICATOR_BY_FLAG)}"
        ) from None


def ratio(numerator, denominator):  # noqa: ANN001, ANN201 - scalars, arrays or Series alike
    """Numerator per person of the denominator (0-1); NaN where the denominator is 0."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return _like(out, numerator)


def at_target(numerator, denominator, bp):  # noqa: ANN001, ANN201
    """True where ``numerator x 10,000 >= bp x denominator`` and the denominator is above 0.

    Counts are whole persons (integers); ``bp`` is the target in basis points. Exact: no float
    division, so a ratio exactly at its target is at target.
    """
    num = np.asarray(numerator, dtype=np.int64)
    den = np.asarray(denominator, dtype=np.int64)
    out = (den > 0) & (num * BASIS >= np.asarray(bp, dtype=np.int64) * den)
    return _like(out, numerator)


def gap(numerator, denominator, bp):  # noqa: ANN001, ANN201
    """Persons still to be served to reach the target: ``max(0, ceil(bp x den / 10,000) - num)``,
    in integers (0 at or above target, and for 0/0)."""
    num = np.asarray(numerator, dtype=np.int64)
    den = np.asarray(denominator, dtype=np.int64)
    needed = -(-(np.asarray(bp, dtype=np.int64) * den) // BASIS)  # ceil in integers
    return _like(np.maximum(needed - num, 0), numerator)


def shortfall(numerator, denominator, bp):  # noqa: ANN001, ANN201
    """``gap`` for projected populations (fractional persons): ``max(0, bp x den / 10,000 - num)``
    without rounding up (differences under 1e-9 persons are 0)."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    short = np.asarray(bp, dtype=np.float64) * den / BASIS - num
    return _like(np.where(short > 1e-9, short, 0.0), numerator)


def attainment(numerator, denominator, bp):  # noqa: ANN001, ANN201
    """``min(1, ratio / target)``: the share of the way to the target; NaN for 0/0."""
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    goal = den * np.asarray(bp, dtype=np.float64) / BASIS
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, np.minimum(1.0, num / np.where(goal > 0, goal, 1.0)), np.nan)
    return _like(out, numerator)


SHOWN_STEP = 1_000
"""A shown rate is a whole number of tenths of a point: 1/1,000 of the whole."""


def shown_rate(share: float, target: float | None = None) -> float:
    """The share a display writes (0-1, a multiple of 0.001): ``share`` rounded half up to 0.1
    point; where a ``target`` is given and the share is short of it, at most 0.1 point under the
    target, so a rate short of its target never reads as met. NaN stays NaN.

    A share short of its target in integers (``at_target`` false) is short as floats too: the
    share and the target are each the double nearest their fractions, so equal fractions give
    equal doubles.
    """
    if not np.isfinite(share):
        return float("nan")
    shown = np.floor(share * SHOWN_STEP + 0.5 + 1e-9) / SHOWN_STEP
    if target is not None and share < target and shown >= target:
        shown = (round(target * SHOWN_STEP) - 1) / SHOWN_STEP
    return float(shown)


def small_cell(count, threshold: int):  # noqa: ANN001, ANN201
    """True where a count (persons, or a denominator) is under the small-cell threshold."""
    return _like(np.asarray(count) < threshold, count)


def withheld(count, threshold: int):  # noqa: ANN001, ANN201
    """A small cell a display must not show as a number: under the threshold and not 0 (a zero
    discloses nobody). For a signed count (a net flow) its size is what counts."""
    size = np.abs(np.asarray(count, dtype=np.float64))
    return _like((size > 0) & (size < threshold), count)


def score(numerator, denominator, bp, weights) -> np.ndarray:  # noqa: ANN001
    """The weighted mean of ``attainment`` over the columns (indicators) with a denominator above
    0, per row (unit); NaN for a row with none. ``numerator``, ``denominator`` and ``bp`` are
    (units x indicators); ``weights`` one per indicator."""
    den = np.asarray(denominator, dtype=np.float64)
    w = np.where(den > 0, np.asarray(weights, dtype=np.float64), 0.0)
    reached = np.nan_to_num(np.asarray(attainment(numerator, denominator, bp), dtype=np.float64))
    total = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (w * reached).sum(axis=-1) / np.where(total > 0, total, 1.0), np.nan)


def _like(values: np.ndarray, template):  # noqa: ANN001, ANN202
    """``values`` shaped as ``template``: a Series keeps its index, a scalar stays a scalar."""
    if isinstance(template, pd.Series):
        return pd.Series(values, index=template.index)
    if np.ndim(template) == 0:
        return values.item()
    return values
