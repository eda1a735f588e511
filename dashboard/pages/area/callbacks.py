"""The drill-down's callbacks: the URL follows the controls; a new period updates every section
(the trends move only their period line); the map follows period, measure and units."""

from __future__ import annotations

from dash import Input, Output, Patch, State, callback

from dashboard import context, ids
from dashboard.data import area as data
from dashboard.data.store import periods
from dashboard.export.menu import PageView, register
from dashboard.figures.trends import (
    flow_period_lines,
    indicator_period_lines,
)
from dashboard.i18n import current_language, use_language
from dashboard.pages.area.evaluation import evaluation_children
from dashboard.pages.area.layout import breadcrumb, page_view
from dashboard.pages.area.map import map_figure
from dashboard.pages.area.view import period_view
from dashboard.security import inputs
from dashboard.shell import switched_search
from etl.records import FLAG_FIELDS


def _area_of(key: dict) -> data.Area:
    """The page's area (its key store: code and language), in its language; InvalidInput for an
    area the reader cannot see (the page was rendered for one it can)."""
    fields = inputs.fields(key, "code", "lang")
    use_language(fields["lang"])
    area = data.find_area(fields["code"], context.current().regions_path)
    if area is None:
        raise inputs.InvalidInput("unknown area")
    return area


def _choices(area: data.Area, period: str, measure: str, sub: str) -> tuple[str, str, str]:
    """The controls' values checked: a period of the store, a map measure, a sub-level."""
    return (
        inputs.choice(period, periods(), "period"),
        inputs.choice(measure, data.MEASURES, "measure"),
        inputs.choice(sub, data.SUB_LEVELS[area.level], "sub-level"),
    )


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
    area = _area_of(key)
    period, measure, sub = _choices(area, period, measure, sub)
    lang = current_language()
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
    Output(ids.AREA_ALERTS, "children"),
    Output(ids.AREA_BREADCRUMB, "children"),
    Input(ids.AREA_PERIOD, "value"),
    State(ids.AREA_KEY, "data"),
    prevent_initial_call=True,
)
def show_period(period: str, key: dict):
    area = _area_of(key)
    period = inputs.choice(period, periods(), "period")
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
    area = _area_of(key)
    period, measure, sub = _choices(area, period, measure, sub)
    return map_figure(area, period, measure, sub)


@callback(
    Output(ids.AREA_EVAL_BODY, "children"),
    Input(ids.AREA_EVAL_INDICATOR, "value"),
    State(ids.AREA_KEY, "data"),
)
def show_evaluation(indicator: str, key: dict):
    area = _area_of(key)
    return evaluation_children(area.code, inputs.choice(indicator, FLAG_FIELDS, "indicator"))


def _page_view(period: str, measure: str, sub: str, key: dict) -> PageView:
    area = _area_of(key)
    period, measure, sub = _choices(area, period, measure, sub)
    return page_view(area, period, measure, sub, current_language())


register(
    "area",
    [
        (ids.AREA_PERIOD, "value"),
        (ids.AREA_MEASURE, "value"),
        (ids.AREA_SUB, "value"),
        (ids.AREA_KEY, "data"),
    ],
    _page_view,
)
