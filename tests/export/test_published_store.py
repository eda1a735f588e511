"""What pages and exports may show of coverage (``etl.marts.read_published_coverage``), checked
on the demo store with plain pandas: no sum and its parts hold exactly one withheld cell above 0
beside a published one, at any level; the coverage export withholds exactly the pages' cells."""

from __future__ import annotations

import pandas as pd

from etl import marts
from etl.scope import NATION
from etl.store import open_store


def _groups(table: pd.DataFrame, units: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Every (sum, parts) group of ``table`` as rows ``group, unit_code, level``, built here
    from the hierarchy (independently of the module's own keys)."""
    county = units.set_index("county_code")
    prefecture = units.drop_duplicates("prefecture_code").set_index("prefecture_code")
    rows = []
    for code in county.index:
        rows.append((f"pref:{county.at[code, 'prefecture_code']}", code, "county"))
    for code in prefecture.index:
        rows.append((f"pref:{code}", code, "prefecture"))
        rows.append((f"prov:{prefecture.at[code, 'province_code']}", code, "prefecture"))
    provinces = sorted(set(units["province_code"]))
    for code in provinces:
        rows += [(f"prov:{code}", code, "province"), ("nation", code, "province")]
    rows.append(("nation", "nation", "nation"))
    for region, part in members.groupby("region_code"):
        rows += [(f"region:{region}", p, "province") for p in part["province_code"]]
        rows.append((f"region:{region}", str(region), "region"))
    other = sorted(set(provinces) - set(members["province_code"]))
    rows += [("region:other", p, "province") for p in other] + [("region:other", "other", "region")]
    return pd.DataFrame(rows, columns=["group", "unit_code", "level"])


def test_no_sum_gives_a_withheld_cell_away_on_the_demo_store(store_and_layers):
    url, _ = store_and_layers
    engine = open_store(url)
    threshold = marts.small_cell_threshold(engine, scope=NATION)
    period = marts.periods(engine, scope=NATION)[-1]
    table = marts.read_published_coverage(engine, scope=NATION, period=period)
    groups = _groups(table, marts.read_units(engine, scope=NATION),
                     marts.read_region_members(engine, scope=NATION))  # fmt: skip
    cells = groups.merge(table, on=["level", "unit_code"])
    positive = cells["denominator"] > 0
    cells["secret"] = cells["suppressed"] & positive
    cells["partner"] = ~cells["suppressed"] & positive
    per = cells.groupby(["group", "side", "indicator"])[["secret", "partner"]].sum()
    assert ((per["secret"] == 1) & (per["partner"] > 0)).sum() == 0
    # the primary rule alone would leak (else the test could not fail), and nothing small shows
    cells["primary"] = (cells["denominator"] < threshold) & positive
    primary = cells.groupby(["group", "side", "indicator"])[["primary"]].sum()
    assert ((primary["primary"] == 1) & (per["partner"] > 0)).sum() > 0
    assert not (table["small_cell"] & (table["denominator"] > 0) & ~table["suppressed"]).any()
    # every sum equals the store's own read of that level
    for level in ("prefecture", "province", "region"):
        own = marts.read_coverage(engine, period, level=level, scope=NATION)
        mine = table[table["level"] == level]
        merged = mine.merge(own, on=["period", "unit_code", "side", "indicator"])
        assert len(merged) == len(own) == len(mine)
        assert (merged["denominator_x"] == merged["denominator_y"]).all()
    engine.dispose()
