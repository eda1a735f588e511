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

from planning.export import write_results
from planning.scenario import Scenario, run_scenario
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
