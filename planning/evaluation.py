"""Did a pilot work? Difference-in-differences of a coverage indicator against matched counties.

Terms
-----
- *Pilot*: a county or prefecture of the region file with its ``start`` month (``YYYY-MM``, the
  first month of the pilot regime). *Pre-period*: the store's months before ``start``;
  *post-period*: ``start`` and after.
- *Rate* of a county in a month: persons served per person of the indicator's denominator
  (numerator / denominator of the coverage mart), a share in 0-1.
- *Comparison counties*: chosen by ``planning.matching`` (nearest neighbours on pre-period
  coverage, census population and migrant share, with calipers; pilot counties, the pilot's
  prefecture and the treated counties' neighbours excluded).

Estimate
--------
Two-way fixed effects on the county-month panel of the treated and comparison counties::

    rate[c, t] = county[c] + month[t] + effect * treated[c] * post[t] + error[c, t]

weighted by the month's denominator times the comparison county's matching weight (so the effect
is per person of the denominator, in rate points: 0.05 = 5 percentage points), fitted by weighted
least squares (statsmodels) with standard errors clustered by county (CR1, t with clusters - 1
degrees of freedom). With all treated counties starting together this is the canonical
difference-in-differences, free of the staggered-timing bias of two-way fixed effects.

*Event study*: the same regression with ``effect * post`` replaced by one coefficient per
``bin_months``-month bin of event time (months since ``start``; bin -1, the last pre-period bin, is
the reference and 0). *Pre-trend check*: the joint Wald (F) test that every pre-period bin before
the reference is 0, with the clustered covariance; a small p-value (< 0.05) says the treated and
comparison counties were already drifting apart before the start, and the estimate is suspect.

*Placebo check*: with few treated clusters (a county pilot is one) clustered standard errors are
far too small (Conley and Taber 2011; on generated data a one-county fake pilot got an interval
excluding 0 in 7 of 18 tries). Each comparison county in turn is given the pilot's start date and
the estimate repeated against the other comparisons. The placebo p-value is the share of those
placebo effects at least as large (in absolute value) as the pilot's; the placebo interval is
``[effect - q(97.5%), effect - q(2.5%)]`` of the placebo effects (their spread stands for the
estimate's error when there is no effect, as in Conley and Taber).

*Interval used*: with at least ``FEW_TREATED`` treated counties the clustered one; with fewer, the
placebo interval, and none when there are fewer than ``MIN_PLACEBOS`` placebo runs (too few
comparison counties to tell an effect from chance).

*Verdict*: ``effect`` when the interval used excludes 0, else ``no effect`` (no effect the data can
tell from chance).

Disclosure: the outputs are estimates and group sums; a group's monthly rate, or a comparison
county's pre-period rate, whose denominator is under the store's small-cell threshold is blank.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from etl import marts
from etl.dates import month_number
from etl.indicators import indicator as indicator_of
from etl.indicators import small_cell
from etl.scope import Scope
from geodata.regions import Pilot
from planning.matching import (
    DEFAULT_SETTINGS,
    Matches,
    MatchSettings,
    county_covariates,
    match_counties,
)

DEFAULT_INDICATOR = "cert_verified"
FEW_TREATED = 5
"""Below this many treated counties the placebo interval is used, not the clustered one."""
MIN_PLACEBOS = 19
"""Fewest placebo runs for a placebo interval (with 19, a 2-sided 5% test is possible)."""
EVENT_COLUMNS = ("bin", "first_month", "coefficient", "std_error", "ci_low", "ci_high")
GROUP_COLUMNS = ("period", "group", "numerator", "denominator", "rate")
COMPARISON_COLUMNS = (
    "county_code", "role", "times_matched", "pre_rate", "log_population", "migrant_share",
    "pre_denominator",
)  # fmt: skip


class EvaluationError(ValueError):
    """A pilot cannot be evaluated (unknown, outside the scope, no pre- or post-period, no
    comparison county)."""


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate_pilot` (see the module docstring).

    ``effect``, ``std_error``, ``ci_low``, ``ci_high`` in rate points (0-1); ``p_value`` of the
    effect; ``pre_trend_p`` of the joint test (None without two pre-period bins);
    ``placebo_p`` (None without placebo runs); ``event``: ``EVENT_COLUMNS``; ``groups``: monthly
    persons-weighted rates of the treated and comparison groups (``GROUP_COLUMNS``);
    ``comparisons``: ``COMPARISON_COLUMNS`` of treated and chosen comparison counties.
    """

    pilot: Pilot
    indicator: str
    scope: Scope
    pre_periods: tuple[str, ...]
    post_periods: tuple[str, ...]
    treated: tuple[str, ...]
    controls: tuple[str, ...]
    unmatched: tuple[str, ...]
    too_small: tuple[str, ...]
    excluded: int
    pool_size: int
    effect: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    pre_trend_p: float | None
    placebo_p: float | None
    placebo_runs: int
    placebo_low: float | None
    placebo_high: float | None
    event: pd.DataFrame
    groups: pd.DataFrame
    comparisons: pd.DataFrame
    settings: MatchSettings = field(default_factory=MatchSettings)
    bin_months: int = 3

    @property
    def interval(self) -> tuple[float, float] | None:
        """The 95% interval the verdict rests on: ``cluster`` or ``placebo`` (see the module
        docstring); None when neither can be trusted."""
        if len(self.treated) >= FEW_TREATED:
            return (self.ci_low, self.ci_high)
        if self.placebo_low is None or self.placebo_high is None:
            return None
        return (self.placebo_low, self.placebo_high)

    @property
    def interval_kind(self) -> str:
        """``cluster``, ``placebo`` or ``none``: which interval :attr:`interval` is."""
        if len(self.treated) >= FEW_TREATED:
            return "cluster"
        return "none" if self.interval is None else "placebo"

    @property
    def verdict(self) -> str:
        """``effect`` or ``no effect`` (see the module docstring)."""
        interval = self.interval
        significant = interval is not None and (interval[0] > 0 or interval[1] < 0)
        return "effect" if significant else "no effect"

    @property
    def pre_trend_ok(self) -> bool | None:
        """No evidence of diverging pre-trends (p >= 0.05); None when not testable."""
        return None if self.pre_trend_p is None else self.pre_trend_p >= 0.05


