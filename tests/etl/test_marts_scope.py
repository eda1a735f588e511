"""The read contract's scope rules (etl.marts) on a hand-made store, every rule by hand.

Records of 2010-01 (one per person, small-cell threshold 3), hukou -> residence:

| flow | persons | | flow | persons |
|---|---|---|---|---|
| 410102 郑州中原 -> 310115 浦东 | 4 | | 429004 仙桃 -> 429004 (diagonal) | 1 |
| 320211 无锡滨湖 -> 310115 | 3 | | 320205 无锡锡山 -> 320211 | 3 |
| 429004 仙桃 -> 320211 | 5 | | 310115 -> 420102 | 1 |
| 420102 武汉江岸 -> 429004 | 2 | | 320583 苏州昆山 -> 320205 | 2 |

仙桃 429004 is a county administered directly by its province: in the hierarchy (the store's
``units``) it is its own prefecture 429004 in 湖北 420000; a reading by the digits of its code
would put it in a prefecture 429000, which does not exist. 河南 410000 and 湖北 420000 are in no
collaboration region (``other``); 上海 310000 and 江苏 320000 are in 泛长三角 (pan_yangtze).

Persons living in 湖北: 3 in 429004 (2 from 420102, 1 diagonal) and 1 in 420102: 4, of whom 3 are
between-county movers and 1 (from 上海) an inter-province one. In 泛长三角: 7 in 310115, 8 in
320211, 2 in 320205: 17, all between counties; 12 from other provinces (4 + 3 into 上海, 5 into
江苏). Nationally: 21 persons, 20 between counties, 13 between provinces (4 + 3 + 5 + 1).
"""

from __future__ import annotations

import pandas as pd
import pytest

from etl import marts
from etl.pipeline import ingest
from etl.scope import NATION, Scope, parse_scope
from etl.store import open_store
from tests.conftest import _postgres_url, _reset_postgres
from tests.etl.helpers import record, write_csv

KEY = "test-key-0123456789abcdef"
FLOWS = {
    ("410102", "310115"): 4,
    ("320211", "310115"): 3,
    ("429004", "320211"): 5,
    ("420102", "429004"): 2,
    ("429004", "429004"): 1,
    ("320205", "320211"): 3,
    ("310115", "420102"): 1,
    ("320583", "320205"): 2,
}
HUBEI, WUXI, PYD = parse_scope("province:420000"), parse_scope("prefecture:320200"), Scope(
    "region", "pan_yangtze"
)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path_factory):
    root = tmp_path_factory.mktemp("scope")
    url = f"sqlite:///{root / 'store.sqlite'}"
    if request.param == "postgres":
        url = _postgres_url()
        _reset_postgres(url)
    rows, sequence = [], 100
    for (hukou, residence), n in FLOWS.items():
        for _ in range(n):
            sequence += 2  # women: even sequence numbers, all distinct
            rows.append(record(2, "1980-05-10", 20, hukou, residence, "110101010", sequence=sequence))
    ingest([write_csv(root / "records.csv", rows)], url, root / "data", KEY, small_cell=3, workers=0)
    engine = open_store(url)
    yield engine
    engine.dispose()
    if request.param == "postgres":
        _reset_postgres(url)


def pairs(data: pd.DataFrame) -> dict[tuple[str, str], int]:
    return {(r.origin_code, r.destination_code): r.persons for r in data.itertuples()}


def test_every_read_requires_a_scope(engine):
    for read in (marts.periods, marts.small_cell_threshold, marts.read_flows, marts.read_coverage,
                 marts.read_assessment, marts.read_period_totals, marts.read_units):  # fmt: skip
        with pytest.raises(TypeError, match="scope"):
            read(engine)
    assert marts.periods(engine, scope=HUBEI) == marts.periods(engine, scope=NATION) == ["2010-01"]
    assert marts.small_cell_threshold(engine, scope=WUXI) == 3


def test_the_nation_sees_everything(engine):
    assert pairs(marts.read_flows(engine, scope=NATION)) == FLOWS
    assert pairs(marts.read_pairs(engine, "2010-01", scope=NATION)) == FLOWS


