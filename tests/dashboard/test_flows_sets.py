"""An attacker's recovery of withheld province flows from the flows page's sums of them (issue 14).

The page publishes sums of province flows: the region matrix (a region flow sums the province flows
between the two regions' members), each province's inflow and outflow (the totals panel of a
focused province, the total circles) and a choice of regions' inflow, outflow, among and within.
Alone each is withheld only when it holds exactly one withheld flow, but together they form a
linear system. The test writes down, from the page's own answers (``region_matrix``,
``unit_totals`` of every province, ``selection_totals`` for every choice of regions, the province
flows), every equation a reader has over the withheld province flows, and solves it by rank with
numpy (a flow is determined when its unit vector lies in the row space): nothing is determined.
With each sum withheld by its own rule only (before ``dashboard.data.od.audit_province_sums``),
the same equations determine 19 of the 35 withheld flows of 2010-02, so the test can fail.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from dashboard.data import flows as F
from dashboard.data.od import set_parts, set_totals
from tests.dashboard.test_flows_view import app_context  # noqa: F401 (fixture)


def determined(rows: list[np.ndarray], n: int) -> set[int]:
    """The unknowns a reader solves from ``rows`` (weights over ``n`` withheld flows)."""
    a = np.array(rows) if rows else np.zeros((1, n))
    rank = np.linalg.matrix_rank(a)
    eye = np.eye(n)
    return {j for j in range(n) if np.linalg.matrix_rank(np.vstack([a, eye[j]])) == rank}


def equations(period: str, audited: bool) -> tuple[list[np.ndarray], int]:
    """Every sum the page publishes, as weights over the withheld province flows (``audited``:
    as the page withholds the sums; else each sum by its own rule alone)."""
    threshold = F.small_cell_threshold()
    province = F.read_od(period, "all", "province")
    region = F.read_od(period, "all", "region")
    persons = province["persons"].to_numpy()
    unknown = np.flatnonzero(province["small_cell"].to_numpy(bool) & (persons > 0))
    regions = F.province_regions()
    origin, destination = (
        province["origin_code"].to_numpy(),
        province["destination_code"].to_numpy(),
    )
    rows = []
    matrix = F.region_matrix(period, "all")
    shown = {
        (a, b): not matrix.small_cell[i, j]
        for i, a in enumerate(matrix.codes)
        for j, b in enumerate(matrix.codes)
    }
    for a, b, small in region[["origin_code", "destination_code", "small_cell"]].itertuples(
        index=False
    ):
        if shown[(a, b)] if audited else not small:
            block = np.array(
                [
                    a in regions[o] and b in regions[d]
                    for o, d in zip(origin, destination, strict=True)
                ]
            )
            rows.append(block[unknown].astype(float))
    codes = sorted(set(origin) | set(destination))
    if audited:
        units = F.unit_totals(F.FlowQuery(period, "all", "province"), codes)
    else:
        units = F.cohort_unit_totals(lambda c: F.read_od(period, c, "province"), "all", codes)
    between = ~province["is_within"].to_numpy(bool)
    for row in units.itertuples(index=False):
        for side, ends in (("inflow", destination), ("outflow", origin)):
            if not getattr(row, f"{side}_withheld"):
                rows.append(((ends == row.code) & between)[unknown].astype(float))
    names = (*F.region_codes(), F.OTHER_REGION)
    for n in range(1, len(names) + 1):
        for chosen in combinations(names, n):
            provinces = F.provinces_of_regions(chosen)
            if audited:
                totals = F.selection_totals(F.FlowQuery(period, "all", "province", chosen))
            else:
                totals = set_totals(province, provinces)
            for name, part in set_parts(province, provinces).items():
                if not totals.hidden(name, threshold):
                    rows.append(part[unknown].astype(float))
    return rows, len(unknown)


def test_a_focused_provinces_totals_are_its_circles(app_context):  # noqa: F811
    codes = F.unit_codes("province")
    units = F.unit_totals(F.FlowQuery("2010-02", "all", "province"), codes).set_index("code")
    for code in codes:
        totals = F.selection_totals(F.FlowQuery("2010-02", "all", "province", focus=code))
        for side in ("inflow", "outflow"):
            assert totals.hidden(side, 3) == bool(units.loc[code, f"{side}_withheld"]), (code, side)


@pytest.mark.parametrize("period", ["2010-02", "2010-03"])
def test_the_pages_sums_of_province_flows_solve_no_withheld_flow(app_context, period):  # noqa: F811
    rows, n = equations(period, audited=True)
    assert n > 0 and len(rows) > 50  # withheld flows to aim at, many sums shown
    assert determined(rows, n) == set()


def test_each_sum_by_its_own_rule_solves_withheld_flows(app_context):  # noqa: F811
    rows, n = equations("2010-02", audited=False)
    assert len(determined(rows, n)) == 19 and n == 35
