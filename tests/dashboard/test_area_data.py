"""The drill-down reads (dashboard.data.area) over a real store, against numbers derived by hand and
an independent pandas computation from the raw records.

The store holds the ETL's tiny fixture (``tests/etl/helpers.TINY``, derived by hand in
``tests/etl/README.md``) in 2010-01 plus 2,000 random records in 2010-02 and 2010-03, loaded with a
small-cell threshold of 3. In 2010-01 浦东 (310115) receives 4 from 320211, 3 from 410102, 1 from
360102 and 1 from 310104 (inflow 9), sends 1 to 310104 (outflow 1) and has 1 intra-county mover.
"""

from __future__ import annotations

from fractions import Fraction
from math import ceil

import pandas as pd
import pytest

from dashboard.data import area as A
from dashboard.factory import create_app
from etl import store
from etl.pipeline import ingest
from etl.records import INDICATORS
from tests.etl.helpers import TINY, random_records, write_csv
from tests.support import layer_cache

KEY = "test-key-0123456789abcdef"
THRESHOLD = 3
COUNTIES = [
    "310115", "310104", "310112",  # 上海: 浦东, 徐汇, 闵行
    "320211", "320213", "320281",  # 无锡: 滨湖, 梁溪, 江阴
    "330402", "330411",  # 嘉兴: 南湖, 秀洲
    "360102", "360111",  # 南昌 (江西: two regions)
    "340102", "410102", "440106",  # 合肥, 郑州 (no region), 广州
]  # fmt: skip
PERIODS = ["2010-01", "2010-02", "2010-03"]


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    rows = TINY + random_records(2000, COUNTIES, PERIODS[1:], seed=11)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def engine(records, tmp_path_factory):
    root = tmp_path_factory.mktemp("area-store")
    url = f"sqlite:///{root / 'store.sqlite'}"
    csv = write_csv(root / "records.csv", records.to_dict("records"))
    ingest([csv], url, root / "data", KEY, small_cell=THRESHOLD, workers=0)
    app = create_app(layer_cache(), url)
    with app.server.test_request_context("/area/310115"):
        yield store.open_store(url)


# --- an independent computation from the records --------------------------------------------------


def with_cohorts(records: pd.DataFrame) -> pd.DataFrame:
    """Age in completed years on the period's first day, and each denominator's membership."""
    r = records.copy()
    birth = pd.to_datetime(r["birth_date"])
    first = pd.to_datetime(r["period"] + "-01")
    had_birthday = (first.dt.month > birth.dt.month) | (
        (first.dt.month == birth.dt.month) & (first.dt.day >= birth.dt.day)
    )
    r["age"] = first.dt.year - birth.dt.year - (~had_birthday).astype(int)
    married = r["marital_status"].astype(int).isin([20, 21, 22, 23])
    women = (r["sex"].astype(int) == 2) & r["age"].between(15, 49)
    r["women_15_49"] = women
    r["married_women_15_49"] = women & married
    r["married_15_49"] = r["age"].between(15, 49) & married
    r["adults_18p"] = r["age"] >= 18
    for i in INDICATORS:
        r[i.flag] = r[i.flag].astype(int) == 1
    return r


def expected_coverage(records: pd.DataFrame, counties: set[str], period: str) -> pd.DataFrame:
    """numerator, denominator and gap of every indicator for the counties, from the records."""
    r = with_cohorts(records[records["period"] == period])
    rows = []
    for i in INDICATORS:
        key = "hukou_code" if i.side == "outflow" else "residence_code"
        part = r[r[key].isin(counties) & r[i.denominator]]
        num, den = int(part[i.flag].sum()), len(part)
        gap = max(0, ceil(Fraction(den) * Fraction(str(i.target)) - num))
        rows.append((i.flag, num, den, gap))
    return pd.DataFrame(rows, columns=["indicator", "numerator", "denominator", "gap"])


def expected_flows(records: pd.DataFrame, counties: set[str], period: str) -> tuple[int, int, int]:
    """(inflow, outflow, within) persons of a set of counties in a period, from the records."""
    r = records[records["period"] == period]
    home, live = r["hukou_code"].isin(counties), r["residence_code"].isin(counties)
    return int((live & ~home).sum()), int((home & ~live).sum()), int((home & live).sum())


# --- geography -------------------------------------------------------------------------------------


