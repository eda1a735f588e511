"""The overview's time comparison: the mode control (one map, or the change between two spans),
its two span pickers, and the change map's payload and legend (``dashboard.data.compare``).

State in the URL: ``?mode=compare&before=&after=`` beside ``measure``, ``level`` and ``lang``
(a span is a YYYY-MM period or a complete YYYY year); the map mode writes no ``mode``.
"""

from __future__ import annotations

import numpy as np
from dash import dcc, html

from dashboard import ids, theme
from dashboard.classify import difference_classes
from dashboard.components import control
from dashboard.data.compare import Difference, complete_years, difference, spans
from dashboard.data.store import cached, data_version
from dashboard.figures.china_map import Classes
from dashboard.i18n import N_, _, current_language, t
from dashboard.pages.overview.view import _value_text, measure_label, unit_hover_names

MODES = ("map", "compare")
MODE_LABELS = {"map": N_("One period"), "compare": N_("Compare two periods")}
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


def controls(mode: str, before: str, after: str) -> html.Div:
    """The mode and, in compare mode, the two spans (one block of the control bar)."""
    options = [{"label": span_label(s), "value": s} for s in spans()]
    pickers = html.Div(
        [
            dcc.Dropdown(
                id=ids.OVERVIEW_BEFORE,
                options=options,
                value=before,
                clearable=False,
                className="yp-span-picker",
            ),
            html.Span("–", className="yp-span-to"),
            dcc.Dropdown(
                id=ids.OVERVIEW_AFTER,
                options=options,
                value=after,
                clearable=False,
                className="yp-span-picker",
            ),
        ],
        id=ids.OVERVIEW_SPANS,
        className="yp-spans",
        style=pickers_style(mode),
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
            ],
            className="yp-compare",
        ),
    )


def pickers_style(mode: str) -> dict:
    return {} if mode == "compare" else HIDDEN


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
