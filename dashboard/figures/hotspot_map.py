"""The hot spots page's maps: a classed map (any scheme), the LISA cluster map and the
significance map, each the national choropleth of ``china_map`` with the class number as value.

Beside the classes every map shows the withheld units (small cells, in the suppressed grey) and
can wash over the units whose rate rests on a small denominator (a translucent white with a dark
outline: the class colour stays readable, paler). Geometry travels by URL, as on every national
map; the legend is HTML beside the map, so it can name the scheme in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dashboard import theme
from dashboard.figures.china_map import Classes, MapLayer, china_choropleth, flat_trace


@dataclass(frozen=True)
class Overlay:
    """Units drawn over the classes (withheld, small denominators) with their hover and the
    legend's words for them."""

    codes: Sequence[str]
    hover: Sequence[str]
    label: str


def ramp(k: int) -> tuple[str, ...]:
    """``k`` sequential blues, light to dark (1-9)."""
    if k <= len(theme.SEQUENTIAL_5):
        return theme.SEQUENTIAL_5[len(theme.SEQUENTIAL_5) - k :] if k > 1 else ("#6baed6",)
    picks = np.round(np.linspace(0, len(theme.SEQUENTIAL_9) - 1, k)).astype(int)
    return tuple(theme.SEQUENTIAL_9[i] for i in picks)


def categories(colors: Sequence[str], labels: Sequence[str]) -> Classes:
    """Classes whose values are the class numbers 0..k-1 themselves."""
    return Classes(
        bounds=tuple(float(i) for i in range(len(colors) + 1)),
        colors=tuple(colors),
        labels=tuple(labels),
    )


def hotspot_map(
    layer: MapLayer,
    classes: Classes,
    *,
    frame: dict,
    withheld: Overlay,
    washed: Overlay | None = None,
) -> dict:
    """A national map of class numbers (``layer.values``: 0..k-1, NaN for no data), the withheld
    units in grey and, when given, a wash over ``washed`` units. ``frame``: the keyword
    arguments of ``AppContext.national_frame``. The page's CSS sizes it. The legend is the page's (``legend_rows``): the
    figure has no colour bar."""
    figure = china_choropleth(layer, classes, title="", legend_title="", no_data_label="", **frame)
    url = frame["geojson_url"]
    extra = [flat_trace(url, withheld.codes, withheld.hover, theme.SUPPRESSED)]
    if washed is not None and len(washed.codes):
        wash = flat_trace(url, washed.codes, washed.hover, theme.SMALL_BASE_WASH)
        wash["marker"] = {"line": {"width": 0.9, "color": theme.SMALL_BASE_LINE}}
        extra.append(wash)
    figure["data"][2:2] = extra  # over the classes and no data, under the borders
    main = figure["data"][0]
    main.pop("colorbar")
    main["showscale"] = False
    layout = figure["layout"]
    layout["margin"]["t"] = 4
    del layout["height"]  # the page's CSS sizes the graph (responsive)
    layout["autosize"] = True
    layout["annotations"] = layout["annotations"][1:]  # the legend says no data and outside
    return figure


def legend_rows(
    classes: Classes, withheld: Overlay, washed: Overlay | None, no_data: str, outside: str
) -> list[tuple[str, str, bool]]:
    """(colour, label, is_wash) of each legend row: the classes from the highest, then the
    withheld units, the wash, no data and outside coverage."""
    rows = [(c, label, False) for c, label in zip(classes.colors, classes.labels, strict=True)]
    rows = rows[::-1] + [(theme.SUPPRESSED, withheld.label, False)]
    if washed is not None:
        rows.append((theme.SMALL_BASE_WASH, washed.label, True))
    return rows + [(theme.NO_DATA_SWATCH, no_data, False), (theme.OUTSIDE_COVERAGE, outside, False)]
