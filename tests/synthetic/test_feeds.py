"""The feed generator (``synthetic.feeds``): completeness, determinism, the model's directions,
and injected lateness, checked on its output with pandas."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from etl.feeds.due import due_date
from etl.feeds.ingest import ingest_feeds
from etl.marts import NATION, read_feed_submissions
from synthetic import feeds as synth
from synthetic import generate as gen

PROVINCES = ("310000", "320000", "330000", "340000", "610000", "620000", "410000")


@pytest.fixture(scope="module")
def inputs() -> gen.GeneratorInputs:
    return gen.province_inputs(2010, PROVINCES)


@pytest.fixture(scope="module")
def table(inputs) -> tuple[pd.DataFrame, dict[str, int]]:
    rows, faults = synth.feed_table(inputs, synth.FeedOptions(seed=4, fraction=0.05))
    return rows.to_pandas(), faults


def test_every_county_department_and_month_is_a_row_or_missing(inputs, table):
    rows, faults = table
    n = len(inputs.counties)
    assert len(rows) + faults["missing"] == n * 6 * 48
    assert not rows.duplicated(["department", "county_code", "period"]).any()
    assert set(rows["department"]) == {"public_security", "civil_affairs", "health", "commerce",
                                       "construction", "human_resources"}  # fmt: skip
    assert ((rows["count"] == 0) == rows["zero_report"]).all()
    letters = rows[rows["item"] == "letters"]
    assert letters["count_checked"].notna().all() and (letters["count_checked"] <= letters["count"]).all()
    assert rows.loc[rows["item"] != "letters", "count_checked"].isna().all()
    assert faults["zero"] == int(rows["zero_report"].sum()) > 0


def test_the_same_seed_writes_the_same_file(inputs, tmp_path):
    options = synth.FeedOptions(seed=2, first_period="2011-01", last_period="2011-03")
    a = synth.write_feeds(inputs, options, tmp_path / "a.csv").path.read_bytes()
    b = synth.write_feeds(inputs, options, tmp_path / "b.csv").path.read_bytes()
    c = synth.write_feeds(inputs, synth.FeedOptions(seed=3, first_period="2011-01",
                                                    last_period="2011-03"), tmp_path / "c.csv")  # fmt: skip
    assert a == b and a != c.path.read_bytes()


def lateness(rows: pd.DataFrame) -> pd.Series:
    due = {p: due_date(p) for p in rows["period"].unique()}
    return pd.to_datetime(rows["submitted_at"]).dt.date > rows["period"].map(due)


def test_better_regions_pilots_and_later_years_are_more_punctual(inputs, table):
    rows, _ = table
    rows = rows.assign(late=lateness(rows).to_numpy(), province=rows["county_code"].str[:2])
    by_province = rows.groupby("province")["late"].mean()
    assert by_province["31"] < by_province["61"]  # 泛长三角 vs 西北
    assert by_province[["32", "33"]].mean() < by_province["41"]  # vs no region
    year = rows.groupby(rows["period"].str[:4])["late"].mean()
    assert year["2009"] > year["2010"] > year["2011"] > year["2012"]
    pilots = set(inputs.counties.loc[inputs.counties["is_pilot"], "county_code"])
    jiangzhe = rows[rows["province"].isin(["32", "33"])]
    pilot = jiangzhe["county_code"].isin(pilots)
    assert jiangzhe.loc[pilot, "late"].mean() < jiangzhe.loc[~pilot, "late"].mean()
    n = len(inputs.counties) * 6
    sent = rows.groupby(rows["period"].str[:4]).size() / (n * 12)
    assert sent["2012"] > sent["2009"]  # fewer missing submissions later


def test_injected_lateness_is_exactly_what_the_store_shows(inputs, sqlite_url, tmp_path):
    injections = (
        synth.Injection("health", "310115", "2012-09", 1),  # the day after 8 Oct 2012: late
        synth.Injection("public_security", "310115", "2012-09", 0),  # on the due day: on time
        synth.Injection("commerce", "320211", "2012-10", None),  # not sent
    )
    options = synth.FeedOptions(seed=1, first_period="2012-09", last_period="2012-10",
                                injections=injections)  # fmt: skip
    path = synth.write_feeds(inputs, options, tmp_path / "f.csv").path
    rows = pd.read_csv(path, dtype={"county_code": str})
    health = rows[(rows["department"] == "health") & (rows["county_code"] == "310115") & (rows["period"] == "2012-09")]
    assert pd.Timestamp(health["submitted_at"].iloc[0]).date() == date(2012, 10, 9)
    ingest_feeds([str(path)], sqlite_url, tmp_path / "data", today=date(2013, 1, 1))
    engine = sa.create_engine(sqlite_url)
    subs = read_feed_submissions(engine, scope=NATION).set_index(["department", "county_code", "period"])
    engine.dispose()
    assert subs.loc[("health", "310115", "2012-09"), "received"]
    assert not subs.loc[("health", "310115", "2012-09"), "on_time"]
    assert subs.loc[("public_security", "310115", "2012-09"), "on_time"]
    assert not subs.loc[("commerce", "320211", "2012-10"), "received"]


def test_bad_injections_and_options_are_one_clear_error(inputs):
    with pytest.raises(gen.GeneratorError, match="unknown department"):
        synth.FeedOptions(injections=(synth.Injection("police", "310115", "2012-09", 1),))
    with pytest.raises(gen.GeneratorError, match="feed months must lie in"):
        synth.FeedOptions(first_period="2008-01")
    with pytest.raises(gen.GeneratorError, match="is not generated"):
        synth.feed_table(inputs, synth.FeedOptions(injections=(synth.Injection("health", "110101", "2012-09", 1),)))
    with pytest.raises(gen.GeneratorError, match="injections row 1"):
        synth.parse_injections([{"department": "health", "county_code": "310115", "period": "2012-09", "days_late": "x"}])
