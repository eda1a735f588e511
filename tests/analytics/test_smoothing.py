"""Empirical Bayes rates against a direct numpy computation (Marshall 1991, as written in GeoDa's
documentation) on the fixture grid, and against esda's own documented example (St. Louis
homicides, shipped with libpysal)."""

from __future__ import annotations

import libpysal
import numpy as np
import pytest

from analytics.smoothing import smoothed_rates
from analytics.weights import subset
from tests.analytics.conftest import GRID, queen_neighbours

EVENTS = np.array([1, 20, 0, 12, 60, 2, 15, 9, 40], dtype=float)
BASE = np.array([20, 80, 15, 300, 500, 40, 90, 150, 700], dtype=float)


def marshall_global(e: np.ndarray, b: np.ndarray) -> np.ndarray:
    r = e / b
    m = e.sum() / b.sum()
    s2 = (b * (r - m) ** 2).sum() / b.sum() - m / b.mean()
    s2 = max(s2, 0.0)
    return m + (r - m) * s2 / (s2 + m / b)


def marshall_spatial(e: np.ndarray, b: np.ndarray, codes: list[str]) -> np.ndarray:
    r = e / b
    out = np.empty_like(r)
    for i, code in enumerate(codes):
        hood = [codes.index(c) for c in queen_neighbours(code)] + [i]
        m = e[hood].sum() / b[hood].sum()
        s2 = (b[hood] * (r[hood] - m) ** 2).sum() / b[hood].sum() - m / b[hood].mean()
        s2 = max(s2, 0.0)
        out[i] = m + (r[i] - m) * s2 / (s2 + m / b[i])
    return out


def test_global_and_spatial_eb_match_a_direct_computation(grid):
    w = subset(grid, GRID).w
    rates = smoothed_rates(EVENTS, BASE, w)
    assert np.allclose(rates.raw, EVENTS / BASE)
    assert np.allclose(rates.eb, marshall_global(EVENTS, BASE))
    assert np.allclose(rates.spatial_eb, marshall_spatial(EVENTS, BASE, GRID))
    assert not rates.prior_flat
    # shrinkage: the smallest base moves most towards the mean
    mean = EVENTS.sum() / BASE.sum()
    moved = np.abs(rates.eb - rates.raw) / np.abs(rates.raw - mean)
    assert moved[np.argmin(BASE)] == pytest.approx(moved.max())


def test_coverage_is_smoothed_through_its_shortfall(grid):
    w = subset(grid, GRID).w
    served = BASE - EVENTS  # coverage near 90 %: the shortfall is the rare event
    rates = smoothed_rates(served, BASE, w, complement=True)
    assert np.allclose(rates.raw, served / BASE)
    assert np.allclose(rates.eb, 1 - marshall_global(EVENTS, BASE))
    assert np.allclose(rates.spatial_eb, 1 - marshall_spatial(EVENTS, BASE, GRID))


def test_no_between_unit_variance_gives_the_global_mean(grid):
    w = subset(grid, GRID).w
    base = np.full(9, 1000.0)
    events = np.array([100, 101, 99, 100, 102, 98, 100, 100, 100], dtype=float)  # Poisson sd ~10
    rates = smoothed_rates(events, base, w)
    assert rates.prior_flat
    assert np.allclose(rates.eb, events.sum() / base.sum())
    assert np.allclose(rates.eb, marshall_global(events, base))


def test_bad_counts_are_refused(grid):
    w = subset(grid, GRID).w
    with pytest.raises(ValueError, match="positive"):
        smoothed_rates(EVENTS, np.where(BASE == 15, 0, BASE), w)
    with pytest.raises(ValueError, match="units"):
        smoothed_rates(EVENTS[:5], BASE[:5], w)
    with pytest.raises(ValueError, match="coverage"):
        smoothed_rates(BASE + 1, BASE, w, complement=True)


def stl():
    example = libpysal.examples.get_path("stl_hom.csv")
    table = libpysal.io.open(example, "r")
    events, base = np.array(table[:, 10], dtype=float), np.array(table[:, 13], dtype=float)
    w = libpysal.io.open(libpysal.examples.get_path("stl.gal"), "r").read()
    if not w.id_order_set:
        w.id_order = range(1, len(events) + 1)
    return events.ravel(), base.ravel(), w


def test_esda_documented_example_st_louis_homicides():
    events, base, w = stl()
    rates = smoothed_rates(events, base, w)
    documented_eb = [2.36718950e-05, 4.54539167e-05, 4.78114019e-05, 2.76907146e-05,
                     6.58989323e-05, 3.66494122e-05, 5.79952721e-05, 2.03064590e-05,
                     3.31152999e-05, 3.02748380e-05]  # fmt: skip
    documented_spatial = [4.01485749e-05, 3.62437513e-05, 4.93034844e-05, 5.09387329e-05,
                          3.72735210e-05, 3.69333797e-05, 5.40245456e-05, 2.99806055e-05,
                          3.73034109e-05, 3.47270722e-05]  # fmt: skip
    assert np.allclose(rates.eb[:10], documented_eb, rtol=1e-8)
    assert np.allclose(rates.spatial_eb[:10], documented_spatial, rtol=1e-8)


def test_neighbourhoods_and_maps_without_events(grid):
    w = subset(grid, GRID).w
    events = np.array([0, 0, 0, 0, 0, 0, 0, 3, 5], dtype=float)  # none around r0c0
    rates = smoothed_rates(events, BASE, w)
    assert np.isfinite(rates.spatial_eb).all()
    assert rates.spatial_eb[GRID.index("r0c0")] == 0.0
    assert np.allclose(rates.spatial_eb, marshall_spatial_or_zero(events, BASE))
    none = smoothed_rates(np.zeros(9), BASE, w)
    assert np.array_equal(none.eb, np.zeros(9)) and np.array_equal(none.spatial_eb, np.zeros(9))
    assert none.prior_flat


def marshall_spatial_or_zero(e: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        out = marshall_spatial(e, b, GRID)
    return np.where(np.isnan(out), 0.0, out)
