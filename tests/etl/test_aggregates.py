"""Aggregates: the hand-derived numbers of tests/etl/README.md, and an independent re-computation.

The re-computation below is plain pandas written from DESIGN.md §3-4 (ages, cohorts, flows,
coverage, rollups, assessment); it shares nothing with ``etl.aggregate`` but the indicator table
of ``etl.records`` (the contract both implement) and the geography of ``geodata``.
"""

from __future__ import annotations

import pandas as pd
import pytest

import etl.aggregate.scan
from etl import marts, store
from etl.export import export_coverage, export_flows
from etl.pipeline import aggregate, ingest
from etl.records import INDICATORS
from etl.scope import NATION
from geodata.hierarchy import hierarchy_table, province_table
from geodata.regions import load_regions
from tests.etl.helpers import (
    TINY,
    G,
    N,
    P,
    W,
    X,
    Z,
    file_target,
    file_targets,
    random_records,
    write_csv,
)

KEY = "test-key-0123456789abcdef"


@pytest.fixture
def tiny_store(tmp_path, store_url):
    ingest(
        [write_csv(tmp_path / "tiny.csv", TINY)], store_url, tmp_path / "data", KEY, small_cell=3
    )
    engine = store.open_store(store_url)
    yield engine
    engine.dispose()


def _flows(engine, level="county"):
    data = marts.read_flows(engine, cohort=None, level=level, scope=NATION)
    assert (data["level"] == level).all()
    return {(r.origin_code, r.destination_code, r.cohort): r.persons for r in data.itertuples()}


def test_tiny_flows_by_hand(tiny_store):
    flows = _flows(tiny_store)
    assert flows == {
        (Z, P, "all"): 3,
        (Z, P, "women_15_49"): 2,
        (Z, P, "married_women_15_49"): 1,
        (N, P, "all"): 1,
        (X, P, "all"): 1,
        (X, P, "women_15_49"): 1,
        (P, P, "all"): 1,
        (N, G, "all"): 1,
        (N, G, "women_15_49"): 1,
        (N, G, "married_women_15_49"): 1,
        (W, P, "all"): 4,
        (W, P, "women_15_49"): 2,
        (W, P, "married_women_15_49"): 1,
        (P, X, "all"): 1,
        (P, X, "women_15_49"): 1,
        (P, X, "married_women_15_49"): 1,
    }
    data = marts.read_flows(tiny_store, "2010-01", "all", scope=NATION).set_index(
        ["origin_code", "destination_code"]
    )
    assert data["is_within"].to_dict() == {k: k == (P, P) for k in data.index}
    assert data["is_inter_province"].to_dict() == {
        k: k in {(Z, P), (N, P), (N, G), (W, P)} for k in data.index
    }
    assert data["small_cell"].to_dict() == {
        k: k not in {(Z, P), (W, P)} for k in data.index
    }  # threshold 3


def test_tiny_rollups_by_hand(tiny_store):
    province = {k: v for k, v in _flows(tiny_store, "province").items() if k[2] == "all"}
    assert province == {
        ("410000", "310000", "all"): 3,
        ("360000", "310000", "all"): 1,
        ("310000", "310000", "all"): 3,
        ("360000", "440000", "all"): 1,
        ("320000", "310000", "all"): 4,
    }
    prefecture = {k: v for k, v in _flows(tiny_store, "prefecture").items() if k[2] == "all"}
    assert prefecture[("310100", "310100", "all")] == 3
    assert sum(prefecture.values()) == 12
    region = {k: v for k, v in _flows(tiny_store, "region").items() if k[2] == "all"}
    assert region == {
        ("other", "pan_yangtze", "all"): 3,
        ("pan_yangtze", "pan_yangtze", "all"): 8,
        ("pan_pearl", "pan_yangtze", "all"): 1,
        ("pan_yangtze", "pan_pearl", "all"): 1,
        ("pan_pearl", "pan_pearl", "all"): 1,
    }
    within = marts.read_flows(tiny_store, cohort="all", level="province", scope=NATION)
    assert within.loc[within["is_within"], "persons"].sum() == 3
    assert within.loc[~within["is_within"], "persons"].sum() == 9


