"""Ingest end to end: quarantine, encodings, counts, idempotence, new months, pseudonymisation."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from etl import marts, store
from etl.errors import HashKeyError, InputFormatError
from etl.pipeline import ingest
from etl.scope import NATION
from etl.staged import staged_files, staging_root
from tests.etl.helpers import (
    CHINESE,
    FIELDS,
    MESSY,
    MESSY_LOADED,
    MESSY_REASONS,
    TINY,
    TINY_FEBRUARY,
    random_records,
    write_csv,
)

KEY = "test-key-0123456789abcdef"


def _counts_hold(summary) -> None:
    assert summary.n_in == summary.n_loaded + summary.n_quarantined
    for s in summary.inputs:
        assert s.n_in == s.n_loaded + s.n_quarantined


def _snapshot(url: str) -> dict[str, pd.DataFrame]:
    engine = store.open_store(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: pd.read_sql_query(sa.select(t), conn).sort_values(
                    [c.name for c in t.columns], ignore_index=True
                )
                for t in (store.flows, store.flows_rollup, store.coverage, store.assessment, store.quarantine)
            }
    finally:
        engine.dispose()


def test_messy_file_quarantine_holds_exactly_the_faults(tmp_path, sqlite_url):
    path = write_csv(tmp_path / "messy.csv", MESSY)
    summary = ingest([path], sqlite_url, tmp_path / "data", KEY)
    _counts_hold(summary)
    assert (summary.n_in, summary.n_loaded, summary.n_quarantined) == (len(MESSY), MESSY_LOADED, len(MESSY_REASONS))
    q = store.read_quarantine(store.open_store(sqlite_url))
    assert dict(zip(q["row_number"], q["reason"], strict=True)) == MESSY_REASONS
    assert set(q["source"]) == {str(path)}
    assert list(q.columns) == ["run_id", "source", "row_number", "reason"]


def test_gb18030_after_an_ascii_start_is_read_again_as_gb18030(tmp_path, sqlite_url):
    """The encoding is guessed from the first 8 MB while the whole file is checked in parallel."""
    counties = ["310115", "320211", "330402", "440106", "110105"]
    rows = random_records(100_050, counties, ["2010-11", "2010-12"], seed=11)
    path = write_csv(tmp_path / "late.csv", rows[:100_000])  # canonical headers, 1/0: ASCII
    assert path.stat().st_size > 8 << 20 and path.read_bytes().isascii()
    with path.open("a", encoding="gb18030", newline="") as f:
        for row in rows[100_000:]:
            f.write(",".join({"1": "男", "2": "女"}[row[k]] if k == "sex" else row[k] for k in FIELDS) + "\r\n")
    summary = ingest([path], sqlite_url, tmp_path / "data", KEY)
    _counts_hold(summary)
    assert summary.inputs[0].encoding == "gb18030"
    assert summary.n_loaded == len(rows) and summary.n_quarantined == 0
    again = ingest([path], sqlite_url, tmp_path / "data", KEY)  # the same content: skipped
    assert again.n_in == 0 and again.inputs[0].skipped_as_run == summary.run_id


def test_gb18030_chinese_headers_words_and_extra_columns(tmp_path, sqlite_url):
    rows = [
        dict(r, sex={"1": "男", "2": "女"}[r["sex"]], **{f: {"1": "是", "0": "否"}[r[f]] for f in FIELDS[8:]})
        for r in TINY
    ]
    rows[0]["marital_status"] = "已婚"
    names = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十", "郑一", "冯二", "陈三", "褚四"]
    path = write_csv(tmp_path / "gb.csv", rows, chinese=True, encoding="gb18030", extra={"姓名": names})
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")
    summary = ingest([path], sqlite_url, tmp_path / "data", KEY)
    _counts_hold(summary)
    assert summary.n_loaded == len(TINY) and summary.n_quarantined == 0
    assert summary.inputs[0].encoding == "gb18030"
    assert summary.inputs[0].extra_columns == ("姓名",)
    # no name and no ID in the store or the staged files
    _assert_absent(tmp_path, sqlite_url, names + [r["person_id"] for r in TINY])
    inputs = store.read_run_inputs(store.open_store(sqlite_url))
    assert inputs["extra_columns"].tolist() == ["姓名"]


def _assert_absent(tmp_path, sqlite_url, secrets: list[str]) -> None:
    db = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(FULL)")
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        dump = "\n".join(str(row) for t in tables for row in con.execute(f'SELECT * FROM "{t}"'))
    raw = Path(db).read_bytes()
    staged = [p for _, _, p in staged_files(next((tmp_path / "data" / "staged").iterdir()))]
    assert staged
    for path in staged:
        table = pq.read_table(path)
        assert "person_id" not in table.column_names
        dump += "\n" + str(table.to_pydict())
        raw += path.read_bytes()
    for secret in secrets:
        assert secret not in dump
        assert secret.encode("utf-8") not in raw


def test_no_raw_id_anywhere(tmp_path, sqlite_url):
    ingest([write_csv(tmp_path / "tiny.csv", TINY)], sqlite_url, tmp_path / "data", KEY)
    ingest([write_csv(tmp_path / "messy.csv", MESSY)], sqlite_url, tmp_path / "data", KEY)
    ids = [r["person_id"] for r in TINY + MESSY if len(r["person_id"]) >= 15]
    _assert_absent(tmp_path, sqlite_url, ids + [i.upper() for i in ids])


def test_same_file_twice_changes_nothing(tmp_path, store_url):
    path = write_csv(tmp_path / "tiny.csv", TINY + MESSY)
    first = ingest([path], store_url, tmp_path / "data", KEY)
    before = _snapshot(store_url)
    files = staged_files(staging_root(tmp_path / "data", store.meta(store.open_store(store_url), "store_id")))
    second = ingest([path], store_url, tmp_path / "data", KEY)
    assert second.inputs[0].skipped_as_run == first.run_id
    assert (second.n_in, second.n_loaded, second.n_quarantined) == (0, 0, 0)
    after = _snapshot(store_url)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name])
    assert staged_files(staging_root(tmp_path / "data", store.meta(store.open_store(store_url), "store_id"))) == files


def test_same_records_in_another_file_are_duplicates(tmp_path, sqlite_url):
    ingest([write_csv(tmp_path / "a.csv", TINY)], sqlite_url, tmp_path / "data", KEY)
    before = _snapshot(sqlite_url)
    summary = ingest([write_csv(tmp_path / "b.csv", TINY[:2] + TINY_FEBRUARY[:1])], sqlite_url, tmp_path / "data", KEY)
    _counts_hold(summary)
    assert (summary.n_loaded, summary.n_quarantined) == (1, 2)
    q = store.read_quarantine(store.open_store(sqlite_url), summary.run_id)
    assert q["reason"].tolist() == ["duplicate person-period: already loaded by an earlier run"] * 2
    after = _snapshot(sqlite_url)
    pd.testing.assert_frame_equal(
        before["flows"], after["flows"][after["flows"]["period"] == "2010-01"].reset_index(drop=True)
    )


def test_new_month_adds(tmp_path, store_url):
    ingest([write_csv(tmp_path / "jan.csv", TINY)], store_url, tmp_path / "data", KEY)
    engine = store.open_store(store_url)
    january = marts.read_flows(engine, "2010-01", cohort=None, scope=NATION)
    summary = ingest([write_csv(tmp_path / "feb.csv", TINY_FEBRUARY)], store_url, tmp_path / "data", KEY)
    assert summary.periods == ("2010-02",)
    assert summary.n_loaded == 3
    assert marts.periods(engine, scope=NATION) == ["2010-01", "2010-02"]
    pd.testing.assert_frame_equal(marts.read_flows(engine, "2010-01", cohort=None, scope=NATION), january)
    feb = marts.read_flows(engine, "2010-02", scope=NATION)
    assert feb[["origin_code", "destination_code", "persons"]].values.tolist() == [["410102", "310115", 3]]
    assert marts.read_period_totals(engine, scope=NATION)["persons"].tolist() == [12, 3]
    engine.dispose()


def test_several_inputs_in_one_run_and_parquet(tmp_path, sqlite_url):
    csv_path = write_csv(tmp_path / "a.csv", TINY[:6])
    table = pa.table({f: [r[f] for r in TINY[6:]] for f in FIELDS})
    pq.write_table(table, tmp_path / "b.parquet")
    summary = ingest([csv_path, tmp_path / "b.parquet", csv_path], sqlite_url, tmp_path / "data", KEY)
    _counts_hold(summary)
    assert [s.format for s in summary.inputs] == ["csv", "parquet", "csv"]
    assert summary.inputs[2].skipped_as_run == summary.run_id  # the same file twice in one run
    assert summary.n_loaded == 12
    assert marts.read_period_totals(store.open_store(sqlite_url), scope=NATION)["persons"].tolist() == [12]


def test_sql_table_input(tmp_path, sqlite_url):
    source = f"sqlite:///{tmp_path / 'source.sqlite'}"
    frame = pd.DataFrame(TINY).rename(columns=CHINESE)
    frame["备注"] = "x"
    engine = sa.create_engine(source)
    frame.to_sql("padis_extract", engine, index=False)
    engine.dispose()
    summary = ingest([source], sqlite_url, tmp_path / "data", KEY, table="padis_extract")
    _counts_hold(summary)
    assert summary.n_loaded == 12 and summary.inputs[0].format == "sql"
    assert summary.inputs[0].extra_columns == ("备注",)
    again = ingest([source], sqlite_url, tmp_path / "data", KEY, table="padis_extract")
    assert again.inputs[0].skipped_as_run == summary.run_id
    assert store.read_quarantine(store.open_store(sqlite_url)).empty


def test_key_errors(tmp_path, sqlite_url):
    path = write_csv(tmp_path / "tiny.csv", TINY)
    with pytest.raises(HashKeyError, match="YIPANQI_HASH_KEY"):
        ingest([path], sqlite_url, tmp_path / "data", None)
    ingest([path], sqlite_url, tmp_path / "data", None, demo=True)
    with pytest.raises(HashKeyError, match="another hash key"):
        ingest([write_csv(tmp_path / "feb.csv", TINY_FEBRUARY)], sqlite_url, tmp_path / "data", KEY)


def test_missing_column_is_a_clear_error(tmp_path, sqlite_url):
    path = tmp_path / "bad.csv"
    path.write_text("person_id,sex\n110101199001010011,1\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match="missing columns: birth_date, marital_status"):
        ingest([path], sqlite_url, tmp_path / "data", KEY)
    with pytest.raises(InputFormatError, match="input not found"):
        ingest([tmp_path / "nope.csv"], sqlite_url, tmp_path / "data", KEY)


def test_malformed_csv_lines_are_counted(tmp_path, sqlite_url):
    path = write_csv(tmp_path / "tiny.csv", TINY[:3])
    with path.open("a", encoding="utf-8") as f:
        f.write("1,2,3\n")
    summary = ingest([path], sqlite_url, tmp_path / "data", KEY)
    _counts_hold(summary)
    assert (summary.n_in, summary.n_loaded, summary.n_quarantined) == (4, 3, 1)
    q = store.read_quarantine(store.open_store(sqlite_url))
    assert q["reason"].tolist() == ["not a CSV row of 17 fields: 3 found"]
    assert q["row_number"].tolist() == [4]


def test_duplicates_in_a_file_mixing_months(tmp_path, sqlite_url):
    rows = [TINY_FEBRUARY[0], TINY[0], TINY[1], TINY_FEBRUARY[0], TINY[0], TINY_FEBRUARY[1]]
    summary = ingest([write_csv(tmp_path / "mixed.csv", rows)], sqlite_url, tmp_path / "data", KEY)
    _counts_hold(summary)
    assert (summary.n_loaded, summary.n_quarantined) == (4, 2)
    q = store.read_quarantine(store.open_store(sqlite_url))
    assert q["row_number"].tolist() == [4, 5]
    assert set(q["reason"]) == {"duplicate person-period: same person_id and period as an earlier row (that one is kept)"}
    assert marts.read_period_totals(store.open_store(sqlite_url), scope=NATION)["persons"].tolist() == [2, 2]
