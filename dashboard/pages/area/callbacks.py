"""The drill-down's callbacks: the URL follows the controls; a new period updates every section
(the trends move only their period line); the map follows period, measure and units."""

from __future__ import annotations

from dash import Input, Output, Patch, State, callback

from dashboard import context, ids
from dashboard.data import area as data
from dashboard.figures.trends import (
    flow_period_lines,
    indicator_period_lines,
)
from dashboard.i18n import use_language
from dashboard.pages.area.layout import breadcrumb
from dashboard.pages.area.map import map_figure
from dashboard.pages.area.view import period_view
from dashboard.shell import switched_search


def _area_of(key: dict) -> data.Area:
    area = data.find_area(key["code"], context.current().regions_path)
    assert area is not None  # the page was rendered for it
    return area


@callback(
    Output(ids.AREA_URL, "search"),
    Output(ids.SHELL_LANG, "href", allow_duplicate=True),
    Input(ids.AREA_PERIOD, "value"),
    Input(ids.AREA_MEASURE, "value"),
    Input(ids.AREA_SUB, "value"),
    State(ids.AREA_KEY, "data"),
    State(ids.AREA_URL, "pathname"),
    prevent_initial_call=True,
)
def keep_state_in_url(period: str, measure: str, sub: str, key: dict, pathname: str):
    lang = use_language(key["lang"])
    search = data.page_href("", period=period, measure=measure, sub=sub, lang=lang)
    return search, (pathname or "") + switched_search(search)


@callback(
    Output(ids.AREA_HEADLINES, "children"),
    Output(ids.AREA_BULLET_KEY, "children"),
    Output(ids.AREA_BULLETS, "figure"),
    Output(ids.AREA_TABLE, "children"),
    Output(ids.AREA_ASSESSMENT, "children"),
    Output(ids.AREA_TRENDS, "figure"),
    Output(ids.AREA_FLOW_TREND, "figure"),
    Output(ids.AREA_ORIGINS, "children"),
    Output(ids.AREA_DESTINATIONS, "children"),
    Output(ids.AREA_BREADCRUMB, "children"),
    Input(ids.AREA_PERIOD, "value"),
    State(ids.AREA_KEY, "data"),
    prevent_initial_call=True,
)
def show_period(period: str, key: dict):
    use_language(key["lang"])
    area = _area_of(key)
    trends, flows = Patch(), Patch()  # the trends stay: only their period lines move
    trends["layout"]["shapes"] = indicator_period_lines(period)
    flows["layout"]["shapes"] = flow_period_lines(period)
    view = period_view(area, period, trends=False)._replace(trends=trends, flows=flows)
    return (*view, breadcrumb(area, period))


@callback(
    Output(ids.AREA_MAP, "figure"),
    Input(ids.AREA_PERIOD, "value"),
    Input(ids.AREA_MEASURE, "value"),
    Input(ids.AREA_SUB, "value"),
    State(ids.AREA_KEY, "data"),
    prevent_initial_call=True,
)
def show_map(period: str, measure: str, sub: str, key: dict):
    use_language(key["lang"])
    return map_figure(_area_of(key), period, measure, sub)
