"""Smoothed rates and hot spots of a measure at county or prefecture level in one period.

*Units analysed*: the level's units inside the data's coverage and the reader's scope
(``overview.unit_codes``) that have a value and are not *withheld*: small cells and the
complementary cells that would give one away (``overview.withheld``) take no part in any
smoothing, Moran statistic, class break or table, so nothing published (a neighbour's smoothed
rate, a cluster) is computed from them. Units without data (a denominator of 0, no census
population) are left out the same way.

*Rates* (``RATE_MEASURES``): every coverage indicator (numerator per person of its
denominator; smoothed through its shortfall, see ``analytics.smoothing``), inflow per 1,000
residents (inflow per 2010 census resident, x 1,000) and the census shares. For them the
*variable* mapped and tested is the raw rate, its global Empirical Bayes or its spatial
Empirical Bayes smoothing (``VARIABLES``); for counts (inflow, outflow, net) the raw value only.

*Small denominators*: a published unit whose share rests on a denominator under
``SMALL_DENOMINATOR`` persons (50) is marked: there a 95 % interval of a rate near 90 % spans
about +/- 8 points (1.96 x sqrt(0.9 x 0.1 / 50)), as wide as the classes of the coverage maps, so
its raw rate says little. For inflow per 1,000 residents the count that matters is the inflow
(``small_count``).

Weights: queen contiguity of the ``national`` layer of the level, built once per process and
layer version, subset to the units analysed (islands joined to their nearest unit;
``analytics.weights``), cached per set of units.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sqlalchemy import Engine

from analytics.autocorrelation import GlobalMoran, LocalMoran, global_moran, local_moran
from analytics.smoothing import smoothed_rates
from analytics.weights import Contiguity, Weights, contiguity, subset
from dashboard import context
from dashboard.data.overview import CENSUS_MEASURES, MEASURES, measure_values, withheld
from dashboard.data.store import cached
from etl.indicators import INDICATOR_BY_FLAG
from geodata.layers import LayerSet

LEVELS = ("county", "prefecture")
RATE_MEASURES = (*INDICATOR_BY_FLAG, "inflow_per_1000", *CENSUS_MEASURES)
VARIABLES = ("raw", "eb", "spatial_eb")
SMALL_DENOMINATOR = 50
MIN_UNITS = 5
"""Fewer units analysed than this: no Moran statistics (nothing to say about clustering)."""
SCALE = {"inflow_per_1000": 1000.0}
"""Rates shown per 1,000 (else per person: a share)."""


@dataclass(frozen=True)
class Analysis:
    """One measure at one level in one period, aligned with ``codes`` (every unit of the level in
    the reader's scope).

    ``numerator`` / ``denominator``: the counts behind the value (NaN where withheld);
    ``withheld``: small or complementary cells; ``analysed``: the units that took part;
    ``raw``, ``eb``, ``spatial_eb``: rates (in the measure's scale; NaN where not analysed, and
    ``eb`` / ``spatial_eb`` NaN for a count measure); ``value``: the variable mapped and tested;
    ``local``: local Moran of the analysed units (their order), ``moran`` global Moran's I (None
    with fewer than ``MIN_UNITS`` units); ``islands``: units joined to their nearest unit.
    """

    measure: str
    level: str
    period: str
    variable: str
    fdr: bool
    codes: list[str]
    numerator: np.ndarray
    denominator: np.ndarray
    withheld: np.ndarray
    analysed: np.ndarray
    raw: np.ndarray
    eb: np.ndarray
    spatial_eb: np.ndarray
    value: np.ndarray
    local: LocalMoran | None
    moran: GlobalMoran | None
    islands: tuple[str, ...]
    prior_flat: bool

    @property
    def small(self) -> np.ndarray:
        """Published units whose rate rests on fewer than ``SMALL_DENOMINATOR`` persons (rates
        only; see ``small_count``)."""
        if self.measure not in RATE_MEASURES:
            return np.zeros(len(self.codes), dtype=bool)
        counted = self.numerator if small_count(self.measure) == "numerator" else self.denominator
        with np.errstate(invalid="ignore"):
            return self.analysed & (counted < SMALL_DENOMINATOR)

    def spread(self, values: np.ndarray) -> np.ndarray:
        """Values of the analysed units (their order) spread over ``codes`` (NaN elsewhere)."""
        out = np.full(len(self.codes), np.nan)
        out[self.analysed] = values
        return out


def is_rate(measure: str) -> bool:
    return measure in RATE_MEASURES


def small_count(measure: str) -> str:
    """The count whose size makes a rate stable: a share's denominator; for inflow per 1,000
    residents the inflow (its denominator, the census population, is never small: a Poisson
    rate's relative error is 1 / sqrt(events), over 14 % under 50 persons)."""
    return "numerator" if measure in SCALE else "denominator"


def analysis(measure: str, level: str, period: str, variable: str, fdr: bool) -> Analysis:
    """The analysis of the reader's scope (cached per scope and data version)."""
    if measure not in MEASURES or level not in LEVELS or variable not in VARIABLES:
        raise ValueError(f"no analysis of {measure!r} at {level!r} as {variable!r}")
    return _analysis(measure, level, period, variable if is_rate(measure) else "raw", fdr)


@cached(maxsize=64)
def _analysis(
    _engine: Engine, measure: str, level: str, period: str, variable: str, fdr: bool
) -> Analysis:
    values = measure_values(measure, level, period)
    hidden = withheld(values, measure, level)
    rate = is_rate(measure)
    with np.errstate(invalid="ignore"):
        usable = np.isfinite(values.value) & ~hidden
        if rate:
            usable &= np.isfinite(values.denominator) & (values.denominator > 0)
    codes = [c for c, ok in zip(values.codes, usable, strict=True) if ok]
    numerator = np.where(hidden, np.nan, values.numerator)
    denominator = np.where(hidden, np.nan, values.denominator)
    nan = np.full(len(values.codes), np.nan)
    raw, eb, spatial = np.where(usable, values.value, np.nan), nan, nan
    local = moran = None
    islands: tuple[str, ...] = ()
    flat = False
    if len(codes) >= 2:
        weights = unit_weights(level, tuple(codes))
        islands = weights.islands
        if rate:
            scale = SCALE.get(measure, 1.0)
            smooth = smoothed_rates(
                values.numerator[usable],
                values.denominator[usable],
                weights.w,
                complement=measure in INDICATOR_BY_FLAG,
            )
            flat = smooth.prior_flat
            raw, eb, spatial = (
                _spread(usable, smooth.raw * scale),
                _spread(usable, smooth.eb * scale),
                _spread(usable, smooth.spatial_eb * scale),
            )
        chosen = {"raw": raw, "eb": eb, "spatial_eb": spatial}[variable][usable]
        if len(codes) >= MIN_UNITS and np.ptp(chosen) > 0:
            local = local_moran(chosen, weights.w, fdr=fdr)
            moran = global_moran(chosen, weights.w)
    elif rate:  # a single unit (a prefecture reader's own prefecture) is its own prior
        eb = spatial = raw
    value = {"raw": raw, "eb": eb, "spatial_eb": spatial}[variable]
    return Analysis(
        measure, level, period, variable, fdr, list(values.codes), numerator, denominator,
        hidden, usable, raw, eb, spatial, value, local, moran, islands, flat,
    )  # fmt: skip


def _spread(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.full(mask.shape, np.nan)
    out[mask] = values
    return out


def layer_contiguity(level: str) -> Contiguity:
    """Queen contiguity of every unit of ``level`` in the layer (built once per process)."""
    return _contiguity(context.current().layers, level)


@lru_cache(maxsize=4)
def _contiguity(layers: LayerSet, level: str) -> Contiguity:
    return contiguity(layers.read(level, "national"))


def unit_weights(level: str, codes: tuple[str, ...]) -> Weights:
    """Row-standardised weights of ``codes`` (units of ``level``), cached per set of units."""
    return _weights(context.current().layers, level, codes)


@lru_cache(maxsize=32)
def _weights(layers: LayerSet, level: str, codes: tuple[str, ...]) -> Weights:
    return subset(_contiguity(layers, level), codes)
