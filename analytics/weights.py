"""Spatial weights: which units of a level are neighbours.

*Contiguity* is queen contiguity (units sharing an edge or a corner) of a level's polygons in a
cached layer (``geodata.layers``; the ``national`` layer is coverage-simplified, so neighbours
share their border's vertices exactly and the prefecture layer is dissolved from the same
counties).

*Islands* are units without a contiguous neighbour among those analysed: at county level the
island counties 长海县, 岱山县, 南澳县, 西沙区 and 南沙区, and, in a subset (a reader's scope, the
units with data), any unit whose neighbours all fall outside it. Each island is joined to its
nearest analysed unit (k-nearest neighbours with k = 1 between representative points in an
equal-area projection: libpysal ``KNN`` and ``attach_islands``), so every unit has a neighbour
and a spatial lag. Groups of units joined among themselves but not to the mainland (海南岛,
舟山群岛) stay their own components.

Weights are row-standardised (each unit's neighbours weigh 1 in total). ``Contiguity`` of a whole
layer is built once (about 2 s for 2,847 counties) and cached by the caller; ``subset`` weights of
any set of its units from it in milliseconds.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
from libpysal import weights

EQUAL_AREA = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +datum=WGS84 +units=m +no_defs"
"""Albers equal-area conic for China (the maps' projection), for distances between units."""


@dataclass(frozen=True)
class Contiguity:
    """Queen contiguity of a layer's units: ``adjacency`` (binary, symmetric, in ``codes``
    order) and each unit's representative point in metres (``EQUAL_AREA``)."""

    codes: tuple[str, ...]
    adjacency: sp.csr_matrix
    points: np.ndarray

    def position(self, codes: Sequence[str]) -> np.ndarray:
        """Row of each of ``codes`` (a code not in the layer is a KeyError)."""
        rows = {code: i for i, code in enumerate(self.codes)}
        return np.array([rows[code] for code in codes], dtype=np.int64)


@dataclass(frozen=True)
class Weights:
    """Row-standardised weights of ``w.id_order`` units; ``islands``: the units joined to their
    nearest unit because they had no contiguous neighbour."""

    w: weights.W
    islands: tuple[str, ...]

    @property
    def codes(self) -> list[str]:
        return list(self.w.id_order)


def contiguity(frame: gpd.GeoDataFrame, code: str = "adcode") -> Contiguity:
    """Queen contiguity of every polygon of ``frame`` (EPSG:4326), keyed by its ``code`` column."""
    frame = frame.reset_index(drop=True)
    codes = tuple(str(c) for c in frame[code])
    if len(set(codes)) != len(codes):
        raise ValueError(f"contiguity: the {code!r} column has duplicate codes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about the islands handled below
        queen = weights.Queen.from_dataframe(frame, use_index=False, silence_warnings=True)
    adjacency = sp.csr_matrix(queen.sparse, dtype=np.float64)
    adjacency.data[:] = 1.0
    points = frame.geometry.representative_point().to_crs(EQUAL_AREA)
    xy = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
    return Contiguity(codes, adjacency, xy)


def subset(base: Contiguity, codes: Sequence[str]) -> Weights:
    """Row-standardised weights of ``codes`` (units of ``base``; at least two): contiguity among
    them, each island joined to its nearest unit among them."""
    codes = list(codes)
    if len(codes) < 2:
        raise ValueError("spatial weights need at least two units")
    rows = base.position(codes)
    adjacency = base.adjacency[rows][:, rows].tocsr()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = weights.WSP(adjacency, id_order=codes).to_W(silence_warnings=True)
        islands = tuple(str(c) for c in w.islands)
        if islands:
            nearest = weights.KNN.from_array(base.points[rows], k=1, ids=codes)
            w = weights.attach_islands(w, nearest)
    w.transform = "r"
    return Weights(w, islands)
