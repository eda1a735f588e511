"""Comparison counties for a pilot: nearest neighbours on standardised covariates, with calipers.

Terms
-----
- *Treated counties*: the pilot's counties (a county pilot is one county; a prefecture pilot, all
  counties of the prefecture in the reader's scope).
- *Pool*: the counties of the reader's scope that may serve as comparisons: every county except
  those of any pilot (they are treated themselves, perhaps at another date), those of the pilot's
  prefecture, and the counties that share a border with a treated county (``neighbours``: people
  and practices cross a county line, so a neighbour's coverage may move with the pilot's; excluding
  them keeps spillovers out of the comparison).
- *Covariates* of a county: its coverage rate over the whole pre-period (persons served per person
  of the denominator, all pre-period months pooled), the log of its 2010 census resident population,
  and its 2010 migrant share (residents registered in another county, same province or another,
  per resident). Each is standardised by the pool's mean and standard deviation.

Method
------
For each treated county, the ``k`` pool counties nearest to it (``k`` raised for a pilot of few
counties, see :class:`MatchSettings`) in the standardised covariates
(Euclidean distance: a Mahalanobis distance with a diagonal covariance) among those within the
``caliper`` (in standard deviations) on *every* covariate. A comparison county may serve several
treated counties (matching with replacement); its weight in the difference-in-differences is the
number of times it was chosen. A treated county with no pool county inside its calipers is
reported as unmatched and left out of the estimate, never silently dropped. A county needs a
pre-period denominator of at least ``min_persons`` persons to be a treated or comparison county
(below it, its pre-period rate says little).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

COVARIATES = ("pre_rate", "log_population", "migrant_share")
"""The matching covariates (see the module docstring)."""
COVARIATE_COLUMNS = ("county_code", *COVARIATES, "pre_denominator")
NEIGHBOUR_DEGREES = 0.002
"""Two counties closer than this (degrees, about 200 m) are neighbours."""


@dataclass(frozen=True)
class MatchSettings:
    """``k`` comparisons per treated county, raised to ``ceil(min_controls / treated counties)``
    so a pilot of few counties still gets enough comparisons for the placebo check; ``caliper``
    in pool standard deviations on every covariate; ``min_persons`` pre-period denominator
    persons for a county to take part."""

    k: int = 5
    caliper: float = 1.0
    min_persons: int = 30
    min_controls: int = 20

    def k_for(self, n_treated: int) -> int:
        """Comparisons per treated county for a pilot of ``n_treated`` counties."""
        return max(self.k, -(-self.min_controls // max(n_treated, 1)))


DEFAULT_SETTINGS = MatchSettings()


@dataclass(frozen=True)
class Matches:
    """``pairs``: ``treated_code, control_code, distance`` (one row per chosen pair);
    ``weights``: comparison county code -> times chosen; ``unmatched``: treated counties with no
    comparison inside the calipers; ``too_small``: treated counties under ``min_persons``;
    ``covariates``: the covariate table of treated and pool counties (``COVARIATE_COLUMNS`` plus
    ``role``: ``treated`` or ``pool``); ``pool_size``: the counties of the pool that took part."""

    pairs: pd.DataFrame
    weights: dict[str, int]
    unmatched: tuple[str, ...]
    too_small: tuple[str, ...]
    covariates: pd.DataFrame
    pool_size: int


def county_covariates(
    coverage: pd.DataFrame, census: pd.DataFrame, pre_periods: Collection[str]
) -> pd.DataFrame:
    """``COVARIATE_COLUMNS`` per county: ``coverage`` (a county coverage read of one indicator:
    ``period, unit_code, numerator, denominator``) pooled over ``pre_periods``, joined to
    ``census`` (``county_code, pop_total, n_hukou_other_county_same_prov,
    n_hukou_other_province``). Counties without census figures or pre-period persons are left
    out."""
    pre = coverage[coverage["period"].isin(list(pre_periods))]
    sums = pre.groupby("unit_code")[["numerator", "denominator"]].sum()
    sums = sums[sums["denominator"] > 0]
    people = census.set_index("county_code")
    people = people[people["pop_total"] > 0]
    migrants = people["n_hukou_other_county_same_prov"].fillna(0) + people[
        "n_hukou_other_province"
    ].fillna(0)
    out = pd.DataFrame(
        {
            "pre_rate": sums["numerator"] / sums["denominator"],
            "pre_denominator": sums["denominator"].astype("int64"),
        }
    ).join(
        pd.DataFrame(
            {
                "log_population": np.log(people["pop_total"].astype(float)),
                "migrant_share": migrants / people["pop_total"],
            }
        ),
        how="inner",
    )
    out.index.name = "county_code"
    return out.reset_index()[list(COVARIATE_COLUMNS)]


def match_counties(
    covariates: pd.DataFrame,
    treated: Collection[str],
    excluded: Collection[str],
    settings: MatchSettings = DEFAULT_SETTINGS,
) -> Matches:
    """Comparison counties for ``treated`` among the counties of ``covariates`` that are neither
    treated nor ``excluded`` (see the module docstring for the method)."""
    big = covariates[covariates["pre_denominator"] >= settings.min_persons]
    treated_set, excluded_set = set(treated), set(excluded)
    treated_rows = big[big["county_code"].isin(treated_set)].set_index("county_code")
    too_small = tuple(sorted(treated_set - set(treated_rows.index)))
    pool = big[~big["county_code"].isin(treated_set | excluded_set)].set_index("county_code")
    centre = pool[list(COVARIATES)].mean()
    spread = pool[list(COVARIATES)].std(ddof=0).replace(0, 1.0)
    z_pool = ((pool[list(COVARIATES)] - centre) / spread).to_numpy(dtype=float)
    z_treated = ((treated_rows[list(COVARIATES)] - centre) / spread).to_numpy(dtype=float)
    k = settings.k_for(len(treated_rows))
    pairs = []
    unmatched = []
    for code, z in zip(treated_rows.index, z_treated, strict=True):
        inside = (np.abs(z_pool - z) <= settings.caliper).all(axis=1)
        distance = np.sqrt(((z_pool - z) ** 2).sum(axis=1))
        candidates = np.flatnonzero(inside)
        if not len(candidates):
            unmatched.append(code)
            continue
        nearest = candidates[np.argsort(distance[candidates], kind="stable")[:k]]
        pairs += [(code, pool.index[i], float(distance[i])) for i in nearest]
    pair_frame = pd.DataFrame(pairs, columns=["treated_code", "control_code", "distance"])
    weights = pair_frame["control_code"].value_counts().sort_index().to_dict()
    table = pd.concat(
        [treated_rows.assign(role="treated"), pool.assign(role="pool")]
    ).reset_index()
    return Matches(
        pair_frame, {str(k): int(v) for k, v in weights.items()}, tuple(unmatched), too_small,
        table, len(pool),
    )  # fmt: skip


def neighbour_codes(shapes: object, codes: Collection[str]) -> set[str]:
    """Counties of ``shapes`` (a GeoDataFrame with ``adcode`` and county polygons, such as the
    cached layers) within ``NEIGHBOUR_DEGREES`` of a county of ``codes`` (sharing a border, with
    room for slivers between the source polygons), ``codes`` themselves left out."""
    import geopandas as gpd
    import shapely

    frame = shapes if isinstance(shapes, gpd.GeoDataFrame) else gpd.GeoDataFrame(shapes)
    chosen = frame[frame["adcode"].isin(list(codes))]
    if chosen.empty:
        return set()
    tree = shapely.STRtree(frame.geometry.to_numpy())
    _, hits = tree.query(
        chosen.geometry.to_numpy(), predicate="dwithin", distance=NEIGHBOUR_DEGREES
    )
    found = set(frame["adcode"].to_numpy()[np.unique(hits)].tolist())
    return found - set(codes)
