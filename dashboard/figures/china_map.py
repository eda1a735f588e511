"""The national choropleth: China in an Albers conic projection with the South China Sea inset.

Geometry never travels inside the figure: traces reference a GeoJSON URL that the browser fetches
once (features keyed by ``id`` = adcode). The figure holds only codes, values and labels, so it
serialises in milliseconds and later updates can patch ``z`` alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dashboard import theme
from dashboard.i18n import wide_space


@dataclass(frozen=True)
class Classes:
    """Class breaks for a choropleth: ``bounds`` has one more entry than ``colors``."""

    bounds: tuple[float, ...]
    colors: tuple[str, ...]
    labels: tuple[str, ...]

    def index(self, values: np.ndarray) -> np.ndarray:
        """Class number (0-based) of each value; NaN stays NaN."""
        inner = np.asarray(self.bounds[1:-1], dtype=float)
        idx = np.searchsorted(inner, values, side="right").astype(float)
        idx[np.isnan(values)] = np.nan
        return idx


@dataclass(frozen=True)
class MapLayer:
    """Values for one choropleth: codes (adcode), names, values and a preformatted hover text."""

    codes: Sequence[str]
    names: Sequence[str]
    values: np.ndarray
    hover: Sequence[str]


def stepped_colorscale(colors: Sequence[str]) -> list[list]:
    """A plotly colorscale with hard steps, for z = class number 0..n-1."""
    n = len(colors)
    scale: list[list] = []
    for i, color in enumerate(colors):
        scale += [[i / n, color], [(i + 1) / n, color]]
    return scale


def china_choropleth(
    layer: MapLayer,
    classes: Classes,
    *,
    geojson_url: str,
    outside_codes: Sequence[str],
    outside_label: str,
    no_data_label: str,
    outside_hover: Sequence[str] | None = None,
    province_geojson_url: str,
    province_codes: Sequence[str],
    maritime: tuple[list[float | None], list[float | None]],
    title: str,
    legend_title: str,
    height: int = 720,
    scs_label: str = "南海诸岛",
) -> dict:
    """National choropleth with class legend, outside-coverage areas and the 南海诸岛 inset.

    ``maritime`` holds lon and lat lists of the maritime boundary with ``None`` between lines.
    The province layer draws province borders over the main map and grey land in the inset.
    """
    values = np.asarray(layer.values, dtype=float)
    z = classes.index(values)
    n = len(classes.colors)
    missing = np.isnan(values)
    codes, no_data_codes = _split(layer.codes, missing)
    hover, no_data_hover = _split(layer.hover, missing)
    data = [
        {
            "type": "choropleth",
            "geo": "geo",
            "geojson": geojson_url,
            "locations": codes,
            "z": z[~missing].tolist(),
            "zmin": -0.5,
            "zmax": n - 0.5,
            "colorscale": stepped_colorscale(classes.colors),
            "marker": {"line": {"width": 0.2, "color": theme.BORDER}},
            "customdata": codes,
            "text": hover,
            "hovertemplate": "%{text}<extra></extra>",
            "colorbar": {
                "title": {"text": legend_title, "side": "top"},
                "tickvals": list(range(n)),
                "ticktext": list(classes.labels),
                "x": 0.01,
                "xanchor": "left",
                "y": 0.07,
                "yanchor": "bottom",
                "len": 0.42,
                "thickness": 16,
                "outlinewidth": 0,
            },
            "name": title,
        },
        flat_trace(geojson_url, no_data_codes, no_data_hover, theme.NO_DATA),
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
    layout = _layout(title, height, scs_label=scs_label)
    layout["annotations"].insert(
        0,
        {
            "text": f"<span style='color:{theme.NO_DATA_SWATCH}'>■</span> {no_data_label}{wide_space()}"
            f"<span style='color:{theme.OUTSIDE_COVERAGE}'>■</span> {outside_label}",
            "showarrow": False,
            "xref": "paper",
            "yref": "paper",
            "x": 0.01,
            "y": 0.0,
            "xanchor": "left",
            "yanchor": "bottom",
            "font": {"size": 12, "color": theme.MUTED},
        },
    )
    return {"data": data, "layout": layout}


def paintable_choropleth(
    codes: Sequence[str],
    hover: Sequence[str],
    *,
    geojson_url: str,
    outside_codes: Sequence[str],
    outside_label: str,
    province_geojson_url: str,
    province_codes: Sequence[str],
    maritime: tuple[list[float | None], list[float | None]],
    scs_label: str,
    height: int = 720,
    outside_hover: Sequence[str] | None = None,
) -> dict:
    """The national map for the overview: trace 0 holds every unit in one neutral colour.

    Colours and hover texts are painted afterwards in the browser (``assets/yipanqi-map.js``) from
    a small payload per measure and period, so geometry and the figure are sent once per level.
    """
    data = [
        {
            "type": "choropleth",
            "geo": "geo",
            "geojson": geojson_url,
            "locations": list(codes),
            "z": [0] * len(codes),
            "zmin": 0,
            "zmax": 1,
            "colorscale": [[0, theme.NO_DATA], [1, theme.NO_DATA]],
            "showscale": False,
            "marker": {"line": {"width": 0.2, "color": theme.BORDER}},
            "customdata": list(codes),
            "text": list(hover),
            "hoverinfo": "text",
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
    layout = _layout("", height, scs_label=scs_label)
    layout["margin"]["t"] = 8
    return {"data": data, "layout": layout}


def context_traces(
    geojson_url: str,
    outside_codes: Sequence[str],
    outside_label: str,
    province_geojson_url: str,
    province_codes: Sequence[str],
    maritime: tuple[list[float | None], list[float | None]],
    outside_hover: Sequence[str] | None = None,
) -> list[dict]:
    """Outside-coverage areas, province borders and the maritime line (main map), and the inset.

    The grey areas' hover is ``outside_hover`` (one text per code: outside coverage or outside the
    reader's scope), else ``outside_label`` for all."""
    hover = [outside_label] * len(outside_codes) if outside_hover is None else outside_hover
    return [
        flat_trace(geojson_url, outside_codes, hover, theme.OUTSIDE_COVERAGE),
        _province_trace(
            "geo", province_geojson_url, province_codes, fill="rgba(0,0,0,0)", width=0.9
        ),
        _maritime_trace("geo", north_of(maritime, theme.MAINLAND_LAT[0])),
        _province_trace(
            "geo2", province_geojson_url, province_codes, fill=theme.OUTSIDE_COVERAGE, width=0.4
        ),
        _maritime_trace("geo2", maritime),
    ]


