"""Global and local Moran against a direct numpy computation on the fixture grid, esda's
documented example (St. Louis homicide rates), fixed-seed permutations and the FDR cut-off."""

from __future__ import annotations

import libpysal
import numpy as np
import pytest

from analytics.autocorrelation import CLUSTERS, global_moran, local_moran
from analytics.weights import subset
from tests.analytics.conftest import GRID, queen_neighbours

# high values in the south-west corner, low in the north-east
VALUES = np.array([9.0, 8.0, 5.0, 8.5, 6.0, 3.0, 4.0, 2.0, 1.0])


def row_standardised(codes: list[str]) -> np.ndarray:
    n = len(codes)
    w = np.zeros((n, n))
    for i, code in enumerate(codes):
        for other in queen_neighbours(code):
            w[i, codes.index(other)] = 1.0
    return w / w.sum(axis=1, keepdims=True)


def test_global_moran_matches_a_direct_computation(grid):
    w = subset(grid, GRID).w
    result = global_moran(VALUES, w)
    z = VALUES - VALUES.mean()
    W = row_standardised(GRID)
    n = len(z)
    expected_i = n / W.sum() * (z @ W @ z) / (z @ z)
    assert result.i == pytest.approx(expected_i)
    assert result.expected == pytest.approx(-1 / (n - 1))
    assert result.i > 0.3  # a clear gradient
    assert 1 / 1000 <= result.p_sim <= 0.05


def test_local_moran_matches_a_direct_computation(grid):
    w = subset(grid, GRID).w
    result = local_moran(VALUES, w, permutations=99)
    z = (VALUES - VALUES.mean()) / VALUES.std()
    lag = row_standardised(GRID) @ z
    n = len(z)
    assert np.allclose(result.local_i, (n - 1) * z * lag / (z @ z))
    quadrant = np.select(
        [(z > 0) & (lag > 0), (z < 0) & (lag > 0), (z < 0) & (lag < 0), (z > 0) & (lag < 0)],
        [1, 2, 3, 4],
    )
    assert np.array_equal(result.quadrant, quadrant)
    assert result.quadrant[GRID.index("r0c0")] == CLUSTERS.index("HH")
    assert result.quadrant[GRID.index("r2c2")] == CLUSTERS.index("LL")
    significant = result.p_sim <= 0.05
    assert np.array_equal(result.cluster, np.where(significant, quadrant, 0))


def test_permutations_are_seeded(grid):
    w = subset(grid, GRID).w
    one, two = local_moran(VALUES, w), local_moran(VALUES, w)
    assert np.array_equal(one.p_sim, two.p_sim)
    assert global_moran(VALUES, w).p_sim == global_moran(VALUES, w).p_sim
    other = local_moran(VALUES, w, seed=7)
    assert not np.array_equal(one.p_sim, other.p_sim)
    # pseudo p-values of 999 permutations are multiples of 1/1000
    assert np.allclose(one.p_sim * 1000, np.round(one.p_sim * 1000))


def test_the_global_generator_is_left_as_it_was(grid):
    w = subset(grid, GRID).w
    np.random.seed(5)
    expected = np.random.random()
    np.random.seed(5)
    global_moran(VALUES, w)
    assert np.random.random() == expected


def benjamini_hochberg(p: np.ndarray, alpha: float) -> float:
    """The largest k alpha / n with p_(k) < k alpha / n; alpha / n when there is none."""
    n = len(p)
    ranked = np.sort(p)
    limits = np.arange(1, n + 1) * alpha / n
    passing = np.flatnonzero(ranked < limits)
    return limits[passing[-1]] if len(passing) else alpha / n


def stl():
    w = libpysal.io.open(libpysal.examples.get_path("stl.gal")).read()
    table = libpysal.io.open(libpysal.examples.get_path("stl_hom.txt"))
    return np.array(table.by_col["HR8893"], dtype=float), w


def test_esda_documented_example_st_louis_homicide_rates():
    y, w = stl()
    result = global_moran(y, w)
    assert round(result.i, 3) == 0.244  # esda.Moran docstring
    assert result.expected == pytest.approx(-0.012987012987012988)
    assert result.p_norm == pytest.approx(0.00027147862770937614)


def test_fdr_cut_off_is_benjamini_hochberg():
    y, w = stl()
    plain = local_moran(y, w)
    fdr = local_moran(y, w, fdr=True)
    assert plain.cutoff == 0.05
    assert fdr.cutoff == pytest.approx(benjamini_hochberg(fdr.p_sim, 0.05))
    assert fdr.cutoff < 0.05
    assert (fdr.cluster > 0).sum() <= (plain.cluster > 0).sum()
    assert np.array_equal(fdr.cluster > 0, fdr.p_sim <= fdr.cutoff)
    assert fdr.counts()["not_significant"] == int((fdr.cluster == 0).sum())


def test_significance_classes(grid):
    w = subset(grid, GRID).w
    result = local_moran(VALUES, w)
    expected = np.select(
        [result.p_sim <= 0.001, result.p_sim <= 0.01, result.p_sim <= 0.05], [3, 2, 1], 0
    )
    assert np.array_equal(result.significance, expected)


def test_missing_values_are_refused(grid):
    w = subset(grid, GRID).w
    with pytest.raises(ValueError, match="finite"):
        local_moran(np.where(VALUES > 8, np.nan, VALUES), w)
