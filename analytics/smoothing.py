"""Empirical Bayes rates: raw rates shrunk towards a mean, the more the smaller their base.

A *rate* is ``events / base`` per unit (per person of the base; callers scale it, e.g. x 1,000).
Where the base is small a raw rate swings by chance; Empirical Bayes (Marshall 1991, as GeoDa
and PySAL ``esda.smoothing`` compute it) replaces it by a weighted mean of the raw rate and a
prior mean, the weight being the share of between-unit variance in the unit's total variance:

- *global* EB (``esda.smoothing.Empirical_Bayes``): the prior is the rate of all analysed units
  together, its variance the method-of-moments estimate over them. When that estimate is not
  positive (the rates vary less than chance alone would make them), every rate is the prior mean
  (Marshall's rule; esda does not apply it itself);
- *spatial* EB (``esda.smoothing.Spatial_Empirical_Bayes``): the prior of each unit is the rate
  of its neighbourhood (itself and its neighbours in the weights), its variance estimated there
  (a negative estimate is taken as 0 by esda). A neighbourhood without any event keeps its
  rates of 0 (esda would divide 0 by 0 there).

The model behind both is Poisson: events are rare compared with the base. A *coverage* rate (the
share of a denominator served, typically 80-99 %) is not rare; its complement, the share not
served, is. So a coverage rate is smoothed as ``1 - EB(base - events, base)``
(``complement=True``): the shortfall is smoothed and turned back into coverage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from esda.smoothing import Empirical_Bayes, Spatial_Empirical_Bayes
from libpysal import weights


@dataclass(frozen=True)
class SmoothedRates:
    """Rates of the units of the weights (same order), per person of ``base``: ``raw`` =
    events / base, ``eb`` global and ``spatial_eb`` spatial Empirical Bayes; ``prior_flat``:
    the global variance estimate was not positive, so ``eb`` is the global mean everywhere."""

    events: np.ndarray
    base: np.ndarray
    raw: np.ndarray
    eb: np.ndarray
    spatial_eb: np.ndarray
    prior_flat: bool


def smoothed_rates(
    events: np.ndarray, base: np.ndarray, w: weights.W, *, complement: bool = False
) -> SmoothedRates:
    """Raw, global EB and spatial EB rates of ``events`` per ``base`` for the units of ``w`` (in
    its ``id_order``). Every base must be positive and every count finite; ``complement``: the
    rate is a coverage share, smoothed through its complement (see the module docstring)."""
    events = np.asarray(events, dtype=np.float64)
    base = np.asarray(base, dtype=np.float64)
    if events.shape != base.shape or events.shape != (w.n,):
        raise ValueError(f"smoothed_rates: {events.shape} events, {base.shape} bases, {w.n} units")
    if not (np.isfinite(events).all() and np.isfinite(base).all()) or (base <= 0).any():
        raise ValueError("smoothed_rates: every base must be positive and every count finite")
    if (events < 0).any() or (complement and (events > base).any()):
        raise ValueError("smoothed_rates: events are >= 0 (and, for coverage, <= the base)")
    modelled = base - events if complement else events
    raw = modelled / base
    eb, flat = _global(modelled, base, raw)
    with np.errstate(invalid="ignore", divide="ignore"):
        spatial = Spatial_Empirical_Bayes(modelled, base, w).r.ravel()
    # a neighbourhood without a single event has rate 0 and no variance: esda divides 0 by 0
    # there; its units' rates are 0 (their own events are 0 too), and so are their smoothed ones
    spatial = np.where(np.isnan(spatial), raw, spatial)
    if complement:
        raw, eb, spatial = 1.0 - raw, 1.0 - eb, 1.0 - spatial
    return SmoothedRates(events, base, raw, eb, spatial, flat)


def _global(events: np.ndarray, base: np.ndarray, raw: np.ndarray) -> tuple[np.ndarray, bool]:
    """esda's global EB rates, or the global mean everywhere when its variance estimate is not
    positive (then esda's weights fall outside 0-1: detected from its output, not re-derived)."""
    mean = events.sum() / base.sum()
    if mean == 0:  # not a single event: every rate is 0, nothing to smooth
        return raw.copy(), True
    with np.errstate(invalid="ignore", divide="ignore"):
        eb = Empirical_Bayes(events, base).r.ravel()
    spread = raw - mean
    moved = np.abs(spread) > 1e-12
    shrink = (eb[moved] - mean) / spread[moved]
    if moved.any() and not ((shrink >= -1e-9) & (shrink <= 1 + 1e-9)).all():
        return np.full_like(raw, mean), True
    return eb, False
