"""Bullet charts: every indicator of one area against its target, with comparison areas.

One row per indicator (``etl.records.INDICATORS`` order, top to bottom). The background bands are
anchored at the row's target: at or above it, within 3 points, within 8 points, further below. The
dark bar is the area's rate, the black tick the target, and one marker per comparison area (its
province, its collaboration region). A small cell has no bar: its row says "suppressed".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from dashboard import theme
from dashboard.formatting import count, persons, rate, target_percent
from dashboard.i18n import _, indicator_name, t, target_class_labels
from etl.records import INDICATORS

BAND_COLORS = ("#f6d5cf", "#fbe5c4", "#fbf3cf", "#dcefd9")
"""Below target by more than 8 points, within 8, within 3, at or above target."""
BAND_LIMITS = (0.08, 0.03, 0.0)
BAR_COLOR = "#0b3c6e"
TARGET_COLOR = theme.TEXT
COMPARISON_STYLES = (
    {"symbol": "diamond", "color": "#e6550d"},
    {"symbol": "circle", "color": "#756bb1"},
    {"symbol": "square", "color": "#31a354"},
)
"""Markers of the comparison areas, in order (province, region, second region)."""


def bullet_chart(
    rows: pd.DataFrame,
    comparisons: Sequence[tuple[str, pd.DataFrame]],
    *,
    area_name: str,
    height: int | None = None,
) -> dict:
    """The bullet chart of one area and period as a plain plotly figure dict.

    ``rows``: the area's coverage for one period (``dashboard.data.area.coverage``): ``indicator,
    numerator, denominator, rate, target, gap, small_cell`` (``target``: in force for the period,
    one for every indicator); ``comparisons``: (name, rows) of the
    comparison areas, same columns. Rates are shares (0-1); the axis starts low enough to show
    every value and band.
    """
    flags = [i.flag for i in INDICATORS]
    data = rows.set_index("indicator").reindex(flags)
    y = list(range(len(flags)))[::-1]  # first indicator on top
    lo = _axis_start(data, comparisons)
    shown = ~data["small_cell"].fillna(True).astype(bool) & data["rate"].notna()
    traces: list[dict] = [
        {
            "type": "bar",
            "orientation": "h",
            "name": area_name,
            "y": [yy for yy, ok in zip(y, shown, strict=True) if ok],
            "x": [float(r) - lo for r, ok in zip(data["rate"], shown, strict=True) if ok],
            "base": lo,
            "width": 0.34,
            "marker": {"color": BAR_COLOR},
            "customdata": [
                _hover(area_name, flag, row)
                for flag, row, ok in zip(flags, data.itertuples(), shown, strict=True)
                if ok
            ],
            "hovertemplate": "%{customdata}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": t("target"),
            "y": y,
            "x": [float(g) for g in data["target"]],
            "marker": {
                "symbol": "line-ns",
                "size": 26,
                "line": {"width": 3, "color": TARGET_COLOR},
            },
            "customdata": [f"{t('target')} ≥ {target_percent(g)}" for g in data["target"]],
            "hovertemplate": "%{customdata}<extra></extra>",
        },
    ]
    for (name, other), style in zip(comparisons, COMPARISON_STYLES, strict=False):
        other = other.set_index("indicator").reindex(flags)
        ok = ~other["small_cell"].fillna(True).astype(bool) & other["rate"].notna()
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "y": [yy for yy, k in zip(y, ok, strict=True) if k],
                "x": [float(r) for r, k in zip(other["rate"], ok, strict=True) if k],
                "marker": {
                    "symbol": style["symbol"],
                    "size": 11,
                    "color": style["color"],
                    "line": {"width": 1, "color": "white"},
                },
                "customdata": [
                    _hover(name, flag, row)
                    for flag, row, k in zip(flags, other.itertuples(), ok, strict=True)
                    if k
                ],
                "hovertemplate": "%{customdata}<extra></extra>",
            }
        )
    layout = {
        "height": height or 40 + 40 * len(flags),
        "margin": {"l": 8, "r": 150, "t": 8, "b": 28},
        "font": {"family": theme.FONT_FAMILY, "color": theme.TEXT, "size": 13},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "barmode": "overlay",
        "showlegend": False,  # the key is HTML beside the chart (see ``key_items``)
        "hoverlabel": {"font": {"family": theme.FONT_FAMILY}},
        "xaxis": {
            "range": [lo, 1.0],
            "tickformat": ".0%",
            "dtick": 0.05 if lo >= 0.6 else 0.1,
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },
        "yaxis": {
            "tickvals": y,
            "ticktext": [
                f"{indicator_name(f)} ≥{target_percent(g)}"
                for f, g in zip(flags, data["target"], strict=True)
            ],
            "range": [-0.6, len(flags) - 0.4],
            "automargin": True,
            "fixedrange": True,
            "showgrid": False,
        },
        "shapes": _bands(y, lo, data["target"]),
        "annotations": [_value_note(row, yy) for row, yy in zip(data.itertuples(), y, strict=True)],
    }
    return {"data": traces, "layout": layout}


def _axis_start(data: pd.DataFrame, comparisons: Sequence[tuple[str, pd.DataFrame]]) -> float:
    """A round start of the rate axis: 10 points below the lowest value or band edge, at most 50%."""
    values = [*data["rate"].dropna(), *(r - 0.08 for r in data["target"].dropna())]
    for _name, other in comparisons:
        values += list(other["rate"].dropna())
    low = min(values, default=0.5)
    return max(0.0, min(0.5, math.floor((low - 0.02) * 10) / 10))


def _bands(y: Sequence[int], lo: float, goals: pd.Series) -> list[dict]:
    shapes = []
    for yy, goal in zip(y, goals, strict=True):
        edges = [lo, *(max(lo, goal - d) for d in BAND_LIMITS), 1.0]
        for x0, x1, color in zip(edges[:-1], edges[1:], BAND_COLORS, strict=True):
            if x1 > x0:
                shapes.append(
                    {
                        "type": "rect", "xref": "x", "yref": "y", "layer": "below",
                        "x0": x0, "x1": x1, "y0": yy - 0.36, "y1": yy + 0.36,
                        "fillcolor": color, "line": {"width": 0},
                    }
                )  # fmt: skip
    return shapes


def _value_note(row, y: int) -> dict:  # noqa: ANN001
    """The rate and the gap in people at the right of a row (or "suppressed")."""
    if bool(row.small_cell) or not math.isfinite(row.rate):
        label = f"<span style='color:{theme.MUTED}'>{t('suppressed')}</span>"
    elif row.gap > 0:
        short = _("{n} short").format(n=count(row.gap))
        label = f"<b>{rate(row.rate, row.target)}</b>  {short}"
    else:
        label = f"<b>{rate(row.rate, row.target)}</b>  {_('at target')}"
    return {
        "xref": "paper", "yref": "y", "x": 1.01, "y": y, "xanchor": "left",
        "text": label, "showarrow": False, "font": {"size": 12},
    }  # fmt: skip


def _hover(name: str, flag: str, row) -> str:  # noqa: ANN001
    gap = _("at target") if row.gap <= 0 else f"{t('gap_people')}: {persons(row.gap)}"
    covered = _("{num} of {den} covered").format(
        num=count(row.numerator), den=count(row.denominator)
    )
    return (
        f"<b>{name}</b><br>{indicator_name(flag)}: {rate(row.rate, row.target)}<br>{covered}"
        f"<br>{t('target')} ≥ {target_percent(row.target)} · {gap}"
    )


def key_items(area_name: str, comparison_names: Sequence[str]) -> list[tuple[str, str, str]]:
    """(glyph, colour, label) of the chart's marks: the area's bar, the target, each comparison."""
    items = [("■", BAR_COLOR, area_name), ("┃", TARGET_COLOR, t("target"))]
    glyphs = {"diamond": "◆", "circle": "●", "square": "■"}
    for name, style in zip(comparison_names, COMPARISON_STYLES, strict=False):
        items.append((glyphs[style["symbol"]], style["color"], name))
    return items


def band_legend() -> list[tuple[str, str]]:
    """(colour, label) of the background bands, worst first, for a legend beside the chart."""
    return list(zip(BAND_COLORS, target_class_labels(), strict=True))
