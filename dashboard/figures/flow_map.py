"""The flow map: region-coloured polygons underneath, flow lines in width classes on top.

The page stacks two graphs with the same national layout (Albers conic, 南海诸岛 inset in the base):

- the *base* (``base_map``): the units of the level coloured by collaboration region, clickable
  (``customdata`` = adcode), redrawn only when the level or the regions change;
- the *lines* (``flow_lines``): a transparent graph that takes no pointer events, holding one
  ``scattergeo`` trace per width class (and per direction group when a place is focused), flows
  separated by ``None``, an arrowhead drawn as two short strokes at each destination. Redrawing
  it does not touch the 2,875 county polygons, which is what keeps a new selection within the
  300 ms paint budget (``bench/bench_flows.py``; arrowhead *markers* would cost 3-5 times more).

Geometry never travels inside a figure: polygons come from a GeoJSON URL fetched once; lines carry
two points per flow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import theme
from dashboard.figures.china_map import _layout, context_traces, stepped_colorscale

# Region fills (light, so lines stay legible on them) and line colours. The region palette follows
# the order of the region file; ``multi`` is a province in two chosen regions (江西).
REGION_FILLS = {
    "pan_yangtze": "#cfe7c9",
    "pan_pearl": "#fbdcc0",
    "bohai_rim": "#d2ddef",
    "northwest": "#ecd6e8",
    "other": "#e8e1cf",
}
EXTRA_FILLS = ("#d9ecec", "#f3e6b8", "#e0d7f0")
MULTI_FILL = "#eee3a0"
UNSELECTED_FILL = "#f3f3f1"
LINE_COLORS = {"flow": "#3d2c8d", "in": "#2166ac", "out": "#b2182b"}
FOCUS_LINE = "#111111"
# opacity grows with the width class (thin lines let the region fills show through)
LINE_ALPHA = {1: (0.8,), 2: (0.55, 0.85), 3: (0.5, 0.7, 0.9), 4: (0.45, 0.6, 0.75, 0.9)}
SUPPRESSED_ALPHA = 0.3
ARC_BEND = 0.18  # a flow bends to its right by this share of its length (A -> B and B -> A apart)
ARC_STEPS = 8  # segments of each arc
WIDTHS = {1: (2.0,), 2: (1.4, 3.2), 3: (1.1, 2.5, 4.4), 4: (0.9, 2.0, 3.4, 5.4)}
# arrowhead stroke length in degrees of latitude per class (about 13-18 px per degree on screen)
HEADS = {1: (0.7,), 2: (0.55, 0.85), 3: (0.5, 0.7, 0.95), 4: (0.45, 0.6, 0.8, 1.05)}
ARROW_ANGLE = np.radians(28)
SUPPRESSED_WIDTH = 0.8
SUPPRESSED_HEAD = 0.4
GROUPS = ("flow", "out", "in")


@dataclass(frozen=True)
class WidthClasses:
    """Line-width classes of publishable flows: class i holds values from ``lower[i]`` up to the
    next class's lower bound (exclusive); the last class is open-ended."""

    lower: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.lower)

    def index(self, values: np.ndarray) -> np.ndarray:
        """Class number (0-based) of each value (values under the first bound go to class 0)."""
        idx = np.searchsorted(np.asarray(self.lower), np.asarray(values), side="right") - 1
        return np.clip(idx, 0, len(self.lower) - 1)

    def labels(self, fmt=lambda v: f"{v:,}") -> list[str]:
        """``a – b`` per class (integers, b inclusive) and ``≥ a`` for the last."""
        out = []
        for i, lo in enumerate(self.lower):
            if i + 1 < len(self.lower):
                hi = self.lower[i + 1] - 1
                out.append(fmt(lo) if hi == lo else f"{fmt(lo)} – {fmt(hi)}")
            else:
                out.append(f"≥ {fmt(lo)}")
        return out

    @property
    def widths(self) -> tuple[float, ...]:
        return WIDTHS[len(self.lower)] if self.lower else ()

    @property
    def heads(self) -> tuple[float, ...]:
        return HEADS[len(self.lower)] if self.lower else ()

    @property
    def alphas(self) -> tuple[float, ...]:
        return LINE_ALPHA[len(self.lower)] if self.lower else ()


