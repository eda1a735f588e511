"""Geography lookups for the pages: names, parents, regions and pilots (cached, read-only)."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from geodata.hierarchy import hierarchy_table, province_table
from geodata.regions import RegionConfig, load_regions
from geodata.romanize import unit_names_en


@lru_cache(maxsize=1)
def hierarchy() -> pd.DataFrame:
    """One row per county-level unit (see ``geodata.hierarchy.hierarchy_table``)."""
    return hierarchy_table()


@lru_cache(maxsize=1)
def provinces() -> pd.DataFrame:
    return province_table()


@lru_cache(maxsize=4)
def regions(path: str | None = None) -> RegionConfig:
    """The collaboration regions and pilots (``path``: a region file; None: the packaged one)."""
    h = hierarchy()
    codes = set(h["county_code"]) | set(h["prefecture_code"])
    from pathlib import Path

    return load_regions(Path(path) if path else None, provinces(), codes)


@lru_cache(maxsize=4)
def outside_codes(level: str) -> tuple[str, ...]:
    """Units of ``level`` outside the data's coverage (Taiwan, Hong Kong, Macao, 金门), drawn in grey.

    A unit holding any covered county (金门's prefecture 泉州) is inside."""
    h = hierarchy()
    inside = set(h.loc[h["in_coverage"], f"{level}_code"])
    return tuple(sorted(set(h.loc[~h["in_coverage"], f"{level}_code"]) - inside))


def province_codes() -> list[str]:
    return provinces()["province_code"].tolist()


@lru_cache(maxsize=2)
def unit_names(lang: str = "zh") -> dict[str, str]:
    """adcode -> name for every county, prefecture and province (prefectures sharing a county's
    code, such as 东莞, keep the county name): as published (``zh``, any other ``lang``), or in
    English (``en``: ``geodata.romanize``, provinces by their conventional English names).

    Cached: callers must not mutate the dict."""
    h = hierarchy()
    if lang == "en":
        return unit_names_en(h)
    names = dict(zip(h["province_code"], h["province_name"], strict=True))
    names.update(zip(h["prefecture_code"], h["prefecture_name"], strict=True))
    names.update(zip(h["county_code"], h["county_name"], strict=True))
    return names


def unit_name(code: str, lang: str) -> str:
    """The name of the unit ``code`` in ``lang`` (zh: as published; en: in English); the code
    itself for a code that is no unit."""
    return unit_names(lang).get(code, code)
