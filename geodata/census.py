"""The 2010 and 2020 county-level census tables, put onto the Amap county polygons.

Terms (all counts are persons, on census day: 1 Nov 2010 / 1 Nov 2020, 00:00)
-----------------------------------------------------------------------------
``pop_total``, ``pop_male``, ``pop_female``
    Resident population (常住人口) of the 31 mainland provinces.
``n_hukou_same_county``
    Residents whose household registration (户口) is in another township of the same county (2020:
    本县; 2010: 本县（市）/本市市区, which also counts other districts of the same city).
``n_hukou_other_county_same_prov``
    Residents registered in another county of the same province (本省其他县).
``n_hukou_other_province``
    Residents registered in another province (省外 / 外省) = inter-provincial migrants.

Census *units* are the table's rows. A row's ``level`` is ``national``, ``province``,
``prefecture``, ``subtotal`` (市辖区 / 县 / 省直辖县级行政区划 rows that add up a group) or
``county`` (a county-level unit: county, district, county-level city, NBS zone). The rules:

2020 (``county_2020_extract.csv``): the blank-code row 全国 is national; ``xx0000`` rows are
provinces; ``xxxx00`` rows are prefectures (or the municipalities' coded 市辖区 / 县 subtotals,
110100, 120100, 310100, 500100, 500200, which are kept at the prefecture level),
except 441900 东莞, 442000 中山, 460400 儋州, 620200 嘉峪关, prefecture-level cities without counties,
which are county-level; blank-code rows named 省直辖县级行政区划 / 自治区直辖县级行政区划 are subtotals;
every other row (a code not ending in 00, or a blank code: 西沙群岛, 南沙群岛, 中沙群岛 and 39 NBS
zones) is county-level.

2010 (``county_2010_extract.csv``): the name (``name_raw``) is indented by two spaces on county
rows. Unindented rows: ``xx0000`` province, ``xxxx00`` prefecture, blank code with the names 市辖区,
县, 省直辖县级行政区划, 自治区直辖县级行政区划 = subtotal. Indented rows are county-level; those with
a blank code are NBS zones (大兴安岭's 加格达奇, 松岭区, 新林区, 呼中区; 平桂管理区; 青海's 芒崖, 柴旦,
冷湖 行委; the South China Sea islands) or the single 市辖区 row of a prefecture-level city without
counties (441900 东莞, 442000 中山, 460200 三亚, 620200 嘉峪关), which gets its city's code. The 30
blank separator rows and a footer line without numbers are skipped (checked: they hold no
numbers). There is no national row in 2010: national totals are the sum of the 31 province rows.
Blank count cells (2010: 32, the 南沙群岛 and 中沙群岛 rows and 本县 in 18 Tibetan counties and 4
rows without code; 2020: 3) are read as 0 where the province's county rows, blanks as 0, add up to the province row, and as
unknown (<NA>) otherwise: the one such cell is 2020 350821 长汀县 本省其他县, which 福建's and 龙岩's
rows put at 9,691 (``blank_cells``). Values are never edited or filled in.

County rows are mapped to polygons with ``geodata.codes.crosswalk``; the units it cannot map are
reported with a reason (``unmatched``, ``geodata.census_report``), never dropped:
counts on polygons + unmatched counts + unknown blank cells = census totals, to the person.

Age x sex: ``data/derived/census_age_sex_{year}.csv`` (made by
``scripts/derive_census_age_sex.py`` from the xlsx, values unchanged) has 19 age bands by sex for
every row of both years: 0, 1-4, 5-9, ..., 80-84 and 85+ (written as 85..100).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from geodata.codes import crosswalk
from geodata.errors import CensusDataError
from geodata.hierarchy import hierarchy_table

REPO_ROOT = Path(__file__).resolve().parent.parent
CENSUS_DIR = REPO_ROOT / "data" / "reference" / "census-county-2010-2020"
DERIVED_DIR = REPO_ROOT / "data" / "derived"
CENSUS_YEARS = (2010, 2020)
COUNT_COLUMNS = [
    "pop_total",
    "pop_male",
    "pop_female",
    "n_hukou_same_county",
    "n_hukou_other_county_same_prov",
    "n_hukou_other_province",
]
REPORT_COLUMNS = [
    "pop_total",
    "n_hukou_same_county",
    "n_hukou_other_county_same_prov",
    "n_hukou_other_province",
]
CITIES_WITHOUT_COUNTIES_2020 = ("441900", "442000", "460400", "620200")
SUBTOTAL_NAMES = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
AGE_SEX_COLUMNS = ["county_code", "sex", "age_lo", "age_hi", "persons"]
_RENAME = {
    "hukou_elsewhere_same_county": "n_hukou_same_county",
    "hukou_elsewhere_same_county_or_city_district": "n_hukou_same_county",
    "hukou_elsewhere_other_county_same_prov": "n_hukou_other_county_same_prov",
    "hukou_elsewhere_other_province": "n_hukou_other_province",
}
CENSUS_COLUMNS = ["source_row", "level", "census_code", "adcode", "name", "province_code", *COUNT_COLUMNS]


def read_census(year: int) -> pd.DataFrame:
    """Every data row of the ``year`` census table (2010 or 2020), classified.

    Columns: ``source_row`` (xlsx row number), ``level`` (national / province / prefecture /
    subtotal / county), ``census_code`` (the unit's code; None for units without one), ``adcode``
    (the code as printed; differs from census_code only on 2010's 市辖区 rows of cities without
    counties), ``name``, ``province_code``, and the counts ``COUNT_COLUMNS`` (Int64, persons; <NA>
    where the table is blank). In table order.
    """
    return _read_census(_check_year(year)).copy()


def _check_year(year: int) -> int:
    if year not in CENSUS_YEARS:
        raise ValueError(f"no census table for {year}; available: {CENSUS_YEARS}")
    return year


@lru_cache(maxsize=2)
def _read_census(year: int) -> pd.DataFrame:
    path = CENSUS_DIR / f"county_{year}_extract.csv"
    try:
        raw = pd.read_csv(path, dtype={"adcode": str}, keep_default_na=False, na_values=[""])
    except OSError as exc:
        raise CensusDataError(f"cannot read census table {path}: {exc}") from exc
    raw = raw.rename(columns=_RENAME)
    missing = sorted({"source_row", "adcode", "pop_total", "pop_male", "pop_female", *_RENAME.values()} - set(raw.columns))
    if missing:
        raise CensusDataError(f"{path} lacks columns {missing}; see its PROVENANCE.md for the expected columns")
    for column in COUNT_COLUMNS:
        raw[column] = pd.to_numeric(raw[column], errors="raise").astype("Int64")
    table = _classify_2020(raw) if year == 2020 else _classify_2010(raw, path)
    return table[CENSUS_COLUMNS].reset_index(drop=True)


def _classify_2020(raw: pd.DataFrame) -> pd.DataFrame:
    code = raw["adcode"]
    blank = code.isna()
    province_row = ~blank & code.str.endswith("0000")
    city_county = code.isin(CITIES_WITHOUT_COUNTIES_2020)
    prefecture_row = ~blank & code.str.endswith("00") & ~province_row & ~city_county
    level = pd.Series("county", index=raw.index)
    level[blank & (raw["province"] == "全国")] = "national"
    level[blank & raw["county"].isin(SUBTOTAL_NAMES)] = "subtotal"
    level[province_row] = "province"
    level[prefecture_row] = "prefecture"
    province_codes = dict(zip(raw.loc[province_row, "province"], code[province_row], strict=True))
    out = raw.assign(
        level=level,
        census_code=code.where(~blank, None),
        name=raw["county"],
        province_code=raw["province"].map(province_codes),
    )
    out.loc[out["level"] == "national", "province_code"] = None
    return out


def _classify_2010(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    name_raw = raw["name_raw"].fillna("")
    indent = name_raw.str.len() - name_raw.str.lstrip().str.len()
    has_numbers = raw[COUNT_COLUMNS].notna().any(axis=1)
    rows, province, parent = [], None, None
    for i, row in raw.iterrows():
        name, code = name_raw[i].strip(), row["adcode"]
        code = None if pd.isna(code) else code
        level, census_code = _level_2010(name, code, indent[i], has_numbers[i], path, row["source_row"])
        if level is None:
            continue
        if level == "province":
            province = code
        if indent[i] == 0:
            parent = (level, code, name)
        elif code is None and name == "市辖区":
            if parent is None or parent[0] != "prefecture":
                raise CensusDataError(f"{path} row {row['source_row']}: 市辖区 row not under a prefecture")
            census_code, name = parent[1], parent[2]
        rows.append({**row.to_dict(), "level": level, "census_code": census_code, "name": name,
                     "province_code": province})
    return pd.DataFrame(rows).astype({c: "Int64" for c in COUNT_COLUMNS})


def _level_2010(name, code, indent, has_numbers, path, source_row) -> tuple[str | None, str | None]:
    """(level, census_code) of one 2010 row; (None, None) for a skipped row without numbers."""
    if indent > 0:
        return "county", code
    if code is not None and code.endswith("0000"):
        return "province", code
    if code is not None and code.endswith("00"):
        return "prefecture", code
    if code is None and name in SUBTOTAL_NAMES:
        return "subtotal", None
    if code is None and not has_numbers:
        return None, None
    raise CensusDataError(
        f"{path} row {source_row}: cannot tell the level of {name!r} (code {code}); "
        "see the 2010 rules in geodata/census.py"
    )


def census_units(year: int) -> pd.DataFrame:
    """The county-level rows of the ``year`` census with their polygon (the crosswalk).

    Columns: ``source_row``, ``census_code``, ``census_name``, ``province_code``, ``polygon_code``
    (None when unmatched), ``method``, ``reason``, ``detail`` (see ``geodata.codes.crosswalk``),
    then ``COUNT_COLUMNS``.
    """
    return _census_units(_check_year(year)).copy()


@lru_cache(maxsize=2)
def _census_units(year: int) -> pd.DataFrame:
    rows = _read_census(year)
    rows = _resolve_blanks(rows[rows["level"] == "county"].reset_index(drop=True), blank_cells(year))
    walk = crosswalk(
        rows["census_code"], _polygons()["county_code"], year,
        names=rows["name"].tolist(), province_codes=rows["province_code"].tolist(),
    )
    return pd.concat([rows[["source_row"]], walk, rows[COUNT_COLUMNS]], axis=1)


def blank_cells(year: int) -> pd.DataFrame:
    """Blank count cells of county-level rows and how they are read.

    A blank is read as 0 when the county rows of its province, blanks as 0, add up to the province
    row in that column; otherwise it is unknown (<NA>) and ``implied_value`` is the province row
    minus the county rows (when it is the province's only blank in that column). Columns:
    ``source_row``, ``census_code``, ``name``, ``province_code``, ``column``, ``read_as``
    ("0" or "unknown"), ``implied_value`` (Int64). Example: 2020 350821 长汀县 本省其他县 is blank,
    and 福建's row implies 9,691.
    """
    return _blank_cells(_check_year(year)).copy()


@lru_cache(maxsize=2)
def _blank_cells(year: int) -> pd.DataFrame:
    rows = _read_census(year)
    counties = rows[rows["level"] == "county"]
    provinces = rows[rows["level"] == "province"].set_index("province_code")[COUNT_COLUMNS]
    gaps = provinces - counties.groupby("province_code")[COUNT_COLUMNS].sum().reindex(provinces.index)
    cells = counties.melt(
        id_vars=["source_row", "census_code", "name", "province_code"], value_vars=COUNT_COLUMNS,
        var_name="column",
    )
    cells = cells[cells["value"].isna()].drop(columns="value").reset_index(drop=True)
    gap = [int(gaps.at[p, c]) for p, c in zip(cells["province_code"], cells["column"], strict=True)]
    n_blank = cells.groupby(["province_code", "column"])["source_row"].transform("size")
    cells["read_as"] = ["0" if g == 0 else "unknown" for g in gap]
    cells["implied_value"] = pd.array(
        [g if g != 0 and n == 1 else None for g, n in zip(gap, n_blank, strict=True)], dtype="Int64"
    )
    return cells


def _resolve_blanks(counties: pd.DataFrame, blanks: pd.DataFrame) -> pd.DataFrame:
    """Counts with blanks read as 0, except the cells ``blank_cells`` marks unknown (<NA>)."""
    out = counties.copy()
    out[COUNT_COLUMNS] = out[COUNT_COLUMNS].fillna(0)
    unknown = blanks[blanks["read_as"] == "unknown"]
    for source_row, column in zip(unknown["source_row"], unknown["column"], strict=True):
        out.loc[out["source_row"] == source_row, column] = pd.NA
    return out


@lru_cache(maxsize=1)
def _polygons() -> pd.DataFrame:
    return hierarchy_table()


def unmatched(year: int) -> pd.DataFrame:
    """Census county-level units that land on no polygon, with ``reason`` and ``detail``.

    Same columns as ``census_units``.
    """
    units = _census_units(_check_year(year))
    return units[units["polygon_code"].isna()].reset_index(drop=True)


def county_census(year: int) -> pd.DataFrame:
    """One row per Amap county-level polygon with the census counts that land on it.

    Columns: ``county_code``, ``county_name``, ``province_code``, ``in_coverage``,
    ``n_census_units`` (census rows summed, 0 if none), then ``COUNT_COLUMNS`` (Int64, persons):
    the sum over census units crosswalked to the polygon; <NA> where no unit lands (Taiwan, Hong
    Kong, Macao, and polygons whose units are unmatched: see ``geodata.census_report``). Sorted by
    code.
    """
    return _county_census(_check_year(year)).copy()


@lru_cache(maxsize=2)
def _county_census(year: int) -> pd.DataFrame:
    units = _census_units(year)
    matched = units[units["polygon_code"].notna()]
    by_polygon = matched.groupby("polygon_code")[COUNT_COLUMNS]
    unknown = matched[COUNT_COLUMNS].isna().groupby(matched["polygon_code"]).any()
    sums = by_polygon.sum().mask(unknown)
    sums["n_census_units"] = matched.groupby("polygon_code").size()
    polygons = _polygons()[["county_code", "county_name", "province_code", "in_coverage"]]
    out = polygons.merge(sums, left_on="county_code", right_index=True, how="left", validate="one_to_one")
    out["n_census_units"] = out["n_census_units"].fillna(0).astype("int64")
    out[COUNT_COLUMNS] = out[COUNT_COLUMNS].astype("Int64")
    return out[["county_code", "county_name", "province_code", "in_coverage", "n_census_units", *COUNT_COLUMNS]]


def census_totals(year: int) -> pd.DataFrame:
    """Census totals by province from the province rows, plus a national row (``province_code`` None).

    Columns: ``province_code``, ``province_name``, ``REPORT_COLUMNS``. 2020's national row is the
    table's 全国 row; 2010 has none, so its national row is the sum of the province rows.
    """
    rows = _read_census(_check_year(year))
    provinces = rows[rows["level"] == "province"]
    national = rows[rows["level"] == "national"]
    if national.empty:
        national = pd.DataFrame([{"name": "全国", **provinces[REPORT_COLUMNS].sum().to_dict()}])
    out = pd.concat([provinces, national.assign(province_code=None)], ignore_index=True)
    return out.rename(columns={"name": "province_name"})[["province_code", "province_name", *REPORT_COLUMNS]]


def read_age_sex(year: int) -> pd.DataFrame:
    """The derived long age x sex table of the ``year`` census (every row of the xlsx).

    Columns: ``source_row``, ``adcode``, ``sex`` (1 male, 2 female), ``age_lo``, ``age_hi``
    (inclusive, completed years; 85+ is 85..100), ``persons`` (Int64; <NA> where the xlsx is blank).
    """
    return _read_age_sex(_check_year(year)).copy()


@lru_cache(maxsize=2)
def _read_age_sex(year: int) -> pd.DataFrame:
    path = DERIVED_DIR / f"census_age_sex_{year}.csv"
    try:
        table = pd.read_csv(path, dtype={"adcode": str, "persons": "Int64"})
    except OSError as exc:
        raise CensusDataError(
            f"cannot read {path}: {exc}; run `python scripts/derive_census_age_sex.py`"
        ) from exc
    return table


def age_sex_structure(year: int) -> pd.DataFrame:
    """Resident population by polygon, sex and age band (persons), from the census age x sex bands.

    Columns: ``county_code`` (polygon code via the crosswalk), ``sex`` (1 male, 2 female),
    ``age_lo``, ``age_hi`` (inclusive; 85+ as 85..100), ``persons`` (Int64). Only units that land
    on a polygon; blank cells count as 0. Sorted by county_code, sex, age_lo.
    """
    units = _census_units(_check_year(year))
    bands = _read_age_sex(year).merge(
        units.loc[units["polygon_code"].notna(), ["source_row", "polygon_code"]],
        on="source_row", how="inner", validate="many_to_one",
    )
    out = (
        bands.groupby(["polygon_code", "sex", "age_lo", "age_hi"], as_index=False)["persons"]
        .sum(min_count=0)
        .rename(columns={"polygon_code": "county_code"})
    )
    out["persons"] = out["persons"].astype("Int64")
    return out[AGE_SEX_COLUMNS].sort_values(["county_code", "sex", "age_lo"], ignore_index=True)


def age_sex_check(year: int) -> dict[str, Any]:
    """County rows whose age x sex bands do not add up to ``pop_total`` (JSON-serialisable).

    Keys: ``n_county_rows``, ``n_not_adding_up``, ``rows`` (census_code, name, pop_total,
    age_sex_sum, difference = age_sex_sum - pop_total).
    """
    units = _census_units(_check_year(year))
    sums = _read_age_sex(year).groupby("source_row")["persons"].sum(min_count=0)
    frame = units.assign(age_sex_sum=units["source_row"].map(sums).fillna(0).astype("int64"))
    frame["difference"] = frame["age_sex_sum"] - frame["pop_total"].fillna(0)
    off = frame[frame["difference"] != 0]
    return {
        "n_county_rows": int(len(frame)),
        "n_not_adding_up": int(len(off)),
        "rows": [
            {"census_code": r.census_code, "name": r.census_name, "pop_total": int(r.pop_total),
             "age_sex_sum": int(r.age_sex_sum), "difference": int(r.difference)}
            for r in off.itertuples(index=False)
        ],
    }
