"""etl.indicators: the arithmetic against exact fractions, and the definitions against DESIGN.md §4."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from etl import indicators as I  # noqa: N812
from etl import targets as T  # noqa: N812


def test_targets_are_the_seeds_in_basis_points():
    assert {i.flag: T.target_bp(i.flag, "2012-06") for i in I.INDICATORS} == {
        "cert_issued": 9800, "cert_verified": 9800, "health_check": 9800, "contraception": 9800,
        "free_service": 9500, "pregnancy_check": 9000, "free_contraceptives": 9000,
        "prepregnancy_consult": 8000, "policy_aware": 9000,
    }  # fmt: skip
    assert T.target("free_service", "2012-12") == 0.95
    assert [i.side for i in I.INDICATORS].count("outflow") == 1
    assert list(I.INDICATOR_ORDER) == [i.flag for i in I.INDICATORS]
    with pytest.raises(ValueError, match="unknown indicator 'x'; one of cert_issued"):
        I.indicator("x")


def test_at_target_and_gap_are_exact_where_floats_are_not():
    # 0.98 x 100 is 98.00000000000001 in floats: a float rule would ask for 99
    assert I.at_target(98, 100, 9800) and I.gap(98, 100, 9800) == 0
    assert not I.at_target(97, 100, 9800) and I.gap(97, 100, 9800) == 1
    assert I.at_target(980_000_000, 1_000_000_000, 9800)
    assert not I.at_target(979_999_999, 1_000_000_000, 9800)
    assert I.gap(979_999_999, 1_000_000_000, 9800) == 1
    assert not I.at_target(0, 0, 9800) and I.gap(0, 0, 9800) == 0  # nobody to serve
    assert I.gap(0, 3, 9800) == 3 and I.gap(5, 3, 9800) == 0


def test_rules_agree_with_fractions_on_random_counts():
    rng = random.Random(4)
    den = np.array([rng.choice([0, 1, 7, 50, 100, rng.randrange(1, 10**9)]) for _ in range(2000)])
    num = np.array([rng.randrange(0, d + 1) if d else 0 for d in den])
    bp = np.array([rng.choice([8000, 9000, 9500, 9800]) for _ in den])
    at, gap = I.at_target(num, den, bp), I.gap(num, den, bp)
    for n, d, b, a, g in zip(num, den, bp, at, gap, strict=True):
        goal = Fraction(int(b), 10_000) * int(d)
        assert a == (d > 0 and n >= goal)
        assert g == max(0, math.ceil(goal) - n)
        assert a == (d > 0 and g == 0)


def test_ratio_shortfall_and_attainment():
    assert I.ratio(3, 4) == 0.75 and math.isnan(I.ratio(0, 0))
    series = I.ratio(pd.Series([1, 2], index=["a", "b"]), pd.Series([2, 0], index=["a", "b"]))
    assert series.index.tolist() == ["a", "b"] and series["a"] == 0.5 and math.isnan(series["b"])
    assert I.shortfall(46.0, 57.5, 9800) == pytest.approx(0.98 * 57.5 - 46)
    assert I.shortfall(60.0, 57.5, 9800) == 0.0
    assert I.attainment(45, 50, 9000) == 1.0
    assert I.attainment(40, 50, 8000) == 1.0 and I.attainment(30, 50, 8000) == pytest.approx(0.75)
    assert math.isnan(I.attainment(0, 0, 9000))


def test_small_cells_and_what_a_display_withholds():
    counts = np.array([0, 1, 9, 10, -3, 12])
    assert I.small_cell(counts, 10).tolist() == [True, True, True, False, True, False]
    assert I.withheld(counts, 10).tolist() == [False, True, True, False, True, False]
    assert I.withheld(np.array([np.nan]), 10).tolist() == [False]


def test_score_is_the_weighted_mean_attainment_of_indicators_with_a_denominator():
    num = np.array([[45, 30, 0], [0, 0, 0]])
    den = np.array([[50, 50, 0], [0, 0, 0]])
    bp = np.array([[9000, 8000, 9800], [9000, 8000, 9800]])
    got = I.score(num, den, bp, [2.0, 1.0, 5.0])
    # attainments 1.0 and 0.75 weighted 2:1, the 0/0 column left out; a row with none is NaN
    assert got[0] == pytest.approx((2 * 1.0 + 1 * 0.75) / 3) and math.isnan(got[1])


def test_with_measures():
    rows = pd.DataFrame(
        {"period": "2012-01", "indicator": ["cert_verified", "policy_aware"],
         "numerator": [49, 0], "denominator": [50, 0]}
    )  # fmt: skip
    out = T.with_measures(rows)
    assert out["rate"].iloc[0] == 0.98 and math.isnan(out["rate"].iloc[1])
    assert out["target"].tolist() == [0.98, 0.9]
    assert out["at_target"].tolist() == [True, False] and out["gap"].tolist() == [0, 0]


def test_a_shown_rate_is_the_nearest_tenth_of_a_point_unless_that_reads_as_a_missed_target():
    """Every fraction n/d with d up to 2,000 against the 98% and 80% targets, checked in integers:
    the shown rate is the nearest tenth of a point (half up), except a rate short of its target,
    which shows 0.1 point under it; so shown >= target exactly when the fraction is at target."""
    for bp in (9_800, 8_000):
        for den in range(1, 2_001):
            for num in range(max(0, den * bp // 10_000 - 3), min(den, den * bp // 10_000 + 3) + 1):
                shown = I.shown_rate(num / den, bp / 10_000)
                tenths = round(shown * 1_000)
                nearest = (2_000 * num + den) // (2 * den)  # round half up, in integers
                met = num * 10_000 >= bp * den
                assert tenths == (nearest if met or nearest < bp // 10 else bp // 10 - 1), (num, den)
                assert (tenths >= bp // 10) == met
    assert I.shown_rate(462 / 463) == 0.998  # the area page and the slide agree
    assert np.isnan(I.shown_rate(float("nan"), 0.98))