def test_areas_are_found_at_their_level():
    cases = {
        "310115": ("county", "浦东新区", True),
        "320200": ("prefecture", "无锡市", True),
        "330400": ("prefecture", "嘉兴市", True),
        "320000": ("province", "江苏省", False),
        "500000": ("province", "重庆市", False),  # also a prefecture code: read as the province
        "441900": ("county", "东莞市", False),  # also a prefecture code: read as the county
        "pan_yangtze": ("region", "泛长三角", False),
    }
    for code, (level, name, pilot) in cases.items():
        area = A.find_area(code)
        assert area is not None, code
        assert (area.level, area.name_zh, area.is_pilot) == (level, name, pilot)
    assert A.find_area("320200").county_codes == (
        "320205", "320206", "320211", "320213", "320214", "320281", "320282",
    )  # fmt: skip
    for unknown in ("999999", "31011", "abc", "", None, "../310115"):
        assert A.find_area(unknown) is None


def test_breadcrumb_of_pudong_leaves_out_the_municipality_as_prefecture():
    steps = A.breadcrumb(A.find_area("310115"))
    assert [[c.code for c in step] for step in steps] == [["pan_yangtze"], ["310000"], ["310115"]]
    assert [[c.name_zh for c in step] for step in steps] == [["泛长三角"], ["上海市"], ["浦东新区"]]
    assert steps[0][0].name("en") == "Pan-Yangtze-Delta" and steps[1][0].name("en") == "Shanghai"
    assert steps[2][0].name("en") == "Pudong New Area"
    jiangxi = A.breadcrumb(A.find_area("360102"))
    assert [s[0].name("en") for s in jiangxi[1:]] == ["Jiangxi", "Nanchang City", "Donghu District"]


def test_breadcrumb_of_a_jiangxi_county_lists_both_regions():
    steps = A.breadcrumb(A.find_area("360102"))
    assert [[c.code for c in step] for step in steps] == [
        ["pan_yangtze", "pan_pearl"], ["360000"], ["360100"], ["360102"],
    ]  # fmt: skip
    assert [c.level for step in steps for c in step] == [
        "region", "region", "province", "prefecture", "county",
    ]  # fmt: skip


def test_breadcrumbs_of_wuxi_a_region_and_a_province_outside_every_region():
    codes = lambda code: [[c.code for c in s] for s in A.breadcrumb(A.find_area(code))]  # noqa: E731
    assert codes("320200") == [["pan_yangtze"], ["320000"], ["320200"]]
    assert codes("pan_pearl") == [["pan_pearl"]]
    assert codes("410102") == [["410000"], ["410100"], ["410102"]]  # 河南: no region
    assert codes("500101") == [["500000"], ["500101"]]  # 重庆: the prefecture is the province


def test_comparisons_are_the_province_and_every_region():
    codes = lambda code: [a.code for a in A.comparisons(A.find_area(code))]  # noqa: E731
    assert codes("310115") == ["310000", "pan_yangtze"]
    assert codes("360102") == ["360000", "pan_yangtze", "pan_pearl"]
    assert codes("360000") == ["pan_yangtze", "pan_pearl"]
    assert codes("pan_yangtze") == []
    assert [a.code for a in A.pilots()] == ["310115", "320200", "330400"]


def test_map_units():
    pudong, wuxi = A.find_area("310115"), A.find_area("320200")
    assert len(A.sub_units(pudong, "county")) == 16 and "310115" in A.sub_units(pudong, "county")
    assert A.sub_units(wuxi, "county") == wuxi.county_codes
    assert len(A.sub_units(A.find_area("320000"), "prefecture")) == 13
    assert A.sub_units(A.find_area("pan_yangtze"), "province") == (
        "310000", "320000", "330000", "340000", "360000",
    )  # fmt: skip
    assert A.geometry_name(wuxi, "county") == "county_detail/320000"
    assert A.geometry_name(A.find_area("320000"), "prefecture") == "prefecture_national"


def test_search_finds_names_and_codes():
    assert A.search_areas("浦东", "zh")[0]["value"] == "310115"
    assert A.search_areas("320583", "zh")[0]["value"] == "320583"  # 昆山市
    assert A.search_areas("无锡", "zh")[0]["value"] == "320200"
    assert A.search_areas("jiangsu", "en")[0]["value"] == "320000"
    assert A.search_areas("  ", "zh") == []
    assert len(A.search_areas("区", "zh")) == 30  # capped


# --- store reads -----------------------------------------------------------------------------------