def test_tiny_coverage_by_hand(tiny_store):
    data = marts.read_coverage(tiny_store, "2010-01", scope=NATION)
    got = {(r.unit_code, r.indicator): (r.numerator, r.denominator) for r in data.itertuples()}
    assert {k: v for k, v in got.items() if k[1] == "cert_issued"} == {
        (Z, "cert_issued"): (2, 2),
        (N, "cert_issued"): (1, 1),
        (X, "cert_issued"): (0, 1),
        (P, "cert_issued"): (0, 1),
        (W, "cert_issued"): (2, 2),
    }
    at_p = {k[1]: v for k, v in got.items() if k[0] == P and k[1] != "cert_issued"}
    assert at_p == {
        "cert_verified": (4, 5),
        "health_check": (2, 2),
        "contraception": (2, 2),
        "free_service": (2, 2),
        "pregnancy_check": (1, 2),
        "free_contraceptives": (2, 3),
        "prepregnancy_consult": (2, 2),
        "policy_aware": (6, 6),
    }
    assert got[(G, "prepregnancy_consult")] == (0, 1)
    assert got[(X, "contraception")] == (0, 1)
    assert len(data) == 5 + 3 * 8  # five origins x 1 outflow indicator, three destinations x 8
    province = marts.read_coverage(
        tiny_store, "2010-01", "policy_aware", level="province", scope=NATION
    )
    assert province.set_index("unit_code")[["numerator", "denominator"]].loc[
        "310000"
    ].tolist() == [7, 7]


def test_tiny_assessment_by_hand(tiny_store):
    data = marts.read_assessment(tiny_store, "2010-01", scope=NATION).set_index(["county_code", "role"])
    p = data.loc[(P, "destination")]
    assert (p.n_indicators, p.n_at_target) == (8, 5)
    # weights (etl/targets.toml): 2 for the four seed-002 indicators, 1 for the four of seed 003
    expected = (2 * 0.8 / 0.98 + 2 + 2 + 2 + 0.5 / 0.9 + (2 / 3) / 0.9 + 1 + 1) / 12
    assert p.score == pytest.approx(expected, abs=1e-9)
    assert data.loc[(G, "destination"), "score"] == pytest.approx(11 / 12)  # prepregnancy, weight 1
    assert data.loc[(X, "destination"), "score"] == pytest.approx(10 / 12)  # contraception, weight 2
    assert data.loc[(X, "destination"), "n_at_target"] == 7
    assert data.loc[(Z, "origin"), "score"] == 1.0
    assert data.loc[(X, "origin"), "score"] == 0.0
    assert data.loc[(P, "origin"), "small_cell"]


# --- independent re-computation on a larger random file ------------------------------------------

COUNTIES = [
    "310115",
    "310104",
    "320211",
    "320582",
    "330402",
    "340102",
    "360102",
    "360730",
    "440106",
    "441900",
    "410102",
    "420102",
    "110105",
    "510107",
    "620102",
    "500103",
]
PERIODS = ["2010-11", "2010-12", "2011-01"]


def expected_tables(rows: list[dict[str, str]]) -> dict[str, pd.DataFrame]:
    df = pd.DataFrame(rows)
    py, pm = df["period"].str[:4].astype(int), df["period"].str[5:].astype(int)
    by, bm, bd = (df["birth_date"].str[a:b].astype(int) for a, b in ((0, 4), (5, 7), (8, 10)))
    df["age"] = py - by - ((pm < bm) | ((pm == bm) & (bd > 1))).astype(int)
    woman = (df["sex"] == "2") & df["age"].between(15, 49)
    married = df["marital_status"].astype(int).isin([20, 21, 22, 23])
    groups = {
        "all": pd.Series(True, index=df.index),
        "women_15_49": woman,
        "married_women_15_49": woman & married,
        "married_15_49": married & df["age"].between(15, 49),
        "adults_18p": df["age"] >= 18,
    }
    flows = []
    for cohort in ("all", "women_15_49", "married_women_15_49"):
        sub = df[groups[cohort]].groupby(["period", "hukou_code", "residence_code"]).size()
        flows.append(sub.rename("persons").reset_index().assign(cohort=cohort))
    flows = pd.concat(flows)[["period", "hukou_code", "residence_code", "cohort", "persons"]]

    coverage = []
    for ind in INDICATORS:
        key = "hukou_code" if ind.side == "outflow" else "residence_code"
        frame = pd.DataFrame(
            {
                "period": df["period"],
                "county_code": df[key],
                "den": groups[ind.denominator].astype(int),
                "num": (groups[ind.denominator] & (df[ind.flag] == "1")).astype(int),
            }
        )
        sums = frame.groupby(["period", "county_code"], as_index=False)[["num", "den"]].sum()
        coverage.append(
            sums.rename(columns={"num": "numerator", "den": "denominator"}).assign(
                side=ind.side, indicator=ind.flag
            )
        )
    coverage = pd.concat(coverage)[
        ["period", "county_code", "side", "indicator", "numerator", "denominator"]
    ]

    hierarchy = hierarchy_table().set_index("county_code")
    regions = load_regions(
        None, province_table(), set(hierarchy.index) | set(hierarchy["prefecture_code"])
    )
    members = regions.membership().groupby("province_code")["region_code"].apply(list).to_dict()
    rollups = {}
    county_all = flows[flows["cohort"] == "all"]
    for level in ("prefecture", "province"):
        frame = county_all.assign(
            o=county_all["hukou_code"].map(hierarchy[f"{level}_code"]),
            d=county_all["residence_code"].map(hierarchy[f"{level}_code"]),
        )
        rollups[level] = frame.groupby(["period", "o", "d"])["persons"].sum().to_dict()
    region_rows = []
    for r in county_all.itertuples():
        for o in members.get(hierarchy.at[r.hukou_code, "province_code"], ["other"]):
            for d in members.get(hierarchy.at[r.residence_code, "province_code"], ["other"]):
                region_rows.append((r.period, o, d, r.persons))
    rollups["region"] = (
        pd.DataFrame(region_rows, columns=["period", "o", "d", "p"])
        .groupby(["period", "o", "d"])["p"]
        .sum()
        .to_dict()
    )
    units = {}  # (level, period, code) -> [in from other units, out to them, within], from records
    for level in ("county", "prefecture", "province"):
        o = (
            df["hukou_code"]
            if level == "county"
            else df["hukou_code"].map(hierarchy[f"{level}_code"])
        )
        d = (
            df["residence_code"]
            if level == "county"
            else df["residence_code"].map(hierarchy[f"{level}_code"])
        )
        for period, a, b in zip(df["period"], o, d, strict=True):
            if a == b:
                units.setdefault((level, period, a), [0, 0, 0])[2] += 1
            else:
                units.setdefault((level, period, b), [0, 0, 0])[0] += 1
                units.setdefault((level, period, a), [0, 0, 0])[1] += 1
    return {
        "flows": flows,
        "coverage": coverage,
        "units": {k: tuple(v) for k, v in units.items()},
        **{f"rollup_{k}": v for k, v in rollups.items()},
    }


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(str).sort_values(list(frame.columns), ignore_index=True)


