"""The drill-down map: one area's sub-units (prefectures, counties) coloured by one measure.

Geometry travels by URL (fetched once by the browser; features keyed by ``id`` = adcode) and the
view fits the units drawn (``fitbounds="locations"``, Mercator: true shapes at this scale). Rates
use classes anchored at the indicator's target (at or above, within 3 points, within 8, below);
persons use a continuous blue scale from 0. Small cells are drawn in one flat colour and say
"suppressed"; the highlighted units (the county on view) get a thick outline.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from dashboard import theme
from dashboard.figures.china_map import stepped_colorscale
from dashboard.formatting import count, persons, rate
from dashboard.i18n import _, t, target_class_labels, wide_space

TARGET_CLASS_COLORS = theme.TARGET_4
"""Below by more than 8 points, within 8, within 3, at or above target (worst first)."""
SUPPRESSED = "#cfd4da"
HIGHLIGHT = "#111827"


def target_classes(values: np.ndarray, target: float) -> np.ndarray:
    """Class 0-3 of each rate against ``target`` (0: more than 8 points below; 3: at or above);
    NaN stays NaN. Computed in basis points, so a rate exactly at a limit is not lost to rounding."""
    bp = np.round(np.asarray(values, dtype=float) * 10_000)
    tbp = round(target * 10_000)
    out = np.select([bp >= tbp, bp >= tbp - 300, bp >= tbp - 800], [3.0, 2.0, 1.0], 0.0)
    out[np.isnan(bp)] = np.nan
    return out


def area_map(
    units: pd.DataFrame,
    *,
    geojson_url: str,
    measure: str,
    measure_name: str,
    target: float | None = None,
    highlight: Sequence[str] = (),
    labels: pd.DataFrame | None = None,
    title: str = "",
    height: int = 520,
) -> dict:
    """The map as a plain plotly figure dict.

    ``units``: ``dashboard.data.area.sub_unit_values``: ``code, name, value, numerator,
    denominator, gap, small_cell``; ``measure``: ``inflow``/``outflow`` (persons) or an indicator
    flag (a rate with ``target``). ``labels``: ``code, lon, lat`` of points where unit names are
    written (None: no names). ``highlight``: codes outlined in black.
    """
    is_rate = target is not None
    suppressed = units["small_cell"].astype(bool).to_numpy()
    values = units["value"].to_numpy(dtype=float)
    missing = np.isnan(values) & ~suppressed
    shown = ~suppressed & ~missing
    hover = [_hover(row, measure_name, target) for row in units.itertuples()]
    codes = units["code"].tolist()
    data: list[dict] = []
    base = {
        "type": "choropleth",
        "geojson": geojson_url,
        "marker": {"line": {"width": 0.8, "color": theme.BORDER}},
        "hovertemplate": "%{text}<extra></extra>",
    }
    scale: dict[str, Any]
    if target is not None:
        z = target_classes(values[shown], target)
        names = list(target_class_labels())
        colorbar = {
            "title": {"text": measure_name, "side": "top"},
            "tickvals": [0, 1, 2, 3],
            "ticktext": names,
        }
        scale = {"zmin": -0.5, "zmax": 3.5, "colorscale": stepped_colorscale(TARGET_CLASS_COLORS)}
    else:
        z = values[shown]
        top = float(np.nanmax(z)) if len(z) else 1.0
        colorbar = {"title": {"text": measure_name, "side": "top"}, "tickformat": ",d"}
        scale = {"zmin": 0, "zmax": max(top, 1.0), "colorscale": _blues()}
    data.append(
        {
            **base,
            "locations": _pick(codes, shown),
            "z": [round(float(v), 4) for v in z],
            "customdata": _pick(codes, shown),
            "text": _pick(hover, shown),
            "colorbar": {
                **colorbar,
                "orientation": "h", "x": 0.5, "xanchor": "center", "y": 0.0, "yanchor": "top",
                "len": 0.96, "thickness": 12, "outlinewidth": 0,
            },
            **scale,
        }
    )  # fmt: skip
    for mask, color in ((suppressed, SUPPRESSED), (missing, theme.NO_DATA)):
        if mask.any():
            data.append(
                {
                    **base,
                    "locations": _pick(codes, mask),
                    "z": [0] * int(mask.sum()),
                    "customdata": _pick(codes, mask),
                    "text": _pick(hover, mask),
                    "colorscale": [[0, color], [1, color]],
                    "showscale": False,
                }
            )
    if highlight:
        data.append(
            {
                "type": "choropleth",
                "geojson": geojson_url,
                "locations": list(highlight),
                "z": [0] * len(highlight),
                "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
                "showscale": False,
                "marker": {"line": {"width": 3, "color": HIGHLIGHT}},
                "hoverinfo": "skip",
            }
        )
    if labels is not None and len(labels):
        fills = _fills(values, shown, suppressed, z, is_rate, 1.0 if is_rate else scale["zmax"])
        data.append(_label_trace(units.assign(fill=fills), labels, highlight))
    layout = {
        "title": {"text": title, "x": 0.01, "font": {"size": 15}},
        "height": height,
        "margin": {"l": 0, "r": 0, "t": 40 if title else 8, "b": 76},  # the legend below
        "font": {"family": theme.FONT_FAMILY, "color": theme.TEXT},
        "paper_bgcolor": "white",
        "showlegend": False,
        "hoverlabel": {"font": {"family": theme.FONT_FAMILY}},
        "geo": {
            "projection": {"type": "mercator"},
            "fitbounds": "locations",
            "visible": False,
            "bgcolor": "white",
            "domain": {"x": [0, 1], "y": [0, 1]},
        },
        "annotations": [_key(suppressed.any(), missing.any())],
    }
    return {"data": data, "layout": layout}


def _blues() -> list[list]:
    colors = theme.SEQUENTIAL_5
    return [[i / (len(colors) - 1), c] for i, c in enumerate(colors)]


def _pick(items: Sequence, mask: np.ndarray) -> list:
    return [x for x, m in zip(items, mask, strict=True) if m]


def _hover(row, measure_name: str, target: float | None) -> str:  # noqa: ANN001
    head = f"<b>{row.name}</b> {row.code}<br>{measure_name}: "
    if bool(row.small_cell):
        return head + t("suppressed")
    if isinstance(row.value, float) and math.isnan(row.value):
        return head + t("no_data")
    if target is None:
        return head + persons(int(row.value))
    gap = f"{t('gap_people')}: {persons(int(row.gap))}"
    fraction = _("numerator/denominator")
    return (
        head + f"{rate(row.value, target)}<br>{fraction}: "
        f"{count(row.numerator)} / {count(row.denominator)}<br>{gap}"
    )


def _label_trace(units: pd.DataFrame, labels: pd.DataFrame, highlight: Sequence[str]) -> dict:
    """Unit names at ``labels``' points: white on a dark fill, dark text elsewhere."""
    points = units[["code", "name", "fill"]].merge(labels, on="code", how="inner")
    names = [
        f"<b>{name}</b>" if code in highlight else name
        for code, name in zip(points["code"], points["name"], strict=True)
    ]
    return {
        "type": "scattergeo",
        "mode": "text",
        "lon": points["lon"].tolist(),
        "lat": points["lat"].tolist(),
        "text": names,
        "textfont": {
            "size": 12,
            "color": ["white" if _dark(c) else theme.TEXT for c in points["fill"]],
            "family": theme.FONT_FAMILY,
            "shadow": "auto",  # a halo in the contrasting colour, for labels across two fills
        },
        "hoverinfo": "skip",
    }