def evaluate_pilot(
    engine: sa.Engine | sa.Connection,
    pilot: Pilot,
    *,
    scope: Scope,
    indicator: str = DEFAULT_INDICATOR,
    census: pd.DataFrame | None = None,
    other_pilots: Collection[str] = (),
    neighbours: Collection[str] = (),
    settings: MatchSettings = DEFAULT_SETTINGS,
    bin_months: int = 3,
    placebo: bool = True,
) -> Evaluation:
    """Evaluate ``pilot`` on ``indicator`` with the reader's ``scope`` (see the module docstring).

    ``census``: 2010 county census figures (``geodata.census.county_census(2010)`` by default);
    ``other_pilots``: codes of the other pilots (their counties are never comparisons);
    ``neighbours``: counties bordering the pilot's (``planning.matching.neighbour_codes``).
    """
    indicator_of(indicator)  # ValueError for an unknown flag
    try:
        start = month_number(pilot.start)
    except ValueError as exc:
        raise EvaluationError(f"pilot {pilot.code}: start {exc}") from None
    units = marts.read_units(engine, scope=scope)
    treated = _counties_of(units, [pilot.code])
    if not treated:
        raise EvaluationError(
            f"pilot {pilot.code} ({pilot.name_en}) has no county inside the scope {scope}"
        )
    coverage = marts.read_coverage(engine, indicator=indicator, level="county", scope=scope)
    periods = sorted(coverage["period"].unique())
    pre = tuple(p for p in periods if month_number(p) < start)
    post = tuple(p for p in periods if month_number(p) >= start)
    if len(pre) < 2 or not post:
        raise EvaluationError(
            f"pilot {pilot.code} starts {pilot.start}: the store holds {len(pre)} month(s) before "
            f"it and {len(post)} from it on; an evaluation needs at least 2 before and 1 after"
        )
    if census is None:
        from geodata.census import county_census

        census = county_census(2010)
    prefectures = set(units.loc[units["county_code"].isin(treated), "prefecture_code"])
    excluded = (
        _counties_of(units, list(other_pilots)) | _counties_of(units, prefectures) | set(neighbours)
    ) - treated
    matches = match_counties(
        county_covariates(coverage, census, pre), treated, excluded, settings
    )
    used = sorted(set(matches.pairs["treated_code"]))
    if not used:
        raise EvaluationError(
            f"pilot {pilot.code}: no comparison county inside the calipers ({settings.caliper} "
            f"standard deviations) for any of its {len(treated)} counties with at least "
            f"{settings.min_persons} persons before {pilot.start}; widen the caliper or choose "
            "a wider scope"
        )
    controls = sorted(matches.weights)
    panel = _panel(coverage, used, matches.weights, start, bin_months)
    fit = _did(panel)
    event = _event_study(panel, bin_months, start)
    placebo_effects = _placebos(panel, controls) if placebo else np.array([])
    threshold = marts.small_cell_threshold(engine, scope=scope)
    return Evaluation(
        pilot=pilot,
        indicator=indicator,
        scope=scope,
        pre_periods=pre,
        post_periods=post,
        treated=tuple(used),
        controls=tuple(controls),
        unmatched=matches.unmatched,
        too_small=matches.too_small,
        excluded=len(excluded),
        pool_size=matches.pool_size,
        effect=fit["effect"],
        std_error=fit["std_error"],
        ci_low=fit["ci_low"],
        ci_high=fit["ci_high"],
        p_value=fit["p_value"],
        pre_trend_p=event.attrs.get("pre_trend_p"),
        placebo_p=(
            float(np.mean(np.abs(placebo_effects) >= abs(fit["effect"])))
            if len(placebo_effects)
            else None
        ),
        placebo_runs=len(placebo_effects),
        **_placebo_interval(fit["effect"], placebo_effects),
        event=event,
        groups=_group_rates(panel, threshold),
        comparisons=_comparison_table(matches, used, threshold),
        settings=settings,
        bin_months=bin_months,
    )


