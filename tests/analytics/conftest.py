"""A tiny layer with known contiguity: a 3 x 3 grid of one-degree squares (codes ``r<row>c<col>``,
row 0 at the south) and one island square far to the north-east (``island``).

Queen neighbours in the grid: a corner has 3, an edge cell 5, the centre 8; the island has none
and its nearest cell is ``r2c2``.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from analytics.weights import Contiguity, contiguity

GRID = [f"r{r}c{c}" for r in range(3) for c in range(3)]


def grid_frame() -> gpd.GeoDataFrame:
    cells = [box(100 + c, 30 + r, 101 + c, 31 + r) for r in range(3) for c in range(3)]
    return gpd.GeoDataFrame(
        {"adcode": [*GRID, "island"]},
        geometry=[*cells, box(106, 36, 106.5, 36.5)],
        crs="EPSG:4326",
    )


@pytest.fixture(scope="session")
def grid() -> Contiguity:
    return contiguity(grid_frame())


def queen_neighbours(code: str) -> set[str]:
    """The queen neighbours of a grid cell, from its row and column (independent of libpysal)."""
    r, c = int(code[1]), int(code[3])
    return {
        f"r{r + dr}c{c + dc}"
        for dr in (-1, 0, 1)
        for dc in (-1, 0, 1)
        if (dr or dc) and 0 <= r + dr < 3 and 0 <= c + dc < 3
    }
