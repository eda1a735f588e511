"""The hot spots page's layout: the controls, then the classed map beside the global Moran card,
then the cluster map beside the significance map; every control read from the URL."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard import ids
from dashboard.components import control, loading
from dashboard.data.hotspots import LEVELS
from dashboard.data.store import periods
from dashboard.export.hotspots import HotspotExport, HotspotFiles, as_drawn
from dashboard.export.menu import PageView, view_footer
from dashboard.export.source import MapView
from dashboard.i18n import _, plotly_locale, t, use_language
from dashboard.pages.hotspots.view import (
    OPTIONS,
    HotspotView,
    chosen_view,
    maps,
    measure_options,
    scheme_options,
    variable_options,
)
from dashboard.pages.overview.view import GRAPH_CONFIG, empty_store, source_note

MENUS = {
    "value": "hotspots",
    "cluster": "hotspots-cluster",
    "significance": "hotspots-significance",
}
"""The download menu of each map (``dashboard.export.menu``: one page key each)."""


def page_view(view: HotspotView, lang: str, which: str = "value") -> PageView:
    """The downloads of the map ``which`` (``dashboard.export.hotspots.MAPS``) of ``view`` as on
    screen (``dashboard.export.menu``): its print map and the analysis as ``yipanqi export
    map|layer --hotspots`` make them; the narrative is the overview's of the measure."""
    drawn = as_drawn(view)
    return PageView(
        MapView(measure=view.measure, level=view.level, period=view.period, lang=lang),
        files=HotspotFiles(HotspotExport(drawn, which, lang)),
    )


def layout(lang: str = "zh", **query: str):
    lang = use_language(lang)
    available = periods()
    if not available:
        return html.Div(empty_store(), className="yp-card yp-empty")
    view = chosen_view(query)
    shown = maps(view)
    config: Any = {**GRAPH_CONFIG, "locale": plotly_locale()}  # dcc.Graph types it as a TypedDict
    return html.Div(
        [
            dcc.Location(id=ids.HOTSPOTS_URL, refresh="callback-nav"),
            dcc.Store(id=ids.HOTSPOTS_QUERY),
            html.Div(
                [
                    control(
                        _("Measure"),
                        dcc.Dropdown(
                            id=ids.HOTSPOTS_MEASURE,
                            options=measure_options(),
                            value=view.measure,
                            clearable=False,
                            style={"minWidth": "260px"},
                        ),
                    ),
                    control(
                        _("Level"),
                        dcc.RadioItems(
                            id=ids.HOTSPOTS_LEVEL,
                            options=[{"label": t(f"level_{lv}"), "value": lv} for lv in LEVELS],
                            value=view.level,
                            inline=True,
                            className="yp-radio",
                        ),
                    ),
                    control(
                        t("period"),
                        dcc.Dropdown(
                            id=ids.HOTSPOTS_PERIOD,
                            options=[{"label": p, "value": p} for p in reversed(available)],
                            value=view.period,
                            clearable=False,
                            style={"minWidth": "120px"},
                        ),
                    ),
                    control(
                        _("Rate shown"),
                        dcc.RadioItems(
                            id=ids.HOTSPOTS_VARIABLE,
                            options=variable_options(view.measure),
                            value=view.variable,
                            inline=True,
                            className="yp-radio",
                        ),
                    ),
                    control(
                        _("Classes"),
                        html.Div(
                            [
                                dcc.Dropdown(
                                    id=ids.HOTSPOTS_SCHEME,
                                    options=scheme_options(),
                                    value=view.scheme,
                                    clearable=False,
                                    style={"minWidth": "190px"},
                                ),
                                dcc.Input(
                                    id=ids.HOTSPOTS_BREAKS,
                                    value=view.breaks,
                                    type="text",
                                    debounce=True,
                                    placeholder=_("breaks, e.g. 90, 95, 98"),
                                    maxLength=200,
                                    className="yp-hotspots-breaks",
                                ),
                            ],
                            className="yp-hotspots-scheme",
                        ),
                    ),
                    control(
                        _("Options"),
                        dcc.Checklist(
                            id=ids.HOTSPOTS_OPTIONS,
                            options=[
                                {"label": _("False discovery rate"), "value": OPTIONS[0]},
                                {"label": _("Wash small denominators"), "value": OPTIONS[1]},
                            ],
                            value=view.options,
                            inline=True,
                            className="yp-radio",
                        ),
                    ),
                ],
                className="yp-controls yp-hotspots-controls",
            ),
            html.Div(shown.problem, id=ids.HOTSPOTS_PROBLEM, className="yp-hotspots-problem"),
            html.Div(
                [
                    _map_card(
                        ids.HOTSPOTS_VALUE_MAP,
                        ids.HOTSPOTS_VALUE_LEGEND,
                        shown.value,
                        shown.value_legend,
                        config,
                        title_id=ids.HOTSPOTS_VALUE_TITLE,
                        title=shown.value_title,
                        footer=view_footer(MENUS["value"], page_view(view, lang)),
                    ),  # fmt: skip
                    html.Div(
                        [loading(html.Div(shown.summary, id=ids.HOTSPOTS_SUMMARY))],
                        className="yp-card yp-hotspots-summary",
                    ),
                    _map_card(
                        ids.HOTSPOTS_CLUSTER_MAP,
                        ids.HOTSPOTS_CLUSTER_LEGEND,
                        shown.cluster,
                        shown.cluster_legend,
                        config,
                        footer=view_footer(
                            MENUS["cluster"], page_view(view, lang, "cluster"), narrative=False
                        ),
                    ),  # fmt: skip
                    _map_card(
                        ids.HOTSPOTS_SIGNIFICANCE_MAP,
                        ids.HOTSPOTS_SIGNIFICANCE_LEGEND,
                        shown.significance,
                        shown.significance_legend,
                        config,
                        footer=view_footer(
                            MENUS["significance"],
                            page_view(view, lang, "significance"),
                            narrative=False,
                        ),
                    ),  # fmt: skip
                ],
                className="yp-hotspots-body",
            ),
            html.Div(source_note(), className="yp-source"),
        ]
    )


def _map_card(
    graph_id: str,
    legend_id: str,
    figure: dict,
    legend: list,
    config: Any,
    *,
    title_id: str | None = None,
    title: str = "",
    footer: html.Div | None = None,
) -> html.Div:
    children: list[Any] = []
    if title_id is not None:
        children.append(html.Div(title, id=title_id, className="yp-hotspots-map-title"))
    children += [
        loading(
            dcc.Graph(id=graph_id, figure=figure, config=config, className="yp-hotspots-graph")
        ),
        html.Div(legend, id=legend_id, className="yp-hotspots-legend"),
    ]
    if footer is not None:
        children.append(footer)
    return html.Div(children, className="yp-card yp-map-card yp-hotspots-map")
