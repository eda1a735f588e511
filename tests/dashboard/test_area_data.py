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
from dashboard.data import geo
from dashboard.data.store import reading_as
from dashboard.factory import create_app
from etl import marts, store, targets
from etl.pipeline import ingest
from etl.records import INDICATORS
from etl.scope import NATION
from tests.etl.helpers import TINY, file_target, random_records, write_csv
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
    with app.server.test_request_context("/area/310115"), reading_as(NATION):
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
        gap = max(0, ceil(Fraction(den) * file_target(i.flag, period) - num))
        rows.append((i.flag, num, den, gap))
    return pd.DataFrame(rows, columns=["indicator", "numerator", "denominator", "gap"])


def expected_flows(records: pd.DataFrame, counties: set[str], period: str) -> tuple[int, int, int]:
    """(inflow, outflow, within) persons of a set of counties in a period, from the records."""
    r = records[records["period"] == period]
    home, live = r["hukou_code"].isin(counties), r["residence_code"].isin(counties)
    return int((live & ~home).sum()), int((home & ~live).sum()), int((home & live).sum())


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
    flows = marts.read_flows(engine, "2010-02", "all", scope=NATION)
    into = flows[(flows["destination_code"] == "310115") & ~flows["is_within"]]
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
    # withheld: a small cell, or a cell the pages' rule withholds (etl.marts.published, tested
    # in tests/etl/test_published.py); a sum that is not small is withheld only by that rule
    pages = marts.read_published_coverage(engine, scope=NATION, period=period)
    pages = pages[(pages["unit_code"] == code) & (pages["level"] == area.level)]
    pages = pages[pages["side"] == pages["indicator"].map({i.flag: i.side for i in INDICATORS})]
    withheld = shown["indicator"].map(pages.set_index("indicator")["suppressed"])
    assert (shown["small_cell"] == ((shown["denominator"] < THRESHOLD) | withheld)).all()
    rate = shown["numerator"] / shown["denominator"].where(shown["denominator"] > 0)
    pd.testing.assert_series_equal(shown["rate"], rate, check_names=False)


def test_coverage_of_a_prefecture_equals_the_stores_rollup(engine):
    rollup = marts.read_coverage(engine, "2010-03", level="prefecture", scope=NATION)
    rollup = targets.with_measures(rollup[rollup["unit_code"] == "320200"]).set_index("indicator")
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
    stored = marts.read_assessment(engine, scope=NATION)
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
    h = geo.hierarchy().set_index("county_code")
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
    h = geo.hierarchy()
    jiangsu = set(h.loc[h["province_code"] == "320000", "county_code"])
    assert units.loc["320000", "value"] == expected_flows(records, jiangsu, "2010-03")[0]
    with pytest.raises(ValueError, match="unknown measure"):
        A.sub_unit_values(region, "province", "2010-03", "net")
