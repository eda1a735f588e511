"""The flows page's time and place controls (one block of the control bar): play, which steps the
period through the store's periods (a ``dcc.Interval``, stopped by the same button), and a place
search box (a name in Chinese, or its pinyin/English name, or a code: "kunshan" finds 昆山市, the
reader's scope only) whose choice becomes the map's focus."""

from __future__ import annotations

import numpy as np
import pandas as pd
from dash import dcc, html

from dashboard import context, ids
from dashboard.components import control
from dashboard.data import area as area_data
from dashboard.data import flow_change
from dashboard.data import flows as data
from dashboard.formatting import count
from dashboard.i18n import N_, _

PLAY_MS = 1500


def time_and_place(
    circles: str = "none", start: str | None = None, compare: str | None = None
) -> html.Div:
    return html.Div(
        [
            control(
                _("From"),
                dcc.Dropdown(
                    id=ids.FLOWS_START,
                    options=[{"label": _("This period only"), "value": ""}]
                    + [{"label": p, "value": p} for p in sorted(data.available_periods())],
                    value=start or "",
                    clearable=False,
                    style={"width": "180px"},
                ),
            ),
            compare_control(compare),
            circles_control(circles),
            control(
                _("Play"),
                html.Div(
                    [
                        html.Button(
                            "▶",
                            id=ids.FLOWS_PLAY,
                            n_clicks=0,
                            className="yp-play",
                            title=_("Play the periods"),
                        ),
                        dcc.Interval(id=ids.FLOWS_TICK, interval=PLAY_MS, disabled=True),
                    ]
                ),
            ),
            control(
                _("Find a place"),
                dcc.Dropdown(
                    id=ids.FLOWS_SEARCH,
                    options=[],
                    placeholder=_("Name or code"),
                    searchable=True,
                    clearable=True,
                    style={"width": "190px"},
                    labels={
                        "search": _("Name or code"),
                        "clear_search": _("Clear"),
                        "clear_selection": _("Clear"),
                        "no_options_found": _("Nothing found: try another name or code"),
                    },
                ),
            ),
        ],
        className="yp-flows-timeplace",
    )


def compare_options() -> list[dict[str, str]]:
    """No comparison, each period, and (when the store holds two or more) each year."""
    options = [{"label": _("No comparison"), "value": ""}]
    options += [{"label": p, "value": p} for p in sorted(data.available_periods())]
    years = flow_change.years()
    if len(years) > 1:
        options += [{"label": _("Year {year}").format(year=y), "value": y} for y in years]
    return options


def compare_control(compare: str | None):
    return control(
        _("Compare with"),
        dcc.Dropdown(
            id=ids.FLOWS_COMPARE,
            options=compare_options(),
            value=compare or "",
            clearable=False,
            style={"width": "170px"},
        ),
    )


def place_options(query: str, lang: str) -> list[dict[str, str]]:
    """Provinces, prefectures and counties (no regions) in the reader's scope matching ``query``."""
    return [
        o
        for o in area_data.search_areas(query, lang, context.current().regions_path)
        if o["value"].isdigit()
    ]


def next_period(period: str | None) -> str:
    """The period after ``period`` (after the last: the first again; unknown: the first)."""
    available = sorted(data.available_periods())
    if period not in available:
        return available[0]
    return available[(available.index(period) + 1) % len(available)]


# --- total circles ------------------------------------------------------------------------------

CIRCLES = ("none", "inflow", "outflow", "net")
CIRCLE_LABELS = {  # not the direction's words: a label names one control
    "none": N_("None"),
    "inflow": N_("Inflow total"),
    "outflow": N_("Outflow total"),
    "net": N_("Net total"),
}
CIRCLE_COLORS = {"inflow": "#08519c", "outflow": "#e6550d", "gain": "#2166ac", "loss": "#b2182b"}
MAX_CIRCLE = 34.0  # px, the largest total's diameter
MIN_CIRCLE = 4.0


def chosen_circles(value: object) -> str:
    return value if isinstance(value, str) and value in CIRCLES else "none"


def circles_control(circles: str):
    return control(
        _("Total circles"),
        dcc.RadioItems(
            id=ids.FLOWS_CIRCLES,
            options=[{"label": _(CIRCLE_LABELS[c]), "value": c} for c in CIRCLES],
            value=circles,
            inline=True,
            className="yp-radio",
        ),
    )