def width_classes(values: Sequence[int] | np.ndarray, k: int = 4) -> WidthClasses:
    """Up to ``k`` classes over publishable flow sizes: breaks at the 50th, 80th and 95th
    percentiles, rounded down to 1, 2 or 5 x 10^n; the first class starts at the minimum."""
    array = np.asarray(values, dtype=float)
    array = array[np.isfinite(array) & (array > 0)]
    if array.size == 0:
        return WidthClasses(())
    lower = [int(array.min())]
    quantiles = (0.5, 0.8, 0.95)[: k - 1]
    for q in np.quantile(array, quantiles):
        bound = _nice_floor(float(q))
        if bound > lower[-1]:
            lower.append(bound)
    return WidthClasses(tuple(lower))


def _nice_floor(x: float) -> int:
    if x < 1:
        return 1
    exp = 10 ** math.floor(math.log10(x))
    for step in (5, 2, 1):
        if step * exp <= x:
            return int(step * exp)
    return int(exp)


def line_traces(
    flows: pd.DataFrame,
    points: Mapping[str, tuple[float, float]],
    classes: WidthClasses,
) -> list[dict]:
    """One ``scattergeo`` trace per (group, class) that has flows, small cells first, widest last.

    ``flows`` has ``origin_code, destination_code, persons, small_cell, group`` (see
    ``dashboard.data.flows``). Each flow is origin, destination, ``None``; ``customdata`` holds the
    adcode of each point; the destination carries an arrowhead pointing along the line. Flows
    whose end has no point (a unit outside the layer) are left out of the map, not of the table.
    """
    if flows.empty:
        return []
    has_points = flows["origin_code"].isin(points.keys()) & flows["destination_code"].isin(
        points.keys()
    )
    flows = flows[has_points.to_numpy()]
    small = flows["small_cell"].to_numpy(dtype=bool)
    klass = np.full(len(flows), -1)
    if len(classes):
        klass[~small] = classes.index(flows["persons"].to_numpy()[~small])
    traces = []
    for k in range(-1, len(classes)):
        for group in GROUPS:
            mask = (klass == k) & (flows["group"].to_numpy() == group)
            if mask.any():
                traces.append(_trace(flows[mask], points, group, k, classes))
    return traces


def _trace(
    flows: pd.DataFrame,
    points: Mapping[str, tuple[float, float]],
    group: str,
    k: int,
    classes: WidthClasses,
) -> dict:
    """Each flow as one polyline: an arc from origin to destination (``ARC_STEPS`` segments), one
    wing, back to the destination, the other wing, then ``None`` (``POINTS_PER_FLOW`` points).
    Arrowheads drawn as lines cost a fraction of markers."""
    origin = flows["origin_code"].tolist()
    destination = flows["destination_code"].tolist()
    o = np.array([points[c] for c in origin], dtype=float).reshape(-1, 2)
    d = np.array([points[c] for c in destination], dtype=float).reshape(-1, 2)
    suppressed = k < 0
    head = SUPPRESSED_HEAD if suppressed else classes.heads[k]
    arc, control = arcs(o, d)
    left, right = arrow_wings(control, d, head)  # along the arc's last tangent
    n, stride = len(origin), POINTS_PER_FLOW
    lon: list = [None] * (stride * n)
    lat: list = [None] * (stride * n)
    codes: list = [None] * (stride * n)
    for offset, xy in enumerate((*arc, left, d, right)):
        lon[offset::stride] = np.round(xy[:, 0], 3).tolist()
        lat[offset::stride] = np.round(xy[:, 1], 3).tolist()
    codes[0::stride] = origin  # codes at the two ends only (a smaller payload)
    codes[ARC_STEPS::stride] = destination
    width = SUPPRESSED_WIDTH if suppressed else classes.widths[k]
    alpha = SUPPRESSED_ALPHA if suppressed else classes.alphas[k]
    return {
        "type": "scattergeo",
        "geo": "geo",
        "mode": "lines",
        "lon": lon,
        "lat": lat,
        "customdata": codes,
        "name": f"{group}:{'suppressed' if suppressed else k}",
        "line": {"width": width, "color": rgba(LINE_COLORS[group], alpha)},
        "hoverinfo": "skip",
        "showlegend": False,
    }