def test_county_and_prefecture_flows_need_both_ends_inside(engine):
    assert pairs(marts.read_flows(engine, scope=HUBEI)) == {
        ("420102", "429004"): 2, ("429004", "429004"): 1,
    }  # fmt: skip
    assert pairs(marts.read_pairs(engine, "2010-01", scope=WUXI)) == {("320205", "320211"): 3}
    assert pairs(marts.read_flows(engine, level="prefecture", scope=HUBEI)) == {
        ("420100", "429004"): 2, ("429004", "429004"): 1,  # 仙桃 is its own prefecture
    }  # fmt: skip
    assert pairs(marts.read_flows(engine, level="prefecture", scope=PYD)) == {
        ("320200", "310100"): 3, ("320200", "320200"): 3, ("320500", "320200"): 2,
    }  # fmt: skip
    assert pairs(marts.read_flows(engine, level="prefecture", scope=WUXI)) == {
        ("320200", "320200"): 3,
    }  # fmt: skip


def test_province_and_region_flows_need_one_end_inside(engine):
    assert pairs(marts.read_flows(engine, level="province", scope=HUBEI)) == {
        ("420000", "320000"): 5, ("420000", "420000"): 3, ("310000", "420000"): 1,
    }  # fmt: skip
    assert pairs(marts.read_pairs(engine, "2010-01", "all", "province", scope=PYD)) == {
        ("410000", "310000"): 4, ("320000", "310000"): 3, ("420000", "320000"): 5,
        ("320000", "320000"): 5, ("310000", "420000"): 1,
    }  # fmt: skip
    assert pairs(marts.read_flows(engine, level="region", scope=PYD)) == {
        ("other", "pan_yangtze"): 9, ("pan_yangtze", "pan_yangtze"): 8, ("pan_yangtze", "other"): 1,
    }  # fmt: skip
    # no region lies inside a province, no province inside a prefecture
    assert marts.read_flows(engine, level="region", scope=HUBEI).empty
    assert marts.read_flows(engine, level="province", scope=WUXI).empty


def test_a_prefecture_is_read_from_the_hierarchy_not_from_digits(engine):
    nowhere = Scope("prefecture", "429000")  # 仙桃's digits, but no prefecture of the hierarchy
    assert marts.read_flows(engine, scope=nowhere).empty
    assert marts.read_coverage(engine, scope=nowhere).empty
    assert marts.read_units(engine, scope=nowhere).empty
    hubei = marts.read_units(engine, scope=HUBEI)
    assert "429004" in set(hubei["county_code"]) and set(hubei["province_code"]) == {"420000"}
    assert hubei.loc[hubei["county_code"] == "429004", "prefecture_code"].item() == "429004"


def test_unit_flows_only_of_units_inside(engine):
    def flows(level: str, scope: Scope) -> dict[str, tuple[int, int, int]]:
        data = marts.read_unit_flows(engine, level, scope=scope)
        return {r.unit_code: (r.inflow, r.outflow, r.within) for r in data.itertuples()}

    assert flows("county", HUBEI) == {"420102": (1, 2, 0), "429004": (2, 5, 1)}
    assert flows("prefecture", HUBEI) == {"420100": (1, 2, 0), "429004": (2, 5, 1)}
    assert flows("province", HUBEI) == {"420000": (1, 5, 3)}
    assert flows("province", WUXI) == {}
    assert flows("prefecture", WUXI) == {"320200": (7, 3, 3)}  # 5 from 仙桃, 2 from 苏州
    assert set(flows("province", PYD)) == {"310000", "320000"}
    assert set(flows("county", NATION)) == {c for pair in FLOWS for c in pair}


