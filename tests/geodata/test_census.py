"""Census tables on polygons: published figures, row rules, exact balances, age x sex.

Where each expected number comes from: tests/geodata/README.md.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geodata.census import (
    AGE_SEX_COLUMNS,
    COUNT_COLUMNS,
    REPORT_COLUMNS,
    age_sex_check,
    age_sex_structure,
    census_totals,
    census_units,
    county_census,
    read_census,
    unmatched,
)
from geodata.census_report import census_report, geodata_report
from geodata.codes import REASON_ZONE


@pytest.fixture(scope="module", params=[2010, 2020])
def year(request) -> int:
    return request.param


def totals(year: int) -> pd.DataFrame:
    return census_totals(year).set_index(census_totals(year)["province_code"].fillna("national"))


def test_published_2020_figures():
    t = totals(2020)
    assert t.at["national", "n_hukou_other_province"] == 124_837_153
    assert t.at["440000", "n_hukou_other_province"] == 29_622_110
    assert t.at["110000", "n_hukou_other_province"] == 8_418_418
    hukou = ["n_hukou_same_county", "n_hukou_other_county_same_prov", "n_hukou_other_province"]
    assert t.loc["national", hukou].sum() == 492_762_506
    assert t.at["national", "pop_total"] == 1_409_778_724


def test_published_2010_figures():
    t = totals(2010)
    assert t.at["national", "n_hukou_other_province"] == 85_876_337
    assert t.at["national", "pop_total"] == 1_332_810_869
    assert t.at["110000", "n_hukou_other_province"] == 7_044_533


def test_province_rows_sum_to_national():
    rows = read_census(2020)
    national = rows[rows["level"] == "national"][COUNT_COLUMNS].iloc[0]
    provinces = rows[rows["level"] == "province"]
    assert len(provinces) == 31
    assert (provinces[COUNT_COLUMNS].sum() == national).all()
    assert census_report(2010)["checks"]["provinces_sum_to_national"]


def test_row_levels():
    rows_2020 = read_census(2020)
    assert rows_2020["level"].value_counts().to_dict() == {
        "county": 2989, "prefecture": 334, "province": 31, "subtotal": 3, "national": 1,
    }
    county_codes = rows_2020.loc[rows_2020["level"] == "county", "census_code"]
    assert {"441900", "442000", "460400", "620200"} <= set(county_codes)
    rows_2010 = read_census(2010)
    assert rows_2010["level"].value_counts().to_dict() == {
        "county": 2872, "prefecture": 333, "province": 31, "subtotal": 12,
    }
    # 2010: the 市辖区 row of a prefecture-level city without counties carries the city's code
    city_rows = rows_2010[(rows_2010["level"] == "county") & rows_2010["adcode"].isna() & rows_2010["census_code"].notna()]
    assert sorted(city_rows["census_code"]) == ["441900", "442000", "460200", "620200"]


def test_no_census_unit_silently_missing(year):
    rows = read_census(year)
    counties = rows[rows["level"] == "county"]
    units = census_units(year)
    assert units["source_row"].tolist() == counties["source_row"].tolist()
    matched = set(units.loc[units["polygon_code"].notna(), "census_code"].dropna())
    lost = unmatched(year)
    assert set(counties["census_code"].dropna()) == matched | set(lost["census_code"].dropna())
    assert (lost["reason"] != "").all()
    assert units["polygon_code"].dropna().isin(county_census(year)["county_code"]).all()


def test_unmatched_2020_by_reason():
    report = census_report(2020)["unmatched"]
    assert report[REASON_ZONE]["n_units"] == 95
    assert {u["census_code"] for u in report[REASON_ZONE]["units"]} >= {"320571", "170971"}


def test_polygons_plus_unmatched_equal_census_totals(year):
    report = census_report(year)
    on_polygons = county_census(year)[REPORT_COLUMNS].sum()
    for entry in [report["national"], *report["provinces"]]:
        for column in REPORT_COLUMNS:
            parts = entry["on_polygons"][column] + entry["unmatched"][column] + entry["in_unknown_cells"][column]
            assert parts == entry["census"][column], (entry["province_code"], column)
    assert (on_polygons == pd.Series(report["national"]["on_polygons"])).all()
    unknown = {
        (e["province_code"], c): v for e in report["provinces"] for c, v in e["in_unknown_cells"].items() if v
    }
    # the one blank county cell that is not a zero: 2020 长汀县 本省其他县, implied 9,691 by 福建's row
    assert unknown == ({} if year == 2010 else {("350000", "n_hukou_other_county_same_prov"): 9691})


def test_guangdong_2020_lands_on_polygons():
    guangdong = next(p for p in census_report(2020)["provinces"] if p["province_code"] == "440000")
    assert guangdong["share_on_polygons"]["pop_total"] == 1.0
    assert guangdong["on_polygons"]["n_hukou_other_province"] == 29_622_110


def test_county_census_one_row_per_polygon(year):
    table = county_census(year)
    assert len(table) == 2875 and table["county_code"].is_unique
    outside = table[~table["in_coverage"]]
    # Taiwan 1 + Hong Kong 18 + Macao 8 + 金门县 (administered from Taiwan, not enumerated) = 28
    assert len(outside) == 28 and outside[COUNT_COLUMNS].isna().all().all()
    empty = table[table["n_census_units"] == 0]
    assert empty[COUNT_COLUMNS].isna().all().all()
    assert table.at[table.index[table["county_code"] == "441900"][0], "pop_total"] > 0


def test_unknown_blank_cell_stays_unknown():
    table = county_census(2020).set_index("county_code")
    assert pd.isna(table.at["350821", "n_hukou_other_county_same_prov"])
    assert table.at["350821", "pop_total"] == 397_470


def test_age_sex_adds_up_2020():
    check = age_sex_check(2020)
    assert check["n_county_rows"] == 2989 and check["n_not_adding_up"] == 0


def test_age_sex_2010_two_rows_do_not_add_up():
    check = age_sex_check(2010)
    assert {(r["census_code"], r["difference"]) for r in check["rows"]} == {("211422", 30_000), ("430407", -6)}


def test_age_sex_structure_matches_polygon_population():
    bands = age_sex_structure(2020)
    assert list(bands.columns) == AGE_SEX_COLUMNS
    assert set(bands["sex"]) == {1, 2} and bands["age_hi"].max() == 100
    assert (bands.groupby(["county_code", "sex"]).size() == 19).all()
    per_polygon = bands.groupby("county_code")["persons"].sum()
    population = county_census(2020).dropna(subset=["pop_total"]).set_index("county_code")["pop_total"]
    assert per_polygon.index.equals(population.index)
    assert (per_polygon == population).all()


def test_reports_are_json():
    report = geodata_report()
    assert report["n_county_polygons"] == 2875
    assert set(report["census"]) == {"2010", "2020"}
    json.dumps(report, ensure_ascii=False)
