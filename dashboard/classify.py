"""Class breaks for choropleths (PySAL ``mapclassify``) and their legend labels."""

from __future__ import annotations

import mapclassify
import numpy as np

from dashboard import theme
from dashboard.figures.china_map import Classes


def quantile_classes(values: np.ndarray, k: int = 5, *, percent: bool = False) -> Classes:
    """``k`` quantile classes over the finite values; labels as ranges (percent if asked)."""
    finite = values[np.isfinite(values)]
    bins = mapclassify.Quantiles(finite, k=k).bins
    bounds = (float(finite.min()), *(float(b) for b in bins))
    fmt = (lambda v: f"{v:.1%}") if percent else (lambda v: f"{v:,.0f}")
    labels = tuple(f"{fmt(lo)} – {fmt(hi)}" for lo, hi in zip(bounds[:-1], bounds[1:], strict=True))
    colors = theme.SEQUENTIAL_5[-len(labels) :] if len(labels) <= 5 else theme.SEQUENTIAL_5
    return Classes(bounds=bounds, colors=tuple(colors), labels=labels)
