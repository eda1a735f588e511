"""Spatial autocorrelation: global Moran's I and local Moran (LISA) clusters (``esda``).

*Global Moran's I* says whether similar values sit next to each other over the whole map (I > 0),
judged against 999 random permutations of the values over the units (pseudo p-value,
``p_sim``) and against the normal approximation (``p_norm``).

*Local Moran* (Anselin 1995) gives each unit its local I and a *quadrant* of the Moran scatter
plot: HH (high value among high neighbours: a hot spot), LL (a cold spot), LH and HL (spatial
outliers). A unit is *significant* when its pseudo p-value from conditional permutation (999
draws of its neighbours' values among the others') is at most ``alpha`` (0.05), or, with the
false-discovery-rate option, at most the Benjamini-Hochberg cut-off of all units' p-values
(``esda.fdr``). Not significant units form their own class.

Permutations use a fixed seed (``SEED``), so the same data give the same map. Values are
standardised by esda; weights are row-standardised (``analytics.weights``).
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass

import esda
import numpy as np
from libpysal import weights

SEED = 20091101
"""Seed of every permutation (the date the national 一盘棋 mechanism was set out)."""
PERMUTATIONS = 999
ALPHA = 0.05
CLUSTERS = ("not_significant", "HH", "LH", "LL", "HL")
"""Cluster numbers 0-4: 0 not significant, then esda's quadrants 1 HH, 2 LH, 3 LL, 4 HL."""
P_LEVELS = (0.05, 0.01, 0.001)
"""Significance classes: 0 not significant, 1 p <= 0.05, 2 p <= 0.01, 3 p <= 0.001 (the least
p-value 999 permutations can give)."""

_GLOBAL_RANDOM = threading.Lock()  # esda's global Moran draws from numpy's global generator


@dataclass(frozen=True)
class GlobalMoran:
    """Moran's I of ``n`` units with its expectation under no autocorrelation (-1 / (n - 1)),
    pseudo p-value from ``permutations`` permutations, z-score and p-value by normality."""

    i: float
    expected: float
    p_sim: float
    z_norm: float
    p_norm: float
    n: int
    permutations: int


@dataclass(frozen=True)
class LocalMoran:
    """Local Moran of the units of the weights (same order).

    ``local_i``; ``quadrant`` 1 HH, 2 LH, 3 LL, 4 HL; ``p_sim`` pseudo p-values; ``cutoff`` the
    p-value at or under which a unit is significant (``alpha``, or the FDR cut-off);
    ``cluster`` 0 (not significant) or the quadrant; ``significance`` the class of ``P_LEVELS``
    of a significant unit (0 otherwise)."""

    local_i: np.ndarray
    quadrant: np.ndarray
    p_sim: np.ndarray
    cutoff: float
    fdr: bool
    cluster: np.ndarray
    significance: np.ndarray

    def counts(self) -> dict[str, int]:
        """Units per cluster name (``CLUSTERS``)."""
        return {name: int((self.cluster == k).sum()) for k, name in enumerate(CLUSTERS)}


def global_moran(
    values: np.ndarray, w: weights.W, *, permutations: int = PERMUTATIONS, seed: int = SEED
) -> GlobalMoran:
    """Global Moran's I of ``values`` (in ``w.id_order``)."""
    y = _checked(values, w)
    with _GLOBAL_RANDOM, warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        state = np.random.get_state()
        np.random.seed(seed)
        try:
            moran = esda.Moran(y, w, transformation="r", permutations=permutations)
        finally:
            np.random.set_state(state)
    return GlobalMoran(
        i=float(moran.I),
        expected=float(moran.EI),
        p_sim=float(moran.p_sim) if permutations else float("nan"),
        z_norm=float(moran.z_norm),
        p_norm=float(moran.p_norm),
        n=int(moran.n),
        permutations=permutations,
    )


def local_moran(
    values: np.ndarray,
    w: weights.W,
    *,
    fdr: bool = False,
    alpha: float = ALPHA,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
) -> LocalMoran:
    """Local Moran of ``values`` (in ``w.id_order``), clusters at ``alpha`` or its FDR cut-off."""
    y = _checked(values, w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba missing, constant values: esda's own warnings
        lisa = esda.Moran_Local(
            y, w, transformation="r", permutations=permutations, seed=seed, n_jobs=1
        )
    p = np.asarray(lisa.p_sim, dtype=np.float64)
    cutoff = float(esda.fdr(p, alpha)) if fdr else alpha
    significant = p <= cutoff
    quadrant = np.asarray(lisa.q, dtype=np.int64)
    cluster = np.where(significant, quadrant, 0)
    levels = np.searchsorted(-np.asarray(P_LEVELS), -p, side="right")  # 1, 2, 3 below each level
    return LocalMoran(
        local_i=np.asarray(lisa.Is, dtype=np.float64),
        quadrant=quadrant,
        p_sim=p,
        cutoff=cutoff,
        fdr=fdr,
        cluster=cluster,
        significance=np.where(significant, levels, 0),
    )


def _checked(values: np.ndarray, w: weights.W) -> np.ndarray:
    y = np.asarray(values, dtype=np.float64).ravel()
    if y.shape != (w.n,):
        raise ValueError(f"{y.size} values for {w.n} units")
    if not np.isfinite(y).all():
        raise ValueError("autocorrelation needs a finite value for every unit")
    return y
