"""Class schemes against their definitions computed directly with numpy."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.classes import BreaksError, classify, parse_breaks

VALUES = np.array([1.0, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 40])


def test_box_map_has_the_fences_and_quartiles():
    result = classify(VALUES, "box")
    q1, q2, q3 = np.percentile(VALUES, [25, 50, 75])
    iqr = q3 - q1
    assert result.bins == pytest.approx((q1 - 1.5 * iqr, q1, q2, q3, q3 + 1.5 * iqr, 40.0))
    assert result.counts[-1] == 1  # 40 is an upper outlier
    assert result.counts[0] == 0


def test_equal_interval_and_quantiles():
    equal = classify(VALUES, "equal", k=3)
    assert equal.bins == pytest.approx((14.0, 27.0, 40.0))
    assert equal.counts == (11, 0, 1)
    quantiles = classify(VALUES, "quantiles", k=4)
    assert quantiles.bins == pytest.approx(tuple(np.percentile(VALUES, [25, 50, 75, 100])))


def test_natural_breaks_are_the_same_every_time_and_split_the_outlier():
    one, two = classify(VALUES, "natural", k=2), classify(VALUES, "natural", k=2)
    assert one.bins == two.bins == (10.0, 40.0)
    assert one.counts == (11, 1)


def test_user_breaks_are_upper_bounds_and_a_last_class_is_added():
    result = classify(VALUES, "user", breaks=(2, 5))
    assert result.bins == (2.0, 5.0, 40.0)
    assert result.counts == (3, 3, 6)  # 2 falls in the first class
    assert result.bounds[0] == 1.0
    with pytest.raises(BreaksError):
        classify(VALUES, "user")


def test_typed_breaks():
    assert parse_breaks("90, 95 98%", scale=100) == pytest.approx((0.9, 0.95, 0.98))
    assert parse_breaks("1、2，3") == (1.0, 2.0, 3.0)
    assert parse_breaks("  ") == ()
    for bad in ("a, b", "3, 2", "1, 1", ",".join(str(i) for i in range(20)), "nan"):
        with pytest.raises(BreaksError):
            parse_breaks(bad)


def test_a_box_map_without_outliers_still_has_six_classes():
    result = classify(np.arange(1.0, 13.0), "box")
    assert len(result.bins) == 6
    assert result.counts[0] == result.counts[-1] == 0
    assert sum(result.counts) == 12
