"""A presented slide's regional map takes the shape of its box (``zoom_to`` with an aspect)."""

from __future__ import annotations

import math

import pytest

from dashboard.figures.china_map import widened


@pytest.mark.parametrize(
    "bounds", [(118.0, 122.0, 27.0, 35.0), (100.0, 125.0, 30.0, 32.0), (120.5, 121.5, 31.0, 31.6)]
)
def test_widened_bounds_hold_the_region_and_take_the_box_shape(bounds):
    lon0, lon1, lat0, lat1 = widened(bounds, 1.32)
    assert lon0 <= bounds[0] and lon1 >= bounds[1] and lat0 <= bounds[2] and lat1 >= bounds[3]
    # one axis unchanged, the other grown about the same centre
    assert (lon0, lon1) == bounds[:2] or (lat0, lat1) == bounds[2:]
    assert math.isclose((lon0 + lon1) / 2, (bounds[0] + bounds[1]) / 2)
    assert math.isclose((lat0 + lat1) / 2, (bounds[2] + bounds[3]) / 2)
    # width over height, a degree of longitude being cos(mid-latitude) of one of latitude
    shape = (lon1 - lon0) * math.cos(math.radians((lat0 + lat1) / 2)) / (lat1 - lat0)
    assert math.isclose(shape, 1.32, rel_tol=1e-9)