def test_pudong_flows_by_hand(engine):
    totals = A.flow_totals(A.find_area("310115")).set_index("period")
    assert totals.loc["2010-01", ["inflow", "outflow", "within"]].tolist() == [9, 1, 1]
    assert totals.loc["2010-01", ["inflow_small", "outflow_small", "within_small"]].tolist() == [
        False, True, True,
    ]  # fmt: skip


@pytest.mark.parametrize("code", ["310115", "320200", "330400", "320000", "pan_yangtze", "360102"])
def test_flow_totals_equal_the_records(engine, records, code):
    area = A.find_area(code)
    totals = A.flow_totals(area).set_index("period")
    for period in PERIODS:
        shown = tuple(int(totals.loc[period, k]) for k in ("inflow", "outflow", "within"))
        assert shown == expected_flows(records, set(area.county_codes), period), period


def test_pudong_inflow_equals_the_store(engine):
    flows = store.read_flows(engine, "2010-02", "all")
    into = flows[(flows["residence_code"] == "310115") & ~flows["is_diagonal"]]
    totals = A.flow_totals(A.find_area("310115")).set_index("period")
    assert totals.loc["2010-02", "inflow"] == into["persons"].sum() > 0


@pytest.mark.parametrize("code", ["310115", "320200", "330400", "360000", "pan_yangtze"])
@pytest.mark.parametrize("period", PERIODS)
def test_coverage_numerators_denominators_and_gaps_equal_the_records(engine, records, code, period):
    area = A.find_area(code)
    shown = A.coverage(area, period)
    expected = expected_coverage(records, set(area.county_codes), period)
    assert shown["indicator"].tolist() == [i.flag for i in INDICATORS]
    columns = ["indicator", "numerator", "denominator", "gap"]
    pd.testing.assert_frame_equal(shown[columns], expected, check_dtype=False)
    assert (shown["small_cell"] == (shown["denominator"] < THRESHOLD)).all()
    rate = shown["numerator"] / shown["denominator"].where(shown["denominator"] > 0)
    pd.testing.assert_series_equal(shown["rate"], rate, check_names=False)


def test_coverage_of_a_prefecture_equals_the_stores_rollup(engine):
    rollup = store.read_coverage(engine, "2010-03", level="prefecture")
    rollup = rollup[rollup["prefecture_code"] == "320200"].set_index("indicator")
    shown = A.coverage(A.find_area("320200"), "2010-03").set_index("indicator")
    for column in ("numerator", "denominator", "small_cell", "at_target"):
        assert shown[column].to_dict() == rollup.loc[shown.index, column].to_dict(), column


def test_trend_has_every_period_and_indicator(engine):
    trend = A.coverage(A.find_area("310115"), None)
    assert len(trend) == len(PERIODS) * len(INDICATORS)
    assert sorted(set(trend["period"])) == PERIODS


def test_gap_is_exact_in_integers():
    sums = pd.DataFrame(
        {
            "period": "2010-01",
            "indicator": [
                "cert_verified",
                "cert_verified",
                "cert_verified",
                "prepregnancy_consult",
            ],
            "numerator": [97, 49, 0, 0],
            "denominator": [100, 50, 3, 0],
        }
    )
    out = A.coverage_rates(sums, THRESHOLD)
    # 100 x 0.98 = 98 (a float would say 98.00000000000001 and round up to 99)
    assert out["gap"].tolist() == [1, 0, 3, 0]
    assert out["at_target"].tolist() == [False, True, False, False]
    assert out["small_cell"].tolist() == [False, False, False, True]


def test_assessment_computed_from_coverage_equals_the_store_for_every_county(engine):
    stored = store.read_assessment(engine)
    for (period, county), rows in stored.groupby(["period", "county_code"]):
        area = A.find_area(county)
        computed = A.assessment_of(A.coverage(area, period), THRESHOLD).set_index("role")
        for row in rows.itertuples():
            mine = computed.loc[row.role]
            assert (mine["n_indicators"], mine["n_at_target"]) == (
                row.n_indicators, row.n_at_target,
            ), (period, county, row.role)  # fmt: skip
            assert mine["score"] == pytest.approx(row.score, nan_ok=True)
            assert bool(mine["small_cell"]) == row.small_cell
        shown = A.assessment(area, period).set_index("role")
        assert shown.loc[rows["role"], "n_at_target"].tolist() == rows["n_at_target"].tolist()


