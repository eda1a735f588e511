"""The drill-down's sections for one period: headline cards (flows and the two-way assessment),
the bullets and indicator table against targets, the assessment table, the trends and the top
origins and destinations; small cells read ``< threshold``."""

from __future__ import annotations

from typing import Any, NamedTuple

import pandas as pd
from dash import Patch, dcc, html
from sqlalchemy import Engine

from dashboard import context
from dashboard.data import area as data
from dashboard.data.store import cached
from dashboard.figures.bullets import band_legend, bullet_chart, key_items
from dashboard.figures.trends import (
    flow_trend,
    indicator_trends,
)
from dashboard.formatting import count, rate, target_percent
from dashboard.i18n import _, current_language, indicator_name, pgettext, t

# --- sections for one period -----------------------------------------------------------------------


class PeriodView(NamedTuple):
    """What the page shows for one period, apart from the map."""

    headlines: list
    bullet_key: html.Div
    bullets: dict
    table: html.Table
    assessment: html.Table
    trends: dict | Patch  # a Patch when only the period line moves
    flows: dict | Patch
    origins: list
    destinations: list
    alerts: html.Div


def period_view(area: data.Area, period: str, trends: bool = True) -> PeriodView:
    """Every section of the page that depends on the period, except the map (``trends=False``:
    the trend figures are left empty, for a caller that patches them).

    Memoised per area, period, language, region file, store, data version and reader scope (the
    pilots' pages are opened by many at a joint meeting: the layout was the slowest callback under
    load). The parts are shared between requests: callers replace them (``_replace``), never
    mutate them."""
    return _period_view(area, period, trends, current_language(), context.current().regions_path)


@cached(maxsize=32)
def _period_view(
    _engine: Engine, area: data.Area, period: str, trends: bool, _lang: str, _regions: str | None
) -> PeriodView:
    others = data.comparisons(area, context.current().regions_path)
    rows = data.coverage(area, period)
    compared = [(o.name(current_language()), data.coverage(o, period)) for o in others]
    name = area.name(current_language())
    history: dict = {}
    flows: dict = {}
    if trends:
        series = [(a.name(current_language()), data.coverage(a, None)) for a in (area, *others)]
        history = indicator_trends(series, period=period)
        flows = flow_trend(data.flow_totals(area), area_name=name, period=period)
    return PeriodView(
        headlines=headlines(area, period),
        bullet_key=_bullet_key(name, [n for n, _ in compared]),
        bullets=bullet_chart(rows, compared, area_name=name),
        table=indicator_table(rows, compared),
        assessment=assessment_table(area, others, period),
        trends=history,
        flows=flows,
        origins=partner_table(area, period, "inflow"),
        destinations=partner_table(area, period, "outflow"),
        alerts=alerts_card(area, period),
    )


ALERTS_SHOWN = 5


def alerts_card(area: data.Area, period: str) -> html.Div:
    """The area's own alerts of ``period`` (``etl.alerts``, most severe first, at most
    ``ALERTS_SHOWN``) and how many the areas below it have, linked to the monitoring page."""
    from dashboard.data import monitoring
    from dashboard.pages.monitoring.view import SEVERITY_WORDS
    from geodata.areas import hierarchy

    table = monitoring.alerts(period)
    lang = current_language()
    own = table[table["unit_code"] == area.code]
    counties = set(area.county_codes)
    units = hierarchy()
    below_codes = counties | set(units.loc[units["county_code"].isin(counties), "prefecture_code"])
    if area.level == "region":
        below_codes |= set(area.flow_members)
    below_codes.discard(area.code)
    below = int(table["unit_code"].isin(below_codes).sum())
    reason = "reason_zh" if lang == "zh" else "reason_en"
    items = [
        html.Li(
            [html.Span(_(SEVERITY_WORDS[r.severity]), className=f"yp-sev-cell-{r.severity}"), " ",
             getattr(r, reason)]
        )
        for r in own.head(ALERTS_SHOWN).itertuples(index=False)
    ]  # fmt: skip
    if len(own) > ALERTS_SHOWN:
        items.append(html.Li(_("… and {n} more").format(n=len(own) - ALERTS_SHOWN)))
    query = f"?period={period}&lang={lang}"
    if area.level == "region":
        query += f"&region={area.code}"
    parts: list = [html.Ul(items)] if items else [
        html.P(_("No alerts for this area in {period}.").format(period=period))
    ]  # fmt: skip
    if area.level != "county":
        parts.append(html.P(_("{n} alerts in the areas below it").format(n=f"{below:,}")))
    parts.append(
        html.A(_("All alerts of the month"), href=f"/monitoring{query}", className="yp-area-crumb")
    )
    return html.Div(parts, className="yp-area-alerts")


def headlines(area: data.Area, period: str) -> list:
    """Inflow, outflow and within (persons) and the two assessments of ``area`` in ``period``."""
    totals = data.flow_totals(area)
    row = totals[totals["period"] == period]
    score = data.assessment(area, period).set_index("role")
    within = _("Moved within the county") if area.level == "county" else _("Moved within")
    cards = [
        _count_card(t("inflow"), row, "inflow"),
        _count_card(t("outflow"), row, "outflow"),
        _count_card(within, row, "within"),
        _score_card(_("As origin"), score.loc["origin"], "origin"),
        _score_card(_("As destination"), score.loc["destination"], "destination"),
    ]
    return cards


def _count_card(label: str, row: pd.DataFrame, key: str) -> html.Div:
    value = int(row[key].iloc[0]) if len(row) else 0
    small = bool(row[f"{key}_small"].iloc[0]) if len(row) else False
    return html.Div(
        [
            html.Div(label, className="yp-area-kpi-label"),
            html.Div(
                suppressed() if small else count(value),
                className="yp-area-kpi-value",
                **_data(measure=key, value="" if small else str(value)),
            ),
            html.Div(
                t("suppressed") if small else t("persons"),
                className="yp-area-kpi-unit",
            ),
        ],
        className="yp-area-kpi",
    )


