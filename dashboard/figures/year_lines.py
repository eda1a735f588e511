"""Year-over-year lines: a measure's monthly values, one line per area and year over the months
January to December (colour: the area; dash: the year, the latest solid). A withheld month is a
gap, never a point."""

from __future__ import annotations

from collections.abc import Sequence

from dashboard import theme

AREA_COLORS = ("#08519c", "#e6550d", "#31a354", "#756bb1", "#636363")
YEAR_DASHES = ("solid", "dash", "dot", "dashdot", "longdash")


def year_lines(
    series: Sequence[tuple[str, list[float | None]]],
    periods: Sequence[str],
    *,
    y_title: str,
    percent: bool,
    x_title: str,
    empty_text: str,
    height: int = 460,
) -> dict:
    """A plain plotly figure: ``series`` of (area name, monthly values aligned with ``periods``)."""
    years = sorted({p[:4] for p in periods}, reverse=True)
    traces = []
    for a, (name, values) in enumerate(series):
        for y, year in enumerate(years):
            months = [
                (int(p[5:]), v) for p, v in zip(periods, values, strict=True) if p[:4] == year
            ]
            if not months:
                continue
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": f"{name} · {year}",
                    "x": [m for m, _ in months],
                    "y": [None if v is None else v * 100 if percent else v for _, v in months],
                    "line": {
                        "color": AREA_COLORS[a % len(AREA_COLORS)],
                        "dash": YEAR_DASHES[y % len(YEAR_DASHES)],
                        "width": 2,
                    },
                    "marker": {"size": 5},
                    "connectgaps": False,
                    "hovertemplate": "%{y:,.1f}"
                    + ("%" if percent else "")
                    + "<extra>%{fullData.name}</extra>",
                }
            )
    layout: dict = {
        "height": height,
        "margin": {"l": 56, "r": 12, "t": 16, "b": 90},
        "font": {"family": theme.FONT_FAMILY, "color": theme.TEXT, "size": 12},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "legend": {"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"},
        "xaxis": {
            "tickvals": list(range(1, 13)),
            "title": {"text": x_title},
            "range": [0.5, 12.5],
            "gridcolor": "#eee",
        },
        "yaxis": {"title": {"text": y_title}, "gridcolor": "#eee", "zeroline": True},
    }
    if not traces:
        layout["annotations"] = [
            {
                "text": empty_text,
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
            }
        ]
    return {"data": traces, "layout": layout}