@pytest.mark.parametrize("packed", [True, False], ids=["packed-sums", "one-sum-per-count"])
def test_aggregates_equal_an_independent_computation(tmp_path, store_url, packed, monkeypatch):
    if not packed:  # periods too large for 2-bit fields: the pair counts are summed one by one
        monkeypatch.setattr(etl.aggregate.scan, "FIELD_BITS", 2)
    rows = random_records(2500, COUNTIES, PERIODS)
    path = write_csv(tmp_path / "random.csv", rows)
    summary = ingest([path], store_url, tmp_path / "data", KEY)
    assert summary.n_loaded == len(rows) and summary.n_quarantined == 0
    expected = expected_tables(rows)
    engine = store.open_store(store_url)

    got_flows = marts.read_flows(engine, cohort=None, scope=NATION).rename(
        columns={"origin_code": "hukou_code", "destination_code": "residence_code"}
    )[list(expected["flows"].columns)]
    pd.testing.assert_frame_equal(_sorted(got_flows), _sorted(expected["flows"]))
    got_cov = marts.read_coverage(engine, scope=NATION).rename(columns={"unit_code": "county_code"})
    got_cov = got_cov[list(expected["coverage"].columns)]
    pd.testing.assert_frame_equal(_sorted(got_cov), _sorted(expected["coverage"]))

    # the exact exports: the same rows, every count, nothing flagged
    export_flows(engine, tmp_path / "exact.csv", scope=NATION, exact=True)
    got = pd.read_csv(tmp_path / "exact.csv", dtype=str, keep_default_na=False)
    want = expected["flows"].astype({"persons": str}).assign(suppressed="False")
    pd.testing.assert_frame_equal(_sorted(got), _sorted(want))
    # the suppressed exports: counts under the threshold (10) blank and flagged, plus the
    # complementary cells (tests/etl/test_disclosure.py); every published count is exact
    export_flows(engine, tmp_path / "flows.csv", scope=NATION)
    got = _sorted(pd.read_csv(tmp_path / "flows.csv", dtype=str, keep_default_na=False))
    want = _sorted(expected["flows"].astype({"persons": str}))
    small = want["persons"].astype(int) < 10
    hidden = got["suppressed"] == "True"
    assert (hidden | ~small).all() and ((got["persons"] == "") == hidden).all()
    assert (got.loc[~hidden, "persons"] == want.loc[~hidden, "persons"]).all()
    assert small.any() and not small.all()
    export_coverage(engine, tmp_path / "coverage.csv", scope=NATION)
    got = _sorted(pd.read_csv(tmp_path / "coverage.csv", dtype=str, keep_default_na=False))
    want = _sorted(expected["coverage"].astype({"numerator": str, "denominator": str}))
    small = want["denominator"].astype(int) < 10
    hidden = got["suppressed"] == "True"
    assert (hidden | ~small).all() and ((got["denominator"] == "") == hidden).all()
    for name in ("numerator", "denominator"):
        assert (got.loc[~hidden, name] == want.loc[~hidden, name]).all()

    for level in ("prefecture", "province", "region"):
        data = marts.read_flows(engine, cohort="all", level=level, scope=NATION)
        got = {(r.period, r.origin_code, r.destination_code): r.persons for r in data.itertuples()}
        assert got == expected[f"rollup_{level}"], level
        assert (data["is_within"] == (data["origin_code"] == data["destination_code"])).all()

    got_units = {
        (level, r.period, r.unit_code): (r.inflow, r.outflow, r.within)
        for level in ("county", "prefecture", "province")
        for r in marts.read_unit_flows(engine, level, scope=NATION).itertuples()
    }
    assert got_units == expected["units"]

    # two-way assessment from the independent coverage
    # (the target of the period's year and the weights, read from the file by tests.etl.helpers)
    _goals, weight = file_targets()
    cov = expected["coverage"].assign(
        target=[
            float(file_target(f, p))
            for f, p in zip(expected["coverage"]["indicator"], expected["coverage"]["period"], strict=True)
        ],
        w=expected["coverage"]["indicator"].map(weight),
    )
    cov = cov[cov["denominator"] > 0]
    cov = cov.assign(att=(cov["numerator"] / cov["denominator"] / cov["target"]).clip(upper=1))
    cov = cov.assign(watt=cov["att"] * cov["w"])
    sums = cov.groupby(["period", "county_code", "side"])[["watt", "w"]].sum()
    score = sums["watt"] / sums["w"]
    got = marts.read_assessment(engine, scope=NATION)
    got_score = {
        (r.period, r.county_code, "outflow" if r.role == "origin" else "inflow"): r.score
        for r in got.itertuples()
        if r.n_indicators > 0
    }
    assert got_score == pytest.approx(score.to_dict(), abs=1e-12)
    engine.dispose()