def unit_totals(view: data.FlowView, kind: str) -> pd.DataFrame:
    """``code, value, shown`` of the units at either end of the view's drawn lines (and the
    focus): each unit's inflow, outflow or net (in - out) with every other unit of its level in
    the period (or range) and cohort, as the totals panel counts a place. ``shown`` is False where
    the total is withheld (``data.unit_totals``: a small count, or one that would give a withheld
    flow away; for a net value either of its two counts)."""
    q = view.query
    codes = sorted(
        set(view.flows["origin_code"]) | set(view.flows["destination_code"]) | {q.focus or ""}
    )
    codes = [c for c in codes if c]
    if q.target:  # a comparison: each unit's change, withheld with either side's total
        assert q.compare is not None
        units = flow_change.unit_change(q.compare, q.target, q.cohort, q.level).set_index("code")
        units = units.reindex(codes)
        return pd.DataFrame(
            {
                "code": codes,
                "value": units[f"{kind}_change"].fillna(0).to_numpy("int64"),
                "shown": ~units[f"{kind}_withheld"].fillna(True).to_numpy(bool),
            }
        )
    totals = data.unit_totals(q, codes)
    ins, outs = totals["inflow"].to_numpy("int64"), totals["outflow"].to_numpy("int64")
    hide_in, hide_out = totals["inflow_withheld"], totals["outflow_withheld"]
    if kind == "inflow":
        value, hidden = ins, hide_in
    elif kind == "outflow":
        value, hidden = outs, hide_out
    else:
        value, hidden = ins - outs, hide_in | hide_out
    return pd.DataFrame(
        {"code": totals["code"], "value": value, "shown": ~np.asarray(hidden, dtype=bool)}
    )


def circle_trace(view: data.FlowView, kind: str) -> dict | None:
    """A scattergeo of the totals as circles (area in proportion to persons), or None."""
    if kind not in CIRCLES or kind == "none" or view.flows.empty:
        return None
    totals = unit_totals(view, kind)
    points = data.unit_points(view.query.level)
    totals = totals[totals["shown"] & (totals["value"] != 0) & totals["code"].isin(points)]
    if totals.empty:
        return None
    size = np.abs(totals["value"].to_numpy(float))
    diameter = MIN_CIRCLE + (MAX_CIRCLE - MIN_CIRCLE) * np.sqrt(size / size.max())
    if kind == "net" or view.query.target:  # a comparison: growth blue, decline red
        colors = [CIRCLE_COLORS["gain" if v > 0 else "loss"] for v in totals["value"]]
    else:
        colors = [CIRCLE_COLORS[kind]] * len(totals)
    order = np.argsort(-diameter, kind="stable")  # small circles drawn over large ones
    return {
        "type": "scattergeo",
        "geo": "geo",
        "mode": "markers",
        "lon": [points[c][0] for c in totals["code"].to_numpy()[order]],
        "lat": [points[c][1] for c in totals["code"].to_numpy()[order]],
        "customdata": list(totals["code"].to_numpy()[order]),
        "marker": {
            "size": [float(d) for d in diameter[order]],
            "color": [colors[i] for i in order],
            "opacity": 0.5,
            "line": {"width": 1, "color": "white"},
        },
        "hoverinfo": "skip",
        "name": f"circles-{kind}",
        "meta": {"largest": int(size.max()), "change": bool(view.query.target)},
    }


def circles_legend(trace: dict | None, kind: str) -> list:
    """One line under the map's legend: what the circles are and the largest one's persons."""
    if trace is None:
        return []
    if trace.get("meta", {}).get("change"):
        what = {
            "inflow": _("Circles: change in each place's inflow (blue growth, red decline)"),
            "outflow": _("Circles: change in each place's outflow (blue growth, red decline)"),
            "net": _("Circles: change in each place's net inflow (blue growth, red decline)"),
        }[kind]
        largest = _("largest change {n} persons; area in proportion").format(
            n=count(trace["meta"]["largest"])
        )
        return [html.Div(f"{what}: {largest}", className="yp-flows-note")]
    what = {
        "inflow": _("Circles: inflow of each place"),
        "outflow": _("Circles: outflow of each place"),
        "net": _("Circles: net inflow of each place (blue gain, red loss)"),
    }[kind]
    largest = _("largest {n} persons; area in proportion").format(n=count(trace["meta"]["largest"]))
    return [html.Div(f"{what}: {largest}", className="yp-flows-note")]


def with_circles(figure: dict, trace: dict | None) -> dict:
    """``figure`` (the lines figure) with the total circles (``circle_trace``) over its lines."""
    if trace is not None:
        figure = {**figure, "data": [*figure["data"], trace]}
    return figure


def circles_search(search: str, circles: str) -> str:
    """The page's URL query with the circles (none: not written)."""
    return search + (f"&circles={circles}" if circles != "none" else "")
