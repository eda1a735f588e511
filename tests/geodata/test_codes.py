"""GB/T 2260 code history and the census -> Amap polygon crosswalk (expected values: README.md)."""

from __future__ import annotations

import pandas as pd
import pytest

from geodata.code_history import (
    current_codes,
    in_use,
    read_code_history,
    read_mca_codes,
    successor_codes,
)
from geodata.codes import (
    ALIASES,
    CROSSWALK_COLUMNS,
    METHODS,
    REASON_AMBIGUOUS,
    REASON_DAXINGANLING,
    REASON_NO_CODE,
    REASON_UNKNOWN,
    REASON_ZONE,
    UNMATCHED_REASONS,
    alias_table,
    crosswalk,
)
from geodata.errors import CensusDataError
from geodata.hierarchy import hierarchy_table


@pytest.fixture(scope="module")
def polygons() -> list[str]:
    return hierarchy_table()["county_code"].tolist()


def one(code, year, polygons, name="", province=None):
    return crosswalk([code], polygons, year, names=[name], province_codes=[province]).iloc[0]


def test_history_in_use_rows_are_the_2024_list():
    history = read_code_history()
    mca = read_mca_codes(2024)
    assert set(history.loc[history["status"] == "在用", "code"]) == set(mca["code"])
    assert mca["level"].value_counts().to_dict() == {"county": 2846, "prefecture": 333, "province": 34}
    assert not history.duplicated(["code", "start_year"]).any()


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("130108[2001];130111", 2014, ["130111"]),
        ("130404[2014];130402;130403", 2016, ["130402", "130403"]),
        ("132733[1982]", 1983, ["132733"]),
        ("", 2000, []),
    ],
)
def test_successor_codes(text, end, expected):
    assert successor_codes(text, end) == expected


def test_successor_codes_rejects_garbage():
    with pytest.raises(CensusDataError, match="13011x"):
        successor_codes("13011x", 2014)


def test_in_use_reads_the_record_of_the_year():
    status = read_code_history().set_index("code")["status"]
    # 330103 下城区: used in 2010, abolished in 2021 (its record is not 在用); 110101 东城区 is
    assert status["330103"] == "弃用" and not in_use("330103", 2010)
    assert status["110101"] == "在用" and in_use("110101", 2010)
    assert not in_use("999999", 2010)


def test_chains_follow_several_steps():
    # 542232 错那县 (山南地区) -> 540530 (山南市, 2016) -> 540581 错那市 (2023)
    assert current_codes("542232", 2010) == (["540581"], [])
    assert current_codes("130124", 2010) == (["130111"], [])


@pytest.mark.parametrize(
    ("code", "target"),
    [("330103", "330105"), ("350681", "350604"), ("410322", "410308"), ("520522", "520581")],
)
def test_codes_abolished_after_2020_follow_their_successor(code, target, polygons):
    row = one(code, 2020, polygons)
    assert (row["polygon_code"], row["method"]) == (target, "successor")


def test_amap_keeps_old_code_of_the_nine_counties(polygons):
    # the census's own 2020 code is Amap's code
    row = one("431121", 2020, polygons)
    assert (row["polygon_code"], row["method"]) == ("431121", "exact")
    # a current MCA code maps back to the code Amap keeps
    row = one("431181", 2024, polygons)
    assert (row["polygon_code"], row["method"]) == ("431121", "alias")
    # and via a chain from a 2010 code: 542623 米林县 -> 540422 -> 540481 -> Amap 540422
    assert one("542623", 2010, polygons)["polygon_code"] == "540422"


def test_sansha_mca_codes_map_to_amap_numbering(polygons):
    assert one("460302", 2024, polygons)["polygon_code"] == "460301"  # MCA 西沙区
    assert one("460303", 2024, polygons)["polygon_code"] == "460302"  # MCA 南沙区


def test_development_zone_reported_with_reason(polygons):
    row = one("320571", 2020, polygons, "苏州工业园区")
    assert pd.isna(row["polygon_code"]) and row["method"] == "unmatched"
    assert row["reason"] == REASON_ZONE
    typo = one("170971", 2020, polygons, "五台山风景名胜区", "140000")
    assert typo["reason"] == REASON_ZONE and "typo" in typo["detail"]


def test_daxinganling_nbs_codes(polygons):
    assert one("232761", 2020, polygons)["polygon_code"] == "232718"
    for code in ("232762", "232763", "232764"):
        row = one(code, 2020, polygons)
        assert pd.isna(row["polygon_code"]) and row["reason"] == REASON_DAXINGANLING


def test_rows_without_code(polygons):
    assert one(None, 2020, polygons, "西沙群岛", "460000")["polygon_code"] == "460301"
    assert one("", 2010, polygons, "平桂管理区", "450000")["polygon_code"] == "451103"
    row = one(None, 2020, polygons, "镇江新区", "320000")
    assert pd.isna(row["polygon_code"]) and row["reason"] == REASON_NO_CODE


def test_splits_main_successor_or_ambiguous(polygons):
    row = one("330104", 2020, polygons)  # 江干区 -> 上城区 (+ 钱塘区)
    assert (row["polygon_code"], row["method"]) == ("330102", "split_main_successor")
    row = one("130421", 2010, polygons)  # 邯郸县 -> 邯山区 + 丛台区
    assert pd.isna(row["polygon_code"]) and row["reason"] == REASON_AMBIGUOUS
    row = one("460200", 2010, polygons)  # 三亚市 had no districts in 2010
    assert row["reason"] == REASON_AMBIGUOUS and "460202" in row["detail"]


def test_unknown_code(polygons):
    assert one("999999", 2020, polygons)["reason"] == REASON_UNKNOWN


def test_crosswalk_shape_and_vocabulary(polygons):
    codes = ["110101", None, "320571", "330103"]
    table = crosswalk(codes, polygons, 2020, names=["东城区", "x", "y", "下城区"])
    assert list(table.columns) == CROSSWALK_COLUMNS
    assert table["census_code"].fillna("").tolist() == ["110101", "", "320571", "330103"]
    assert set(table["method"]) <= set(METHODS)
    assert set(table.loc[table["method"] == "unmatched", "reason"]) <= set(UNMATCHED_REASONS)
    assert (table.loc[table["method"] != "unmatched", "reason"] == "").all()


def test_alias_table_is_consistent(polygons):
    table = alias_table()
    assert len(table) == len(ALIASES)
    assert not table.duplicated(["kind", "province_code", "key"]).any()
    targets = table["polygon_code"].dropna()
    assert set(targets) <= set(polygons)
    unmatched = table[table["polygon_code"].isna()]
    assert set(unmatched["unmatched_reason"]) <= set(UNMATCHED_REASONS)
