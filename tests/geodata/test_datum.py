"""GCJ-02 -> WGS 84 (``geodata.datum``) checked against published control points.

The pairs (WGS 84 -> GCJ-02, degrees) are published test vectors of two independent projects:

- googollee/eviltransform, ``go/transform_test.go`` (commit 784520c1): Shanghai, Shenzhen,
  Beijing;
- wandergis/coordtransform, ``test/app.js``: ``wgs84togcj02(116.404, 39.915)`` =
  ``[116.41024449916938, 39.91640428150164]``.

Distances are computed here on a local flat earth (metres per degree of WGS 84), independent of
the module's own helper.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from geodata import datum

# (wgs_lat, wgs_lon, gcj_lat, gcj_lon)
CONTROL_POINTS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai (eviltransform)
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen (eviltransform)
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing (eviltransform)
    (39.915, 116.404, 39.91640428150164, 116.41024449916938),  # Beijing (wandergis/coordtransform)
]


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    north = (lat1 - lat2) * 111_319.49
    east = (lon1 - lon2) * 111_319.49 * math.cos(math.radians(lat1))
    return math.hypot(north, east)


def test_the_library_forward_function_reproduces_the_published_pairs():
    import coordTransform

    for wgs_lat, wgs_lon, gcj_lat, gcj_lon in CONTROL_POINTS:
        lon, lat = coordTransform.wgs84_to_gcj02(wgs_lon, wgs_lat)
        assert abs(lon - gcj_lon) < 1e-9 and abs(lat - gcj_lat) < 1e-9


def test_gcj02_to_wgs84_recovers_the_published_wgs84_points_to_a_millimetre():
    table = np.array(CONTROL_POINTS)
    lon, lat, conversion = datum.gcj02_to_wgs84(table[:, 3], table[:, 2])
    for (wgs_lat, wgs_lon, gcj_lat, gcj_lon), x, y in zip(CONTROL_POINTS, lon, lat, strict=True):
        assert metres(y, x, wgs_lat, wgs_lon) < 0.001
        # the offset removed is the GCJ-02 one: hundreds of metres
        assert 100 < metres(gcj_lat, gcj_lon, wgs_lat, wgs_lon) < 1000
    assert conversion.points == 4 and conversion.residual_m < 0.001 and conversion.rounds <= 10
    assert 100 < conversion.shift_median_m <= conversion.shift_max_m < 1000


def test_the_one_step_inverse_of_the_library_is_metres_off_which_is_why_it_is_not_used():
    """coordTransform.gcj02_to_wgs84 (one step) misses the Shanghai point by about 2 m."""
    import coordTransform

    wgs_lat, wgs_lon, gcj_lat, gcj_lon = CONTROL_POINTS[0]
    lon, lat = coordTransform.gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert metres(lat, lon, wgs_lat, wgs_lon) > 1.0


def test_agrees_with_geocoordinates_rs_refined_inverse():
    ffi = pytest.importorskip("geocoordinates_ffi")
    rng = np.random.default_rng(0)
    lon = rng.uniform(75, 134, 200)
    lat = rng.uniform(18, 53, 200)
    ours_lon, ours_lat, _ = datum.gcj02_to_wgs84(lon, lat)
    for x, y, ox, oy in zip(lon, lat, ours_lon, ours_lat, strict=True):
        other = ffi.gcj02_to_wgs84_refined(ffi.Gcj02(lat=float(y), lon=float(x)))
        assert metres(oy, ox, other.lat, other.lon) < 0.01


def test_a_frame_is_converted_vertex_by_vertex_and_labelled():
    import geopandas as gpd
    import shapely

    wgs_lat, wgs_lon, gcj_lat, gcj_lon = CONTROL_POINTS[0]
    square = shapely.box(gcj_lon, gcj_lat, gcj_lon + 0.01, gcj_lat + 0.01)
    frame = gpd.GeoDataFrame({"code": ["x"]}, geometry=[square], crs="EPSG:4326")
    out, conversion = datum.frame_to_wgs84(frame, datum.CGCS2000)
    assert out.crs.to_epsg() == 4490 and frame.crs.to_epsg() == 4326  # the input is untouched
    assert conversion.points == 5  # a closed ring: 5 vertices
    corners = shapely.get_coordinates(out.geometry.to_numpy())
    assert any(metres(y, x, wgs_lat, wgs_lon) < 0.001 for x, y in corners)
    assert shapely.get_coordinates(frame.geometry.to_numpy())[0].tolist() != corners[0].tolist()
    with pytest.raises(ValueError, match="crs must be one of"):
        datum.frame_to_wgs84(frame, "EPSG:3857")


def test_points_outside_the_gcj02_box_are_left_and_counted():
    lon, lat, conversion = datum.gcj02_to_wgs84(np.array([73.5, 121.0]), np.array([39.0, 31.0]))
    assert (lon[0], lat[0]) == (73.5, 39.0)  # west of 73.66 E: the library applies no offset
    assert (lon[1], lat[1]) != (121.0, 31.0)
    assert conversion.outside_box == 1 and "1 points outside" in conversion.describe()