def _layout(title: str, height: int, scs_label: str = "南海诸岛") -> dict:
    """Layout of a national map: main geo in Albers conic, the 南海诸岛 inset in the corner."""
    return {
        "title": {"text": title, "x": 0.5, "font": {"size": 20}},
        "height": height,
        "margin": {"l": 0, "r": 0, "t": 48, "b": 0},
        "font": {"family": theme.FONT_FAMILY, "color": theme.TEXT},
        "paper_bgcolor": "white",
        "showlegend": False,
        "dragmode": False,
        "geo": _geo(
            theme.PROJECTION,
            theme.MAINLAND_LON,
            theme.MAINLAND_LAT,
            {"x": [0, 1], "y": [0, 1]},
            frame=False,
        ),
        "geo2": _geo(
            theme.SCS_PROJECTION, theme.SCS_LON, theme.SCS_LAT, theme.SCS_DOMAIN, frame=True
        ),
        "annotations": [
            {
                "text": scs_label,
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": theme.SCS_DOMAIN["x"][1] - 0.005,
                "y": theme.SCS_DOMAIN["y"][0] + 0.01,
                "xanchor": "right",
                "yanchor": "bottom",
                "font": {"size": 11, "color": theme.MUTED},
            }
        ],
    }


def _geo(
    projection: dict,
    lon: tuple[float, float],
    lat: tuple[float, float],
    domain: dict,
    *,
    frame: bool,
) -> dict:
    return {
        "domain": domain,
        "projection": projection,
        "lonaxis": {"range": list(lon)},
        "lataxis": {"range": list(lat)},
        "visible": False,
        "showframe": frame,
        "framecolor": theme.INSET_FRAME,
        "framewidth": 1,
        "bgcolor": "white",
        "fitbounds": False,
    }


