"""Class breaks of the choropleths, checked against independent computations: numpy quantiles, the
sign of net flows, and the exact integer "at target" rule of ``etl.indicators``."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.classify import diverging_classes, quantile_classes, target_classes
from etl.indicators import at_target

LABELS = ("below", "8", "3", "at")


def test_quantile_classes_span_the_values_and_split_them_evenly():
    values = np.random.default_rng(3).integers(1, 10_000, 1_000).astype(float)
    values[:7] = np.nan
    classes = quantile_classes(values, k=5)
    finite = values[np.isfinite(values)]
    assert classes.bounds[0] == finite.min() and classes.bounds[-1] == finite.max()
    np.testing.assert_allclose(classes.bounds[1:-1], np.quantile(finite, [0.2, 0.4, 0.6, 0.8]), rtol=0.01)
    assert len(classes.labels) == len(classes.colors) == len(classes.bounds) - 1
    counts = np.bincount(classes.index(finite).astype(int), minlength=5)
    assert counts.min() >= 150  # each quintile holds about a fifth of 993 values
    assert np.isnan(classes.index(values)[:7]).all()


def test_quantile_classes_of_nothing_and_of_one_value():
    assert quantile_classes(np.array([np.nan])).labels == ("–",)
    single = quantile_classes(np.array([5.0, 5.0, 5.0]))
    assert len(single.labels) == 1 and single.labels[0] == "5 – 5"


def test_percent_labels():
    classes = quantile_classes(np.linspace(0.5, 1.0, 101), k=2, percent=True)
    assert classes.labels[0].startswith("50.0%") and classes.labels[-1].endswith("100.0%")


def test_diverging_classes_split_at_zero_by_sign():
    values = np.array([-900.0, -40, -30, -3, -1, 2, 5, 70, 800, 1_000])
    classes = diverging_classes(values)
    assert classes.bounds[3] == 0.0 and len(classes.colors) == 6
    index = classes.index(values)
    assert (index[values < 0] < 3).all() and (index[values > 0] >= 3).all()
    assert classes.bounds[0] == values.min() and classes.bounds[-1] == values.max()


@pytest.mark.parametrize("target_bp", [9_800, 9_500, 9_000])
def test_target_classes_agree_with_the_integer_at_target_rule(target_bp):
    rng = np.random.default_rng(target_bp)
    denominator = rng.integers(1, 400, 5_000)
    numerator = np.minimum(denominator, rng.integers(0, 400, 5_000))
    numerator[:50] = denominator[:50] * target_bp // 10_000  # some exactly at or just below
    classes = target_classes(target_bp / 10_000, LABELS)
    top = classes.index(numerator / denominator) == 3
    np.testing.assert_array_equal(top, at_target(numerator, denominator, target_bp))
    # the other classes: 3 and 8 points below the target, by the same exact comparison
    for cls, points in ((2, 300), (1, 800)):
        above = numerator * 10_000 >= (target_bp - points) * denominator
        np.testing.assert_array_equal(classes.index(numerator / denominator) >= cls, above)
