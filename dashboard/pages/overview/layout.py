"""The overview's layout: controls (measure, level, period with play), the map, its legend and the
headline cards, all read from the URL's parameters."""

from __future__ import annotations

from dash import dcc, html

from dashboard import context, ids
from dashboard.components import control
from dashboard.data.compare import COMPARABLE
from dashboard.data.overview import CENSUS_MEASURES, FLOW_MEASURES, LEVELS, MEASURES
from dashboard.data.store import periods
from dashboard.export.compare import CompareFiles, CompareView
from dashboard.export.menu import PageView, view_footer
from dashboard.export.overview_views import (
    SAME_MEASURE,
    SplitFiles,
    SplitView,
    TrendFiles,
    TrendView,
)
from dashboard.export.source import MapView
from dashboard.figures.china_map import paintable_choropleth
from dashboard.i18n import N_, _, indicator_name, plotly_locale, t, use_language
from dashboard.pages.overview import compare
from dashboard.pages.overview.view import (
    GRAPH_CONFIG,
    empty_store,
    headline_cards,
    legend,
    map_payload,
    measure_label,
    source_note,
    unit_hover_names,
)
from etl.records import INDICATORS

DEFAULT_MEASURE = "cert_verified"
DEFAULT_LEVEL = "prefecture"


def layout(
    measure: str = DEFAULT_MEASURE,
    level: str = DEFAULT_LEVEL,
    period: str = "",
    lang: str = "zh",
    mode: str = "map",
    before: str = "",
    after: str = "",
    second: str = "",
    areas: str = "",
    **_query: str,
):
    lang = use_language(lang)
    available = periods()
    if not available:
        return html.Div(empty_store(), className="yp-card yp-empty")
    measure, level, period = chosen_view(measure, level, period)
    mode, before, after = compare.chosen_compare(mode, before, after)
    second, chosen_areas = compare.chosen_extra(mode, second, areas, level)
    index = available.index(period)
    if mode == "compare":
        values = compare.compare_payload(measure, level, before, after)
        shown_legend = compare.compare_legend(measure, level, before, after)
    else:
        values, shown_legend = map_payload(measure, level, period), legend(measure, level, period)
    return html.Div(
        [
            dcc.Location(id=ids.OVERVIEW_URL, refresh="callback-nav"),
            dcc.Store(id=ids.OVERVIEW_VALUES, data=values),
            dcc.Store(id=ids.OVERVIEW_PAINTED),
            dcc.Store(id=ids.OVERVIEW_QUERY),
            dcc.Interval(id=ids.OVERVIEW_TICK, interval=1200, disabled=True),
            dcc.Store(
                id=ids.OVERVIEW_VALUES2,
                data=map_payload(second, level, period) if mode == "split" else None,
            ),
            dcc.Store(id=ids.OVERVIEW_PAINTED2),
            dcc.Store(id=ids.OVERVIEW_SYNC),
            html.Div(
                [
                    control(
                        _("Measure"),
                        dcc.Dropdown(
                            id=ids.OVERVIEW_MEASURE,
                            options=_measure_options(),
                            value=measure,
                            clearable=False,
                            style={"minWidth": "300px"},
                        ),
                    ),
                    control(
                        _("Level"),
                        dcc.RadioItems(
                            id=ids.OVERVIEW_LEVEL,
                            options=[{"label": t(f"level_{lv}"), "value": lv} for lv in LEVELS],
                            value=level,
                            inline=True,
                            className="yp-radio",
                        ),
                    ),
                    control(
                        t("period"),
                        html.Div(
                            [
                                html.Button(
                                    "▶",
                                    id=ids.OVERVIEW_PLAY,
                                    n_clicks=0,
                                    className="yp-play",
                                    title=_("Play 2009-2012"),
                                ),
                                html.Div(
                                    dcc.Slider(
                                        id=ids.OVERVIEW_PERIOD,
                                        min=0,
                                        max=len(available) - 1,
                                        step=1,
                                        value=index,
                                        marks=_period_marks(available),
                                        updatemode="drag",
                                        allow_direct_input=False,
                                    ),
                                    className="yp-slider",
                                ),
                                html.Span(
                                    period,
                                    id=ids.OVERVIEW_PERIOD_LABEL,
                                    className="yp-period-label",
                                ),
                            ],
                            className="yp-period",
                        ),
                        grow=True,
                    ),
                    compare.controls(
                        mode, before, after, second, chosen_areas, level, _measure_options()
                    ),
                ],
                className="yp-controls",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            dcc.Graph(
                                id=ids.OVERVIEW_MAP,
                                figure=figure(level),
                                config={**GRAPH_CONFIG, "locale": plotly_locale()},
                                style={"height": "calc(100vh - 175px)", "minHeight": "500px"},
                            ),
                            html.Div(
                                shown_legend,
                                id=ids.OVERVIEW_LEGEND,
                                className="yp-legend",
                            ),
                            view_footer("overview", page_view(measure, level, period, lang)),
                        ],
                        className="yp-card yp-map-card",
                    ),
                    compare.side_card(mode, level, period, second, measure, chosen_areas),
                    html.Div(
                        headline_cards(period),
                        id=ids.OVERVIEW_HEADLINES,
                        className="yp-headlines",
                    ),
                ],
                id=ids.OVERVIEW_BODY,
                className=compare.body_class(mode),
            ),
            html.Div(source_note(), className="yp-source"),
        ]
    )


