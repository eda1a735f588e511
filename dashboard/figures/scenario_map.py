"""The scenario map: a national county choropleth of a scenario, its baseline, or the difference.

Pure: takes codes, values and names; returns a plain-dict plotly figure (``china_map``).

Classes are made on the values *as shown* (:func:`display_step`): counts in whole persons,
differences of rates in percentage points (0.1 point, or 0.01 when every change is under one
point). A class is a set of shown values, labelled by the smallest and largest value it holds
(one value: that value alone), so no two classes carry the same label, no label is a range from
a value to itself, and a change that rounds to nothing is "no change":

- difference layer: diverging around a neutral class for no change; up to three classes each
  side, split at the terciles of that side's shown magnitudes; one class per value when a side has
  three values or fewer, none when it has none;
- coverage rates: the target-anchored classes of ``dashboard.classify``;
- counts (scenario or baseline inflow / outflow): up to five quantile classes of whole persons,
  fewer when the values are few.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dashboard import theme
from dashboard.classify import target_classes
from dashboard.figures.china_map import Classes, MapLayer, china_choropleth

NO_CHANGE = "#f7f7f7"
PERSON = 1.0
"""The step of counts: whole persons."""


def display_step(values: np.ndarray, unit: str) -> float:
    """The step values of ``unit`` are shown in: 1 person for counts; for percentage points 0.1,
    or 0.01 when every finite change is under one point (else they would all read 0)."""
    if unit != "points":
        return PERSON
    finite = np.abs(values[np.isfinite(values)])
    return 0.1 if finite.size and finite.max() >= 1 else 0.01


def shown(values: np.ndarray, step: float) -> np.ndarray:
    """``values`` rounded to ``step`` (NaN stays NaN; -0 becomes 0)."""
    return np.round(np.asarray(values, dtype=float) / step) * step + 0.0


def _decimals(step: float) -> int:
    return max(0, int(round(-np.log10(step))))


def _breaks(steps: np.ndarray, k: int) -> list[int]:
    """Upper ends (in steps, ascending) of up to ``k`` quantile classes of the integers ``steps``:
    one class per distinct value when there are at most ``k`` of them; every class holds at least
    one value."""
    distinct = np.unique(steps)
    if distinct.size <= k:
        return [int(d) for d in distinct]
    cuts = np.quantile(steps, [j / k for j in range(1, k)], method="inverted_cdf")
    return sorted({int(c) for c in cuts} | {int(distinct[-1])})


def _class_ranges(steps: np.ndarray, breaks: list[int]) -> list[tuple[int, int]]:
    """The (smallest, largest) value of ``steps`` in each class (a class ends at its break)."""
    ranges = []
    lower = -np.inf
    for upper in breaks:
        inside = steps[(steps > lower) & (steps <= upper)]
        ranges.append((int(inside.min()), int(inside.max())))
        lower = upper
    return ranges


def _label(lo: float, hi: float, fmt: str) -> str:
    return fmt.format(lo) if lo == hi else f"{fmt.format(lo)} – {fmt.format(hi)}"


def _spread(palette: Sequence[str], k: int) -> tuple[str, ...]:
    """``k`` colours of ``palette`` (light to dark), spread over its range."""
    if k <= 0:
        return ()
    if k == 1:
        return (palette[len(palette) // 2],)
    positions = np.round(np.linspace(0, len(palette) - 1, k)).astype(int)
    return tuple(palette[i] for i in positions)


def difference_classes(
    values: np.ndarray, step: float = PERSON, no_change_label: str = "0"
) -> Classes:
    """Diverging classes of differences shown in ``step`` (see the module docstring): up to three
    each side of a neutral class for the values that show as 0."""
    values = np.asarray(values, dtype=float)
    steps = np.round(values[np.isfinite(values)] / step).astype(np.int64)
    negative, positive = -steps[steps < 0], steps[steps > 0]
    neg_breaks, pos_breaks = _breaks(negative, 3), _breaks(positive, 3)
    fmt = f"{{:+,.{_decimals(step)}f}}"
    half = 0.5 * step
    # most negative first: the class of magnitudes (b[i-1], b[i]] spans values [-(b[i]+.5), -(b[i-1]+.5))
    bounds = [-(b + 0.5) * step for b in reversed(neg_breaks)] + [-half, half]
    bounds += [(b + 0.5) * step for b in pos_breaks]
    labels = [
        _label(-hi * step, -lo * step, fmt)
        for lo, hi in reversed(_class_ranges(negative, neg_breaks))
    ]
    labels.append(no_change_label)
    labels += [_label(lo * step, hi * step, fmt) for lo, hi in _class_ranges(positive, pos_breaks)]
    reds, blues = theme.DIVERGING_6[:3], theme.DIVERGING_6[3:]
    colors = (*_spread(reds, len(neg_breaks)), NO_CHANGE, *_spread(blues, len(pos_breaks)))
    return Classes(bounds=tuple(bounds), colors=colors, labels=tuple(labels))


def count_classes(values: np.ndarray, k: int = 5) -> Classes:
    """Up to ``k`` quantile classes of counts shown in whole persons (fewer when the values are
    few), labelled by the smallest and largest count each holds."""
    values = np.asarray(values, dtype=float)
    steps = np.round(values[np.isfinite(values)]).astype(np.int64)
    if steps.size == 0:
        return Classes(bounds=(0.0, 1.0), colors=(theme.SEQUENTIAL_5[0],), labels=("–",))
    breaks = _breaks(steps, k)
    ranges = _class_ranges(steps, breaks)
    bounds = (ranges[0][0] - 0.5, *(b + 0.5 for b in breaks))
    labels = tuple(_label(lo, hi, "{:,.0f}") for lo, hi in ranges)
    return Classes(bounds=bounds, colors=_spread(theme.SEQUENTIAL_5, len(breaks)), labels=labels)


def layer_classes(
    values: np.ndarray,
    layer: str,
    unit: str,
    target: float | None,
    target_labels: tuple[str, str, str, str],
    no_change_label: str = "0",
) -> Classes:
    """Classes for a layer: diverging for differences (in :func:`display_step`), target-anchored
    for rates, count classes else."""
    if layer == "difference":
        return difference_classes(values, display_step(values, unit), no_change_label)
    if unit == "share" and target is not None:
        return target_classes(target, target_labels)
    return count_classes(values)


def scenario_map(
    codes: Sequence[str],
    names: Sequence[str],
    values: np.ndarray,
    classes: Classes,
    hover_unit: str,
    suppressed: np.ndarray | None = None,
    suppressed_label: str = "",
    value_texts: Sequence[str] | None = None,
    **map_args: object,
) -> dict:
    """The national county map of one layer; ``map_args`` go to ``china_choropleth``.

    ``value_texts``: each value as the hover shows it (default: whole numbers); ``hover_unit``
    follows it. A ``suppressed`` unit (a small baseline count, as on the overview) is drawn without
    a class and its hover says ``suppressed_label``, never the number."""
    values = np.asarray(values, dtype=float)
    hidden = np.zeros(len(values), bool) if suppressed is None else np.asarray(suppressed, bool)
    values = np.where(hidden, np.nan, values)
    texts = value_texts if value_texts is not None else [f"{v:,.0f}" for v in values]
    hover = [
        f"<b>{name}</b> {code}<br>"
        + (suppressed_label if h else f"{'–' if np.isnan(v) else text} {hover_unit}")
        for code, name, v, h, text in zip(codes, names, values, hidden, texts, strict=True)
    ]
    return china_choropleth(MapLayer(list(codes), list(names), values, hover), classes, **map_args)  # type: ignore[arg-type]


SIDE_GAP = 0.02
"""The paper width between the two maps of the side-by-side view."""


def _half(domain: dict, left: bool) -> dict:
    """``domain`` (of a whole-width map) squeezed into the left or right half of the paper."""
    width = (1 - SIDE_GAP) / 2
    start = 0.0 if left else width + SIDE_GAP
    return {**domain, "x": [round(start + x * width, 4) for x in domain["x"]]}


def side_by_side(left: dict, right: dict, titles: tuple[str, str], title: str) -> dict:
    """Two national maps of this module (``scenario_map``, drawn with the *same* classes) as one
    figure: ``left`` on the left half (its geos ``geo``, ``geo2``), ``right`` on the right (as
    ``geo3``, ``geo4``), each headed by its title of ``titles``, under one legend (the left map's
    colour bar, laid flat below both) and one ``title``. One figure, so the modebar's image
    download holds both maps, their titles and the legend as shown."""
    rename = {"geo": "geo3", "geo2": "geo4"}
    data = [dict(trace) for trace in left["data"]]
    for trace in right["data"]:
        moved = {**trace, "geo": rename[trace.get("geo", "geo")]}
        if "colorbar" in moved:
            moved = {k: v for k, v in moved.items() if k != "colorbar"} | {"showscale": False}
        data.append(moved)
    for trace in data:
        if "colorbar" in trace:
            trace["colorbar"] = {
                **trace["colorbar"],
                "orientation": "h",
                "x": 0.5,
                "xanchor": "center",
                "y": 0.0,
                "yanchor": "top",
                "len": 0.7,
                "thickness": 12,
                "title": {**trace["colorbar"]["title"], "side": "left"},
            }
    layout = {k: v for k, v in left["layout"].items() if k not in ("geo", "geo2", "annotations")}
    layout["title"] = {**layout["title"], "text": title}
    layout["margin"] = {**layout["margin"], "b": 100}
    for name in ("geo", "geo2"):
        layout[name] = {**left["layout"][name], "domain": _half(left["layout"][name]["domain"], True)}
        geo = right["layout"][name]
        layout[rename[name]] = {**geo, "domain": _half(geo["domain"], False)}
    annotations = []
    for i, (side, head) in enumerate(zip((left, right), titles, strict=True)):
        for note in side["layout"].get("annotations", []):
            if "■" in note["text"]:  # the no-data and outside-coverage key: once, under the legend
                if i == 0:
                    annotations.append({**note, "x": 0.5, "xanchor": "center", "y": -0.15, "yanchor": "top"})
                continue
            annotations.append({**note, "x": _half({"x": [note["x"]]}, i == 0)["x"][0]})
        annotations.append(
            {
                "text": f"<b>{head}</b>",
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": _half({"x": [0.5]}, i == 0)["x"][0],
                "y": 1.0,
                "xanchor": "center",
                "yanchor": "bottom",
                "font": {"size": 14},
            }
        )
    layout["annotations"] = annotations
    return {"data": data, "layout": layout}
