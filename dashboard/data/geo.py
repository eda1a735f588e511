"""Geography lookups for the pages: names, parents, regions and pilots (cached, read-only).

The tables are those of ``geodata.areas`` (one cache per process, shared with the area model).
"""

from __future__ import annotations

from functools import lru_cache

from geodata.areas import (
    county_names_with_prefecture,
    hierarchy,
    provinces,
    regions,
    unit_name,
    unit_names,
)

__all__ = [
    "county_names_with_prefecture", "hierarchy", "outside_codes", "province_codes", "provinces",
    "regions", "unit_name", "unit_names",
]  # fmt: skip


@lru_cache(maxsize=4)
def outside_codes(level: str) -> tuple[str, ...]:
    """Units of ``level`` outside the data's coverage (Taiwan, Hong Kong, Macao, 金门), drawn in grey.

    A unit holding any covered county (金门's prefecture 泉州) is inside."""
    h = hierarchy()
    inside = set(h.loc[h["in_coverage"], f"{level}_code"])
    return tuple(sorted(set(h.loc[~h["in_coverage"], f"{level}_code"]) - inside))


def province_codes() -> list[str]:
    return provinces()["province_code"].tolist()