def _counties_of(units: pd.DataFrame, codes: Collection[str]) -> set[str]:
    """Counties of ``units`` that are, or lie in a prefecture of, ``codes``."""
    codes = set(codes)
    inside = units["county_code"].isin(codes) | units["prefecture_code"].isin(codes)
    return set(units.loc[inside, "county_code"])


def _panel(
    coverage: pd.DataFrame,
    treated: Sequence[str],
    weights: dict[str, int],
    start: int,
    bin_months: int,
) -> pd.DataFrame:
    """County-month rows of treated and comparison counties: ``county_code, period, numerator,
    denominator, rate, treated, post, event_bin, weight``; months with no persons left out."""
    keep = coverage[coverage["unit_code"].isin(set(treated) | set(weights))]
    keep = keep[keep["denominator"] > 0]
    panel = pd.DataFrame(
        {
            "county_code": keep["unit_code"].to_numpy(),
            "period": keep["period"].to_numpy(),
            "numerator": keep["numerator"].to_numpy(dtype=np.int64),
            "denominator": keep["denominator"].to_numpy(dtype=np.int64),
        }
    )
    panel["rate"] = panel["numerator"] / panel["denominator"]
    panel["treated"] = panel["county_code"].isin(set(treated))
    months = panel["period"].map(month_number) - start
    panel["post"] = months >= 0
    panel["event_bin"] = np.floor_divide(months, bin_months)
    matched = panel["county_code"].map(weights).fillna(1).to_numpy(dtype=float)
    panel["weight"] = panel["denominator"].to_numpy(dtype=float) * matched
    return panel.sort_values(["county_code", "period"], ignore_index=True)


