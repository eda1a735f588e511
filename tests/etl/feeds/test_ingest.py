"""Ingest of feeds: validation, quarantine, lineage and atomicity, on SQLite and PostgreSQL.

Expected numbers come from the hand-made rows of ``helpers`` (their comments say why)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from etl.errors import EtlError, InputFormatError
from etl.feeds import ingest as feed_ingest
from etl.feeds.due import CalendarError
from etl.feeds.ingest import ingest_feeds
from etl.marts import NATION, read_feed_submissions
from geodata.hierarchy import hierarchy_table
from tests.etl.feeds.helpers import BAD, BAD_REASONS, GOOD, row, write_feeds

TODAY = date(2013, 1, 15)


def load(paths, store_url, tmp_path, **kw):  # noqa: ANN001, ANN201
    return ingest_feeds([str(p) for p in paths], store_url, tmp_path / "data", today=TODAY, **kw)


def submissions(store_url: str) -> pd.DataFrame:
    engine = sa.create_engine(store_url)
    try:
        return read_feed_submissions(engine, scope=NATION)
    finally:
        engine.dispose()


def table(store_url: str, name: str) -> pd.DataFrame:
    engine = sa.create_engine(store_url)
    try:
        with engine.connect() as conn:
            return pd.read_sql_table(name, conn)
    finally:
        engine.dispose()


def test_good_rows_load_and_the_submissions_mart_says_who_was_on_time(store_url, tmp_path):
    summary = load([write_feeds(tmp_path / "f.csv", GOOD)], store_url, tmp_path)
    assert (summary.n_in, summary.n_loaded, summary.n_quarantined) == (6, 6, 0)
    assert summary.periods == ("2012-08", "2012-09")
    reports = table(store_url, "feed_reports")
    assert len(reports) == 6
    assert sorted(reports["department"]) == sorted(
        ["public_security", "public_security", "health", "civil_affairs", "construction", "commerce"]
    )
    first = reports[(reports["item"] == "moves_in")].iloc[0]
    assert first["count"] == 7 and pd.isna(first["count_checked"])
    assert pd.Timestamp(first["submitted_at"]) == pd.Timestamp("2012-10-08 23:59:59")
    covered = hierarchy_table()
    n_counties = int(covered["in_coverage"].astype(bool).sum())
    owed = table(store_url, "feed_expected")
    assert len(owed) == n_counties * 2  # every covered county owes reports in both periods
    assert set(pd.to_datetime(owed["due_date"]).dt.date) == {date(2012, 10, 8), date(2012, 9, 3)}
    subs = submissions(store_url)
    assert len(subs) == n_counties * 6 * 2  # every county x department x period expected
    got = subs[subs["received"]].set_index(["period", "department", "county_code"])
    assert len(got) == 5
    expect = {  # (on_time, zero, n_items)
        ("2012-09", "public_security", "310115"): (True, False, 2),
        ("2012-09", "health", "310115"): (False, False, 1),
        ("2012-09", "civil_affairs", "320211"): (True, True, 1),
        ("2012-08", "construction", "320211"): (True, False, 1),
        ("2012-08", "commerce", "320211"): (False, True, 1),
    }
    for key, (on_time, zero, n_items) in expect.items():
        one = got.loc[key]
        assert (bool(one["on_time"]), bool(one["zero"]), int(one["n_items"])) == (on_time, zero, n_items), key
    assert got.loc[("2012-09", "public_security", "310115")]["due_date"] == date(2012, 10, 8)
    assert not subs.loc[~subs["received"], "on_time"].any()
    heads = reports.groupby(["period", "department", "county_code"])["is_head"].sum()
    assert (heads == 1).all()  # one head row per submission
    runs = table(store_url, "runs")
    assert list(runs["kind"]) == ["feeds"] and list(runs["status"]) == ["succeeded"]
    inputs = table(store_url, "run_inputs")
    assert (int(inputs["n_in"][0]), int(inputs["n_loaded"][0])) == (6, 6)


def test_each_bad_row_is_quarantined_with_its_reason_and_no_value(store_url, tmp_path):
    path = write_feeds(tmp_path / "f.csv", GOOD[:1] + BAD)
    summary = load([path], store_url, tmp_path)
    assert (summary.n_in, summary.n_loaded, summary.n_quarantined) == (13, 1, 12)
    q = table(store_url, "quarantine").sort_values("row_number")
    assert list(q["row_number"]) == list(range(2, 14))
    for reason, expected in zip(q["reason"], BAD_REASONS, strict=True):
        assert expected in reason, (reason, expected)
        for value in ("交通", "999999", "2012-13", "2012-10-32", "-3"):
            assert value not in reason
    assert set(q["source"]) == {str(path)}


def test_gb18030_with_chinese_headers_reads_as_utf8(sqlite_url, tmp_path):
    a = load([write_feeds(tmp_path / "a.csv", GOOD)], sqlite_url, tmp_path)
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    b = load(
        [write_feeds(tmp_path / "b.csv", GOOD, chinese=True, encoding="gb18030")], other, tmp_path
    )
    assert b.inputs[0].encoding == "gb18030" and a.inputs[0].encoding == "utf-8"
    columns = ["period", "department", "county_code", "item", "submitted_at", "count", "zero"]
    left = table(sqlite_url, "feed_reports")[columns].sort_values(columns[:4], ignore_index=True)
    right = table(other, "feed_reports")[columns].sort_values(columns[:4], ignore_index=True)
    pd.testing.assert_frame_equal(left, right)


def test_the_same_file_again_is_skipped_and_a_repeated_report_is_a_duplicate(store_url, tmp_path):
    path = write_feeds(tmp_path / "f.csv", GOOD)
    load([path], store_url, tmp_path)
    again = load([path], store_url, tmp_path)
    assert again.inputs[0].skipped_as_run == 1 and again.n_in == 0
    late = write_feeds(
        tmp_path / "g.csv",
        [row("公安", "310115", "2012-09", "2012-10-20", "迁入", "9"),
         row("公安", "320211", "2012-09", "2012-10-20", "迁入", "9")],
    )  # fmt: skip
    third = load([late], store_url, tmp_path)
    assert (third.n_loaded, third.n_quarantined) == (1, 1)
    q = table(store_url, "quarantine")
    assert list(q["reason"]) == [f"{feed_ingest.DUPLICATE} (an earlier load)"]
    reports = table(store_url, "feed_reports")
    kept = reports[(reports["county_code"] == "310115") & (reports["item"] == "moves_in")]
    assert list(kept["count"]) == [7]  # the first report stands
    subs = submissions(store_url)
    late_one = subs[(subs["county_code"] == "320211") & (subs["department"] == "public_security") & (subs["period"] == "2012-09")]
    assert late_one["received"].all() and not late_one["on_time"].any()
    # the earlier submissions of 2012-09 survive the rebuild of the period's flags
    assert int(subs["received"].sum()) == 6


def test_a_failed_load_leaves_the_store_unchanged(store_url, tmp_path, monkeypatch):
    load([write_feeds(tmp_path / "f.csv", GOOD)], store_url, tmp_path)
    before = {name: table(store_url, name) for name in ("feed_reports", "feed_expected", "quarantine")}

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError("the disk went away")

    monkeypatch.setattr(feed_ingest, "expected", broken)
    more = write_feeds(tmp_path / "g.csv", [row("公安", "320211", "2012-09", "2012-10-20", "迁入", "9"), BAD[1]])
    with pytest.raises(OSError):
        load([more], store_url, tmp_path)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(table(store_url, name), frame)
    runs = table(store_url, "runs").sort_values("run_id")
    assert list(runs["status"]) == ["succeeded", "failed"]


def test_a_year_the_calendar_lacks_fails_in_one_line_and_loads_nothing(sqlite_url, tmp_path):
    path = write_feeds(tmp_path / "f.csv", [row("公安", "310115", "2026-12", "2027-01-04", "迁入", "1")])
    with pytest.raises(CalendarError) as info:
        ingest_feeds([str(path)], sqlite_url, tmp_path / "data", today=date(2027, 2, 1),
                     last_period="2027-01")  # fmt: skip
    assert "\n" not in str(info.value) and "2027" in str(info.value)
    assert table(sqlite_url, "feed_reports").empty
    assert list(table(sqlite_url, "runs")["status"]) == ["failed"]


def test_malformed_lines_are_quarantined_with_their_row_numbers(sqlite_url, tmp_path):
    path = write_feeds(tmp_path / "f.csv", GOOD[:2])
    text = path.read_text(encoding="utf-8").splitlines()
    text.insert(2, "公安,310115,2012-09")  # row 2 has 3 fields
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    summary = load([path], sqlite_url, tmp_path)
    assert (summary.n_in, summary.n_loaded, summary.n_quarantined) == (3, 2, 1)
    q = table(sqlite_url, "quarantine")
    assert list(q["row_number"]) == [2] and "not a CSV row of 8 fields" in q["reason"][0]


def test_a_missing_column_is_one_error_naming_it(sqlite_url, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("department,county_code,period,item,count,zero_report\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match="missing columns: submitted_at") as info:
        load([path], sqlite_url, tmp_path)
    assert "docs/feeds.md" in str(info.value)


def test_submitted_after_the_day_of_the_load_is_quarantined(sqlite_url, tmp_path):
    path = write_feeds(tmp_path / "f.csv", [row("公安", "310115", "2012-12", "2013-01-16", "迁入", "1")])
    summary = load([path], sqlite_url, tmp_path)
    assert summary.n_quarantined == 1
    assert table(sqlite_url, "quarantine")["reason"][0] == "submitted_at: after today"
    assert isinstance(datetime.now(), datetime) and issubclass(CalendarError, EtlError)


def test_a_typed_parquet_file_loads_as_its_csv_twin(sqlite_url, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = pd.DataFrame(GOOD)
    typed = pa.table({
        "department": frame["department"], "county_code": frame["county_code"], "period": frame["period"],
        "submitted_at": pa.array(pd.to_datetime(frame["submitted_at"], format="mixed"), pa.timestamp("s")),
        "item": frame["item"], "count": pa.array(frame["count"].astype(int), pa.int64()),
        "count_checked": pa.array([int(v) if v else None for v in frame["count_checked"]], pa.int64()),
        "zero_report": pa.array([v in ("1", "是") for v in frame["zero_report"]]),
    })  # fmt: skip
    pq.write_table(typed, tmp_path / "f.parquet")
    summary = load([tmp_path / "f.parquet"], sqlite_url, tmp_path)
    assert (summary.n_in, summary.n_loaded, summary.n_quarantined) == (6, 6, 0)
    other = f"sqlite:///{tmp_path / 'csv.sqlite'}"
    load([write_feeds(tmp_path / "f.csv", GOOD)], other, tmp_path)
    columns = ["period", "department", "county_code", "item", "submitted_at", "count", "count_checked", "on_time", "zero"]
    left = table(sqlite_url, "feed_reports")[columns].sort_values(columns[:4], ignore_index=True)
    right = table(other, "feed_reports")[columns].sort_values(columns[:4], ignore_index=True)
    pd.testing.assert_frame_equal(left, right)


def test_a_store_of_older_code_is_refused_until_upgraded_then_takes_feeds(store_url, tmp_path):
    from etl.errors import StoreError
    from etl.store import open_store, upgrade

    engine = open_store(store_url, create=True)
    with engine.begin() as conn:
        for name in ("feed_reports", "feed_expected", "record_events"):
            conn.execute(sa.text(f"DROP TABLE {name}"))
    engine.dispose()
    with pytest.raises(StoreError, match="lacks table.*feed_expected, feed_reports, record_events.*store upgrade"):
        open_store(store_url)
    done = upgrade(store_url)
    assert any("feed_expected" in step for step in done)
    summary = load([write_feeds(tmp_path / "f.csv", GOOD)], store_url, tmp_path)
    assert summary.n_loaded == 6
