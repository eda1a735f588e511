"""Coverage and two-way assessment rows of one side, from the per-county sums of the scans.

Ratios, attainment and "at target" are those of ``etl.indicators``; the store keeps numerators
and denominators, and per county and role the assessment's score and counts.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from etl import indicators as rules
from etl import targets
from etl.aggregate.scan import side_measures
from etl.aggregate.sums import ROLE_LABELS, SIDE_LABELS, Units, group_sums, labelled
from etl.indicators import INDICATORS


def outflow_side(
    p: np.ndarray, origin: np.ndarray, counts: dict[str, np.ndarray], units: Units, n_periods: int
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Outflow measures per period and hukou county, summed from the county pairs."""
    weights = {
        "n_all": counts["n_all"],
        **{name: counts[name] for name in side_measures("outflow")},
    }
    (period, county), sums = group_sums([p, origin], [n_periods, units.size("county")], weights)
    return period, county, sums


def inflow_side(
    inflow: pa.Table, units: Units
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    county = units.county_index(inflow.column("residence_code").to_numpy())
    sums = {name: inflow.column(name).to_numpy() for name in side_measures("inflow")}
    return inflow.column("p").to_numpy(), county, sums


def coverage_and_assessment(
    side: str, period: pa.Array, county: pa.Array, sums: dict[str, np.ndarray], threshold: int
) -> tuple[pa.Table, pa.Table]:
    """The long coverage rows of one side (every indicator for every county) and its assessment:
    ``score`` is the weighted mean attainment over the indicators with a denominator, ``n_at_target``
    counts those at target (each against the target in force for its period), ``small_cell``: the smallest such denominator is a small cell."""
    indicators = [i for i in INDICATORS if i.side == side]
    n = len(period)
    numerator = np.stack([sums[f"num_{i.flag}"] for i in indicators], axis=1)
    denominator = np.stack([sums[f"n_{i.denominator}"] for i in indicators], axis=1)
    coverage = pa.table(
        {
            "period": pa.chunked_array([period] * len(indicators)),
            "county_code": pa.chunked_array([county] * len(indicators)),
            "side": labelled(SIDE_LABELS, side, n * len(indicators)),
            "indicator": pa.DictionaryArray.from_arrays(
                pa.array(np.repeat(np.arange(len(indicators), dtype=np.int32), n)),
                pa.array([i.flag for i in indicators]),
            ),
            "numerator": numerator.T.ravel(),
            "denominator": denominator.T.ravel(),
            "small_cell": rules.small_cell(denominator.T.ravel(), threshold),
        }
    )
    flags = [i.flag for i in indicators]
    bp = _targets_in_force(flags, period)
    valid = denominator > 0
    n_indicators = valid.sum(axis=1)
    score = rules.score(numerator, denominator, bp, targets.weights(flags))
    smallest = np.where(valid, denominator, np.iinfo(np.int64).max).min(axis=1)
    assessment = pa.table(
        {
            "period": period,
            "county_code": county,
            "role": labelled(ROLE_LABELS, "origin" if side == "outflow" else "destination", n),
            "n_indicators": n_indicators.astype(np.int32),
            "n_at_target": rules.at_target(numerator, denominator, bp).sum(axis=1).astype(np.int32),
            "score": pa.array(score, from_pandas=True),
            "small_cell": rules.small_cell(np.where(n_indicators > 0, smallest, 0), threshold),
        }
    )
    return coverage, assessment


def _targets_in_force(flags: list[str], period: pa.Array) -> np.ndarray:
    """The target (basis points) of each flag in force for each row's period: rows x flags."""
    if isinstance(period, pa.DictionaryArray):
        labels, index = period.dictionary.to_pylist(), period.indices.to_numpy(zero_copy_only=False)
    else:
        labels = sorted(set(period.to_pylist()))
        index = np.searchsorted(np.array(labels), np.array(period.to_pylist()))
    table = np.array([[targets.target_bp(f, p) for f in flags] for p in labels], dtype=np.int64)
    return table.reshape(len(labels), len(flags))[index]
