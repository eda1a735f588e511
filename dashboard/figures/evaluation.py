"""Figures of a pilot evaluation (``planning.evaluation``): the event study and the two groups'
monthly rates, as plain plotly figure dicts.

*Event study*: one point per bin of event time (months since the pilot's start, grouped by
``bin_months``) at the bin's first month, the estimated difference from the reference bin (the
last before the start, drawn hollow at 0) in percentage points, with its 95% interval (clustered
by county) as error bars; a dashed vertical line marks the start. Points before the line are the
pre-trend check: near 0 when the pilot and its comparisons moved together before it.

*Group rates*: the pilot's and the comparison counties' monthly rates (persons-weighted; a
comparison county counts as often as it was matched); a small cell is a gap in its line.
"""

from __future__ import annotations

import pandas as pd

from dashboard import theme
from dashboard.i18n import _

PILOT_COLOR = "#08519c"
COMPARISON_COLOR = "#969696"
START_LINE = "#c0392b"


def _layout(height: int, y_title: str, start: str) -> dict:
    return {
        "height": height,
        "margin": {"l": 56, "r": 16, "t": 40, "b": 40},
        "font": {"family": theme.FONT_FAMILY, "color": theme.TEXT, "size": 12},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "showlegend": True,
        "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
        "hoverlabel": {"font": {"family": theme.FONT_FAMILY}},
        "xaxis": {
            "type": "date",
            "dtick": "M12",
            "tickformat": "%Y",
            "ticklabelmode": "period",
            "hoverformat": "%Y-%m",
            "showgrid": False,
            "linecolor": theme.MUTED,
        },
        "yaxis": {"title": {"text": y_title}, "gridcolor": "#eeeeee", "zeroline": False},
        "shapes": [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": start,
                "x1": start,
                "y0": 0,
                "y1": 1,
                "line": {"color": START_LINE, "dash": "dash", "width": 1.5},
            },
        ],  # fmt: skip
        "annotations": [
            {
                "x": start,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "text": _("Pilot start"),
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"color": START_LINE, "size": 11},
            },
        ],  # fmt: skip
    }


def _month(period: str) -> str:
    return f"{period}-01"


def event_study_figure(event: pd.DataFrame, start: str, *, height: int = 320) -> dict:
    """``event``: ``planning.evaluation.EVENT_COLUMNS``; ``start``: the pilot's start month."""
    layout = _layout(height, _("Difference (percentage points)"),
                     _month(start))  # fmt: skip
    layout["shapes"].append(
        {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": 0, "y1": 0,
         "line": {"color": theme.MUTED, "width": 1}}
    )  # fmt: skip
    estimated = event[event["bin"] != -1]
    reference = event[event["bin"] == -1]
    points = {
        "type": "scatter",
        "mode": "markers",
        "name": _("Estimate with its interval (95%)"),
        "x": [_month(p) for p in estimated["first_month"]],
        "y": (100 * estimated["coefficient"]).round(2).tolist(),
        "error_y": {
            "type": "data",
            "symmetric": False,
            "array": (100 * (estimated["ci_high"] - estimated["coefficient"])).round(2).tolist(),
            "arrayminus": (100 * (estimated["coefficient"] - estimated["ci_low"]))
            .round(2)
            .tolist(),
            "color": PILOT_COLOR,
            "thickness": 1.5,
            "width": 3,
        },
        "marker": {"color": PILOT_COLOR, "size": 8},
        "hovertemplate": "%{x|%Y-%m}: %{y:+.1f}<extra></extra>",
    }
    ref = {
        "type": "scatter",
        "mode": "markers",
        "name": _("Reference (last months before the start)"),
        "x": [_month(p) for p in reference["first_month"]],
        "y": [0.0] * len(reference),
        "marker": {"color": "white", "size": 8, "line": {"color": PILOT_COLOR, "width": 1.5}},
        "hoverinfo": "skip",
    }
    return {"data": [points, ref], "layout": layout}


def group_rates_figure(groups: pd.DataFrame, start: str, *, height: int = 300) -> dict:
    """``groups``: ``planning.evaluation.GROUP_COLUMNS``; ``start``: the pilot's start month."""
    layout = _layout(height, _("Rate (%)"), _month(start))
    traces = []
    for group, name, color, dash in (
        ("pilot", _("Pilot counties"), PILOT_COLOR, "solid"),
        ("comparison", _("Comparison counties"), COMPARISON_COLOR, "dash"),
    ):
        rows = groups[groups["group"] == group].sort_values("period")
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": name,
                "x": [_month(p) for p in rows["period"]],
                "y": [None if pd.isna(v) else round(100 * float(v), 2) for v in rows["rate"]],
                "line": {"color": color, "dash": dash, "width": 2},
                "connectgaps": False,
                "hovertemplate": "%{x|%Y-%m}: %{y:.1f}%<extra>" + name + "</extra>",
            }
        )
    return {"data": traces, "layout": layout}
