"""The narrative under the flows map: what is on screen, in the page's language.

Three sentences of the view (``dashboard.data.flows.FlowView``): what it shows (cohort, the period,
range or comparison, the level, the direction, the focus place or the regions); the selection's
totals (or their change); the largest flows (or the largest changes) among the published ones,
named with their persons. A withheld total or flow is never put into words as a number.

``unit_sentences`` says the same of a range's or comparison's unit layer, for its print map
(``dashboard.export.flows_views``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dashboard.data import flows as data
from dashboard.data import geo
from dashboard.formatting import count, signed
from dashboard.i18n import N_, _, current_language, join, t

if TYPE_CHECKING:
    from dashboard.export.flows_views import FlowsView

LARGEST = 3
LEVEL_WORDS = {
    "province": N_("provinces"),
    "prefecture": N_("prefectures"),
    "county": N_("counties"),
}
DIRECTION_WORDS = {
    "inflow": N_("inflow"),
    "outflow": N_("outflow"),
    "both": N_("inflow and outflow"),
    "net": N_("net flows"),
}


def _when(q: data.FlowQuery) -> str:
    if q.target:
        from dashboard.pages.flows.compare import side_name

        assert q.compare is not None
        return _("the change from {base} to {target}").format(
            base=side_name(q.compare), target=side_name(q.target)
        )
    if q.start:
        return _("the periods {start} to {end} summed").format(start=q.start, end=q.period)
    return _("the period {period}").format(period=q.period)


def _where(q: data.FlowQuery) -> str:
    lang = current_language()
    if q.focus:
        return _("the flows of {name} with all of China").format(name=geo.unit_name(q.focus, lang))
    names = data.region_names(lang)
    return _("the selected regions ({names})").format(names=join(names[r] for r in q.regions))


def _name(code: str) -> str:
    lang = current_language()
    return geo.county_names_with_prefecture(lang).get(code) or geo.unit_name(code, lang)


def largest(view: data.FlowView, n: int = LARGEST) -> pd.DataFrame:
    """The ``n`` largest published flows (changes) of the view, in its order."""
    flows = view.selected if view.selected is not None else view.flows
    return flows[~flows["small_cell"].astype(bool)].head(n)


def flow_sentences(view: data.FlowView) -> list[str]:
    """The narrative of the flows on screen (see the module)."""
    q = view.query
    if not q.period:
        return []
    what = _("{cohort}, {when}: {direction} between {level}, {where}.").format(
        cohort=t(f"cohort_{q.cohort}"),
        when=_when(q),
        direction=_(DIRECTION_WORDS[q.direction]),
        level=_(LEVEL_WORDS[q.level]),
        where=_where(q),
    )
    return [what, _totals_sentence(view), _largest_sentence(view)]


def _totals_sentence(view: data.FlowView) -> str:
    threshold, after = view.threshold, view.totals
    hid_in = data.suppressed(after.inflow, threshold)
    hid_out = data.suppressed(after.outflow, threshold)
    before = view.base_totals
    if before is not None:
        hid_in = hid_in or data.suppressed(before.inflow, threshold)
        hid_out = hid_out or data.suppressed(before.outflow, threshold)
        parts = []
        for label, hid, a, b in (
            (_("inflow"), hid_in, before.inflow, after.inflow),
            (_("outflow"), hid_out, before.outflow, after.outflow),
        ):
            value = _("withheld") if hid else _("{change} persons").format(change=signed(b - a))
            parts.append(f"{label} {value}")
        return _("Change of the totals: {parts}.").format(parts=join(parts))
    parts = []
    for label, hid, v in (
        (_("inflow"), hid_in, after.inflow),
        (_("outflow"), hid_out, after.outflow),
    ):
        value = _("withheld") if hid else _("{n} persons").format(n=count(v))
        parts.append(f"{label} {value}")
    if not (hid_in or hid_out):
        net = after.inflow - after.outflow
        parts.append(_("net {n} persons").format(n=signed(net)))
    return _("Totals between places: {parts}.").format(parts=join(parts))


def _largest_sentence(view: data.FlowView) -> str:
    top = largest(view)
    if top.empty:
        return _("No flow large enough to publish.")
    items = []
    for row in top.itertuples(index=False):
        ends = f"{_name(row.origin_code)} → {_name(row.destination_code)}"
        if view.query.target:
            pct = "" if not np.isfinite(row.percent) else f", {row.percent:+.1f}%"
            items.append(f"{ends} ({signed(row.change)}{pct})")
        else:
            items.append(f"{ends} ({count(row.persons)})")
    if view.query.target:
        return _("Largest changes (persons): {items}.").format(items=join(items))
    return _("Largest flows (persons): {items}.").format(items=join(items))


# --- a range's or comparison's unit layer (print maps) -------------------------------------------

MEASURE_WORDS = {"inflow": N_("inflow"), "outflow": N_("outflow"), "net": N_("net inflow")}


def unit_sentences(view: FlowsView) -> list[str]:
    """What a unit layer of ``view`` shows and its three largest published values (changes)."""
    from dashboard.export.flows_views import unit_values

    values = unit_values(view)
    shown = values[~values["withheld"].to_numpy(bool)].copy()
    shown["size"] = np.abs(shown["value"].to_numpy(float))
    shown = shown.sort_values(["size", "code"], ascending=[False, True], kind="stable").head(
        LARGEST
    )
    lang = current_language()
    names = [geo.unit_name(c, lang) for c in shown["code"]]
    if view.change_from:
        from dashboard.pages.flows.compare import side_name

        what = _(
            "{cohort}: the change in {measure} of each of the {level} from {base} to {target}."
        )
        what = what.format(
            cohort=t(f"cohort_{view.cohort}"), measure=_(MEASURE_WORDS[view.measure]),
            level=_(LEVEL_WORDS[view.level]), base=side_name(view.change_from),
            target=side_name(view.target),
        )  # fmt: skip
        items = [f"{n} ({signed(v)})" for n, v in zip(names, shown["value"], strict=True)]
        most = _("Largest changes (persons): {items}.")
    else:
        what = _("{cohort}: the {measure} of each of the {level}, {start} to {end} summed.").format(
            cohort=t(f"cohort_{view.cohort}"), measure=_(MEASURE_WORDS[view.measure]),
            level=_(LEVEL_WORDS[view.level]), start=view.start, end=view.period,
        )  # fmt: skip
        fmt = signed if view.measure == "net" else count
        items = [f"{n} ({fmt(v)})" for n, v in zip(names, shown["value"], strict=True)]
        most = _("Largest (persons): {items}.")
    return [
        what,
        most.format(items=join(items)) if items else _("No value large enough to publish."),
    ]