def _dark(color: str) -> bool:
    """True for a fill on which white text reads better than dark (relative luminance < 0.3)."""
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2] < 0.3


def _fills(values: np.ndarray, shown: np.ndarray, suppressed: np.ndarray, z: np.ndarray,
           is_rate: bool, top: float) -> list[str]:  # fmt: skip
    """The colour each unit is painted (for its label's colour)."""
    fills = np.where(suppressed, SUPPRESSED, theme.NO_DATA).astype(object)
    if is_rate:
        fills[shown] = [TARGET_CLASS_COLORS[int(k)] for k in z]
    else:
        steps = theme.SEQUENTIAL_5
        fills[shown] = [steps[min(len(steps) - 1, int(v / top * len(steps)))] for v in z]
    return list(fills)


def _key(suppressed: bool, missing: bool) -> dict:
    parts = []
    if suppressed:
        parts.append(f"<span style='color:{SUPPRESSED}'>■</span> {t('suppressed')}")
    if missing:
        parts.append(f"<span style='color:{theme.NO_DATA_SWATCH}'>■</span> {t('no_data')}")
    return {
        "text": wide_space().join(parts), "showarrow": False, "xref": "paper", "yref": "paper",
        "x": 1.0, "y": 1.0, "xanchor": "right", "yanchor": "bottom",
        "font": {"size": 12, "color": theme.MUTED},
    }  # fmt: skip
