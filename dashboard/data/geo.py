"""Geography lookups for the pages: names, parents, regions and pilots (cached, read-only).

The tables are those of ``geodata.areas`` (one cache per process, shared with the area model).
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

import numpy as np
import orjson

from geodata.areas import (
    county_names_with_prefecture,
    hierarchy,
    provinces,
    regions,
    unit_name,
    unit_names,
)
from geodata.layers import LayerSet

__all__ = [
    "county_names_with_prefecture", "fitted_bounds", "hierarchy", "outside_codes", "province_codes",
    "provinces",
    "regions", "unit_name", "unit_names",
]  # fmt: skip


@lru_cache(maxsize=4)
def outside_codes(level: str) -> tuple[str, ...]:
    """Units of ``level`` outside the data's coverage (Taiwan, Hong Kong, Macao, 金门), drawn in grey.

    A unit holding any covered county (金门's prefecture 泉州) is inside."""
    h = hierarchy()
    inside = set(h.loc[h["in_coverage"], f"{level}_code"])
    return tuple(sorted(set(h.loc[~h["in_coverage"], f"{level}_code"]) - inside))


def province_codes() -> list[str]:
    return provinces()["province_code"].tolist()


MIN_SPAN = 4.0  # degrees: a map fitted to a small place shows at least this much around it
PAD = 0.08  # share of the place's extent added on each side


@lru_cache(maxsize=2)
def _county_boxes(path: str) -> dict[str, tuple[float, float, float, float]]:
    """County code -> (min lon, max lon, min lat, max lat) from the national county GeoJSON."""
    with open(path, "rb") as file:
        data = orjson.loads(file.read())
    boxes = {}
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        xy = np.concatenate([np.asarray(ring) for polygon in polygons for ring in polygon])
        boxes[str(feature["id"])] = (xy[:, 0].min(), xy[:, 0].max(), xy[:, 1].min(), xy[:, 1].max())
    return boxes


def fitted_bounds(
    county_codes: Collection[str], layers: LayerSet, min_span: float = MIN_SPAN
) -> tuple[float, float, float, float] | None:
    """(lon0, lon1, lat0, lat1) around a place's counties, padded, at least ``min_span`` degrees
    wide and high (None if none is drawn): what a map fitted to the place shows."""
    known = _county_boxes(str(layers.geojson_path("county_national")))
    boxes = np.array([known[c] for c in county_codes if c in known])
    if not len(boxes):
        return None
    lon0, lon1 = boxes[:, 0].min(), boxes[:, 1].max()
    lat0, lat1 = boxes[:, 2].min(), boxes[:, 3].max()
    cx, cy = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    wx, wy = max(lon1 - lon0, min_span) * (1 + 2 * PAD), max(lat1 - lat0, min_span) * (1 + 2 * PAD)
    return (
        round(float(cx - wx / 2), 3),
        round(float(cx + wx / 2), 3),
        round(float(cy - wy / 2), 3),
        round(float(cy + wy / 2), 3),
    )
