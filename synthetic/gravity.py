"""Where synthetic migrants come from: a gravity model over county points and populations.

Terms
-----
*County point* and *distance*: as in ``geodata.points`` (a point inside each county polygon;
great-circle km between points, never less than ``min_distance_km``).

*Gravity weight* of origin county *o* for destination *d*: ``P_o ** a / d_od ** b``, with ``P_o``
the census resident population of *o*. Origins are drawn in proportion to the weights among the
candidate counties (intra-provincial: the other counties of *d*'s province; inter-provincial: the
counties of every other province). The default exponents ``a = 1``, ``b = 1.2`` are a plausible
choice, not a fit: published gravity fits of Chinese inter-provincial migration put the distance
exponent between about 0.8 and 1.5. Pure gravity ignores push factors (poorer, rural provinces
send more than their population alone suggests), so origin shares are smoother than real ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geodata.points import MIN_DISTANCE_KM, great_circle_km


@dataclass(frozen=True)
class GravityModel:
    """Origin weights ``population ** mass_exponent / distance_km ** distance_exponent``."""

    mass_exponent: float = 1.0
    distance_exponent: float = 1.2
    min_distance_km: float = MIN_DISTANCE_KM

    def weights(
        self,
        dest_lon: np.ndarray,
        dest_lat: np.ndarray,
        origin_lon: np.ndarray,
        origin_lat: np.ndarray,
        origin_population: np.ndarray,
    ) -> np.ndarray:
        """``(n_dest, n_origin)`` gravity weights (not normalised)."""
        distance = great_circle_km(
            dest_lon[:, None],
            dest_lat[:, None],
            origin_lon[None, :],
            origin_lat[None, :],
            floor_km=self.min_distance_km,
        )
        mass = np.asarray(origin_population, dtype=np.float64) ** self.mass_exponent
        return mass[None, :] / distance**self.distance_exponent


def draw_from_weights(weights: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Indices drawn from a categorical distribution proportional to ``weights`` (1-d).

    ``uniforms`` are draws in [0, 1), one per sample; the result has the same shape.
    """
    cumulative = np.cumsum(weights, dtype=np.float64)
    total = cumulative[-1]
    if not total > 0:
        raise ValueError("cannot draw from all-zero weights")
    picks = np.searchsorted(cumulative, uniforms * total, side="right")
    return np.minimum(picks, len(weights) - 1)
