"""The drill-down's layout: header with breadcrumb and badges, the controls (period, map measure,
map units), and the cards of the map and of every section of the period (``view``)."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard import context, ids, theme
from dashboard.data import area as data
from dashboard.data import store
from dashboard.i18n import indicator_name, lang_of, t
from dashboard.pages.area.map import map_figure
from dashboard.pages.area.strings import _s
from dashboard.pages.area.view import _band_key, period_view
from etl.records import INDICATORS

GRAPH_CONFIG = {
    **theme.GRAPH_CONFIG,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
STATIC = {"displayModeBar": False}


def graph_config(lang: str, static: bool = False) -> Any:
    """Graph config in the page's language (plotly's own texts: modebar, dates)."""
    return {**(STATIC if static else GRAPH_CONFIG), "locale": "zh-CN" if lang == "zh" else "en"}


def layout(adcode: str | None = None, **query: str) -> html.Div:
    lang = lang_of(query.get("lang"))
    area = data.find_area(adcode, context.current().regions_path)
    if area is None:
        return unknown_area(adcode or "", lang)
    periods = store.periods()
    if not periods:
        return html.Div(
            [_header(area, lang), html.P(_s("no_data", lang), className="yp-area-notice")]
        )
    period = _one_of(query.get("period"), periods, periods[-1])
    sub_levels = data.SUB_LEVELS[area.level]
    sub = _one_of(query.get("sub"), sub_levels, sub_levels[0])
    measure = _one_of(query.get("measure"), data.MEASURES, "inflow")
    view = period_view(area, period, lang)
    static = graph_config(lang, static=True)
    return html.Div(
        [
            dcc.Location(id=ids.AREA_URL, refresh=False),
            dcc.Store(id=ids.AREA_KEY, data={"code": area.code, "lang": lang}),
            _header(area, lang, period),
            html.Div(
                [
                    _control(t("period", lang), _period_dropdown(periods, period, lang)),
                    _control(_s("map_measure", lang), _measure_dropdown(measure, lang), grow=True),
                    _control(
                        _s("map_units", lang),
                        _sub_radio(sub_levels, sub, lang),
                        hidden=len(sub_levels) < 2,
                    ),
                ],
                className="yp-area-controls",
            ),
            _loading(html.Div(view.headlines, id=ids.AREA_HEADLINES, className="yp-area-kpis")),
            html.Div(
                [
                    _card(
                        dcc.Graph(
                            id=ids.AREA_MAP,
                            figure=map_figure(area, period, measure, sub, lang),
                            config=graph_config(lang),
                        ),
                        "yp-area-map",
                    ),
                    _card(
                        [
                            html.H3(_s("indicators_title", lang)),
                            html.Div(view.bullet_key, id=ids.AREA_BULLET_KEY),
                            dcc.Graph(id=ids.AREA_BULLETS, figure=view.bullets, config=static),
                            _band_key(lang),
                        ]
                    ),
                ],
                className="yp-area-grid",
            ),
            html.Div(
                [
                    _card(html.Div(view.table, id=ids.AREA_TABLE)),
                    _card(
                        [
                            html.H3(_s("assessment_title", lang)),
                            html.Div(view.assessment, id=ids.AREA_ASSESSMENT),
                            html.P(_s("assessment_note", lang), className="yp-source"),
                        ]
                    ),
                ],
                className="yp-area-grid",
            ),
            _card(
                [
                    html.H3(_s("trends_title", lang)),
                    dcc.Graph(id=ids.AREA_TRENDS, figure=view.trends, config=static),
                ]
            ),
            html.Div(
                [
                    _card(dcc.Graph(id=ids.AREA_FLOW_TREND, figure=view.flows, config=static)),
                    _card(html.Div(view.origins, id=ids.AREA_ORIGINS)),
                    _card(html.Div(view.destinations, id=ids.AREA_DESTINATIONS)),
                ],
                className="yp-area-grid3",
            ),
            html.Div(_s("source", lang), className="yp-source"),
        ],
        className="yp-area",
    )


def _loading(child) -> dcc.Loading:  # noqa: ANN001
    return dcc.Loading(child, delay_show=250, type="default")


def _card(children, extra: str = "") -> html.Div:  # noqa: ANN001
    return html.Div(_loading(html.Div(children)), className=f"yp-card {extra}".strip())


def _one_of(value: str | None, allowed: tuple[str, ...], default: str) -> str:
    """A query value if allowed, else the default (a bad or stale link still opens a view)."""
    return value if value is not None and value in allowed else default


def unknown_area(code: str, lang: str) -> html.Div:
    return html.Div(
        [
            html.H2(_s("unknown_title", lang)),
            html.P(_s("unknown_body", lang, code=code)),
            dcc.Link(_s("back_to_menu", lang), href=data.page_href("/areas", lang=lang)),
        ],
        className="yp-card yp-area-notice",
        id=ids.AREA_UNKNOWN,
    )


def _header(area: data.Area, lang: str, period: str | None = None) -> html.Div:
    level = t(data.LEVEL_KEYS[area.level], lang)
    badges = [html.Span(level, className="yp-area-badge")]
    if area.is_pilot:
        badges.append(html.Span(_s("pilot", lang), className="yp-area-badge yp-area-badge-pilot"))
    code = "" if area.level == "region" else area.code
    return html.Div(
        [
            html.Nav(
                breadcrumb(area, lang, period), id=ids.AREA_BREADCRUMB, className="yp-area-crumbs"
            ),
            html.H2([area.name(lang), *badges, html.Span(code, className="yp-area-code")]),
        ],
        className="yp-area-header",
    )


def _control(label: str, component, grow: bool = False, hidden: bool = False) -> html.Label:  # noqa: ANN001
    return html.Label(
        [html.Span(label), component],
        className="yp-area-control" + (" yp-area-grow" if grow else ""),
        style={"display": "none"} if hidden else None,
    )


def _period_dropdown(periods: tuple[str, ...], period: str, lang: str) -> dcc.Dropdown:
    options = [{"label": data.period_label(p, lang), "value": p} for p in reversed(periods)]
    return dcc.Dropdown(
        id=ids.AREA_PERIOD, options=options, value=period, clearable=False, searchable=False
    )


def _measure_dropdown(measure: str, lang: str) -> dcc.Dropdown:
    options = [
        {"label": _s("inflow_persons", lang), "value": "inflow"},
        {"label": _s("outflow_persons", lang), "value": "outflow"},
    ] + [{"label": indicator_name(i.flag, lang), "value": i.flag} for i in INDICATORS]
    return dcc.Dropdown(
        id=ids.AREA_MEASURE, options=options, value=measure, clearable=False, searchable=False
    )


def _sub_radio(levels: tuple[str, ...], sub: str, lang: str) -> dcc.RadioItems:
    """The map's unit level (hidden where there is one choice)."""
    return dcc.RadioItems(
        id=ids.AREA_SUB,
        options=[{"label": t(data.LEVEL_KEYS[level], lang), "value": level} for level in levels],
        value=sub,
        inline=True,
        className="yp-area-radio",
    )


def breadcrumb(area: data.Area, lang: str, period: str | None) -> list:
    """Links region(s) › province › prefecture › county, each to its own /area page."""
    items: list = []
    for n, step in enumerate(data.breadcrumb(area, context.current().regions_path)):
        if n:
            items.append(html.Span("›", className="yp-area-crumb-sep"))
        for k, crumb in enumerate(step):
            if k:
                items.append(html.Span("/", className="yp-area-crumb-or"))
            items.append(
                dcc.Link(
                    crumb.name(lang),
                    href=data.page_href(f"/area/{crumb.code}", period=period, lang=lang),
                    className="yp-area-crumb"
                    + (" yp-area-crumb-here" if crumb.code == area.code else ""),
                    title=t(data.LEVEL_KEYS[crumb.level], lang),
                )
            )
    return items
