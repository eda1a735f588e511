"""The overview's time comparison: the mode control (one map, or the change between two spans),
its two span pickers, and the change map's payload and legend (``dashboard.data.compare``).

Modes: ``map`` (one period), ``compare`` (the change between two spans), ``trend`` (year-over-year
lines of the chosen areas beside the map) and ``split`` (a second measure on a second map sharing
the first one's view). State in the URL beside ``measure``, ``level``, ``period`` and ``lang``:
``mode=compare&before=&after=`` (a span is a YYYY-MM period or a complete YYYY year),
``mode=trend&areas=code,code``, ``mode=split&second=measure``; the map mode writes no ``mode``.
"""

from __future__ import annotations

import numpy as np
from dash import dcc, html

from dashboard import context, ids, theme
from dashboard.classify import difference_classes
from dashboard.components import control
from dashboard.data.compare import (
    Difference,
    complete_years,
    difference,
    largest_units,
    monthly_series,
    spans,
)
from dashboard.data.overview import CENSUS_MEASURES, MEASURES, unit_codes
from dashboard.data.store import cached, data_version, periods
from dashboard.figures.china_map import Classes, paintable_choropleth
from dashboard.figures.year_lines import year_lines
from dashboard.i18n import N_, _, current_language, plotly_locale, t
from dashboard.pages.overview.view import (
    GRAPH_CONFIG,
    _value_text,
    legend,
    measure_label,
    unit_hover_names,
)
from etl.indicators import INDICATOR_BY_FLAG

MODES = ("map", "compare", "trend", "split")
MODE_LABELS = {
    "map": N_("One period"),
    "compare": N_("Compare two periods"),
    "trend": N_("Year over year"),
    "split": N_("Two measures"),
}
DEFAULT_SECOND = "inflow_per_1000"
MAX_AREAS = 5
HIDDEN = {"display": "none"}


def chosen_compare(mode: object, before: object, after: object) -> tuple[str, str, str]:
    """(mode, before, after) asked for by the URL or the controls, each value that is not
    possible replaced by the default: the map mode; the first and last complete years, or
    without two of them the first and last periods."""
    available = spans()
    years = complete_years()
    default = (years[0], years[-1]) if len(years) >= 2 else (available[len(years)], available[-1])
    mode = mode if isinstance(mode, str) and mode in MODES else "map"
    before = before if isinstance(before, str) and before in available else default[0]
    after = after if isinstance(after, str) and after in available else default[1]
    return mode, before, after


def span_label(span: str) -> str:
    return _("{year} (12 months)").format(year=span) if len(span) == 4 else span


def unit_label(unit: str) -> str:
    return {"pp": _("pp"), "per_1000": "‰", "persons": t("persons")}[unit]


def chosen_extra(mode: str, second: object, areas: object, level: str) -> tuple[str, list[str]]:
    """(second measure, areas) asked for, each value that is not possible replaced by the
    default: ``DEFAULT_SECOND``; the level's units with the most persons behind the measure."""
    second = second if isinstance(second, str) and second in MEASURES else DEFAULT_SECOND
    if isinstance(areas, str):
        areas = [a for a in areas.split(",") if a]
    shown = set(unit_codes(level))
    chosen = (
        [a for a in dict.fromkeys(areas) if isinstance(a, str) and a in shown][:MAX_AREAS]
        if isinstance(areas, list)
        else []
    )
    return second, chosen


def url_state(mode: str, before: str, after: str, second: str, areas: list[str]) -> dict:
    """The mode's parameters of the URL (none for the map mode)."""
    if mode == "compare":
        return {"mode": mode, "before": before, "after": after}
    if mode == "trend":
        return {"mode": mode, "areas": ",".join(areas)}
    if mode == "split":
        return {"mode": mode, "second": second}
    return {}


def controls(
    mode: str, before: str, after: str, second: str, areas: list[str], level: str, options: list
) -> html.Div:
    """The mode and its own pickers (one block of the control bar): the two spans (compare), the
    second measure (split), the areas (trend)."""
    span_options = [{"label": span_label(s), "value": s} for s in spans()]
    pickers = html.Div(
        [
            dcc.Dropdown(
                id=ids.OVERVIEW_BEFORE,
                options=span_options,
                value=before,
                clearable=False,
                className="yp-span-picker",
            ),
            html.Span("–", className="yp-span-to"),
            dcc.Dropdown(
                id=ids.OVERVIEW_AFTER,
                options=span_options,
                value=after,
                clearable=False,
                className="yp-span-picker",
            ),
        ],
        id=ids.OVERVIEW_SPANS,
        className="yp-spans",
        style=shown_if(mode == "compare"),
    )
    second_picker = html.Div(
        dcc.Dropdown(
            id=ids.OVERVIEW_SECOND,
            options=options,
            value=second,
            clearable=False,
            className="yp-second-picker",
        ),
        id=ids.OVERVIEW_SECOND_BOX,
        style=shown_if(mode == "split"),
    )
    area_picker = html.Div(
        dcc.Dropdown(
            id=ids.OVERVIEW_AREAS,
            options=area_options(level),
            value=areas,
            multi=True,
            placeholder=_("Areas"),
            className="yp-areas-picker",
        ),
        id=ids.OVERVIEW_AREAS_BOX,
        style=shown_if(mode == "trend"),
    )
    return control(
        _("View"),
        html.Div(
            [
                dcc.RadioItems(
                    id=ids.OVERVIEW_MODE,
                    options=[{"label": _(MODE_LABELS[m]), "value": m} for m in MODES],
                    value=mode,
                    inline=True,
                    className="yp-radio",
                ),
                pickers,
                second_picker,
                area_picker,
            ],
            className="yp-compare",
        ),
    )


