"""What a page or an export may show of coverage: the counties of a scope with every sum the pages
publish (prefecture, province, region, the nation), small cells and the cells a sum would give away
withheld, in one table.

A coverage count adds up: a prefecture's denominator is the sum of its counties', a province's of
its prefectures', a region's of its member provinces', the nation's of every province. Each sum and
its parts form a *group* (``etl.disclosure``), the sum itself a member of it: a group with exactly
one withheld row above 0 would give that row away by subtraction (the published sum minus the
published parts, or a withheld sum rebuilt from its published parts), so the group's smallest
published row above 0 is withheld too, over every group until none changes. Because the sum is in
its own group, a sum withheld as a small cell protects its parts and is protected by them, across
levels: the county map, the prefecture map, a region's slide and an export of the same period
withhold the same cells. Rows with a denominator of 0 are no data and protect nobody.

``suppressed`` is the flag every screen and export shows a cell by: withheld when true. The counts
are returned as they are, for the caller to blank (``etl.disclosure.suppress``) or draw as
withheld; ``small_cell`` keeps the store's own flag (the denominator under the threshold).

Scope: the groups are those inside the reader's scope (for a province: its prefectures and the
province; regions and the nation only for readers who see them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from etl.disclosure import SUPPRESSED, Margins, complementary
from etl.indicators import withheld
from etl.marts.common import read_region_members, read_units, small_cell_threshold
from etl.marts.coverage import read_coverage
from etl.scope import Scope
from etl.store.schema import OTHER_REGION

PUBLISHED_LEVELS = ("county", "prefecture", "province", "region", "nation")
PUBLISHED_COLUMNS = (
    "period", "level", "unit_code", "side", "indicator", "numerator", "denominator",
    "small_cell", SUPPRESSED,
)  # fmt: skip
NATION_CODE = "nation"
"""``unit_code`` of the nation's row."""
_BY = ["period", "side", "indicator"]
_COUNTS = ["numerator", "denominator"]


def read_published_coverage(
    engine: sa.Engine | sa.Connection,
    indicator: str | None = None,
    *,
    scope: Scope,
    side: str | None = None,
    period: str | None = None,
) -> pd.DataFrame:
    """Coverage of the scope's counties and of every sum above them, in ``PUBLISHED_COLUMNS``,
    for one indicator (None: all) and period (None: all); see the module docstring."""
    counties = read_coverage(engine, period, indicator, "county", scope=scope, side=side)
    return published_coverage(
        counties,
        read_units(engine, scope=scope),
        read_region_members(engine, scope=scope),
        small_cell_threshold(engine, scope=scope),
        scope,
    )


def published_coverage(
    counties: pd.DataFrame,
    units: pd.DataFrame,
    members: pd.DataFrame,
    threshold: int,
    scope: Scope,
) -> pd.DataFrame:
    """``counties`` (county rows of ``etl.marts.read_coverage``) with their sums and the
    ``suppressed`` flag; ``units`` and ``members``: ``read_units`` and ``read_region_members`` of
    the same scope. Pure: the export streams a period at a time through it."""
    parents = units.set_index("county_code")[["prefecture_code", "province_code"]]
    county = counties[[*_BY, "unit_code", *_COUNTS]].join(parents, on="unit_code")
    county["level"], county["g_prefecture"] = "county", county["prefecture_code"]
    prefecture = _summed(county, "prefecture_code", ["province_code"], "prefecture")
    prefecture["g_prefecture"] = prefecture["unit_code"]
    prefecture["g_province"] = prefecture["province_code"]
    province = _summed(prefecture, "province_code", [], "province")
    province["g_province"] = province["unit_code"]
    frames = [county, prefecture, province]
    if scope.level in ("nation", "region"):
        regions = _regions(province, members, scope)
        for code in sorted(set(regions["unit_code"])):
            key = f"g_region:{code}"
            inside = province["unit_code"].isin(_members_of(code, members, province))
            province[key] = pd.Series(code, index=province.index).where(inside)
            regions[key] = regions["unit_code"].where(regions["unit_code"] == code)
        frames.append(regions)
    if scope.is_nation:
        nation = province.groupby(_BY, as_index=False)[_COUNTS].sum()
        nation["level"] = "nation"
        nation["unit_code"] = nation["g_nation"] = province["g_nation"] = NATION_CODE
        frames.append(nation)
    table = pd.concat(frames, ignore_index=True)
    table["small_cell"] = table["denominator"] < threshold
    small = withheld(table["denominator"], threshold)
    coded, margins = _coded(table)
    table[SUPPRESSED] = complementary(coded, np.asarray(small, dtype=bool), margins)
    table = table.astype({name: "int64" for name in _COUNTS})
    return table[list(PUBLISHED_COLUMNS)]


def _coded(table: pd.DataFrame) -> tuple[pd.DataFrame, Margins]:
    """``table``'s denominators and groups as whole numbers (finding groups of text keys is
    slow): one column per ``g_`` column, its group within a period, side and indicator (NA: in
    none), with the ``Margins`` over them."""
    by = table.groupby(_BY, sort=False).ngroup().to_numpy("int64")
    codes: dict[str, object] = {"denominator": table["denominator"].to_numpy()}
    for name in (c for c in table.columns if c.startswith("g_")):
        key, values = pd.factorize(table[name])
        codes[name] = np.where(key >= 0, by * (len(values) + 1) + key, np.nan)
    coded = pd.DataFrame(codes)
    return coded, Margins("denominator", tuple((n,) for n in coded.columns[1:]))


def _summed(part: pd.DataFrame, code: str, keep: list[str], level: str) -> pd.DataFrame:
    """``part``'s counts summed per ``code`` (becoming ``unit_code``) as rows of ``level``,
    keeping ``keep``."""
    sums = part.groupby([*_BY, code, *keep], as_index=False)[_COUNTS].sum()
    sums["level"] = level
    return sums.rename(columns={code: "unit_code"})


def _members_of(region: str, members: pd.DataFrame, province: pd.DataFrame) -> set[str]:
    """The province codes summed into ``region``'s row (``OTHER_REGION``: those of no region)."""
    if region == OTHER_REGION:
        return set(province["unit_code"]) - set(members["province_code"])
    return set(members.loc[members["region_code"] == region, "province_code"])


def _regions(province: pd.DataFrame, members: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """One row per region inside the scope (with ``OTHER_REGION`` for the provinces of none, as
    ``read_coverage`` sums them, for the nation) and period, side and indicator."""
    joined = province.merge(
        members.rename(columns={"province_code": "unit_code"}), on="unit_code", how="left"
    )
    if scope.is_nation:
        joined["region_code"] = joined["region_code"].fillna(OTHER_REGION)
    joined = joined.dropna(subset=["region_code"])
    sums = joined.groupby([*_BY, "region_code"], as_index=False)[_COUNTS].sum()
    sums = sums.rename(columns={"region_code": "unit_code"})
    sums["level"] = "region"
    return sums