def _design(panel: pd.DataFrame, effects: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``effects`` columns, then county and month dummies (the first of each left out, with a
    constant), as a float matrix; and the cluster ids."""
    county = pd.get_dummies(panel["county_code"], drop_first=True, dtype=float)
    month = pd.get_dummies(panel["period"], drop_first=True, dtype=float)
    x = np.column_stack(
        [effects.to_numpy(dtype=float), np.ones(len(panel)), county.to_numpy(), month.to_numpy()]
    )
    groups = pd.factorize(panel["county_code"])[0]
    return x, groups


def _fit(panel: pd.DataFrame, effects: pd.DataFrame):  # noqa: ANN202 - statsmodels results
    import statsmodels.api as sm

    x, groups = _design(panel, effects)
    model = sm.WLS(panel["rate"].to_numpy(dtype=float), x, weights=panel["weight"].to_numpy())
    return model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)


def _did(panel: pd.DataFrame) -> dict[str, float]:
    effect = pd.DataFrame({"effect": panel["treated"] & panel["post"]})
    result = _fit(panel, effect)
    low, high = result.conf_int(alpha=0.05)[0]
    return {
        "effect": float(result.params[0]),
        "std_error": float(result.bse[0]),
        "ci_low": float(low),
        "ci_high": float(high),
        "p_value": float(result.pvalues[0]),
    }


def _event_study(panel: pd.DataFrame, bin_months: int, start: int) -> pd.DataFrame:
    """``EVENT_COLUMNS`` per event-time bin (the reference bin -1 at 0 with no interval); the
    pre-trend test's p-value in ``attrs["pre_trend_p"]`` (None with fewer than two lead bins)."""
    bins = sorted(int(b) for b in panel["event_bin"].unique() if b != -1)
    effects = pd.DataFrame(
        {f"bin_{b}": panel["treated"] & (panel["event_bin"] == b) for b in bins}
    )
    result = _fit(panel, effects)
    intervals = result.conf_int(alpha=0.05)
    rows = [
        (b, float(result.params[i]), float(result.bse[i]), *map(float, intervals[i]))
        for i, b in enumerate(bins)
    ]
    rows.append((-1, 0.0, 0.0, 0.0, 0.0))
    frame = pd.DataFrame(rows, columns=["bin", "coefficient", "std_error", "ci_low", "ci_high"])
    frame = frame.sort_values("bin", ignore_index=True)
    frame.insert(1, "first_month", [_period_of(start + b * bin_months) for b in frame["bin"]])
    leads = [i for i, b in enumerate(bins) if b < -1]
    if leads:
        restriction = np.zeros((len(leads), result.params.shape[0]))
        for row, i in enumerate(leads):
            restriction[row, i] = 1.0
        with warnings.catch_warnings():  # few clusters: a covariance of lower rank, said below
            warnings.simplefilter("ignore")
            frame.attrs["pre_trend_p"] = float(result.f_test(restriction).pvalue)
    else:
        frame.attrs["pre_trend_p"] = None
    return frame[list(EVENT_COLUMNS)]


def _placebos(panel: pd.DataFrame, controls: Sequence[str]) -> np.ndarray:
    """The DiD point estimate with each comparison county as a fake pilot, against the others:
    the same weighted least squares as :func:`_did`, its effect found by Frisch-Waugh-Lovell
    (the fake pilot's post-start dummy and the rates, both residualised on the fixed effects
    once factorised) instead of one full fit per county."""
    others = panel[~panel["treated"]].reset_index(drop=True)
    if others.empty:
        return np.array([])
    x, _ = _design(others, pd.DataFrame({"effect": np.zeros(len(others))}))
    root = np.sqrt(others["weight"].to_numpy(dtype=float))
    q, _r = np.linalg.qr(x[:, 1:] * root[:, None])  # the fixed effects, weighted

    def residual(v: np.ndarray) -> np.ndarray:
        return v - q @ (q.T @ v)

    y = residual(others["rate"].to_numpy(dtype=float) * root)
    post = others["post"].to_numpy(dtype=bool)
    codes = others["county_code"].to_numpy()
    effects = []
    for code in controls:
        fake = (codes == code) & post
        if not fake.any():
            continue
        d = residual(fake * root)
        effects.append(float(d @ y / (d @ d)))
    return np.array(effects)


def _placebo_interval(effect: float, placebos: np.ndarray) -> dict[str, float | None]:
    if len(placebos) < MIN_PLACEBOS:
        return {"placebo_low": None, "placebo_high": None}
    low, high = np.quantile(placebos, [0.025, 0.975])
    return {"placebo_low": float(effect - high), "placebo_high": float(effect - low)}


def _group_rates(panel: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Monthly rates of the treated group and of the comparison group (each comparison county
    counted as often as it was matched), blank where the group's persons are a small cell."""
    weight = panel["weight"] / panel["denominator"]
    data = panel.assign(
        numerator=panel["numerator"] * weight,
        denominator=panel["denominator"] * weight,
        group=np.where(panel["treated"], "pilot", "comparison"),
    )
    sums = data.groupby(["period", "group"], as_index=False)[["numerator", "denominator"]].sum()
    sums["rate"] = (sums["numerator"] / sums["denominator"]).where(
        ~small_cell(sums["denominator"], threshold)
    )
    return sums[list(GROUP_COLUMNS)]


def _comparison_table(matches: Matches, treated: Sequence[str], threshold: int) -> pd.DataFrame:
    table = matches.covariates
    chosen = table[
        ((table["role"] == "treated") & table["county_code"].isin(list(treated)))
        | ((table["role"] == "pool") & table["county_code"].isin(list(matches.weights)))
    ].copy()
    chosen["role"] = chosen["role"].map({"treated": "pilot", "pool": "comparison"})
    chosen["times_matched"] = chosen["county_code"].map(matches.weights).fillna(0).astype(int)
    chosen["pre_rate"] = chosen["pre_rate"].where(
        ~small_cell(chosen["pre_denominator"], threshold)
    )
    return chosen.sort_values(["role", "county_code"], ascending=[False, True])[
        list(COMPARISON_COLUMNS)
    ].reset_index(drop=True)


def _period_of(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"
