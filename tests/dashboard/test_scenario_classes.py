"""The scenario map's classes: shown in whole persons or percentage points, never two classes with
one label, never a range from a value to itself, and fewer classes when the values are few."""

from __future__ import annotations

import re

import numpy as np
import pytest

from dashboard.figures.scenario_map import (
    count_classes,
    difference_classes,
    display_step,
    layer_classes,
    shown,
)

LABELS = ("a", "b", "c", "d")
NUMBER = re.compile(r"[+-]?[\d,]+(?:\.\d+)?")


def _numbers(label: str) -> list[float]:
    return [float(n.replace(",", "")) for n in NUMBER.findall(label)]


def _check(classes, values: np.ndarray, step: float) -> None:
    """Labels unique and never ``a – a``; bounds increasing; each class's label spans exactly the
    smallest and largest shown value it holds (computed here from Classes.index)."""
    assert len(set(classes.labels)) == len(classes.labels), classes.labels
    assert len(classes.bounds) == len(classes.colors) + 1 == len(classes.labels) + 1
    assert all(a < b for a, b in zip(classes.bounds, classes.bounds[1:], strict=False))
    for label in classes.labels:
        parts = label.split(" – ")
        assert len(parts) in (1, 2) and (len(parts) == 1 or parts[0] != parts[1]), label
    finite = shown(values[np.isfinite(values)], step)
    index = classes.index(finite)
    for k, label in enumerate(classes.labels):
        inside = finite[index == k]
        if inside.size == 0:
            assert label.startswith("0"), label  # only the no-change class may be empty
            continue
        numbers = _numbers(label)
        assert numbers[0] == pytest.approx(inside.min()) and numbers[-1] == pytest.approx(inside.max()), (
            label, inside.min(), inside.max(),
        )  # fmt: skip


def test_the_issue_legend_no_longer_repeats_or_shows_minus_zero():
    # the page showed "+2.2 – +2.2" twice and "-0.00 – -0.00": many equal changes, a few tiny ones
    values = np.array([2.2] * 40 + [2.2000001] * 5 + [0.7, -0.001, -0.004, 0.0, 0.0])
    classes = difference_classes(values, display_step(values, "points"), "0 (no change)")
    assert classes.labels == ("0 (no change)", "+0.7", "+2.2")
    assert not any("-0" in label for label in classes.labels)
    _check(classes, values, 0.1)


def test_fractional_persons_are_shown_whole():
    values = np.array([0.3, 0.6, 1.4, 2.5, 7.9, 12.2, -0.2, -3.6, -3.4, -40.0])
    classes = difference_classes(values, 1.0)
    assert all(re.fullmatch(r"[+-][\d,]+( – [+-][\d,]+)?|0", label) for label in classes.labels), classes.labels
    assert classes.index(np.array([-0.2]))[0] == classes.labels.index("0")  # rounds to no change
    _check(classes, values, 1.0)


def test_fewer_classes_when_values_are_few():
    assert difference_classes(np.array([0.0, 0.0, 5.0])).labels == ("0", "+5")
    assert difference_classes(np.array([0.0, 0.0])).labels == ("0",)
    assert difference_classes(np.array([np.nan])).labels == ("0",)
    assert difference_classes(np.array([-3.0, -1.0, 4.0, 4.0])).labels == ("-3", "-1", "0", "+4")
    assert count_classes(np.array([5.0, 5.0, 5.0])).labels == ("5",)
    assert count_classes(np.array([1.0, 2.0])).labels == ("1", "2")


def test_three_classes_a_side_at_most_and_colours_darken_outwards():
    values = np.arange(-50.0, 51.0)
    classes = difference_classes(values)
    assert len(classes.labels) == 7
    assert classes.labels[0].startswith("-50") and classes.labels[-1].endswith("+50")
    assert classes.colors[3] == "#f7f7f7"
    _check(classes, values, 1.0)


def test_points_step_follows_the_size_of_the_changes():
    assert display_step(np.array([0.02, 0.4, np.nan]), "points") == 0.01
    assert display_step(np.array([0.02, 3.0]), "points") == 0.1
    assert display_step(np.array([0.02, 3.0]), "persons") == 1.0
    small = np.array([0.02, 0.03, 0.4, 0.0])
    classes = layer_classes(small, "difference", "points", 0.98, LABELS)
    assert classes.labels == ("0", "+0.02", "+0.03", "+0.40")
    _check(classes, small, 0.01)


@pytest.mark.parametrize("seed", range(12))
def test_random_layers_never_degenerate(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    values = np.round(rng.normal(0, rng.choice([0.3, 3, 300]), n), int(rng.integers(0, 4)))
    values[rng.random(n) < 0.3] = 0.0
    values[rng.random(n) < 0.05] = np.nan
    for unit in ("persons", "points"):
        step = display_step(values, unit)
        _check(layer_classes(values, "difference", unit, None, LABELS), values, step)
    counts = np.abs(values) * 10
    _check(count_classes(counts), counts, 1.0)
    assert layer_classes(counts, "scenario", "persons", None, LABELS).labels == count_classes(counts).labels
