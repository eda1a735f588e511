"""The drill-down's map: the area's sub-units coloured by a measure, with the names that fit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import context, formatting
from dashboard.data import area as data
from dashboard.figures.area_map import area_map
from dashboard.geometry_route import geometry_url
from dashboard.i18n import N_, _, current_language, indicator_name
from etl import targets
from etl.records import INDICATOR_BY_FLAG

LABEL_MIN_SHARE = 0.012
LABEL_CHAR, LABEL_LINE = 0.04, 0.05  # a character's width and a line's height, of the map's extent
LATIN_CHAR = 0.6  # a Latin letter's width, in Chinese characters (with a little room)
PERSONS_MEASURES = {"inflow": N_("Inflow (persons)"), "outflow": N_("Outflow (persons)")}
MAP_OF = {
    "county": N_("Counties of {name}"),
    "prefecture": N_("Prefectures of {name}"),
    "province": N_("Provinces of {name}"),
}


def map_figure(area: data.Area, period: str, measure: str, sub: str) -> dict:
    units = data.sub_unit_values(area, sub, period, measure)
    units = units.assign(name=[data.unit_name(c, current_language()) for c in units["code"]])
    indicator = INDICATOR_BY_FLAG.get(measure)
    name = indicator_name(measure) if indicator else _(PERSONS_MEASURES[measure])
    shown = data.map_area(area, context.current().regions_path)
    labels = fitting_labels(units, sub, area.code)
    title = _(MAP_OF[sub]).format(name=shown.name(current_language()))
    return area_map(
        units,
        geojson_url=geometry_url(context.current().layers, data.geometry_name(area, sub)),
        measure=measure,
        measure_name=name,
        target=targets.target(measure, period) if indicator else None,
        highlight=(area.code,) if area.level == "county" else (),
        labels=labels,
        title=f"{title} · {name} · {formatting.period(period)}",
    )


def fitting_labels(
    units: pd.DataFrame, level: str, here: str, most: int = 40, share: float = LABEL_MIN_SHARE
) -> pd.DataFrame:
    """Label points of ``here`` and of the units big enough for a name (``share`` of the map's
    area; none beyond ``most`` units), biggest first, leaving out a name that would sit on a kept
    one."""
    points = data.label_points(level)
    points = points[points["code"].isin(units["code"])]
    big = points["area"] >= share * points["area"].sum()
    if len(units) > most:
        big[:] = False
    candidates = points[big | (points["code"] == here)]
    candidates = candidates.assign(first=candidates["code"] != here).sort_values(
        ["first", "area"], ascending=[True, False]
    )
    span = max(np.ptp(points["lon"]), np.ptp(points["lat"]), 0.05)
    names = dict(zip(units["code"], units["name"], strict=True))
    kept: list[int] = []
    for i, row in candidates.iterrows():
        width = _label_width(names[row["code"]])
        near = [
            j for j in kept
            if abs(points.at[j, "lon"] - row["lon"])
            < LABEL_CHAR * span * (width + _label_width(names[points.at[j, "code"]])) / 2
            and abs(points.at[j, "lat"] - row["lat"]) < LABEL_LINE * span
        ]  # fmt: skip
        if not near:
            kept.append(i)
    return points.loc[kept]


def _label_width(name: str) -> float:
    """Width of a label in Chinese characters (a Latin letter is about half of one)."""
    return sum(1.0 if ord(c) >= 0x2E80 else LATIN_CHAR for c in name)