def area_options(level: str) -> list[dict]:
    codes, names = unit_hover_names(level)
    return [{"label": name, "value": code} for code, name in zip(codes, names, strict=True)]


def shown_if(visible: bool) -> dict:
    return {} if visible else HIDDEN


def pickers_style(mode: str) -> dict:
    return shown_if(mode == "compare")


def side_card(mode: str, level: str, period: str, second: str, measure: str, areas: list[str]):
    """The card beside the map in the trend and split modes: the year-over-year lines, or the
    second map with its legend."""
    split = mode == "split"
    return html.Div(
        [
            html.Div(
                [
                    dcc.Graph(
                        id=ids.OVERVIEW_MAP2,
                        figure=second_figure(level),
                        config={**GRAPH_CONFIG, "locale": plotly_locale()},
                        style={"height": "calc(100vh - 175px)", "minHeight": "500px"},
                    ),
                    html.Div(
                        legend(second, level, period) if split else [],
                        id=ids.OVERVIEW_LEGEND2,
                        className="yp-legend",
                    ),
                ],
                id=ids.OVERVIEW_SPLIT_BOX,
                className="yp-map-card",
                style=shown_if(split),
            ),
            html.Div(
                dcc.Graph(
                    id=ids.OVERVIEW_TREND,
                    figure=trend_figure(measure, level, areas) if mode == "trend" else {},
                    config={**GRAPH_CONFIG, "locale": plotly_locale()},
                ),
                id=ids.OVERVIEW_TREND_BOX,
                style=shown_if(mode == "trend"),
            ),
        ],
        id=ids.OVERVIEW_SIDE,
        className="yp-card yp-overview-side",
        style=shown_if(mode in ("trend", "split")),
    )


def body_class(mode: str) -> str:
    return "yp-overview-body" + (f" yp-overview-{mode}" if mode in ("trend", "split") else "")


def second_figure(level: str) -> dict:
    codes, names = unit_hover_names(level)
    return paintable_choropleth(codes, names, **context.current().national_frame(level), height=620)


def trend_figure(measure: str, level: str, areas: list[str]) -> dict:
    """Year-over-year lines of ``measure`` for ``areas`` (the default areas if none)."""
    chosen = areas or largest_units(measure, level)
    series = monthly_series(measure, level, chosen)
    names = dict(zip(*unit_hover_names(level), strict=True))
    rate_like = measure in INDICATOR_BY_FLAG or measure in CENSUS_MEASURES
    return year_lines(
        [(names[code], values) for code, values in series.items()],
        list(periods()),
        y_title=measure_label(measure),
        percent=rate_like,
        x_title=_("Month"),
        empty_text=t("no_data"),
    )


def change_classes(change: Difference) -> Classes:
    return difference_classes(change.change, unit_label(change.unit))


def compare_payload(measure: str, level: str, before: str, after: str) -> dict:
    """Colours and hovers of the change map (the browser paints them as the one-period map's)."""
    return _payload(measure, level, before, after, current_language())


@cached(maxsize=128)
def _payload(_engine, measure: str, level: str, before: str, after: str, lang: str) -> dict:
    change = difference(measure, level, before, after)
    classes = change_classes(change)
    index = classes.index(change.change)
    colors = [
        theme.SUPPRESSED if hidden else theme.NO_DATA if np.isnan(k) else classes.colors[int(k)]
        for k, hidden in zip(index, change.withheld, strict=True)
    ]
    _codes, names = unit_hover_names(level)
    unit = unit_label(change.unit)
    texts = []
    for i, name in enumerate(names):
        lines = [
            f"<b>{name}</b>",
            f"{span_label(before)} – {span_label(after)} · {measure_label(measure)}",
        ]
        for span, values in ((before, change.before), (after, change.after)):
            period = span if len(span) == 7 else f"{span}-12"
            shown = _value_text(
                measure,
                period,
                values.value[i],
                values.numerator[i],
                values.denominator[i],
                bool(values.suppressed[i]),
            )
            lines.append(f"{span_label(span)}: {shown}")
        lines.append(_("Change: {change}").format(change=change_text(change, i, unit)))
        texts.append("<br>".join(lines))
    return {
        "codes": change.codes,
        "colors": colors,
        "text": texts,
        "stamp": f"compare|{measure}|{level}|{before}|{after}|{lang}|{data_version()}",
    }


def change_text(change: Difference, i: int, unit: str) -> str:
    if change.withheld[i]:
        return t("suppressed")
    value = change.change[i]
    if np.isnan(value):
        return t("no_data")
    decimals = 0 if change.unit == "persons" else 1 if change.unit == "pp" else 2
    text = f"{value:+,.{decimals}f}"
    return f"{'0' if float(text) == 0 else text} {unit}"


def compare_legend(measure: str, level: str, before: str, after: str) -> list:
    """The change map's legend: its diverging classes (with their unit), then withheld in either
    span, no data and outside coverage."""
    change = difference(measure, level, before, after)
    classes = change_classes(change)
    rows = list(zip(classes.colors, classes.labels, strict=True))[::-1]
    rows += [
        (theme.SUPPRESSED, _("Suppressed in either period")),
        (theme.NO_DATA_SWATCH, t("no_data")),
        (theme.OUTSIDE_COVERAGE, t("outside_coverage")),
    ]
    title = _("Change in {measure}, {before} to {after}").format(
        measure=measure_label(measure), before=span_label(before), after=span_label(after)
    )
    return [
        html.Div(title, className="yp-legend-title"),
        html.Div(
            [
                html.Div(
                    [html.Span(className="yp-swatch", style={"background": c}), html.Span(label)],
                    className="yp-legend-row",
                )
                for c, label in rows
            ],
            className="yp-legend-rows",
        ),
    ]
