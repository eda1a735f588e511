"""Queen contiguity of the fixture grid, islands joined to their nearest unit, subsets."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.weights import subset
from tests.analytics.conftest import GRID, queen_neighbours


def test_queen_contiguity_of_the_grid(grid):
    weights = subset(grid, GRID)
    assert weights.islands == ()
    for code in GRID:
        assert set(weights.w.neighbors[code]) == queen_neighbours(code)
    assert sorted(len(weights.w.neighbors[c]) for c in GRID) == [3, 3, 3, 3, 5, 5, 5, 5, 8]


def test_an_island_is_joined_to_its_nearest_unit_both_ways(grid):
    weights = subset(grid, [*GRID, "island"])
    assert weights.islands == ("island",)
    assert list(weights.w.neighbors["island"]) == ["r2c2"]
    assert "island" in weights.w.neighbors["r2c2"]
    assert weights.w.islands == []


def test_weights_are_row_standardised(grid):
    weights = subset(grid, [*GRID, "island"])
    dense = weights.w.full()[0]
    assert np.allclose(dense.sum(axis=1), 1.0)
    centre = weights.codes.index("r1c1")
    assert np.allclose(dense[centre][dense[centre] > 0], 1 / 8)


def test_a_subset_makes_new_islands_and_joins_them(grid):
    # r0c0 and r2c2 touch nothing once the middle row and the other cells are left out
    weights = subset(grid, ["r0c0", "r0c1", "r2c2"])
    assert weights.islands == ("r2c2",)
    assert set(weights.w.neighbors["r0c0"]) == {"r0c1"}
    assert list(weights.w.neighbors["r2c2"]) == ["r0c1"]  # 2.2 degrees away, r0c0 2.8


def test_fewer_than_two_units_and_unknown_codes_are_refused(grid):
    with pytest.raises(ValueError, match="at least two"):
        subset(grid, ["r0c0"])
    with pytest.raises(KeyError):
        subset(grid, ["r0c0", "nowhere"])
