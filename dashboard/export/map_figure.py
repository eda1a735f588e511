"""The print layout of a national map: a pure plotly dict, self-contained (geometry embedded).

The page is A4 landscape at 96 px per inch (1123 x 794 CSS px): the title and subtitle on top, the
map with the 南海诸岛 inset (``dashboard.figures.china_map``), a class legend drawn with shapes
(classes, suppressed small cells, no data, outside coverage) in the lower left, and the footer: the
view's auto narrative, one row per analysis note, the source, then the lineage (ETL run, code
version, boundaries) and the date; the bottom margin grows with the notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dashboard import theme
from dashboard.figures.china_map import Classes, MapLayer, china_choropleth, zoom_to

A4_LANDSCAPE_PX = (1123, 794)  # 297 x 210 mm at 96 px per inch
MARGIN = {"l": 24, "r": 24, "t": 78, "b": 58}  # b: the narrative's first row, source, lineage
FOOTER_WIDTH = 200
"""Half-width characters one footer row of the A4 print holds at its 10 px font (a CJK character
counts two)."""
_NO_LINE_START = "，。；：、！？）》」』,.;:!?)"  # punctuation a wrapped row should not begin with
_LEVEL_URL, _PROVINCE_URL = "embed:level", "embed:province"


@dataclass(frozen=True)
class PrintTexts:
    """Every string on the printed map, already in the chosen language."""

    title: str
    subtitle: str
    legend_title: str
    suppressed: str
    no_data: str
    outside: str
    scs: str
    source: str
    lineage: str
    narrative: str = ""  # the view's auto narrative (dashboard.story.narrative), "" for none
    notes: tuple[str, ...] = ()  # the analysis notes (method, units analysed), a footer row each
    with_suppressed: bool = True  # the legend's "suppressed" row (an alerts map has no small cells)
    washed: str = ""  # the legend's row of the units washed over (print_map_figure's washed)


def print_map_figure(
    codes: Sequence[str],
    values: np.ndarray,
    suppressed: np.ndarray,
    classes: Classes,
    texts: PrintTexts,
    *,
    geometry: dict,
    province_geometry: dict,
    province_codes: Sequence[str],
    outside_codes: Sequence[str],
    maritime: tuple[list[float | None], list[float | None]],
    size: tuple[int, int] = A4_LANDSCAPE_PX,
    place: PrintPlace | None = None,
    washed: Sequence[str] = (),
) -> dict:
    """A national choropleth laid out for print, or (``place``) one fitted to a place. ``geometry``
    is the level's GeoJSON FeatureCollection (features keyed by ``id`` = adcode),
    ``province_geometry`` the provinces'.

    Suppressed units are drawn in the suppressed grey, never in a class colour; the units around
    a place in pale grey; ``washed`` units under a translucent wash (the hot spots map's small
    denominators; ``texts.washed`` its legend row).
    """
    values = np.asarray(values, dtype=float)
    hidden = np.asarray(suppressed, dtype=bool)
    if place is not None:  # only the place's units take their colours
        keep = ~np.isin(np.asarray(codes), list(place.around))
        codes, values, hidden = (
            [c for c, k in zip(codes, keep, strict=True) if k],
            values[keep],
            hidden[keep],
        )
    shown = [c for c, s in zip(codes, hidden, strict=True) if not s]
    layer = MapLayer(shown, shown, values[~hidden], [""] * len(shown))
    figure = china_choropleth(
        layer,
        classes,
        geojson_url=_LEVEL_URL,
        outside_codes=outside_codes,
        outside_label=texts.outside,
        no_data_label=texts.no_data,
        province_geojson_url=_PROVINCE_URL,
        province_codes=province_codes,
        maritime=maritime,
        title=texts.title,
        legend_title=texts.legend_title,
    )
    data = figure["data"]
    data[0]["showscale"] = False
    data.insert(
        2,
        {
            "type": "choropleth",
            "geo": "geo",
            "geojson": _LEVEL_URL,
            "locations": [c for c, s in zip(codes, hidden, strict=True) if s],
            "z": [0] * int(hidden.sum()),
            "colorscale": [[0, theme.SUPPRESSED], [1, theme.SUPPRESSED]],
            "showscale": False,
            "marker": {"line": {"width": 0.2, "color": theme.BORDER}},
        },
    )
    if len(washed):
        wash = _flat(list(washed), theme.SMALL_BASE_WASH)
        wash["marker"] = {"line": {"width": 0.9, "color": theme.SMALL_BASE_LINE}}
        data.insert(3, wash)  # over the classes and the suppressed, under the borders
    if place is not None:
        data.insert(2, _flat(list(place.around), theme.OUT_OF_PLACE))
        data.extend(_outlines(place.highlight) + _labels(place))
    for trace in data:
        trace.pop("hovertemplate", None)
        trace["hoverinfo"] = "skip"
        if trace.get("geojson") == _LEVEL_URL:
            trace["geojson"] = geometry
        elif trace.get("geojson") == _PROVINCE_URL:
            trace["geojson"] = province_geometry
    if place is not None:
        zoom_to(figure, place.bounds)  # no inset, so no 南海诸岛 label
        figure["layout"]["geo"]["domain"] = {"x": [PLACE_MAP_LEFT, 1], "y": [0, 1]}
    figure["layout"] = _print_layout(figure["layout"], classes, texts, size)
    return figure


PLACE_MAP_LEFT = 0.2  # a place's map starts right of the legend column


@dataclass(frozen=True)
class PrintPlace:
    """A map fitted to a place: its ``name`` (for the title), ``bounds`` (lon0, lon1, lat0,
    lat1), the units ``around`` it (drawn pale grey), those outlined (``highlight``: a pilot
    county) and name ``labels`` (lon, lat, text)."""

    name: str
    bounds: tuple[float, float, float, float]
    around: tuple[str, ...] = ()
    highlight: tuple[str, ...] = ()
    labels: tuple[tuple[float, float, str], ...] = ()


def _flat(codes: list[str], color: str) -> dict:
    return {
        "type": "choropleth", "geo": "geo", "geojson": _LEVEL_URL, "locations": codes,
        "z": [0] * len(codes), "colorscale": [[0, color], [1, color]], "showscale": False,
        "marker": {"line": {"width": 0.2, "color": theme.BORDER}},
    }  # fmt: skip


def _outlines(codes: tuple[str, ...]) -> list[dict]:
    if not codes:
        return []
    trace = _flat(list(codes), "rgba(0,0,0,0)")
    trace["marker"] = {"line": {"width": 2.5, "color": theme.TEXT}}
    return [trace]


def _labels(place: PrintPlace) -> list[dict]:
    if not place.labels:
        return []
    lon, lat, text = zip(*place.labels, strict=True)
    return [
        {
            "type": "scattergeo", "geo": "geo", "lon": list(lon), "lat": list(lat),
            "text": list(text), "mode": "text",
            "textfont": {"size": 12, "color": theme.TEXT, "family": theme.FONT_FAMILY,
                         "shadow": "1px 1px 2px white, -1px -1px 2px white"},
        }
    ]  # fmt: skip


def _print_layout(layout: dict, classes: Classes, texts: PrintTexts, size: tuple[int, int]) -> dict:
    width, height = size
    layout = dict(layout)
    rows = _footer_rows(texts)
    margin = dict(MARGIN, b=MARGIN["b"] + _FOOTER_ROW_PX * max(0, len(rows) - 3))
    plot_h = height - margin["t"] - margin["b"]
    layout.update(width=width, height=height, margin=dict(margin, pad=0))
    layout["title"] = {"text": ""}
    inset = []
    if "geo2" in layout:  # the 南海诸岛 label of china_map's layout (none on a place's map)
        scs = layout["annotations"][-1]
        scs["text"] = texts.scs
        inset = [scs]
    layout["annotations"] = [
        *_heading(texts, plot_h),
        *inset,
        *_legend(classes, texts, plot_h),
        *_footer(rows, plot_h),
    ]
    layout["shapes"] = _legend_swatches(classes, texts, plot_h)
    return layout


_ROW_PX = 19
_FOOTER_ROW_PX = 17
_SWATCH_PX = (22, 12)
_LEGEND_X = 0.012


def _legend_rows(classes: Classes, texts: PrintTexts) -> list[tuple[str, str]]:
    rows = list(zip(classes.colors, classes.labels, strict=True))[::-1]
    if texts.with_suppressed:
        rows.append((theme.SUPPRESSED, texts.suppressed))
    if texts.washed:
        rows.append((theme.SMALL_BASE_WASH, texts.washed))
    return rows + [
        (theme.NO_DATA_SWATCH, texts.no_data),
        (theme.OUTSIDE_COVERAGE, texts.outside),
    ]


def _row_y(i: int, n: int, plot_h: int) -> float:
    """Paper y of the centre of legend row i (0 = top) of n, the last row just above the bottom."""
    return (6 + (n - 1 - i) * _ROW_PX + _ROW_PX / 2) / plot_h


def _legend(classes: Classes, texts: PrintTexts, plot_h: int) -> list[dict]:
    rows = _legend_rows(classes, texts)
    n = len(rows)
    out = [
        {
            "text": f"<b>{texts.legend_title}</b>",
            "x": _LEGEND_X,
            "y": _row_y(0, n, plot_h) + (_ROW_PX * 0.6) / plot_h,
            "xanchor": "left",
            "yanchor": "bottom",
            "font": {"size": 13, "color": theme.TEXT},
        }
    ]
    for i, (_, label) in enumerate(rows):
        out.append(
            {
                "text": label,
                "x": _LEGEND_X + 30 / 1075,
                "y": _row_y(i, n, plot_h),
                "xanchor": "left",
                "yanchor": "middle",
                "font": {"size": 11.5, "color": theme.TEXT},
            }
        )
    for a in out:
        a.update(showarrow=False, xref="paper", yref="paper", align="left")
    return out


def _legend_swatches(classes: Classes, texts: PrintTexts, plot_h: int) -> list[dict]:
    rows = _legend_rows(classes, texts)
    n = len(rows)
    plot_w = A4_LANDSCAPE_PX[0] - MARGIN["l"] - MARGIN["r"]
    w, h = _SWATCH_PX[0] / plot_w, _SWATCH_PX[1] / plot_h
    shapes = []
    for i, (color, _) in enumerate(rows):
        y = _row_y(i, n, plot_h)
        shapes.append(
            {
                "type": "rect",
                "xref": "paper",
                "yref": "paper",
                "x0": _LEGEND_X,
                "x1": _LEGEND_X + w,
                "y0": y - h / 2,
                "y1": y + h / 2,
                "fillcolor": color,
                "line": {"width": 0.6, "color": theme.MUTED},
            }
        )
    return shapes


def _heading(texts: PrintTexts, plot_h: int) -> list[dict]:
    base = {"showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "xanchor": "center"}
    return [
        dict(
            base,
            text=f"<b>{texts.title}</b>",
            y=1 + (MARGIN["t"] - 12) / plot_h,
            yanchor="top",
            font={"size": 22, "color": theme.TEXT},
        ),
        dict(
            base,
            text=texts.subtitle,
            y=1 + (MARGIN["t"] - 46) / plot_h,
            yanchor="top",
            font={"size": 13, "color": theme.MUTED},
        ),
    ]


def _footer_rows(texts: PrintTexts) -> list[tuple[str, str]]:
    """The footer's rows and colours: the narrative and each note wrapped to the page's width,
    then the source and the lineage."""
    rows = [(line, theme.TEXT) for line in footer_lines(texts.narrative)]  # the narrative first
    rows += [(line, theme.TEXT) for note in texts.notes for line in footer_lines(note)]
    return rows + [(texts.source, theme.MUTED), (texts.lineage, theme.MUTED)]


def _footer(rows: list[tuple[str, str]], plot_h: int) -> list[dict]:
    base = {
        "showarrow": False,
        "xref": "paper",
        "yref": "paper",
        "x": 0.0,
        "xanchor": "left",
        "yanchor": "top",
        "align": "left",
    }
    return [
        dict(base, text=text, y=-(6 + _FOOTER_ROW_PX * i) / plot_h, font={"size": 10, "color": color})
        for i, (text, color) in enumerate(rows)
    ]


def footer_lines(text: str, width: int = FOOTER_WIDTH, most: int = 3) -> list[str]:
    """``text`` wrapped into at most ``most`` footer rows of ``width`` half-width characters,
    broken at a space or between CJK characters; the last row ends in "…" when cut."""
    lines: list[str] = []
    rest = text.strip()
    while rest and len(lines) < most - 1:
        cut = _break(rest, width)
        if cut is None:
            break
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*lines, fitted_line(rest, width)] if rest else lines


def _break(text: str, width: int) -> int | None:
    """Where to end the first row of ``text`` (None: it all fits): after the last space or CJK
    character that fits, unless punctuation follows it, else mid-word."""
    used, last = 0, 0
    for i, char in enumerate(text):
        used += _width(char)
        if used > width:
            return last or i
        if (char == " " or _width(char) == 2) and text[i + 1 : i + 2] not in _NO_LINE_START:
            last = i + 1
    return None


def fitted_line(text: str, width: int = FOOTER_WIDTH) -> str:
    """``text`` cut to one footer row, ending in "…" when cut."""
    used = 0
    for i, char in enumerate(text):
        used += _width(char)
        if used > width - 1:
            return text[:i].rstrip() + "…"
    return text


def _width(char: str) -> int:
    """Half-width characters ``char`` takes in a footer row: a CJK character (or full-width
    punctuation) two, any other one."""
    return 2 if ord(char) >= 0x2E80 else 1
