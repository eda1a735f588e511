"""An attacker's recovery of a withheld flow from the flows page's own answers (issue 14).

A unit's total (the totals panel for a focus, the total circles) is the sum of its flows with
every other unit; the table lists those flows, the withheld ones as ``< threshold``. When exactly
one flow into (or out of) a place is withheld and the total and every other flow are shown, the
total minus the shown flows is the withheld count. The test plays that attack on every place at
every level of a store (the ETL's tiny fixture plus random records, threshold 3) through what
``update_flows`` returns, and finds nothing: the page widens the withheld cells as the exports do
(``etl.disclosure``) or withholds the total.

Every place of the level is covered, in two ways: the places that some between-unit flow of the
page's read (``read_od``, what ``flow_view`` selects from) touches are attacked through the
callback, one focus each; a place that no flow touches has no flow in its table, so nothing
withheld to recover, and the test checks for all of them at once that the page's totals of them
(``unit_totals``, as the panel and the circles count a place) are 0 and not withheld. (Asking the
callback for each of the 2,847 counties took about 52 s a case, nearly all of it for counties
with no flow in this store.)
"""

from __future__ import annotations

import pytest

from dashboard.data import flows as F
from dashboard.pages.flows.callbacks import update_flows
from tests.dashboard.test_flows_view import app_context, totals_shown  # noqa: F401 (fixture)


def callback(*args):
    """What ``update_flows`` sends back to the browser (Dash's wrapper, or the plain function)."""
    fn = getattr(update_flows, "__wrapped__", update_flows)
    return fn(*args)


def number(text: str) -> int | None:
    text = str(text).replace(",", "").strip()
    return None if text.startswith("<") else int(text)


def recoveries(period: str, level: str, circles: str = "inflow") -> tuple[list, int]:
    """(withheld counts recovered as total minus shown flows, groups with a withheld flow)."""
    found, exposed = [], 0
    places = F.unit_codes(level)
    od = F.read_od(period, "all", level)
    between = od[~od["is_within"].to_numpy(dtype=bool)]
    touched = set(between["origin_code"]) | set(between["destination_code"])
    idle = [p for p in places if p not in touched]
    totals = F.unit_totals(F.FlowQuery(period, "all", level), idle)
    assert list(totals["code"]) == idle
    assert not totals[["inflow", "outflow"]].to_numpy().any()
    assert not totals[["inflow_withheld", "outflow_withheld"]].to_numpy().any()
    for place in [p for p in places if p in touched]:
        out = callback(
            ["pan_yangtze", "jing_jin_ji", "greater_bay", "chengyu", "other"],
            level,
            "both",
            "all",
            period,
            2000,
            place,
            None,  # no range
            None,  # no comparison
            circles,
            "zh",
        )
        totals, rows = totals_shown(out[2]), out[4]
        circled = {  # units whose inflow is drawn as a circle (its area tells the total)
            code
            for trace in out[0]["data"]
            if trace.get("name") == f"circles-{circles}"
            for code in trace["customdata"]
        }
        for name, side in (("inflow", "destination_code"), ("outflow", "origin_code")):
            mine = [r for r in rows if r[side] == place]
            hidden = [r for r in mine if number(r["persons"]) is None]
            if not hidden:
                continue
            exposed += 1
            total = totals.get(name, "suppressed")
            drawn = name == circles and place in circled
            if len(hidden) == 1 and (total != "suppressed" or drawn):
                shown = sum(number(r["persons"]) for r in mine if r not in hidden)
                found.append(
                    (
                        place,
                        name,
                        hidden[0]["origin_code"],
                        hidden[0]["destination_code"],
                        total if drawn and total == "suppressed" else int(total) - shown,
                    )
                )
    return found, exposed


@pytest.mark.parametrize("level", ["province", "prefecture", "county"])
@pytest.mark.parametrize("period", ["2010-02", "2010-03"])
def test_no_withheld_flow_is_total_minus_shown(app_context, level, period):  # noqa: F811
    found, exposed = recoveries(period, level)
    assert exposed > 0  # the attack has withheld flows to aim at
    assert found == []


def test_set_and_place_totals_withhold_a_margin_with_one_withheld_flow():
    """By hand: threshold 3; A's inflow 2 (withheld) + 5 + 7 from B, C, D; the set {A's
    province} has one withheld flow in and two out. A total holding exactly one withheld flow
    above 0 is withheld whatever its size; two withheld flows, or none, leave it shown."""
    import pandas as pd

    from dashboard.data.od import place_totals, set_totals

    od = pd.DataFrame(
        {
            "origin_code": ["120000", "130000", "140000", "110000", "110000", "110000"],
            "destination_code": ["110000", "110000", "110000", "120000", "130000", "110000"],
            "persons": [2, 5, 7, 1, 2, 9],
            "small_cell": [True, False, False, True, True, False],
            "is_within": [False, False, False, False, False, True],
        }
    )
    place = place_totals(od, "110000")
    assert (place.inflow, place.outflow, place.within) == (14, 3, 9)
    assert place.withheld == {"inflow"}  # 14 - 5 - 7 = 2; outflow holds two withheld flows
    assert place.hidden("inflow", 3) and place.hidden("net", 3)
    assert place.hidden("outflow", 3) is False  # 3 persons, 2 withheld flows: shown
    assert not place.hidden("within", 3)
    chosen = set_totals(od, ["110000"])
    assert chosen.withheld == {"inflow"} and chosen.among == 0
