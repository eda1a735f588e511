"""What pages and exports may show of coverage (``etl.marts.published_coverage``) on a hand-worked
fixture (the property on the demo store: tests/export/test_published_store.py)."""

from __future__ import annotations

import pandas as pd

from etl.marts import published_coverage
from etl.scope import NATION, Scope

THRESHOLD = 10
# Province 110000: prefecture 110100 (a=5 small, b=50, c=30), prefecture 110200 (d=40, e=60).
# Province 120000: prefecture 120100 (f=3 small, g=0), prefecture 120200 (h=20, i=25).
COUNTIES = {
    "110101": ("110100", "110000", 5), "110102": ("110100", "110000", 50),
    "110103": ("110100", "110000", 30), "110201": ("110200", "110000", 40),
    "110202": ("110200", "110000", 60), "120101": ("120100", "120000", 3),
    "120102": ("120100", "120000", 0), "120201": ("120200", "120000", 20),
    "120202": ("120200", "120000", 25),
}  # fmt: skip
UNITS = pd.DataFrame(
    [(c, pref, prov) for c, (pref, prov, _) in COUNTIES.items()],
    columns=["county_code", "prefecture_code", "province_code"],
)
MEMBERS = pd.DataFrame({"region_code": ["north"], "province_code": ["110000"]})


def _coverage(codes: list[str]) -> pd.DataFrame:
    den = [COUNTIES[c][2] for c in codes]
    return pd.DataFrame(
        {"period": "2012-12", "level": "county", "unit_code": codes, "side": "inflow",
         "indicator": "cert_issued", "numerator": [d // 2 for d in den], "denominator": den,
         "small_cell": [d < THRESHOLD for d in den]}
    )  # fmt: skip


def _hidden(table: pd.DataFrame) -> set[str]:
    return set(table.loc[table["suppressed"], "unit_code"])


def test_the_hand_worked_fixture():
    """Worked by hand. 110100 = {5*, 50, 30}: the lone 5 takes its smallest partner 30 (110103).
    120100 = {3*, 0}: its total 3 is itself small, so the sum and its part hide each other; then
    province 120000 = {120100*, 120200 = 45}: the lone withheld prefecture takes 120200 (45 < the
    province's 48), whose group {120200*, 20, 25} takes its smallest county 120201 (20). Nothing
    above a province is withheld (the nation and the regions are sums of published provinces)."""
    table = published_coverage(_coverage(list(COUNTIES)), UNITS, MEMBERS, THRESHOLD, NATION)
    assert _hidden(table) == {"110101", "110103", "120101", "120100", "120200", "120201"}
    sums = table.set_index(["level", "unit_code"])["denominator"]
    assert sums[("prefecture", "110100")] == 85 and sums[("province", "120000")] == 48
    assert sums[("region", "north")] == 185 and sums[("region", "other")] == 48
    assert sums[("nation", "nation")] == 233
    assert table["numerator"].dtype == "int64" and len(table) == 9 + 4 + 2 + 2 + 1
    # Without the sums in their groups (the old rule), 120201 would be published: 120000's
    # total minus every published county then gave 120101 away.
    county = table[table["level"] == "county"].set_index("unit_code")
    shown = county.loc[~county["suppressed"], "denominator"]
    assert sums[("province", "120000")] - shown[shown.index.str.startswith("12")].sum() == 23


def test_a_province_reader_is_withheld_the_same_cells_of_its_province():
    inside = [c for c in COUNTIES if c.startswith("12")]
    scope = Scope("province", "120000")
    table = published_coverage(_coverage(inside), UNITS[UNITS["county_code"].isin(inside)],
                               MEMBERS.iloc[0:0], THRESHOLD, scope)  # fmt: skip
    assert set(table["level"]) == {"county", "prefecture", "province"}
    assert _hidden(table) == {"120101", "120100", "120200", "120201"}
