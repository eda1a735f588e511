"""An attacker's recovery of a withheld flow across the flows page's levels (issue 14).

The page shows the flows of one period at county, prefecture, province and region level (its level
switch, the region matrix). A prefecture flow is the sum of the county flows between the two
prefectures' counties; a province flow the sum of its prefecture flows and of its county flows; a
region flow the sum of the province flows between the regions' members (江西 counts in two
regions). When exactly one flow of such a sum and its parts is withheld, the published ones give
it away: the province flow minus the county flows shown, or a withheld province flow rebuilt from
its county flows (and with it the small flow it was withheld to protect). The test plays that
attack on every sum of two periods and both cohorts the pages open (``all``, women 15-49) through
``read_od``, what every screen of the page reads, with the hierarchy taken from the boundaries
(``dashboard.data.geo``), not from the store: nothing is found. The same attack on the levels
withheld each on its own (the rule before) finds flows, so the test can fail.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.data import flows as F
from dashboard.data import geo, store
from etl import marts
from etl.disclosure import flow_margins, lone_groups, withheld
from etl.scope import NATION
from tests.dashboard.test_flows_view import app_context  # noqa: F401 (fixture)


def parents() -> dict[tuple[str, str], dict[str, tuple[str, ...]]]:
    """(finer level, coarser level) -> code -> the coarser units it sums into."""
    h = geo.hierarchy().drop_duplicates("county_code")
    regions = F.province_regions()
    county_prefecture = dict(zip(h["county_code"], h["prefecture_code"], strict=True))
    county_province = dict(zip(h["county_code"], h["province_code"], strict=True))
    prefecture_province = dict(zip(h["prefecture_code"], h["province_code"], strict=True))
    one = lambda mapping: {k: (v,) for k, v in mapping.items()}  # noqa: E731
    return {
        ("county", "prefecture"): one(county_prefecture),
        ("county", "province"): one(county_province),
        ("prefecture", "province"): one(prefecture_province),
        ("province", "region"): regions,
    }


def recoveries(reads: dict[str, pd.DataFrame]) -> tuple[list, int]:
    """(sums with exactly one withheld flow among the sum and its parts, sums holding a withheld
    flow): every coarser flow against the finer flows it adds up."""
    found, exposed = [], 0
    for (fine, coarse), up in parents().items():
        coarse_rows = reads[coarse]
        members: dict[tuple[str, str], list[bool]] = {}
        for o, d, hidden in reads[fine][["origin_code", "destination_code", "small_cell"]].itertuples(
            index=False
        ):
            for po in up.get(o, ()):
                for pd_ in up.get(d, ()):
                    members.setdefault((po, pd_), []).append(bool(hidden))
        for o, d, hidden in coarse_rows[["origin_code", "destination_code", "small_cell"]].itertuples(
            index=False
        ):
            unknown = [bool(hidden), *members.get((o, d), [])]
            if any(unknown):
                exposed += 1
            if sum(unknown) == 1:
                found.append((fine, coarse, o, d))
    return found, exposed


def reads_of(period: str, cohort: str) -> dict[str, pd.DataFrame]:
    return {level: F.read_od(period, cohort, level) for level in (*F.LEVELS, "region")}


@pytest.mark.parametrize("cohort", ["all", "women_15_49"])
@pytest.mark.parametrize("period", ["2010-02", "2010-03"])
def test_no_withheld_flow_is_a_coarser_flow_minus_its_finer_ones(app_context, period, cohort):  # noqa: F811
    found, exposed = recoveries(reads_of(period, cohort))
    assert exposed > 0  # the attack has withheld flows to aim at
    assert found == []


def test_the_levels_withheld_each_alone_give_flows_away(app_context):  # noqa: F811
    engine = store.engine()
    alone = {}
    for level in (*F.LEVELS, "region"):
        od = marts.read_pairs(engine, "2010-02", "all", level, scope=NATION)
        flags = withheld(od, od["small_cell"], flow_margins((), within="is_within"))
        alone[level] = od.assign(small_cell=flags)
    found, _ = recoveries(alone)
    assert found  # the attack works on the old rule
    linked = reads_of("2010-02", "all")
    for level, od in linked.items():  # and each level stays closed under its own margins
        margins = flow_margins((), within="is_within")
        assert lone_groups(od, od["small_cell"].to_numpy(bool), margins) == 0, level