def _data(**values: str) -> dict[str, Any]:
    """``data-*`` attributes (read by tests and scripts, never shown)."""
    return {f"data-{k}": v for k, v in values.items()}


def suppressed() -> html.Span:
    """A small cell: "< threshold", with the long explanation on hover."""
    return html.Span(
        f"< {data.small_cell_threshold()}",
        title=t("suppressed"),
        className="yp-area-suppressed",
    )


def _score_card(label: str, score: pd.Series, role: str) -> html.Div:
    return html.Div(
        [
            html.Div(label, className="yp-area-kpi-label"),
            html.Div(_score_text(score), className="yp-area-kpi-value", **_data(role=role)),
            html.Div(
                _("{n} of {m} at target").format(
                    n=int(score["n_at_target"]), m=int(score["n_indicators"])
                ),
                className="yp-area-kpi-unit",
            ),
        ],
        className="yp-area-kpi",
    )


def _score_text(score: pd.Series) -> str | html.Span:
    if bool(score["small_cell"]) or pd.isna(score["score"]):
        return suppressed() if int(score["n_indicators"]) else t("no_data")
    return _("Score {score}").format(score=rate(float(score["score"])))


def _bullet_key(name: str, compared: list[str]) -> html.Div:
    items = [
        html.Span([html.Span(glyph, style={"color": color}, className="yp-area-glyph"), label])
        for glyph, color, label in key_items(name, compared)
    ]
    return html.Div(items, className="yp-area-bands yp-area-marks")


def band_key() -> html.Div:
    swatches = [
        html.Span([html.Span(className="yp-area-swatch", style={"background": color}), label])
        for color, label in band_legend()
    ]
    return html.Div(swatches, className="yp-area-bands")


def indicator_table(rows: pd.DataFrame, compared: list[tuple[str, pd.DataFrame]]) -> html.Table:
    """Every indicator: target, rate, numerator / denominator, gap in people, and the comparison
    areas' rates; small cells say "suppressed"."""
    head = [_("Indicator"), t("target"), _("Rate"), _("Covered / denominator"),
            _("Gap to target (persons)"), *(name for name, _ in compared)]  # fmt: skip
    others = [other.set_index("indicator") for _, other in compared]
    body = []
    for row in rows.itertuples():
        small = bool(row.small_cell)
        cells = [
            indicator_name(row.indicator),
            f"≥ {target_percent(row.target)}",
            suppressed() if small else rate(row.rate, row.target),
            suppressed() if small else f"{count(row.numerator)} / {count(row.denominator)}",
            suppressed() if small else count(row.gap),
            *(_rate_cell(o, row.indicator) for o in others),
        ]
        klass = "" if small else ("yp-area-ok" if row.at_target else "yp-area-short")
        body.append(
            html.Tr(
                [html.Td(c, className=klass if i == 2 else "") for i, c in enumerate(cells)],
                **_data(indicator=row.indicator),
            )
        )
    return html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)],
        className="yp-area-table",
    )


def _rate_cell(other: pd.DataFrame, flag: str) -> str | html.Span:
    row = other.loc[flag]
    return suppressed() if bool(row["small_cell"]) else rate(row["rate"], row["target"])


def assessment_table(area: data.Area, others: tuple[data.Area, ...], period: str) -> html.Table:
    """The two-way assessment of the area and its comparison areas."""
    head = [_("Area"), _("As origin"), _("As destination")]
    body = []
    for unit in (area, *others):
        scores = data.assessment(unit, period).set_index("role")
        cells = [html.Td(unit.name(current_language()))]
        for role in ("origin", "destination"):
            score = scores.loc[role]
            cells.append(
                html.Td(
                    [
                        html.Div(_score_text(score)),
                        html.Div(
                            _("{n} of {m} at target").format(n=int(score["n_at_target"]), m=int(score["n_indicators"])),
                            className="yp-area-muted",
                        ),
                    ]
                )
            )  # fmt: skip
        body.append(html.Tr(cells, className="yp-area-here" if unit is area else ""))
    return html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)],
        className="yp-area-table",
    )


def partner_table(area: data.Area, period: str, direction: str) -> list:
    """Top origins (``inflow``) or destinations (``outflow``): rank, place (a link), persons."""
    top = data.top_partners(area, period, direction)
    title = (
        _("Top origins (household registration)")
        if direction == "inflow"
        else _("Top destinations (residence)")
    )
    level = t(data.LEVEL_KEYS[area.flow_level])
    rows = [
        html.Tr(
            [
                html.Td(str(n)),
                html.Td(
                    dcc.Link(
                        data.unit_name(r.code, current_language()),
                        href=data.page_href(
                            f"/area/{r.code}", period=period, lang=current_language()
                        ),
                    )
                ),
                html.Td(
                    pgettext("list of parent units", ", ").join(
                        data.unit_name(c, current_language()) for c in r.parent
                    ),
                    className="yp-area-muted",
                ),
                html.Td(
                    suppressed() if r.small_cell else count(r.persons), className="yp-area-num"
                ),
            ],
            **_data(code=r.code),
        )  # fmt: skip
        for n, r in enumerate(top.itertuples(), start=1)
    ]
    if not rows:
        rows = [html.Tr(html.Td(_("No records this period"), colSpan=4))]
    head = [_("#"), _("Place"), _("In"), _("Persons")]
    return [
        html.H3(f"{title} · {level}"),
        html.Table(
            [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
            className="yp-area-table",
        ),
    ]