def test_unit_flows_are_filled_by_the_upgrade_of_a_store_made_before_them(tmp_path, store_url):
    rows = random_records(600, COUNTIES, PERIODS, seed=5)
    ingest([write_csv(tmp_path / "r.csv", rows)], store_url, tmp_path / "data", KEY)
    engine = store.open_store(store_url)
    written = {
        level: marts.read_unit_flows(engine, level, scope=NATION)
        for level in ("county", "prefecture", "province")
    }
    with engine.begin() as conn:  # a store of schema version 1, aggregated before unit_flows
        conn.execute(store.unit_flows.delete())
        store.set_meta(conn, "schema_version", "1")
    engine.dispose()
    with pytest.raises(store.StoreError, match="yipanqi store upgrade"):
        store.open_store(store_url)  # a reader never migrates
    assert store.upgrade(store_url) == [
        "summed unit_flows from the flow tables",
        f"schema version 1 -> {store.SCHEMA_VERSION}",
    ]
    engine = store.open_store(store_url)
    for level, frame in written.items():
        pd.testing.assert_frame_equal(marts.read_unit_flows(engine, level, scope=NATION), frame)
    engine.dispose()
    assert store.upgrade(store_url) == []


def test_county_pairs_are_the_county_flows_of_a_period(tiny_store):
    for cohort in ("all", "women_15_49"):
        for level in marts.FLOW_LEVELS:
            pairs = marts.read_pairs(tiny_store, "2010-01", cohort, level, scope=NATION)
            long = marts.read_flows(tiny_store, "2010-01", cohort, level, scope=NATION)
            key = ["origin_code", "destination_code"]
            assert list(pairs.columns) == list(marts.PAIR_COLUMNS)
            pd.testing.assert_frame_equal(
                pairs.sort_values(key, ignore_index=True),
                long[list(marts.PAIR_COLUMNS)].sort_values(key, ignore_index=True),
            )


def test_reaggregate_with_another_threshold(tmp_path, sqlite_url):
    rows = random_records(400, COUNTIES, PERIODS, seed=3)
    ingest([write_csv(tmp_path / "r.csv", rows)], sqlite_url, tmp_path / "data", KEY)
    engine = store.open_store(sqlite_url)
    before = marts.read_flows(engine, cohort=None, scope=NATION)
    summary = aggregate(sqlite_url, tmp_path / "data", small_cell=1)
    assert summary.periods == tuple(PERIODS)
    after = marts.read_flows(engine, cohort=None, scope=NATION)
    pd.testing.assert_frame_equal(
        before.drop(columns="small_cell"), after.drop(columns="small_cell")
    )
    assert not after["small_cell"].any() and before["small_cell"].any()
    engine.dispose()