def test_assessment_of_a_county_without_records_is_empty(engine):
    shown = A.assessment(A.find_area("650102"), "2010-01")
    assert shown["role"].tolist() == ["origin", "destination"]
    assert shown["n_indicators"].tolist() == [0, 0] and shown["small_cell"].all()


def test_top_origins_of_pudong_by_hand(engine):
    top = A.top_partners(A.find_area("310115"), "2010-01", "inflow")
    assert top["code"].tolist() == ["320211", "410102", "310104", "360102"]
    assert top["persons"].tolist() == [4, 3, 1, 1]
    assert top["small_cell"].tolist() == [False, False, True, True]
    assert top["name"].tolist()[:2] == ["滨湖区", "中原区"]
    assert [A.unit_name(c, "en") for c in top["code"][:2]] == [
        "Binhu District",
        "Zhongyuan District",
    ]
    assert A.unit_name("320200", "en") == "Wuxi City" and A.unit_name("320000", "en") == "Jiangsu"
    assert A.unit_name("320200", "zh") == "无锡市" and A.unit_name("999999", "en") == "999999"
    assert top["parent"].tolist()[0] == ("320200", "320000")
    assert top["parent"].tolist()[2] == ("310000",)  # 徐汇区: no separate prefecture
    out = A.top_partners(A.find_area("310115"), "2010-01", "outflow")
    assert out["code"].tolist() == ["310104"] and out["small_cell"].tolist() == [True]


@pytest.mark.parametrize("code", ["310115", "320200", "pan_yangtze"])
def test_top_partners_equal_the_records(engine, records, code):
    area = A.find_area(code)
    level = area.flow_level
    r = records[records["period"] == "2010-03"]
    h = A.geo.hierarchy().set_index("county_code")
    key = "province_code" if level == "province" else f"{level}_code"
    up = lambda s: s.map(h[key]) if level != "county" else s  # noqa: E731
    members = set(area.flow_members)
    home, live = up(r["hukou_code"]), up(r["residence_code"])
    inflow = home[live.isin(members) & ~home.isin(members)].value_counts()
    top = A.top_partners(area, "2010-03", "inflow", n=5)
    assert top["persons"].tolist() == inflow.head(5).tolist()
    assert dict(zip(top["code"], top["persons"], strict=True)) == inflow.loc[top["code"]].to_dict()
    assert (top["small_cell"] == (top["persons"] < THRESHOLD)).all()


def test_map_values_of_shanghai_counties(engine, records):
    pudong = A.find_area("310115")
    units = A.sub_unit_values(pudong, "county", "2010-02", "inflow").set_index("code")
    assert len(units) == 16
    for code in ("310115", "310104", "310112"):
        assert units.loc[code, "value"] == expected_flows(records, {code}, "2010-02")[0]
    assert units.loc["310101", "value"] == 0 and not units.loc["310101", "small_cell"]
    rates = A.sub_unit_values(pudong, "county", "2010-02", "cert_verified").set_index("code")
    mine = expected_coverage(records, {"310104"}, "2010-02").set_index("indicator")
    assert rates.loc["310104", "numerator"] == mine.loc["cert_verified", "numerator"]
    assert rates.loc["310104", "denominator"] == mine.loc["cert_verified", "denominator"]
    assert pd.isna(rates.loc["310101", "value"]) and not rates.loc["310101", "small_cell"]


def test_map_values_of_a_region_by_province(engine, records):
    region = A.find_area("pan_yangtze")
    units = A.sub_unit_values(region, "province", "2010-03", "inflow").set_index("code")
    h = A.geo.hierarchy()
    jiangsu = set(h.loc[h["province_code"] == "320000", "county_code"])
    assert units.loc["320000", "value"] == expected_flows(records, jiangsu, "2010-03")[0]
    with pytest.raises(ValueError, match="unknown measure"):
        A.sub_unit_values(region, "province", "2010-03", "net")


def test_a_county_is_mapped_among_its_prefecture_or_its_province():
    mapped = lambda code: A.map_area(A.find_area(code)).code  # noqa: E731
    assert mapped("320211") == "320200"  # 滨湖区 among the counties of 无锡市
    assert mapped("310115") == "310000"  # 浦东: 上海市 310100 is all of 上海
    assert mapped("441900") == "440000"  # 东莞 is its own prefecture: among 广东's counties
    assert mapped("320200") == "320200"
    assert "441900" in A.sub_units(A.find_area("441900"), "county")
    assert len(A.sub_units(A.find_area("441900"), "county")) > 100
