"""Scenario result files (planning.export): small baseline counts are suppressed in every file.

With a threshold of 25 on the hand-made baseline (``README.md``): the flows of 10, 20 and 5 persons
are small, 30 and 40 are not, but O1's 30 would give the 10 away (O1's outflow, 40, is in
totals.csv) and O2's 40 the 20, so every flow is withheld; the coverage denominators 50 and 40 are
not small, 25 is not either (25 is not under 25); in totals O1's outflow of 40 and D2's inflow of 50
are kept and D1's outflow of 5 (its diagonal) is small, and so are the rows that are D1's alone
(its prefecture and province) and the region that would give D1 away (pan_yangtze: D1 + D2).
"""

from __future__ import annotations

import csv
import dataclasses

import numpy as np
import pandas as pd

from planning.export import write_results
from planning.model import Baseline
from planning.scenario import Scenario, parse_scenario, run_scenario
from tests.planning.helpers import D1, D2, O1, O2, tiny_baseline


def _rows(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_small_baseline_counts_are_blank_and_flagged(tmp_path):
    baseline = dataclasses.replace(tiny_baseline(), threshold=25)
    paths = write_results(run_scenario(baseline, Scenario("zero")), tmp_path)

    flows = {(r["origin_code"], r["destination_code"]): r for r in _rows(paths["flows"])}
    for pair in ((O1, D1), (O2, D2), (O1, D2), (O2, D1), (D1, D1)):
        row = flows[pair]
        assert (row["baseline_persons"], row["persons"], row["suppressed"]) == ("", "", "True")

    coverage = _rows(paths["coverage"])
    assert {r["suppressed"] for r in coverage} == {"False"}
    assert {(r["county_code"], r["numerator"], r["denominator"]) for r in coverage} == {
        (D1, "40", "50"), (D2, "30", "40"), (O1, "20", "25"),
    }  # fmt: skip

    totals = {(r["level"], r["unit_code"]): r for r in _rows(paths["totals"])}
    assert totals[("county", D1)]["suppressed"] == "True"  # outflow 5 (its movers) is small
    assert totals[("county", D1)]["inflow"] == ""
    assert totals[("county", O1)]["outflow"] == "40" and totals[("county", O1)]["suppressed"] == "False"
    assert totals[("county", D2)]["inflow"] == "50"  # outflow 0 discloses nobody
    withheld = {key for key, r in totals.items() if r["suppressed"] == "True"}
    assert withheld == {
        ("county", D1), ("prefecture", "310100"), ("province", "310000"), ("region", "pan_yangtze"),
    }  # fmt: skip

    baseline = dataclasses.replace(tiny_baseline(), threshold=45)
    gaps = _rows(write_results(run_scenario(baseline, Scenario("zero")), tmp_path / "b")["gaps"])
    county = {r["unit_code"]: r for r in gaps if r["level"] == "county"}
    assert county[D1]["suppressed"] == "False" and county[D1]["baseline_denominator"] == "50"
    assert county[D2]["suppressed"] == "True" and county[D2]["gap_people"] == ""


# Where each unit of the hand baseline sits (helpers.tiny_baseline): the levels totals.csv sums.
PARENTS = {
    O1: {"county": O1, "prefecture": "410100", "province": "410000", "region": "other"},
    O2: {"county": O2, "prefecture": "510100", "province": "510000", "region": "pan_pearl"},
    D1: {"county": D1, "prefecture": "310100", "province": "310000", "region": "pan_yangtze"},
    D2: {"county": D2, "prefecture": "320200", "province": "320000", "region": "pan_yangtze"},
}


def _determined(paths, ratio) -> set[tuple[str, str]]:
    """The withheld flows of ``paths`` that a reader solves exactly (over the reals) from every
    published number of flows.csv and totals.csv and each flow's lever ratio (known from the
    scenario): a flow is determined when its unit vector lies in the row space of the published
    equations over the withheld flows. Written from the files alone, not from planning.export."""
    flows = _rows(paths["flows"])
    unknown = [(r["origin_code"], r["destination_code"]) for r in flows if r["suppressed"] == "True"]
    known = {
        (r["origin_code"], r["destination_code"]): float(r["baseline_persons"])
        for r in flows if r["suppressed"] == "False"
    }  # fmt: skip
    assert len(known) + len(unknown) == len(flows)
    equations = []
    for row in _rows(paths["totals"]):
        for side, end in (("inflow", 1), ("outflow", 0)):
            counted = [f for f in (*unknown, *known) if PARENTS[f[end]][row["level"]] == row["unit_code"]]
            for column, weight in ((f"baseline_{side}", lambda f: 1.0), (side, ratio)):
                if row[column] != "":
                    equations.append([weight(f) if f in counted else 0.0 for f in unknown])
    a = np.array(equations or [[0.0] * len(unknown)])
    rank = np.linalg.matrix_rank(a)
    return {
        flow for i, flow in enumerate(unknown)
        if np.linalg.matrix_rank(np.vstack([a, np.eye(len(unknown))[i]])) == rank
    }  # fmt: skip


def test_projected_totals_do_not_solve_withheld_flows(tmp_path):
    """A growth lever of +100% into D1 doubles O1's withheld flow to D1 and not its flow to D2:
    O1's outflow published as 40 (baseline) beside 70 (projected) would give both away (30 and
    10, a small cell). The projected totals that would tell withheld flows apart are withheld."""
    baseline = dataclasses.replace(tiny_baseline(), threshold=25)
    scenario = parse_scenario(
        {"name": "d1", "levers": [{"kind": "growth", "percent": 100, "side": "inflow", "areas": [D1]}]}
    )
    paths = write_results(run_scenario(baseline, scenario), tmp_path)

    def ratio(flow):
        return 2.0 if flow[1] == D1 else 1.0

    assert _determined(paths, ratio) == set()
    # without a lever too: D1's inflow (55) beside its withheld outflow would give its 5 movers
    # within the county away (both sides count them), so a row is withheld whole
    zero = write_results(run_scenario(baseline, Scenario("zero")), tmp_path / "zero")
    assert _determined(zero, lambda flow: 1.0) == set()
    totals = {(r["level"], r["unit_code"]): r for r in _rows(paths["totals"])}
    o1 = totals[("county", O1)]
    assert (o1["baseline_outflow"], o1["outflow"], o1["suppressed"]) == ("40", "", "True")
    assert totals[("county", D2)]["inflow"] == "50"  # D2's withheld flows share one ratio: kept
    for unit in ("410100", "410000"):  # O1's alone: its prefecture and province go with it
        level = "prefecture" if unit.endswith("0100") else "province"
        assert totals[(level, unit)]["outflow"] == ""

    # the check sees the attack: O1's projected outflow published again solves both of its flows,
    # and through D2's inflow (50) and O2's outflow both of O2's
    leaky = tmp_path / "leaky.csv"
    rows = _rows(paths["totals"])
    for r in rows:
        if (r["level"], r["unit_code"]) == ("county", O1):
            r["outflow"] = "70"
    with open(leaky, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert _determined({**paths, "totals": leaky}, ratio) == {(O1, D1), (O1, D2), (O2, D1), (O2, D2)}


def test_projected_coverage_sums_do_not_tell_withheld_counties_apart(tmp_path):
    """D1 and D2 (one region, pan_yangtze) each certify 20 inflow migrants, under a threshold of
    25: both county rows are withheld, the region's 40 is published. A push of D1 alone to 98%
    changes one of the region's two withheld counties: its projected numerator beside its baseline
    one would give D1's change away, so the region's projections are withheld, its baseline kept.
    With no lever the projections add nothing and are published."""
    coverage = pd.DataFrame(
        [(D1, "inflow", "cert_verified", 10, 20), (D2, "inflow", "cert_verified", 12, 20)],
        columns=["unit_code", "side", "indicator", "numerator", "denominator"],
    )
    base = tiny_baseline()
    baseline = Baseline.from_frames(
        base.period, base.flows, coverage, base.units, base.region_members, run_id=7
    )
    baseline = dataclasses.replace(baseline, threshold=25)
    push = {"kind": "coverage_push", "indicator": "cert_verified", "areas": [D1], "set_to": 98}
    for levers, projected in (([push], ""), ([], "22")):
        scenario = parse_scenario({"name": "push", "levers": levers})
        out = tmp_path / str(len(levers))
        gaps = _rows(write_results(run_scenario(baseline, scenario), out)["gaps"])
        region = next(r for r in gaps if (r["level"], r["unit_code"]) == ("region", "pan_yangtze"))
        assert (region["baseline_numerator"], region["baseline_denominator"]) == ("22", "40")
        assert region["numerator"] == projected and region["suppressed"] == str(not projected)
        county = {r["unit_code"]: r for r in gaps if r["level"] == "county"}
        assert county[D1]["suppressed"] == county[D2]["suppressed"] == "True"
