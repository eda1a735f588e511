"""Class breaks for choropleths and their legend labels.

- counts and per-1,000 rates: quantiles (PySAL ``mapclassify``) over every period of the measure,
  so the legend does not shift while the period changes;
- net flows: diverging classes around zero (quantiles of each sign's magnitudes);
- coverage: classes anchored at the policy target: >= target, within 3 points, within 8 points,
  below that.
"""

from __future__ import annotations

import mapclassify
import numpy as np

from dashboard import theme
from dashboard.figures.china_map import Classes


def quantile_classes(
    values: np.ndarray, k: int = 5, *, percent: bool = False, decimals: int | None = None
) -> Classes:
    """``k`` quantile classes over the finite values; labels as ranges (percent if asked).

    ``decimals`` of the labels; None: 0 for whole numbers, else enough to tell the breaks apart.
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return Classes(bounds=(0.0, 1.0), colors=(theme.SEQUENTIAL_5[0],), labels=("–",))
    bins = np.unique(mapclassify.Quantiles(finite, k=min(k, max(1, np.unique(finite).size))).bins)
    bounds = (float(finite.min()), *(float(b) for b in bins))
    if len(bounds) < 2:
        bounds = (bounds[0], bounds[0])
    if decimals is None:
        decimals = 0 if np.all(finite == np.round(finite)) else _decimals_for(bounds)
    labels = tuple(
        f"{_fmt(lo, percent, decimals)} – {_fmt(hi, percent, decimals)}"
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
    )
    colors = theme.SEQUENTIAL_5[-len(labels) :]
    return Classes(bounds=bounds, colors=tuple(colors), labels=labels)


def diverging_classes(values: np.ndarray) -> Classes:
    """Three classes below zero and three above, split at the terciles of each sign's magnitude."""
    finite = values[np.isfinite(values)]
    neg = -finite[finite < 0]
    pos = finite[finite > 0]
    lo = np.quantile(neg, [1 / 3, 2 / 3]) if neg.size else np.array([1.0, 2.0])
    hi = np.quantile(pos, [1 / 3, 2 / 3]) if pos.size else np.array([1.0, 2.0])
    low_end = -float(neg.max()) if neg.size else -3.0
    high_end = float(pos.max()) if pos.size else 3.0
    bounds = (low_end, -float(lo[1]), -float(lo[0]), 0.0, float(hi[0]), float(hi[1]), high_end)
    labels = tuple(f"{a:,.0f} – {b:,.0f}" for a, b in zip(bounds[:-1], bounds[1:], strict=True))
    return Classes(bounds=bounds, colors=theme.DIVERGING_6, labels=labels)


def target_classes(target: float, labels: tuple[str, str, str, str]) -> Classes:
    """Four classes anchored at ``target`` (a share, 0-1): below-8 pts, 8-3 pts, 3-0 pts, >= target.

    ``labels`` in that order, already in the UI language.
    """
    # bounds rounded to basis points, and a hair under the target, so that a rate exactly at a
    # limit (e.g. 49/50 = 0.98) falls in the upper class despite binary floating point
    bounds = (
        0.0,
        round(target - 0.08, 4) - 1e-9,
        round(target - 0.03, 4) - 1e-9,
        target - 1e-9,
        1.0,
    )
    return Classes(bounds=bounds, colors=theme.TARGET_4, labels=labels)


def _decimals_for(bounds: tuple[float, ...]) -> int:
    """Decimals that show the smallest positive break with two significant digits (0 to 3)."""
    positive = [abs(b) for b in bounds[1:-1] if b != 0] or [abs(b) for b in bounds if b != 0]
    if not positive or min(positive) >= 10:
        return 0
    return int(min(3, max(0, 1 - np.floor(np.log10(min(positive))))))


def _fmt(value: float, percent: bool, decimals: int) -> str:
    return f"{value:.1%}" if percent else f"{value:,.{decimals}f}"


def difference_classes(values: np.ndarray, unit: str) -> Classes:
    """Six diverging classes of a change around zero (three of decrease, three of increase), the
    breaks symmetric at the terciles of the changes' sizes, rounded to the fewest decimals (0 to
    3) that keep them apart, so no two labels are the same; each label ends with ``unit``."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    sizes = np.abs(finite[finite != 0])
    top = float(sizes.max()) if sizes.size else 1.0
    inner = np.quantile(sizes, [1 / 3, 2 / 3]) if sizes.size else np.array([top / 3, 2 * top / 3])
    raw = (float(inner[0]), float(inner[1]))
    decimals, breaks = 3, (0.001, 0.002)
    for d in range(4):
        rounded = (round(raw[0], d), round(raw[1], d))
        if 0 < rounded[0] < rounded[1]:
            decimals, breaks = d, rounded
            break
    step = 10.0**-decimals
    end = max(np.ceil(top / step) * step, breaks[1] + step)
    bounds = (-end, -breaks[1], -breaks[0], 0.0, breaks[0], breaks[1], end)

    def fmt(v: float) -> str:
        return "0" if v == 0 else f"{v:+,.{decimals}f}"

    labels = tuple(
        f"{fmt(lo)} – {fmt(hi)} {unit}".rstrip()
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
    )
    return Classes(bounds=bounds, colors=theme.DIVERGING_6, labels=labels)


ALERT_COLORS = ("#f7f4ee", "#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
"""No alerts, then four reds, lighter to darker (ColorBrewer Reds)."""


def count_classes(counts: np.ndarray, none_label: str, k: int = 5) -> Classes:
    """Classes of whole counts (alerts per unit): 0 on its own (``none_label``), then up to ``k``
    (at most 5)
    classes of the positive counts split at their quantiles, each a range of whole numbers
    ("1", "2 – 3", "4 – 9", ...). The inner bounds sit half-way between whole numbers, so every
    count falls in the class its label names."""
    positive = np.asarray(counts, dtype=float)
    positive = positive[np.isfinite(positive) & (positive > 0)]
    tops: list[int] = []
    if positive.size:
        cuts = np.quantile(positive, np.linspace(0, 1, k + 1)[1:])
        tops = sorted({int(np.floor(c)) for c in cuts} | {int(positive.max())})
    lows = [1, *(t + 1 for t in tops[:-1])][: len(tops)]
    labels = tuple(
        f"{lo:,}" if lo == hi else f"{lo:,} – {hi:,}" for lo, hi in zip(lows, tops, strict=True)
    )
    bounds = (-0.5, 0.5, *(t + 0.5 for t in tops)) if tops else (-0.5, 0.5)
    reds = ALERT_COLORS[1:][-k:] if k <= len(ALERT_COLORS) - 1 else ALERT_COLORS[1:]
    colors = (ALERT_COLORS[0], *reds[len(reds) - len(tops) :])
    return Classes(bounds=bounds, colors=colors, labels=(none_label, *labels))
