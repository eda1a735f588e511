"""The menu's cards: a pilot with its latest inflow and destination score, a region with links to
its provinces."""

from __future__ import annotations

from dash import dcc, html

from dashboard import formatting
from dashboard.data import area as data
from dashboard.data import geo, store
from dashboard.formatting import rate
from dashboard.i18n import _, current_language, pick, t


def pilot_card(area: data.Area) -> dcc.Link:
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
            t("suppressed")
            if bool(score["small_cell"]) or score["score"] != score["score"]
            else f"{rate(score['score'])}"
        )
        facts = [
            _fact(_("Inflow, {period}").format(period=formatting.period(latest)),
                  t("suppressed") if small else f"{formatting.count(inflow)} {t('persons')}"),
            _fact(_("Destination score"), score_text),
        ]  # fmt: skip
    parent = data.find_area(area.province_code) if area.province_code else None
    return dcc.Link(
        [
            html.Div(
                [
                    html.Span(area.name(current_language()), className="yp-areas-pilot-name"),
                    html.Span(t(data.LEVEL_KEYS[area.level]), className="yp-areas-badge"),
                ]
            ),
            html.Div(
                f"{parent.name(current_language()) if parent else ''} · {area.code}",
                className="yp-areas-muted",
            ),
            html.Div(facts, className="yp-areas-pilot-facts"),
            html.Div(_("Open →"), className="yp-areas-pilot-open"),
        ],
        href=data.page_href(f"/area/{area.code}", lang=current_language()),
        className="yp-card yp-areas-pilot",
        id=f"areas-pilot-{area.code}",
    )


def _fact(label: str, value: str) -> html.Div:
    return html.Div([html.Span(label, className="yp-areas-muted"), html.B(value)])


def region_cards(regions_path: str | None) -> list:
    """Each collaboration region (a link) with links to its provinces."""
    cards = []
    for region in geo.regions(regions_path).regions:
        provinces = [data.find_area(code, regions_path) for code in region.province_codes]
        cards.append(
            html.Div(
                [
                    dcc.Link(
                        pick(region.name_zh, region.name_en),
                        href=data.page_href(f"/area/{region.code}", lang=current_language()),
                        className="yp-areas-region-name",
                    ),
                    html.Div(
                        [
                            dcc.Link(
                                p.name(current_language()),
                                href=data.page_href(f"/area/{p.code}", lang=current_language()),
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
