"""The reporting window: a period after the run's month (or a configured last month), or before
the programme's first reporting month (2009-01), is quarantined with its reason; the demo
generator's periods (2009-01 .. 2012-12) all pass."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from etl import store
from etl.dates import PeriodWindow, month_range
from etl.pipeline import ingest
from etl.records import FIRST_PERIOD, FIRST_REPORTING_PERIOD, LAST_PERIOD
from etl.stage import CodeBook, stage_batch
from geodata.hierarchy import hierarchy_table
from tests.etl.helpers import FIELDS, TINY, write_csv
from yipanqi.cli import app
from yipanqi.settings import SettingsError, load_settings


@pytest.fixture(scope="module")
def codes() -> CodeBook:
    return CodeBook.from_hierarchy(hierarchy_table())


def _stage(rows, codes, window=None):
    batch = pa.table({f: pa.array([r[f] for r in rows], pa.string()) for f in FIELDS})
    staged = stage_batch(batch, {f: f for f in FIELDS}, 1, codes, window)
    reasons = dict(
        zip(staged.quarantine["row_number"].to_pylist(), staged.quarantine["reason"].to_pylist(), strict=True)
    )
    return staged, reasons


def _this_month() -> str:
    today = dt.date.today()
    return f"{today.year:04d}-{today.month:02d}"


def test_future_and_early_periods_are_quarantined_with_their_reason(codes):
    periods = ["2031-06", "2099-01", "2008-12", "1990-01", FIRST_REPORTING_PERIOD, "2012-12", _this_month()]
    rows = [dict(TINY[i], period=p) for i, p in enumerate(periods)]
    rows[3]["arrival_date"] = "1989-05-01"  # not after its period's last day
    staged, reasons = _stage(rows, codes)  # the default window: 2009-01 .. this month
    after = f"period: after the reporting window (ends {_this_month()})"
    before = "period: before the reporting window (starts 2009-01)"
    assert reasons == {1: after, 2: after, 3: before, 4: before}
    assert staged.records["period"].to_pylist() == periods[4:]
    assert staged.rule_counts[after] == 2 and staged.rule_counts[before] == 2


def test_a_configured_window_and_other_rules_still_reported(codes):
    window = PeriodWindow("2010-01", "2010-06")
    rows = [dict(TINY[0], period="2010-07"), dict(TINY[1], period="2010-06"), dict(TINY[2], period="2009-12", sex="3")]
    _, reasons = _stage(rows, codes, window)
    assert reasons == {
        1: "period: after the reporting window (ends 2010-06)",
        3: "sex: not 1/2/男/女; period: before the reporting window (starts 2010-01)",
    }


def test_the_window_itself():
    assert PeriodWindow.through("2009-01", None, dt.date(2026, 3, 31)) == PeriodWindow("2009-01", "2026-03")
    assert PeriodWindow.through("2009-01", "2012-12", dt.date(2026, 3, 31)).months() == (2009 * 12, 2012 * 12 + 11)
    with pytest.raises(ValueError, match="ends before it starts"):
        PeriodWindow("2012-01", "2011-12")
    with pytest.raises(ValueError):
        PeriodWindow("2012-13", "2013-01")


def test_the_demo_periods_are_inside_the_default_window(codes):
    demo = month_range(FIRST_PERIOD, LAST_PERIOD)
    assert (demo[0], demo[-1], len(demo)) == ("2009-01", "2012-12", 48)
    rows = [dict(TINY[i % len(TINY)], period=p) for i, p in enumerate(demo)]
    staged, reasons = _stage(rows, codes)
    assert reasons == {} and staged.records.num_rows == 48


def test_ingest_keeps_future_periods_out_of_the_marts(tmp_path, store_url):
    rows = [dict(r, period="2010-01") for r in TINY[:8]] + [
        dict(TINY[8], period="2031-06"),
        dict(TINY[9], period="2099-01"),
        dict(TINY[10], period="2008-06"),
        dict(TINY[11], period="2012-12"),
    ]
    summary = ingest([write_csv(tmp_path / "f.csv", rows)], store_url, tmp_path / "data", demo=True)
    assert (summary.n_in, summary.n_loaded, summary.n_quarantined) == (12, 9, 3)
    assert summary.periods == ("2010-01", "2012-12")
    engine = store.open_store(store_url)
    try:
        quarantined = store.read_quarantine(engine).set_index("row_number")["reason"].to_dict()
        import sqlalchemy as sa

        with engine.connect() as conn:
            mart_periods = set(conn.execute(sa.select(store.flows.c.period).distinct()).scalars())
    finally:
        engine.dispose()
    assert sorted(quarantined) == [9, 10, 11]
    assert quarantined[9].startswith("period: after the reporting window")
    assert quarantined[11] == "period: before the reporting window (starts 2009-01)"
    assert mart_periods == {"2010-01", "2012-12"}


def test_settings_name_the_window(monkeypatch):
    assert load_settings({}).first_period == "2009-01" and load_settings({}).last_period is None
    got = load_settings({"YIPANQI_FIRST_PERIOD": "2010-01", "YIPANQI_LAST_PERIOD": "2012-12"})
    assert (got.first_period, got.last_period) == ("2010-01", "2012-12")
    for env, word in (
        ({"YIPANQI_LAST_PERIOD": "2012-13"}, "YIPANQI_LAST_PERIOD must be a month YYYY-MM"),
        ({"YIPANQI_FIRST_PERIOD": "2009"}, "YIPANQI_FIRST_PERIOD must be a month YYYY-MM"),
        ({"YIPANQI_FIRST_PERIOD": "2012-01", "YIPANQI_LAST_PERIOD": "2011-01"}, "ends before it starts"),
    ):
        with pytest.raises(SettingsError, match=word):
            load_settings(env)


def test_the_command_uses_the_configured_last_month(tmp_path, monkeypatch):
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("YIPANQI_STORE_URL", raising=False)
    monkeypatch.setenv("YIPANQI_LAST_PERIOD", "2010-01")
    rows = [dict(TINY[0], period="2010-01"), dict(TINY[1], period="2010-02")]
    result = CliRunner().invoke(app, ["ingest", str(write_csv(tmp_path / "w.csv", rows)), "--demo"])
    assert result.exit_code == 0, result.output
    assert "in 2 = loaded 1 + quarantined 1" in result.stdout
    assert "period: after the reporting window (ends 2010-01)" in result.stdout
    monkeypatch.setenv("YIPANQI_LAST_PERIOD", "2010-1")
    refused = CliRunner().invoke(app, ["ingest", str(tmp_path / "w.csv"), "--demo"])
    assert refused.exit_code == 2 and refused.stderr.count("\n") == 1
    assert "YIPANQI_LAST_PERIOD must be a month YYYY-MM" in refused.stderr


def test_generated_demo_records_are_all_inside_the_window(tmp_path, monkeypatch):
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "demo.csv"
    args = ["generate", "--out", str(out), "--provinces", "31", "--fraction", "1e-5"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = ingest([out], f"sqlite:///{tmp_path / 's.sqlite'}", tmp_path / "data", demo=True)
    assert not any("reporting window" in rule for rule in summary.rule_counts)
    assert summary.n_quarantined == 0 and summary.n_loaded == summary.n_in > 0
    assert summary.periods == tuple(month_range("2009-01", "2012-12"))