def chosen_view(measure: object, level: object, period: object) -> tuple[str, str, str]:
    """(measure, level, period) of the view asked for by the URL or the controls, each value that
    is not possible (unknown, out of range, not a number: a stale link, a store with fewer
    periods since, a forged input) replaced by the default view's. ``period``: a YYYY-MM text or
    an index into the store's periods (the slider's value). The store has periods."""
    available = periods()
    measure = measure if isinstance(measure, str) and measure in MEASURES else DEFAULT_MEASURE
    level = level if isinstance(level, str) and level in LEVELS else DEFAULT_LEVEL
    if isinstance(period, str) and period in available:
        return measure, level, period
    try:
        index = int(period)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        index = -1
    return measure, level, available[index] if 0 <= index < len(available) else available[-1]


def _period_marks(available: tuple[str, ...]) -> dict[int, str]:
    """Year marks at each January, and the first and last periods."""
    marks = {i: p[:4] for i, p in enumerate(available) if p.endswith("-01")}
    marks.setdefault(0, available[0])
    marks.setdefault(len(available) - 1, available[-1])
    return marks


def _measure_options() -> list[dict]:
    """Coverage indicators first, then flow measures, then the census shares."""
    coverage = [{"label": indicator_name(i.flag), "value": i.flag} for i in INDICATORS]
    others = [{"label": measure_label(m), "value": m} for m in (*FLOW_MEASURES, *CENSUS_MEASURES)]
    return coverage + others


def figure(level: str) -> dict:
    codes, names = unit_hover_names(level)
    return paintable_choropleth(codes, names, **context.current().national_frame(level), height=620)


NO_CHANGE = N_(
    "This measure has no change between periods to download: choose the view One period to "
    "download its map."
)


def page_view(
    measure: object,
    level: object,
    period: object,
    lang: str,
    mode: object = "map",
    before: object = None,
    after: object = None,
    second: object = None,
    areas: object = None,
) -> PageView:
    """The view on screen, for its downloads and narrative (``dashboard.export.menu``): one
    period's map, or (``mode`` compare) the change between the spans ``before`` and ``after``
    (``dashboard.export.compare``), or (trend) the year-over-year lines of ``areas``, or (split)
    the map of ``measure`` beside the map of ``second`` (``dashboard.export.overview_views``);
    the narrative is the one-period map's."""
    measure, level, period = chosen_view(measure, level, period)
    view = MapView(measure=measure, level=level, period=period, lang=lang)
    if mode == "compare" and measure in COMPARABLE:
        _mode, before, after = compare.chosen_compare(mode, before, after)
        change = CompareView(measure, level, before, after, lang)
        return PageView(change.narrative_view(), files=CompareFiles(change))
    if mode in ("trend", "split"):
        second, chosen = compare.chosen_extra(str(mode), second, areas, level)
        if mode == "trend":
            trend = TrendView(measure, level, tuple(chosen), period, lang)
            return PageView(view, files=TrendFiles(trend))
        if second == measure:
            return PageView(view, refusal=SAME_MEASURE)
        return PageView(view, files=SplitFiles(SplitView(measure, second, level, period, lang)))
    return PageView(view, refusal="" if mode in (None, "map") else NO_CHANGE)