POINTS_PER_FLOW = ARC_STEPS + 1 + 3 + 1  # the arc, wing, destination, wing, None


def arcs(origin: np.ndarray, destination: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Quadratic Bezier arcs from each origin to its destination, bent to the right of the
    direction of travel by ``ARC_BEND`` of the length (so a -> b and b -> a are two arcs, and lines
    leaving one place fan out instead of covering each other): the ``ARC_STEPS + 1`` points of
    every arc (lon/lat arrays, n x 2 each, the first the origin, the last the destination) and the
    control points. Computed in a frame where a degree of longitude is cos(latitude) of a degree
    of latitude, as the map shows it."""
    scale = np.cos(np.radians((origin[:, 1] + destination[:, 1]) / 2))[:, None]
    o = origin * np.hstack([scale, np.ones_like(scale)])
    d = destination * np.hstack([scale, np.ones_like(scale)])
    step = d - o
    right = np.column_stack([step[:, 1], -step[:, 0]])
    control = (o + d) / 2 + ARC_BEND * right
    steps = []
    for t in np.linspace(0.0, 1.0, ARC_STEPS + 1):
        xy = (1 - t) ** 2 * o + 2 * (1 - t) * t * control + t**2 * d
        steps.append(np.column_stack([xy[:, 0] / scale[:, 0], xy[:, 1]]))
    steps[0], steps[-1] = origin, destination  # exact ends
    return steps, np.column_stack([control[:, 0] / scale[:, 0], control[:, 1]])


def arrow_wings(
    origin: np.ndarray, destination: np.ndarray, head: float
) -> tuple[np.ndarray, np.ndarray]:
    """Ends of the two strokes of an arrowhead at each destination (lon/lat arrays, n x 2).

    Computed in a local frame where a degree of longitude is cos(latitude) of a degree of
    latitude, so heads look alike across China; ``head`` is the stroke length in degrees of
    latitude, at most 40% of the flow's length, ``ARROW_ANGLE`` off the line.
    """
    scale = np.cos(np.radians(destination[:, 1]))
    dx = (origin[:, 0] - destination[:, 0]) * scale
    dy = origin[:, 1] - destination[:, 1]
    length = np.hypot(dx, dy)
    safe = np.where(length > 0, length, 1.0)
    ux, uy = dx / safe, dy / safe
    size = np.minimum(head, 0.4 * length)
    cos_a, sin_a = np.cos(ARROW_ANGLE), np.sin(ARROW_ANGLE)
    wings = []
    for sign in (1, -1):
        wx = (ux * cos_a - sign * uy * sin_a) * size
        wy = (sign * ux * sin_a + uy * cos_a) * size
        wings.append(np.column_stack([destination[:, 0] + wx / scale, destination[:, 1] + wy]))
    return wings[0], wings[1]


def rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def flow_lines(
    flows: pd.DataFrame,
    points: Mapping[str, tuple[float, float]],
    classes: WidthClasses,
    *,
    focus: str | None = None,
    geojson_url: str | None = None,
) -> dict:
    """The transparent lines figure: line traces, then the focused unit's outline and ring."""
    data = line_traces(flows, points, classes)
    if focus and geojson_url:
        data.append(
            {
                "type": "choropleth",
                "geo": "geo",
                "geojson": geojson_url,
                "locations": [focus],
                "z": [0],
                "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
                "showscale": False,
                "marker": {"line": {"width": 2.4, "color": FOCUS_LINE}},
                "hoverinfo": "skip",
                "name": "focus",
            }
        )
    if focus and focus in points:
        lon, lat = points[focus]
        data.append(
            {
                "type": "scattergeo",
                "geo": "geo",
                "mode": "markers",
                "lon": [lon],
                "lat": [lat],
                "customdata": [focus],
                "marker": {
                    "symbol": "circle-open",
                    "size": 18,
                    "color": FOCUS_LINE,
                    "line": {"width": 2.5},
                },
                "hoverinfo": "skip",
                "name": "focus-ring",
            }
        )
    return {"data": data, "layout": lines_layout()}


def lines_layout() -> dict:
    """The base map's layout made transparent, without the inset (lines stay on the main map)."""
    layout = _map_layout("")
    layout["paper_bgcolor"] = "rgba(0,0,0,0)"
    layout["plot_bgcolor"] = "rgba(0,0,0,0)"
    layout["geo"]["bgcolor"] = "rgba(0,0,0,0)"
    del layout["geo2"]
    layout["annotations"] = []
    layout["hovermode"] = False
    return layout


def _map_layout(scs_label: str) -> dict:
    layout = _layout("", 600, scs_label=scs_label)
    del layout["height"]  # the graph fills its box; the base and the lines share that box
    layout["autosize"] = True
    layout["margin"] = {"l": 0, "r": 0, "t": 0, "b": 0}
    layout["title"] = {"text": ""}
    return layout


def region_categories(
    codes: Sequence[str],
    province_regions: Mapping[str, Sequence[str]],
    selected: Sequence[str],
) -> list[str]:
    """Fill category of each unit: its chosen region, ``multi`` (two chosen), or ``unselected``."""
    chosen = set(selected)
    out = []
    for code in codes:
        member = [r for r in province_regions.get(code[:2] + "0000", ()) if r in chosen]
        out.append(member[0] if len(member) == 1 else "multi" if member else "unselected")
    return out


def region_fills(region_codes: Sequence[str]) -> dict[str, str]:
    """Fill colour of each region code (known codes keep their colour; others take spares)."""
    fills = {}
    spare = iter(EXTRA_FILLS * 4)
    for code in region_codes:
        fills[code] = REGION_FILLS.get(code) or next(spare)
    fills["multi"] = MULTI_FILL
    fills["unselected"] = UNSELECTED_FILL
    return fills


def base_map(
    codes: Sequence[str],
    categories: Sequence[str],
    hover: Sequence[str],
    fills: Mapping[str, str],
    *,
    geojson_url: str,
    outside_codes: Sequence[str],
    outside_label: str,
    province_geojson_url: str,
    province_codes: Sequence[str],
    maritime: tuple[list[float | None], list[float | None]],
    scs_label: str,
    outside_hover: Sequence[str] | None = None,
) -> dict:
    """The clickable polygons (trace 0, ``customdata`` = adcode) with the national context traces."""
    order = list(fills)
    z = [order.index(c) for c in categories]
    data = [
        {
            "type": "choropleth",
            "geo": "geo",
            "geojson": geojson_url,
            "locations": list(codes),
            "z": z,
            "zmin": -0.5,
            "zmax": len(order) - 0.5,
            "colorscale": stepped_colorscale([fills[c] for c in order]),
            "showscale": False,
            "marker": {"line": {"width": 0.25, "color": theme.BORDER}},
            "customdata": list(codes),
            "text": list(hover),
            "hovertemplate": "%{text}<extra></extra>",
        },
        *context_traces(
            geojson_url,
            outside_codes,
            outside_label,
            province_geojson_url,
            province_codes,
            maritime,
            outside_hover,
        ),
    ]
    layout = _map_layout(scs_label)
    layout["hoverlabel"] = {"font": {"family": theme.FONT_FAMILY, "size": 14}}
    return {"data": data, "layout": layout}
