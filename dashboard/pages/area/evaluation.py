"""The drill-down's pilot evaluation (试点成效评估), on the page of a pilot of the region file:
did coverage rise more in the pilot than in comparable counties since its start?

The numbers are ``planning.evaluation``'s (read with the reader's scope, ``dashboard.data.
evaluation``); this module puts them in words and figures. The section is filled by a callback
(an evaluation takes seconds the first time), so the page opens at once.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard import context, ids
from dashboard.data.evaluation import pilot_evaluation
from dashboard.figures.evaluation import event_study_figure, group_rates_figure
from dashboard.i18n import _, indicator_name, plotly_locale
from etl.records import INDICATORS
from geodata import areas
from geodata.regions import Pilot
from planning.evaluation import DEFAULT_INDICATOR, Evaluation, EvaluationError


def _config() -> Any:
    """A static graph in the page's language (plotly's month names)."""
    return {"displayModeBar": False, "locale": plotly_locale()}


def pilot_for(code: str) -> Pilot | None:
    """The pilot of the region file with ``code``, or None."""
    try:
        return areas.regions(context.current().regions_path).pilot(code)
    except KeyError:
        return None


def evaluation_section(code: str, indicator: str = DEFAULT_INDICATOR) -> html.Div | None:
    """The section's frame (filled by ``evaluation_children``), or None for an area that is not
    a pilot."""
    pilot = pilot_for(code)
    if pilot is None:
        return None
    options = [{"label": indicator_name(i.flag), "value": i.flag} for i in INDICATORS]
    return html.Div(
        [
            html.H3(_("Pilot evaluation: did coverage rise more than in comparable counties?")),
            html.Label(
                [
                    html.Span(_("Indicator")),
                    dcc.Dropdown(
                        id=ids.AREA_EVAL_INDICATOR,
                        options=options,
                        value=indicator,
                        clearable=False,
                        searchable=False,
                    ),  # fmt: skip
                ],
                className="yp-area-control yp-area-grow",
            ),
            dcc.Loading(html.Div(id=ids.AREA_EVAL_BODY), delay_show=250, type="default"),
            html.P(
                _(
                    "Difference-in-differences against counties matched on coverage before the start, census population and migrant share (other pilots, the pilot's prefecture and its neighbours left out); standard errors clustered by county. With fewer than 5 pilot counties the interval comes from placebo runs on the comparison counties. The start month is set in the region file."
                ),
                className="yp-source",
            ),
        ],
        className="yp-card yp-area-evaluation",
        id=ids.AREA_EVALUATION,
    )


def evaluation_children(code: str, indicator: str) -> list:
    """The section's words and figures for pilot ``code`` on ``indicator``."""
    try:
        result = pilot_evaluation(code, indicator)
    except EvaluationError:
        return [
            html.P(
                _(
                    "This pilot cannot be evaluated with the data you can see: too few months before its start, or no comparable county in your scope."
                ),
                className="yp-area-notice",
            )
        ]
    return [
        html.Div([html.P(line) for line in summary_lines(result)], className="yp-eval-summary"),
        html.H4(_("Difference from the comparison counties, by quarter since the start")),
        dcc.Graph(
            figure=event_study_figure(result.event, result.pilot.start),
            config=_config(),
            id=ids.AREA_EVAL_EVENT,
        ),  # fmt: skip
        html.H4(_("Monthly rate of the pilot and comparison counties")),
        dcc.Graph(
            figure=group_rates_figure(result.groups, result.pilot.start),
            config=_config(),
            id=ids.AREA_EVAL_GROUPS,
        ),  # fmt: skip
    ]


def _points(share: float) -> str:
    return f"{100 * share:+.1f}"


def summary_lines(result: Evaluation) -> list[str]:
    """The evaluation in plain sentences, in the page's language."""
    lines = []
    interval = result.interval
    effect = _("Estimated effect since the start ({start}): {effect} percentage points.").format(
        start=result.pilot.start, effect=_points(result.effect)
    )
    if interval is None:
        lines.append(effect + " " + _("Too few comparable counties to tell an effect from chance."))
    else:
        lines.append(
            effect + " " + _("Interval (95%): {low} to {high}.").format(
                low=_points(interval[0]), high=_points(interval[1])
            )
        )  # fmt: skip
        lines.append(
            _("The pilot counties rose more than comparable counties: an effect the data can tell from chance.")
            if result.verdict == "effect" and result.effect > 0
            else _("The pilot counties fell behind comparable counties: an effect the data can tell from chance.")
            if result.verdict == "effect"
            else _("No effect the data can tell from chance: the interval includes 0.")
        )  # fmt: skip
    if result.pre_trend_p is None:
        lines.append(_("The pre-trend cannot be checked: too few months before the start."))
    elif result.pre_trend_ok:
        lines.append(
            _("Before the start, pilot and comparison counties moved together (pre-trend check p = {p}).").format(
                p=f"{result.pre_trend_p:.2f}"
            )
        )  # fmt: skip
    else:
        lines.append(
            _("Warning: before the start, pilot and comparison counties were already drifting apart (pre-trend check p = {p}); read the estimate with care.").format(
                p=f"{result.pre_trend_p:.2f}"
            )
        )  # fmt: skip
    lines.append(
        _("{n_pilot} pilot counties compared with {n_comparison} counties, {n_before} months before the start and {n_after} from it.").format(
            n_pilot=len(result.treated), n_comparison=len(result.controls),
            n_before=len(result.pre_periods), n_after=len(result.post_periods),
        )
    )  # fmt: skip
    return lines
