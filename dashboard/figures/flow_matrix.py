"""The region-to-region matrix: persons from each collaboration region (rows) to each (columns).

Off-diagonal cells are coloured by persons; the diagonal holds each region's within flows, drawn in
grey with their count, outside the colour scale (they are not flows between regions). Small cells
show the threshold (``< 10``), never their number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from dashboard import theme
from dashboard.data.flows import RegionMatrix

MATRIX_BLUES = [[0, "#eff3ff"], [0.5, "#6baed6"], [1, "#08519c"]]
WITHIN_FILL = "#e4e7eb"


def region_matrix_figure(
    matrix: RegionMatrix,
    names: Mapping[str, str],
    *,
    selected: Sequence[str],
    threshold: int,
    fmt: Callable[[float], str],
    labels: Mapping[str, str],
    height: int = 300,
) -> dict:
    """Heatmap of ``matrix``; ``labels`` has ``origin``, ``destination``, ``within``, ``persons``
    and ``hover`` (a template with ``{origin}``, ``{destination}`` and ``{value}``), already in the
    page's language; ``fmt`` formats a count. Chosen regions' names are bold."""
    codes = list(matrix.codes)
    n = len(codes)
    persons = matrix.persons
    diagonal = np.eye(n, dtype=bool)
    shown = ~diagonal & ~matrix.small_cell
    z = np.where(shown, persons, np.nan).astype(float)
    cell_text = [
        [_cell(persons[i, j], matrix.small_cell[i, j], threshold, fmt) for j in range(n)]
        for i in range(n)
    ]
    hover = [
        [
            labels["hover"].format(
                origin=names.get(codes[i], codes[i]),
                destination=names.get(codes[j], codes[j]),
                value=cell_text[i][j] + (f" ({labels['within']})" if i == j else ""),
            )
            for j in range(n)
        ]
        for i in range(n)
    ]
    chosen = set(selected)
    latin = all(names.get(c, c).isascii() for c in codes)
    # Chinese names fit a column on two lines; Latin names stand upright on up to two lines.
    x_ticks = [_wrap(names.get(c, c), bold=c in chosen, width=11 if latin else 6) for c in codes]
    y_ticks = [_wrap(names.get(c, c), bold=c in chosen, width=12) for c in codes]
    main = {
        "type": "heatmap",
        "x": codes,
        "y": codes,
        "z": _nan_to_none(z),
        "text": [
            [
                cell_text[i][j] if shown[i, j] or matrix.small_cell[i, j] and i != j else ""
                for j in range(n)
            ]
            for i in range(n)
        ],
        "texttemplate": "%{text}",
        "textfont": {"size": 12},
        "customdata": hover,
        "hovertemplate": "%{customdata}<extra></extra>",
        "colorscale": MATRIX_BLUES,
        "showscale": False,
        "xgap": 2,
        "ygap": 2,
        "hoverongaps": False,
        "name": "between",
    }
    within = {
        "type": "heatmap",
        "x": codes,
        "y": codes,
        "z": [[1 if i == j else None for j in range(n)] for i in range(n)],
        "text": [
            [f"{labels['within']}<br>{cell_text[i][j]}" if i == j else "" for j in range(n)]
            for i in range(n)
        ],
        "texttemplate": "%{text}",
        "textfont": {"size": 11, "color": theme.MUTED},
        "customdata": hover,
        "hovertemplate": "%{customdata}<extra></extra>",
        "colorscale": [[0, WITHIN_FILL], [1, WITHIN_FILL]],
        "showscale": False,
        "xgap": 2,
        "ygap": 2,
        "hoverongaps": False,
        "name": "within",
    }
    layout = {
        "height": height,
        "margin": {"l": 8, "r": 6, "t": 8, "b": 6},
        "font": {"family": theme.FONT_FAMILY, "color": theme.TEXT, "size": 12},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": {
            "side": "top",
            "tickvals": codes,
            "ticktext": x_ticks,
            "tickangle": -90 if latin else 0,
            "automargin": True,
            "title": {"text": labels["destination"], "standoff": 4},
            "fixedrange": True,
            "showgrid": False,
        },
        "yaxis": {
            "autorange": "reversed",
            "tickvals": codes,
            "ticktext": y_ticks,
            "automargin": True,
            "title": {"text": labels["origin"], "standoff": 4},
            "fixedrange": True,
            "showgrid": False,
        },
        "hoverlabel": {"font": {"family": theme.FONT_FAMILY, "size": 13}},
    }
    return {"data": [main, within], "layout": layout}


def _cell(value: int, small: bool, threshold: int, fmt: Callable[[float], str]) -> str:
    if small:
        return f"< {threshold}"
    return fmt(value)


def _wrap(name: str, *, bold: bool, width: int) -> str:
    """A region name in lines of about ``width`` characters (bold when chosen).

    Latin names break after a hyphen or space; Chinese names (no spaces) into halves when longer
    than ``width`` / 2 characters, as each is about twice as wide as a Latin letter.
    """
    if width <= 0:
        lines = [name]
    elif name.isascii():
        lines, line = [], ""
        for part in re.findall(r"[^- ]+[- ]?", name):
            if line and len(line) + len(part.rstrip()) > width:
                lines.append(line.rstrip())
                line = ""
            line += part
        lines.append(line.rstrip())
    elif len(name) > width // 2:
        half = (len(name) + 1) // 2
        lines = [name[:half], name[half:]]
    else:
        lines = [name]
    text = "<br>".join(lines)
    return f"<b>{text}</b>" if bold else text


def _nan_to_none(z: np.ndarray) -> list[list[float | None]]:
    return [[None if np.isnan(v) else float(v) for v in row] for row in z]