def test_coverage_and_assessment_only_of_units_inside(engine):
    county = marts.read_coverage(engine, scope=HUBEI)
    assert set(zip(county["unit_code"], county["side"], strict=True)) == {
        ("429004", "inflow"), ("420102", "inflow"), ("429004", "outflow"), ("420102", "outflow"),
    }  # fmt: skip
    verified = county[county["indicator"] == "cert_verified"].set_index("unit_code")["denominator"]
    assert verified.to_dict() == {"420102": 1, "429004": 3}
    issued = county[county["indicator"] == "cert_issued"].set_index("unit_code")["denominator"]
    assert issued.to_dict() == {"420102": 2, "429004": 6}
    prefecture = marts.read_coverage(engine, None, "cert_verified", "prefecture", scope=HUBEI)
    assert prefecture.set_index("unit_code")["denominator"].to_dict() == {"420100": 1, "429004": 3}
    region = marts.read_coverage(engine, None, "cert_verified", "region", scope=PYD)
    assert region.set_index("unit_code")["denominator"].to_dict() == {"pan_yangtze": 17}
    assert marts.read_coverage(engine, level="region", scope=HUBEI).empty
    assert marts.read_coverage(engine, level="province", scope=WUXI).empty
    sums = marts.coverage_sums(engine, scope=HUBEI).set_index("indicator")
    assert sums.loc["cert_verified", "denominator"] == 4
    assert not sums.loc["cert_verified", "small_cell"]  # 4 is not under 3
    assert county.set_index(["unit_code", "indicator"]).loc[("420102", "cert_verified"), "small_cell"]
    assessed = marts.read_assessment(engine, scope=HUBEI)
    assert set(assessed["county_code"]) == {"420102", "429004"}


def test_period_totals_are_the_scopes(engine):
    def totals(scope: Scope) -> tuple[int, int, int]:
        row = marts.read_period_totals(engine, scope=scope).iloc[0]
        return int(row["persons"]), int(row["between"]), int(row["inter_province"])

    assert totals(NATION) == (21, 20, 13)
    assert totals(HUBEI) == (4, 3, 1)
    assert totals(PYD) == (17, 17, 12)
    assert totals(WUXI) == (10, 10, 0)  # no whole province inside a prefecture


def test_region_members_inside_the_scope(engine):
    members = marts.read_region_members(engine, scope=PYD)
    assert set(members["region_code"]) == {"pan_yangtze"}
    assert "360000" in set(members["province_code"])  # 江西, also in pan_pearl: that row is not
    assert marts.read_region_members(engine, scope=HUBEI).empty
    every = marts.read_region_members(engine, scope=NATION)
    assert {"pan_yangtze", "pan_pearl"} <= set(every["region_code"])


def test_the_provinces_of_no_region(engine):
    other = Scope("region", "other")
    assert pairs(marts.read_flows(engine, scope=other)) == {
        ("420102", "429004"): 2, ("429004", "429004"): 1,
    }  # fmt: skip
    region = marts.read_flows(engine, level="region", scope=other)
    assert set(region["origin_code"]) | set(region["destination_code"]) == {"other", "pan_yangtze"}


@pytest.mark.parametrize("scope", [NATION, HUBEI, WUXI, PYD], ids=str)
def test_the_fast_reads_equal_pandas_reads(engine, scope, monkeypatch):
    """``etl.marts.common.read_frame`` (the DBAPI cursor, no SQLAlchemy row processing) returns
    what ``pd.read_sql_query`` returns for each read that uses it, values and dtypes, inside the
    scope's row security on PostgreSQL."""
    from etl.marts import coverage, flows, totals

    def reads() -> list[pd.DataFrame]:
        return [
            *(marts.read_pairs(engine, "2010-01", "all", level, scope=scope)
              for level in ("county", "prefecture", "province", "region")),
            *(marts.read_coverage(engine, "2010-01", None, level, scope=scope)
              for level in ("county", "province")),
            marts.coverage_sums(engine, "2010-01", scope=scope),
            marts.read_assessment(engine, "2010-01", scope=scope),
            *(marts.read_unit_flows(engine, level, scope=scope) for level in ("county", "province")),
        ]  # fmt: skip

    fast = reads()
    for module in (coverage, flows, totals):
        monkeypatch.setattr(module, "read_frame", pd.read_sql_query)
    slow = reads()
    assert any(len(frame) for frame in fast)
    for one, other in zip(fast, slow, strict=True):
        pd.testing.assert_frame_equal(one, other)
