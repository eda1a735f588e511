"""The feed measures of the read contract, recomputed from the feed file with plain pandas.

Fixture: synthetic feeds of four provinces (上海 31, 江西 36 in two regions, 广东 44, 河南 41 in
none) for 2012-01 .. 2012-06, with the records' arrivals of 上海 and 江西 given (so 公安's moves in
can be compared), loaded into a store whose every covered county of the country owes reports.
The expected numbers are computed here from the CSV, the hierarchy and the region file, and due
dates straight from the official calendar package: no code of ``etl.feeds`` is called for them.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from etl import store
from etl.feeds.ingest import ingest_feeds
from etl.marts import (
    NATION,
    Scope,
    departments_summed,
    read_feed_rates,
    read_feed_submissions,
    suppressed_rates,
)
from geodata.hierarchy import hierarchy_table, province_table
from geodata.regions import load_regions
from synthetic import feeds as synth
from synthetic import generate as gen

PROVINCES = ("310000", "360000", "440000", "410000")
PERIODS = [f"2012-{m:02d}" for m in range(1, 7)]
TARGETS = {  # seed 002, written here by hand
    ("public_security", "on_time", ""): 9500, ("civil_affairs", "on_time", ""): 9500,
    ("health", "on_time", ""): 9500, ("commerce", "on_time", ""): 9800,
    ("public_security", "match", "moves_in"): 9500, ("construction", "checked", "letters"): 10000,
}  # fmt: skip


def due(period: str) -> date:
    year, month = int(period[:4]), int(period[5:])
    day = date(year + month // 12, month % 12 + 1, 3)
    while not chinese_calendar.is_workday(day):
        day += timedelta(days=1)
    return day


@pytest.fixture(scope="module")
def feeds(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame, object]:
    """(the feed file as pandas read it, the arrivals given, the generator inputs)."""
    inputs = gen.province_inputs(2010, PROVINCES)
    rng = np.random.default_rng(5)
    counties = inputs.counties[inputs.counties["province_code"].isin(["310000", "360000"])]
    arrivals = pd.DataFrame(
        [(p, c, int(rng.poisson(40))) for p in PERIODS[1:] for c in counties["county_code"]],
        columns=["period", "county_code", "persons"],
    )
    options = synth.FeedOptions(seed=9, first_period=PERIODS[0], last_period=PERIODS[-1], fraction=0.01)
    path = tmp_path_factory.mktemp("feeds") / "feeds.csv"
    synth.write_feeds(inputs, options, path, arrivals=arrivals)
    frame = pd.read_csv(path, dtype={"county_code": str, "period": str})
    return frame, arrivals, path


@pytest.fixture
def loaded(feeds, store_url, tmp_path):
    frame, arrivals, path = feeds
    engine = store.open_store(store_url, create=True)
    with engine.begin() as conn:
        events = arrivals.assign(event="arrivals")[["period", "county_code", "event", "persons"]]
        conn.execute(store.record_events.insert(), events.to_dict("records"))
        store.set_meta(conn, "small_cell_threshold", "10")
    engine.dispose()
    ingest_feeds([str(path)], store_url, tmp_path / "data", today=date(2013, 1, 1))
    engine = sa.create_engine(store_url)
    yield engine
    engine.dispose()


def units() -> pd.DataFrame:
    h = hierarchy_table()
    h = h[h["in_coverage"].astype(bool)]
    regions = load_regions(None, province_table(), set(h["county_code"]) | set(h["prefecture_code"]))
    members = regions.membership()[["region_code", "province_code"]]
    return h[["county_code", "prefecture_code", "province_code"]], members


def expected_rates(frame: pd.DataFrame, arrivals: pd.DataFrame, level: str) -> pd.DataFrame:
    """Every measure per unit of ``level`` from the feed file, by hand."""
    h, members = units()
    frame = frame.assign(
        on_time=pd.to_datetime(frame["submitted_at"]).dt.date <= frame["period"].map(due),
        zero=frame["count"] == 0,
    )
    grid = h[["county_code"]].merge(pd.DataFrame({"period": PERIODS}), how="cross").merge(
        pd.DataFrame({"department": sorted(frame["department"].unique())}), how="cross"
    )
    assert grid["department"].nunique() == 6
    grid = grid.merge(frame, on=["county_code", "period", "department"], how="left")
    grid["received"] = grid["item"].notna()
    grid["on_time"] = grid["on_time"].fillna(False).astype(bool)
    grid["zero"] = grid["zero"].fillna(False).astype(bool)
    police = frame[frame["item"] == "moves_in"].merge(arrivals, on=["period", "county_code"])
    police["same"] = police["count"] == police["persons"]
    letters = frame[frame["count_checked"].notna()]

    def at_level(data: pd.DataFrame) -> pd.DataFrame:
        data = data.merge(h, on="county_code")
        if level == "region":
            data = data.merge(members, on="province_code", how="left")
            data["unit_code"] = data["region_code"].fillna("other")
        else:
            data["unit_code"] = data[f"{level}_code"]
        return data

    parts = []
    g = at_level(grid).groupby(["period", "unit_code", "department"])
    parts.append(g.agg(numerator=("on_time", "sum"), denominator=("county_code", "size")).assign(item="", measure="on_time"))
    parts.append(g.agg(numerator=("zero", "sum"), denominator=("received", "sum")).query("denominator > 0").assign(item="", measure="zero"))
    g = at_level(police).groupby(["period", "unit_code", "department"])
    parts.append(g.agg(numerator=("same", "sum"), denominator=("same", "size")).assign(item="moves_in", measure="match"))
    g = at_level(letters).groupby(["period", "unit_code", "department"])
    parts.append(g.agg(numerator=("count_checked", "sum"), denominator=("count", "sum")).assign(item="letters", measure="checked"))
    out = pd.concat([p.reset_index() for p in parts], ignore_index=True)
    out[["numerator", "denominator"]] = out[["numerator", "denominator"]].astype("int64")
    return out


KEYS = ["period", "unit_code", "department", "item", "measure"]


@pytest.mark.parametrize("level", ["county", "prefecture", "province", "region"])
def test_every_rate_equals_the_one_recomputed_from_the_file(feeds, loaded, level):
    frame, arrivals, _ = feeds
    got = read_feed_rates(loaded, level=level, scope=NATION)
    want = expected_rates(frame, arrivals, level)
    got = got[(got["measure"] != "zero") | (got["denominator"] > 0)]
    merged = want.merge(got, on=KEYS, how="outer", suffixes=("_want", "_got"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    assert (merged["numerator_want"] == merged["numerator_got"]).all()
    assert (merged["denominator_want"] == merged["denominator_got"]).all()
    # the fixture exercises every measure with something to count
    for measure in ("on_time", "zero", "match", "checked"):
        part = merged[merged["measure"] == measure]
        assert part["numerator_got"].sum() > 0 and (part["numerator_got"] < part["denominator_got"]).any()
    for (department, measure, item), bp in TARGETS.items():
        rows = got[(got["department"] == department) & (got["measure"] == measure) & (got["item"] == item)]
        assert len(rows) and (rows["target_bp"] == bp).all()
    assert got.loc[got["measure"] == "zero", "target_bp"].isna().all()


def test_lateness_and_rates_differ_by_region_and_improve(feeds, loaded):
    got = read_feed_rates(loaded, level="province", scope=NATION, measure="on_time")
    mine = got[got["unit_code"].isin(PROVINCES)]
    by = mine.groupby("unit_code")[["numerator", "denominator"]].sum()
    rate = by["numerator"] / by["denominator"]
    assert rate["310000"] > rate["440000"] > rate["410000"]  # 泛长三角 > 泛珠三角 > no region
    assert (got.loc[~got["unit_code"].isin(PROVINCES), "numerator"] == 0).all()  # sent nothing


def test_scope_and_region_filters(loaded):
    shanghai = read_feed_rates(loaded, level="county", scope=Scope("province", "310000"))
    assert set(shanghai["unit_code"].str[:2]) == {"31"}
    jiangxi = read_feed_rates(loaded, level="province", scope=NATION, region="pan_pearl", measure="on_time")
    assert "310000" not in set(jiangxi["unit_code"]) and "360000" in set(jiangxi["unit_code"])
    regions = read_feed_rates(loaded, level="region", scope=Scope("province", "360000"))
    assert regions.empty  # a region is above a province's scope
    missing = read_feed_submissions(loaded, "2012-03", "health", scope=Scope("province", "310000"), received=False)
    everyone = read_feed_submissions(loaded, "2012-03", "health", scope=Scope("province", "310000"))
    assert len(everyone) == 16 and set(missing["county_code"]) <= set(everyone["county_code"])
    assert (everyone["due_date"] == date(2012, 4, 5)).all()  # 4 Apr 2012 清明 holiday (2-4 Apr)


def test_suppressed_rates_blank_small_person_counts_only(loaded):
    got = read_feed_rates(loaded, level="county", scope=NATION, department="construction")
    checked = got[got["measure"] == "checked"]
    assert checked["small_cell"].any() and not got.loc[got["measure"] != "checked", "small_cell"].any()
    out = suppressed_rates(got)
    small = out["small_cell"].to_numpy(dtype=bool)
    assert out.loc[small, "denominator"].isna().all()
    assert out.loc[got["measure"].eq("on_time").to_numpy(), "numerator"].notna().all()


def test_all_departments_summed(feeds, loaded):
    frame, arrivals, _ = feeds
    got = departments_summed(read_feed_rates(loaded, "2012-02", level="province", scope=NATION))
    want = expected_rates(frame, arrivals, "province")
    want = want[(want["period"] == "2012-02") & want["measure"].isin(["on_time", "zero"])]
    want = want.groupby(["unit_code", "measure"])[["numerator", "denominator"]].sum()
    got = got.set_index(["unit_code", "measure"])[["numerator", "denominator"]]
    got = got[got["denominator"] > 0]
    pd.testing.assert_frame_equal(got.sort_index(), want[want["denominator"] > 0].sort_index())
    assert (got.index.get_level_values(1) == "on_time").sum() == 31
