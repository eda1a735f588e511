"""``yipanqi generate-feeds`` and ``yipanqi ingest-feeds`` end to end: injected lateness and the
records' arrivals reach the file, and the file the store."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from typer.testing import CliRunner

from etl import store
from etl.marts import NATION, read_feed_submissions
from yipanqi import cli


def test_generate_with_injections_and_records_then_ingest(tmp_path, monkeypatch):
    for name in ("YIPANQI_STORE_URL", "YIPANQI_LAST_PERIOD", "YIPANQI_FIRST_PERIOD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(tmp_path / "data"))
    records = f"sqlite:///{tmp_path / 'records.sqlite'}"
    engine = store.open_store(records, create=True)
    arrivals = [{"period": "2012-02", "county_code": c, "event": "arrivals", "persons": 40 + i}
                for i, c in enumerate(("310115", "310104", "310101"))]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(store.record_events.insert(), arrivals)
    engine.dispose()
    inject = tmp_path / "inject.csv"
    inject.write_text(
        "department,county_code,period,days_late\nhealth,310115,2012-02,3\ncommerce,310104,2012-01,\n",
        encoding="utf-8",
    )
    out = tmp_path / "feeds.csv"
    runner = CliRunner()
    result = runner.invoke(cli.app, [
        "generate-feeds", "--out", str(out), "--periods", "2012-01:2012-02", "--provinces", "31",
        "--seed", "3", "--inject", str(inject), "--records-store", records,
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(out, dtype={"county_code": str})
    assert set(rows["county_code"].str[:2]) == {"31"}
    police = rows[(rows["item"] == "moves_in") & (rows["period"] == "2012-02")].set_index("county_code")
    given = {a["county_code"]: a["persons"] for a in arrivals}
    close = [abs(police.loc[c, "count"] - n) <= 1 + 0.2 * n for c, n in given.items() if c in police.index]
    assert close and all(close)  # the records' arrivals, give or take a mismatch
    store_url = f"sqlite:///{tmp_path / 'feeds.sqlite'}"
    result = runner.invoke(cli.app, ["ingest-feeds", str(out), "--store", store_url])
    assert result.exit_code == 0, result.output
    assert f"loaded {len(rows):,} + quarantined 0" in " ".join(result.output.split())
    engine = sa.create_engine(store_url)
    subs = read_feed_submissions(engine, scope=NATION).set_index(["department", "county_code", "period"])
    engine.dispose()
    late = subs.loc[("health", "310115", "2012-02")]
    assert late["received"] and not late["on_time"]
    assert str(late["submitted_at"].date()) == "2012-03-08"  # due Mon 5 Mar 2012 (3-4 Mar a weekend) + 3
    assert not subs.loc[("commerce", "310104", "2012-01"), "received"]


def test_a_bad_injection_file_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(tmp_path / "data"))
    inject = tmp_path / "inject.csv"
    inject.write_text("department,county_code,period,days_late\nhealth,310115,2012-02,soon\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli.app, ["generate-feeds", "--out", str(tmp_path / "f.csv"), "--provinces", "31", "--inject", str(inject)]
    )
    assert result.exit_code == 2
    assert "injections row 1" in result.output and "Traceback" not in result.output
