"""The scenario map: a national county choropleth of a scenario, its baseline, or the difference.

Pure: takes codes, values and names; returns a plain-dict plotly figure (``china_map``). The
difference layer uses a diverging scale centred on zero (six classes, terciles of each sign's
magnitudes, no change in the neutral class); coverage rates use the target-anchored classes;
counts use quantiles.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dashboard.classify import diverging_classes, quantile_classes, target_classes
from dashboard.figures.china_map import Classes, MapLayer, china_choropleth

NO_CHANGE = "#f7f7f7"


def difference_classes(values: np.ndarray, decimals: int = 0) -> Classes:
    """Diverging classes centred on zero, with a neutral class for no change (|value| < 1e-9)."""
    base = diverging_classes(values)
    b = list(base.bounds)
    eps = 1e-9
    bounds = (b[0] - eps, b[1], b[2], -eps, eps, b[4], b[5], b[6] + eps)
    colors = (*base.colors[:3], NO_CHANGE, *base.colors[3:])
    fmt = f"{{:+,.{decimals}f}}"
    labels = tuple(
        "0" if i == 3 else f"{fmt.format(lo)} – {fmt.format(hi)}"
        for i, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))
    )
    return Classes(bounds=bounds, colors=colors, labels=labels)


def layer_classes(values: np.ndarray, layer: str, unit: str, target: float | None, target_labels: tuple[str, str, str, str]) -> Classes:
    """Classes for a layer: diverging for differences, target-anchored for rates, quantiles else."""
    if layer == "difference":
        finite = np.abs(values[np.isfinite(values) & (values != 0)])
        typical = float(np.quantile(finite, 1 / 3)) if finite.size else 1.0
        decimals = 0 if typical >= 10 else 1 if typical >= 1 else 2
        return difference_classes(values, max(decimals, 1) if unit == "points" else decimals)
    if unit == "share" and target is not None:
        return target_classes(target, target_labels)
    return quantile_classes(values)


def scenario_map(
    codes: Sequence[str],
    names: Sequence[str],
    values: np.ndarray,
    classes: Classes,
    hover_unit: str,
    suppressed: np.ndarray | None = None,
    suppressed_label: str = "",
    **map_args: object,
) -> dict:
    """The national county map of one layer; ``map_args`` go to ``china_choropleth``.

    A ``suppressed`` unit (a small baseline count, as on the overview) is drawn without a class
    and its hover says ``suppressed_label``, never the number."""
    values = np.asarray(values, dtype=float)
    hidden = np.zeros(len(values), bool) if suppressed is None else np.asarray(suppressed, bool)
    values = np.where(hidden, np.nan, values)
    hover = [
        f"<b>{name}</b> {code}<br>"
        + (suppressed_label if h else f"{'–' if np.isnan(v) else f'{v:,.2f}'} {hover_unit}")
        for code, name, v, h in zip(codes, names, values, hidden, strict=True)
    ]
    return china_choropleth(MapLayer(list(codes), list(names), values, hover), classes, **map_args)  # type: ignore[arg-type]