def north_of(line: tuple[list, list], lat: float) -> tuple[list, list]:
    """The parts of a polyline (lon and lat lists, parts split by None) north of ``lat``: the main
    map leaves the South China Sea to its inset instead of cutting its line at the map's edge."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    for x, y in zip(*line, strict=True):
        inside = y is not None and y >= lat
        if inside:
            lons.append(x)
            lats.append(y)
        elif lons and lons[-1] is not None:
            lons.append(None)
            lats.append(None)
    return lons, lats


def _maritime_trace(geo: str, maritime: tuple[list, list]) -> dict:
    return {
        "type": "scattergeo",
        "geo": geo,
        "mode": "lines",
        "lon": maritime[0],
        "lat": maritime[1],
        "line": {"width": 1.2, "color": theme.SEA_LINE},
        "hoverinfo": "skip",
    }


def _province_trace(
    geo: str, geojson_url: str, codes: Sequence[str], *, fill: str, width: float
) -> dict:
    return {
        "type": "choropleth",
        "geo": geo,
        "geojson": geojson_url,
        "locations": list(codes),
        "z": [0] * len(codes),
        "colorscale": [[0, fill], [1, fill]],
        "showscale": False,
        "marker": {"line": {"width": width, "color": theme.PROVINCE_BORDER}},
        "hoverinfo": "skip",
    }


def flat_trace(geojson_url: str, codes: Sequence[str], hover: Sequence[str], color: str) -> dict:
    """Areas in one flat colour with their own hover (e.g. no data)."""
    return {
        "type": "choropleth",
        "geo": "geo",
        "geojson": geojson_url,
        "locations": list(codes),
        "z": [0] * len(codes),
        "colorscale": [[0, color], [1, color]],
        "showscale": False,
        "marker": {"line": {"width": 0.2, "color": theme.BORDER}},
        "customdata": list(codes),
        "text": list(hover),
        "hovertemplate": "%{text}<extra></extra>",
    }


def _split(items: Sequence, mask: np.ndarray) -> tuple[list, list]:
    """(items where mask is False, items where mask is True)."""
    kept = [x for x, m in zip(items, mask, strict=True) if not m]
    dropped = [x for x, m in zip(items, mask, strict=True) if m]
    return kept, dropped


def zoom_to(
    figure: dict, bounds: tuple[float, float, float, float], aspect: float | None = None
) -> dict:
    """``figure`` (a national map of this module) fitted to ``bounds`` (lon0, lon1, lat0, lat1):
    the main map's centre and scale set, the 南海诸岛 inset and its label left out (a regional
    map). With ``aspect`` (the width over the height of the box the map is drawn in), the map's
    ranges are ``bounds`` widened to that shape, so the land fills the box instead of a frame of
    the mainland's shape inside it. Changes ``figure`` in place and returns it."""
    if aspect is not None:
        bounds = widened(bounds, aspect)
    lon0, lon1, lat0, lat1 = bounds
    span_lon = theme.MAINLAND_LON[1] - theme.MAINLAND_LON[0]
    span_lat = theme.MAINLAND_LAT[1] - theme.MAINLAND_LAT[0]
    layout = figure["layout"]
    geo = layout["geo"]
    geo["center"] = {"lon": (lon0 + lon1) / 2, "lat": (lat0 + lat1) / 2}
    geo["projection"] = {
        **geo["projection"],
        "scale": round(min(span_lon / (lon1 - lon0), span_lat / (lat1 - lat0)), 3),
    }
    if aspect is not None:  # the ranges are the box: no further scale
        geo["lonaxis"] = {**geo.get("lonaxis", {}), "range": [lon0, lon1]}
        geo["lataxis"] = {**geo.get("lataxis", {}), "range": [lat0, lat1]}
        geo["projection"]["scale"] = 1
    figure["data"] = [trace for trace in figure["data"] if trace.get("geo", "geo") == "geo"]
    layout.pop("geo2", None)
    layout["annotations"] = []
    return figure


def widened(
    bounds: tuple[float, float, float, float], aspect: float
) -> tuple[float, float, float, float]:
    """``bounds`` (lon0, lon1, lat0, lat1) grown about its centre along one axis to the shape
    ``aspect`` (width / height; a degree of longitude counted as cos(latitude) of one of latitude
    at the centre)."""
    lon0, lon1, lat0, lat1 = bounds
    squeeze = math.cos(math.radians((lat0 + lat1) / 2))
    width, height = (lon1 - lon0) * squeeze, lat1 - lat0
    if width < aspect * height:
        half = aspect * height / squeeze / 2
        mid = (lon0 + lon1) / 2
        return mid - half, mid + half, lat0, lat1
    half = width / aspect / 2
    mid = (lat0 + lat1) / 2
    return lon0, lon1, mid - half, mid + half
