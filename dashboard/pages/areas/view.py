"""The menu's cards: a pilot with its latest inflow and destination score, a region with links to
its provinces."""

from __future__ import annotations

from dash import dcc, html

from dashboard.data import area as data
from dashboard.data import geo, store
from dashboard.i18n import t, text

STRINGS = {
    "title": {"zh": "试点与地区", "en": "Pilots & areas"},
    "intro": {
        "zh": "先行先试地区与任意省、地市、县区的详细情况：地图、各项指标与目标、月度趋势、主要来源地与去向地、双向考核。",
        "en": "Pilot areas and any province, prefecture or county in detail: map, indicators "
        "against targets, monthly trends, top origins and destinations, two-way assessment.",
    },
    "pilots": {"zh": "先行先试地区", "en": "Pilot areas"},
    "search": {"zh": "查找地区", "en": "Find an area"},
    "search_hint": {
        "zh": "输入名称或行政区划代码，如 昆山 或 320583",
        "en": "Type a name or an adcode, such as Kunshan or 320583",
    },
    "search_box": {"zh": "名称或代码", "en": "Name or code"},
    "clear": {"zh": "清除", "en": "Clear"},
    "none_found": {
        "zh": "没有找到，请换个名称或代码",
        "en": "Nothing found: try another name or code",
    },
    "regions": {"zh": "四大协作区域", "en": "The four collaboration regions"},
    "inflow_in": {"zh": "{period}流入", "en": "Inflow, {period}"},
    "score": {"zh": "流入地考核得分", "en": "Destination score"},
    "open": {"zh": "查看详情 →", "en": "Open →"},
}


def _s(key: str, lang: str, **fmt: object) -> str:
    return text(STRINGS, key, lang).format(**fmt)


def pilot_card(area: data.Area, lang: str) -> dcc.Link:
    """A link to a pilot's page with its latest inflow and destination score."""
    periods = store.periods()
    facts: list = []
    if periods:
        latest = periods[-1]
        totals = data.flow_totals(area)
        row = totals[totals["period"] == latest]
        inflow = int(row["inflow"].iloc[0]) if len(row) else 0
        small = bool(row["inflow_small"].iloc[0]) if len(row) else False
        score = data.assessment(area, latest).set_index("role").loc["destination"]
        score_text = (
            t("suppressed", lang)
            if bool(score["small_cell"]) or score["score"] != score["score"]
            else f"{score['score']:.1%}"
        )
        facts = [
            _fact(_s("inflow_in", lang, period=data.period_label(latest, lang)),
                  t("suppressed", lang) if small else f"{inflow:,} {t('persons', lang)}"),
            _fact(_s("score", lang), score_text),
        ]  # fmt: skip
    parent = data.find_area(area.province_code) if area.province_code else None
    return dcc.Link(
        [
            html.Div(
                [
                    html.Span(area.name(lang), className="yp-areas-pilot-name"),
                    html.Span(t(data.LEVEL_KEYS[area.level], lang), className="yp-areas-badge"),
                ]
            ),
            html.Div(
                f"{parent.name(lang) if parent else ''} · {area.code}", className="yp-areas-muted"
            ),
            html.Div(facts, className="yp-areas-pilot-facts"),
            html.Div(_s("open", lang), className="yp-areas-pilot-open"),
        ],
        href=data.page_href(f"/area/{area.code}", lang=lang),
        className="yp-card yp-areas-pilot",
        id=f"areas-pilot-{area.code}",
    )


def _fact(label: str, value: str) -> html.Div:
    return html.Div([html.Span(label, className="yp-areas-muted"), html.B(value)])


def region_cards(lang: str, regions_path: str | None) -> list:
    """Each collaboration region (a link) with links to its provinces."""
    cards = []
    for region in geo.regions(regions_path).regions:
        provinces = [data.find_area(code, regions_path) for code in region.province_codes]
        cards.append(
            html.Div(
                [
                    dcc.Link(
                        region.name_en if lang == "en" else region.name_zh,
                        href=data.page_href(f"/area/{region.code}", lang=lang),
                        className="yp-areas-region-name",
                    ),
                    html.Div(
                        [
                            dcc.Link(
                                p.name(lang), href=data.page_href(f"/area/{p.code}", lang=lang)
                            )
                            for p in provinces
                            if p is not None
                        ],
                        className="yp-areas-region-provinces",
                    ),
                ],
                className="yp-card yp-areas-region",
            )
        )
    return cards
