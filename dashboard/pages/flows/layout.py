"""The flows page's layout: the controls, the map card (base map, lines, legends), the totals
and matrix cards and the table, all read from the URL's parameters."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard import ids
from dashboard.components import control, loading
from dashboard.data import flows as data
from dashboard.i18n import lang_of, t, text
from dashboard.pages.flows.strings import STRINGS
from dashboard.pages.flows.table import table_card
from dashboard.pages.flows.totals import line_legend, region_legend, totals_panel
from dashboard.pages.flows.view import (
    GRAPH_CONFIG,
    LINES_CONFIG,
    base_figure,
    lines_figure,
    map_title,
    matrix_figure,
)
from etl.records import COHORTS


def layout(lang: str = "zh", **query: str) -> html.Div:
    lang = lang_of(lang)
    if not data.available_periods():
        return html.Div(text(STRINGS, "empty_store", lang), className="yp-card yp-empty")
    q = data.parse_query(query)
    view = data.flow_view(q)
    return html.Div(
        [
            dcc.Location(id=ids.FLOWS_URL, refresh=False),
            dcc.Store(id=ids.FLOWS_LANG, data=lang),
            # "" for no focus: a None store fires its callbacks once on mount (dcc.Store compares
            # its value with an empty memory store), an empty string does not
            dcc.Store(id=ids.FLOWS_FOCUS, data=q.focus or ""),
            dcc.Download(id=ids.FLOWS_DOWNLOAD),
            controls(q, lang),
            html.Div(
                [
                    map_card(view, lang),
                    html.Div(
                        [totals_card(view, lang), matrix_card(q, lang)], className="yp-flows-side"
                    ),
                ],
                className="yp-flows-main",
            ),
            table_card(view, lang),
            html.Div(text(STRINGS, "source", lang), className="yp-source"),
        ],
        className="yp-flows",
        **_data_lang(lang),
    )


def _data_lang(lang: str) -> Any:
    """``data-lang`` on the page (tests and styles read it); Dash's typed signature has no **kwargs."""
    return {"data-lang": lang}


def controls(q: data.FlowQuery, lang: str) -> html.Div:
    names = data.region_names(lang)
    return html.Div(
        [
            control(
                text(STRINGS, "regions", lang),
                dcc.Dropdown(
                    id=ids.FLOWS_REGIONS,
                    options=[
                        {"label": names[r], "value": r}
                        for r in (*data.region_codes(), data.OTHER_REGION)
                    ],
                    value=list(q.regions),
                    multi=True,
                    clearable=False,
                    searchable=False,
                    labels=_dropdown_labels(lang),
                ),
                grow=True,
            ),
            control(
                text(STRINGS, "level", lang),
                dcc.RadioItems(
                    id=ids.FLOWS_LEVEL,
                    options=[{"label": t(f"level_{lv}", lang), "value": lv} for lv in data.LEVELS],
                    value=q.level,
                    inline=True,
                    className="yp-radio",
                ),
            ),
            control(
                text(STRINGS, "direction", lang),
                dcc.RadioItems(
                    id=ids.FLOWS_DIRECTION,
                    options=[
                        {"label": text(STRINGS, f"dir_{d}", lang), "value": d}
                        for d in data.DIRECTIONS
                    ],
                    value=q.direction,
                    inline=True,
                    className="yp-radio",
                ),
            ),
            control(
                text(STRINGS, "cohort", lang),
                dcc.Dropdown(
                    id=ids.FLOWS_COHORT,
                    options=[{"label": t(f"cohort_{c}", lang), "value": c} for c in COHORTS],
                    value=q.cohort,
                    clearable=False,
                    searchable=False,
                    style={"minWidth": "160px"},
                ),
            ),
            control(
                t("period", lang),
                dcc.Dropdown(
                    id=ids.FLOWS_PERIOD,
                    options=[{"label": p, "value": p} for p in reversed(data.available_periods())],
                    value=q.period,
                    clearable=False,
                    style={"minWidth": "120px"},
                ),
            ),
            control(
                text(STRINGS, "top", lang),
                dcc.Dropdown(
                    id=ids.FLOWS_TOP,
                    options=[
                        {"label": text(STRINGS, "top_n", lang).format(n=f"{n:,}"), "value": n}
                        for n in data.TOP_CHOICES
                    ],
                    value=q.top,
                    clearable=False,
                    searchable=False,
                    style={"minWidth": "120px"},
                ),
            ),
        ],
        className="yp-controls yp-flows-controls",
    )


def _dropdown_labels(lang: str) -> Any:
    """The multi-select's own words ("4 selected", select all) in the page's language."""
    return {k: text(STRINGS, k, lang) for k in ("selected_count", "select_all", "deselect_all")}


def map_card(view: data.FlowView, lang: str) -> html.Div:
    q = view.query
    graphs = [
        dcc.Graph(
            id=ids.FLOWS_BASE,
            figure=base_figure(q.level, q.regions, lang),
            config=GRAPH_CONFIG,
            className="yp-flows-graph",
        ),
        dcc.Graph(
            id=ids.FLOWS_LINES,
            figure=lines_figure(view),
            config=LINES_CONFIG,
            className="yp-flows-graph yp-flows-lines",
        ),
    ]
    legend = [
        html.Div(line_legend(view, lang), id=ids.FLOWS_LEGEND, className="yp-flows-legend-part"),
        html.Div(
            region_legend(q.regions, lang),
            id=ids.FLOWS_REGION_LEGEND,
            className="yp-flows-legend-part",
        ),
    ]
    return html.Div(
        [
            html.Div(map_title(view, lang), id=ids.FLOWS_MAP_TITLE, className="yp-flows-title"),
            loading(html.Div(graphs, className="yp-flows-stack")),
            html.Div(legend, className="yp-flows-legend"),
        ],
        className="yp-card yp-flows-map",
    )


def totals_card(view: data.FlowView, lang: str) -> html.Div:
    return html.Div(
        [
            html.Div(totals_panel(view, lang), id=ids.FLOWS_TOTALS),
            html.Button(
                text(STRINGS, "clear_focus", lang),
                id=ids.FLOWS_CLEAR_FOCUS,
                n_clicks=0,
                className="yp-flows-button yp-flows-clear",
                hidden=not view.query.focus,
            ),
        ],
        className="yp-card yp-flows-totals",
    )


def matrix_card(q: data.FlowQuery, lang: str) -> html.Div:
    return html.Div(
        [
            html.Div(text(STRINGS, "matrix_title", lang), className="yp-flows-subtitle"),
            loading(
                dcc.Graph(id=ids.FLOWS_MATRIX, figure=matrix_figure(q, lang), config=GRAPH_CONFIG)
            ),
            html.Div(text(STRINGS, "matrix_note", lang), className="yp-flows-note"),
        ],
        className="yp-card yp-flows-matrix",
    )
