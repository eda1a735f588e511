"""The records' own events (``record_events``: arrivals), against the records' arrival dates.

Independent check: in the synthetic records a person is present every month from arrival to
departure, and the arrival date lies in the arrival month, so a county's arrivals in a period
(persons there who were not there the month before) are exactly its records whose
``arrival_date`` falls in that period, for every period after the first one loaded (pandas).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from etl.pipeline import aggregate, ingest
from synthetic import generate as gen


def test_arrivals_are_the_records_that_arrived_in_the_period(sqlite_url, tmp_path):
    inputs = gen.province_inputs(2010, ("310000", "330000"))
    spec = gen.OutputSpec(tmp_path / "r.parquet")
    options = gen.GenerateOptions(fraction=1e-4, first_period="2010-01", last_period="2010-04", seed=3)
    gen.write_records(inputs, options, spec)
    records = pd.read_parquet(spec.path)
    ingest([spec.path], sqlite_url, tmp_path / "data", demo=True, workers=0)

    def stored(event: str = "arrivals") -> pd.DataFrame:
        engine = sa.create_engine(sqlite_url)
        with engine.connect() as conn:
            got = pd.read_sql_table("record_events", conn)
        engine.dispose()
        got = got[got["event"] == event]
        return got.set_index(["period", "county_code"])["persons"].sort_index()

    arrived = records[records["arrival_date"].str[:7] == records["period"]]
    expected = arrived.groupby(["period", "residence_code"]).size()
    expected = expected[expected.index.get_level_values(0) > "2010-01"]
    expected.index.names = ["period", "county_code"]
    got = stored()
    assert set(got.index.get_level_values(0)) == {"2010-02", "2010-03", "2010-04"}  # 01: unknown
    assert expected.sum() > 100
    pd.testing.assert_series_equal(
        got, expected.rename("persons").astype("int64").sort_index(), check_names=False
    )
    # departures: the same new residences by hukou county, only those outside it (迁出)
    away = arrived[arrived["hukou_code"] != arrived["residence_code"]]
    left = away.groupby(["period", "hukou_code"]).size()
    left = left[left.index.get_level_values(0) > "2010-01"]
    left.index.names = ["period", "county_code"]
    gone = stored("departures")
    assert left.sum() > 50
    pd.testing.assert_series_equal(
        gone, left.rename("persons").astype("int64").sort_index(), check_names=False
    )
    aggregate(sqlite_url, tmp_path / "data")  # a rebuild gives the same events
    pd.testing.assert_series_equal(stored(), got)
    pd.testing.assert_series_equal(stored("departures"), gone)


def test_record_events_read_through_the_scope(sqlite_url, tmp_path):
    from etl import store
    from etl.marts import NATION, Scope, read_record_events

    engine = store.open_store(sqlite_url, create=True)
    rows = [
        {"period": "2010-02", "county_code": "310115", "event": "arrivals", "persons": 12},
        {"period": "2010-02", "county_code": "320211", "event": "arrivals", "persons": 7},
        {"period": "2010-03", "county_code": "310115", "event": "arrivals", "persons": 5},
    ]
    with engine.begin() as conn:
        conn.execute(store.record_events.insert(), rows)
        units = [
            {"county_code": c, "county_name": c, "prefecture_code": p, "prefecture_name": p,
             "province_code": v, "province_name": v}
            for c, p, v in (("310115", "310100", "310000"), ("320211", "320200", "320000"))
        ]  # fmt: skip
        conn.execute(store.units.insert(), units)
    everything = read_record_events(engine, scope=NATION)
    assert list(everything["persons"]) == [12, 7, 5]
    shanghai = read_record_events(engine, scope=Scope("province", "310000"))
    assert list(shanghai["county_code"]) == ["310115", "310115"]
    assert list(read_record_events(engine, "2010-03", "arrivals", scope=NATION)["persons"]) == [5]
    engine.dispose()
