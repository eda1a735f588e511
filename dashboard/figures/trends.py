"""Monthly trends 2009-2012: each indicator's rate against its target, and persons flowing in and out.

Small multiples share one legend: the area (solid), its comparison areas (dashed, dotted), the
target (red dashes). A small cell is a gap in its line, never a point. A dotted vertical line marks
the period on view.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from dashboard import theme
from dashboard.figures.bullets import BAR_COLOR, COMPARISON_STYLES
from dashboard.formatting import rate, target_percent
from dashboard.i18n import _, indicator_name, t
from etl import targets
from etl.records import FIRST_PERIOD as FIRST
from etl.records import INDICATORS
from etl.records import LAST_PERIOD as LAST

TARGET_LINE = "#c0392b"
COLUMNS = 3
DASHES = ("dash", "dot", "dashdot")
FLOW_COLORS = {"inflow": "#08519c", "outflow": "#e6550d"}


def _target_steps(flag: str) -> tuple[list[str], list[float]]:
    """The target line's points: the first month, each new year's January, the last month; the
    target in force at each (drawn as steps, ``hv``)."""
    years = range(int(FIRST[:4]) + 1, int(LAST[:4]) + 1)
    months = [FIRST, *(f"{y}-01" for y in years), LAST]
    return [f"{m}-01" for m in months], [targets.target(flag, m) for m in months]


def indicator_trends(
    series: Sequence[tuple[str, pd.DataFrame]],
    *,
    period: str | None = None,
    height: int = 560,
) -> dict:
    """Small multiples (3 x 3) of every indicator's monthly rate, as a plain plotly figure dict.

    ``series``: (name, rows) with the area first, then its comparisons; rows are
    ``dashboard.data.area.coverage(area, None)``: ``period, indicator, rate, numerator,
    denominator, small_cell``. ``period``: the month marked by a vertical line.
    """
    n_rows = math.ceil(len(INDICATORS) / COLUMNS)
    gap_x, gap_y = 0.06, 0.13
    width = (1 - gap_x * (COLUMNS - 1)) / COLUMNS
    height_share = (1 - gap_y * (n_rows - 1)) / n_rows
    layout: dict = {
        "height": height,
        "margin": {"l": 48, "r": 16, "t": 72, "b": 32},
        "font": {"family": theme.FONT_FAMILY, "color": theme.TEXT, "size": 12},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.09, "yanchor": "bottom"},
        "hovermode": "x unified",
        "hoverlabel": {"font": {"family": theme.FONT_FAMILY}},
        "annotations": [],
        "shapes": [],
    }
    traces: list[dict] = []
    by_indicator = [  # each series split by indicator once, months in order
        {flag: part for flag, part in rows.sort_values("period").groupby("indicator", sort=False)}
        for _, rows in series
    ]
    for k, indicator in enumerate(INDICATORS):
        row, col = divmod(k, COLUMNS)
        suffix = "" if k == 0 else str(k + 1)
        x0 = col * (width + gap_x)
        y1 = 1 - row * (height_share + gap_y)
        steps = _target_steps(indicator.flag)
        low = min(y for y in steps[1]) - 0.1
        for s, (name, rows) in enumerate(series):
            part = by_indicator[s].get(indicator.flag, rows.iloc[:0])
            rate_shares = part["rate"].where(~part["small_cell"].astype(bool))
            low = min(low, float(rate_shares.min()) if rate_shares.notna().any() else low)
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": [f"{p}-01" for p in part["period"]],
                    "y": [None if pd.isna(v) else round(float(v), 4) for v in rate_shares],
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                    "name": name,
                    "legendgroup": name,
                    "showlegend": k == 0,
                    "connectgaps": False,
                    "line": _line(s),
                    "customdata": [
                        rate(v, targets.target(indicator.flag, p))
                        for v, p in zip(rate_shares, part["period"], strict=True)
                    ],
                    "hovertemplate": f"{name}: %{{customdata}}<extra></extra>",
                }
            )
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": steps[0],
                "y": steps[1],
                "line_shape": "hv",  # the target in force steps at each new year (etl.targets)
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "name": t("target"),
                "legendgroup": "target",
                "showlegend": k == 0,
                "line": {"color": TARGET_LINE, "width": 1.5, "dash": "dash"},
                "hoverinfo": "skip",
            }
        )
        layout[f"xaxis{suffix}"] = {
            "domain": [x0, x0 + width],
            "anchor": f"y{suffix}",
            "type": "date",
            "range": [f"{FIRST}-01", f"{LAST}-28"],
            "dtick": "M12",
            "tickformat": "%Y",
            "ticklabelmode": "period",  # each year's label under its year, clear of the y axis
            "hoverformat": "%Y-%m",
            "showgrid": False,
            "fixedrange": True,
        }
        layout[f"yaxis{suffix}"] = {
            "domain": [max(0.0, y1 - height_share), y1],  # the last row: no -1e-17
            "anchor": f"x{suffix}",
            "range": [max(0.0, math.floor(low * 20) / 20), 1.005],
            "tickformat": ".0%",
            "nticks": 4,
            "gridcolor": "#eef1f4",
            "fixedrange": True,
        }
        layout["annotations"].append(
            {
                "text": f"<b>{indicator_name(indicator.flag)}</b> "
                f"≥{target_percent(targets.target(indicator.flag, period or LAST))}",
                "xref": "paper", "yref": "paper", "x": x0, "y": y1 + 0.01,
                "xanchor": "left", "yanchor": "bottom", "showarrow": False, "font": {"size": 12},
            }
        )  # fmt: skip
    if period:
        layout["shapes"] = indicator_period_lines(period)
    return {"data": traces, "layout": layout}


def flow_trend(
    totals: pd.DataFrame,
    *,
    area_name: str,
    period: str | None = None,
    height: int = 300,
) -> dict:
    """Inflow and outflow persons of one area per month (``dashboard.data.area.flow_totals``);
    months under the small-cell threshold are gaps."""
    traces = []
    for key in ("inflow", "outflow"):
        values = totals[key].where(~totals[f"{key}_small"].astype(bool))
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "marker": {"size": 4},
                "x": [f"{p}-01" for p in totals["period"]],
                "y": [None if pd.isna(v) else int(v) for v in values],
                "name": t(key),
                "line": {"color": FLOW_COLORS[key], "width": 2.5},
                "connectgaps": False,
                "hovertemplate": f"{t(key)}: %{{y:,}} {t('persons')}<extra></extra>",
            }
        )
    title = _("Persons flowing in and out, by month")
    layout = {
        "title": {"text": f"{area_name} · {title}", "x": 0.01,
                  "y": 0.98, "yanchor": "top", "font": {"size": 14}},
        "height": height,
        "margin": {"l": 48, "r": 16, "t": 72, "b": 32},
        "font": {"family": theme.FONT_FAMILY, "color": theme.TEXT, "size": 12},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        "hovermode": "x unified",
        "hoverlabel": {"font": {"family": theme.FONT_FAMILY}},
        "xaxis": {"type": "date", "range": [f"{FIRST}-01", f"{LAST}-28"], "dtick": "M12",
                  "tickformat": "%Y", "ticklabelmode": "period", "hoverformat": "%Y-%m", "showgrid": False,
                  "fixedrange": True},
        "yaxis": {"rangemode": "tozero", "separatethousands": True, "gridcolor": "#eef1f4",
                  "fixedrange": True},
        "shapes": flow_period_lines(period) if period else [],
    }  # fmt: skip
    return {"data": traces, "layout": layout}


def _line(index: int) -> dict:
    if index == 0:
        return {"color": BAR_COLOR, "width": 2.5}
    style = COMPARISON_STYLES[(index - 1) % len(COMPARISON_STYLES)]
    return {"color": style["color"], "width": 1.6, "dash": DASHES[(index - 1) % len(DASHES)]}


def indicator_period_lines(period: str) -> list[dict]:
    """The vertical line at ``period`` on every panel of ``indicator_trends`` (a change of period
    patches only these)."""
    axes = ["" if k == 0 else str(k + 1) for k in range(len(INDICATORS))]
    return [_period_line(period, f"x{a}", f"y{a} domain") for a in axes]


def flow_period_lines(period: str) -> list[dict]:
    """The vertical line at ``period`` on ``flow_trend``."""
    return [_period_line(period, "x", "y domain")]


def _period_line(period: str, xref: str, yref: str) -> dict:
    return {
        "type": "line", "xref": xref, "yref": yref, "x0": f"{period}-01", "x1": f"{period}-01",
        "y0": 0, "y1": 1, "line": {"color": theme.MUTED, "width": 1, "dash": "dot"},
    }  # fmt: skip
