"""The store: atomic loads (failed and killed), lineage, and the export contract."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from etl import marts, store
from etl.export import COVERAGE_COLUMNS, FLOWS_COLUMNS, QUARANTINE_COLUMNS
from etl.pipeline import ingest
from etl.scope import NATION
from etl.staged import staged_files, staging_root
from tests.etl.helpers import MESSY, TINY, random_records, write_csv

KEY = "test-key-0123456789abcdef"
REPO = Path(__file__).resolve().parents[2]


def _snapshot(url: str) -> dict[str, pd.DataFrame]:
    engine = store.open_store(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: pd.read_sql_query(sa.select(t), conn).sort_values(
                    [c.name for c in t.columns], ignore_index=True
                )
                for t in (*store.MART_TABLES, store.quarantine, store.run_inputs)
            }
    finally:
        engine.dispose()


def _assert_same(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> None:
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)


def _second_file(tmp_path: Path) -> Path:
    """New people in the tiny fixture's month (so a load would replace 2010-01) and a new month."""
    rows = random_records(300, ["310115", "320211", "410102"], ["2010-01", "2010-02"], seed=11)
    return write_csv(tmp_path / "second.csv", rows)


def test_failed_load_leaves_previous_data_readable(tmp_path, store_url, monkeypatch):
    first = ingest([write_csv(tmp_path / "tiny.csv", TINY)], store_url, tmp_path / "data", KEY)
    before = _snapshot(store_url)
    seen_during_load: list[int] = []
    real_insert = store.writes.bulk_insert

    def failing_insert(conn, table, data):
        if table is store.coverage:
            # flows of 2010-01 are deleted and re-inserted inside the open transaction by now;
            # another connection still reads the old ones
            other = sa.create_engine(store_url)
            with other.connect() as reader:
                seen_during_load.append(reader.execute(sa.select(sa.func.sum(store.flows.c.persons_all))).scalar())
            other.dispose()
            raise RuntimeError("disk full (simulated)")
        real_insert(conn, table, data)

    monkeypatch.setattr(store.writes, "bulk_insert", failing_insert)
    second = _second_file(tmp_path)
    with pytest.raises(RuntimeError, match="simulated"):
        ingest([second], store_url, tmp_path / "data", KEY)
    monkeypatch.setattr(store.writes, "bulk_insert", real_insert)

    assert seen_during_load == [int(before["flows"]["persons_all"].sum())]
    _assert_same(before, _snapshot(store_url))
    engine = store.open_store(store_url)
    failed = store.list_runs(engine)[0]
    assert failed.status == "failed" and "simulated" in failed.message
    assert store.latest_run(engine).run_id == first.run_id
    root = staging_root(tmp_path / "data", store.meta(engine, "store_id"))
    assert {run for _, run, _ in staged_files(root)} == {first.run_id}
    # the same input loads afterwards: a failed run does not count as ingested
    again = ingest([second], store_url, tmp_path / "data", KEY)
    assert again.inputs[0].skipped_as_run is None and again.n_loaded == 300
    assert marts.periods(engine, scope=NATION) == ["2010-01", "2010-02"]
    engine.dispose()


KILLER = """
import os, sys
sys.path.insert(0, {repo!r})
from etl import store, pipeline
real = store.writes.bulk_insert
def killing_insert(conn, table, data):
    if table is store.coverage:
        os._exit(9)  # killed mid-load: no rollback, no cleanup, no exception handler
    real(conn, table, data)
store.writes.bulk_insert = killing_insert
pipeline.ingest([{path!r}], {url!r}, {data!r}, {key!r})
"""


def test_killed_load_leaves_previous_data_readable(tmp_path, store_url):
    ingest([write_csv(tmp_path / "tiny.csv", TINY)], store_url, tmp_path / "data", KEY)
    before = _snapshot(store_url)
    second = _second_file(tmp_path)
    script = KILLER.format(repo=str(REPO), path=str(second), url=store_url, data=str(tmp_path / "data"), key=KEY)
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 9, done.stderr

    _assert_same(before, _snapshot(store_url))
    engine = store.open_store(store_url)
    killed = store.list_runs(engine)[0]
    assert killed.status == "running"
    root = staging_root(tmp_path / "data", store.meta(engine, "store_id"))
    assert killed.run_id in {run for _, run, _ in staged_files(root)}  # left behind, ignored

    summary = ingest([second], store_url, tmp_path / "data", KEY)
    assert summary.n_loaded == 300
    runs = {r.run_id: r.status for r in store.list_runs(engine)}
    assert runs[killed.run_id] == "failed"
    assert killed.run_id not in {run for _, run, _ in staged_files(root)}
    engine.dispose()


def test_runs_keep_lineage(tmp_path, store_url):
    path = write_csv(tmp_path / "messy.csv", MESSY)
    summary = ingest([path], store_url, tmp_path / "data", KEY)
    engine = store.open_store(store_url)
    run = store.latest_run(engine)
    assert run.run_id == summary.run_id and run.kind == "ingest" and run.status == "succeeded"
    assert (run.n_in, run.n_loaded, run.n_quarantined) == (summary.n_in, summary.n_loaded, summary.n_quarantined)
    assert run.code_version.startswith("yipanqi ")
    assert run.periods == ("2010-01",)
    assert run.started_at <= run.ended_at
    inputs = store.read_run_inputs(engine, run.run_id)
    assert inputs["sha256"].tolist() == [hashlib.sha256(path.read_bytes()).hexdigest()]
    assert inputs[["n_in", "n_loaded", "n_quarantined"]].values.tolist() == [[run.n_in, run.n_loaded, run.n_quarantined]]
    assert store.meta(engine, "key_fingerprint")
    engine.dispose()


def test_exports_have_the_exact_header(tmp_path, store_url):
    from etl.export import export_coverage, export_flows, export_quarantine

    ingest([write_csv(tmp_path / "messy.csv", MESSY + TINY[1:])], store_url, tmp_path / "data", KEY)
    engine = store.open_store(store_url)
    for function, columns in (
        (lambda e, out: export_flows(e, out, scope=NATION), FLOWS_COLUMNS),
        (lambda e, out: export_coverage(e, out, scope=NATION), COVERAGE_COLUMNS),
        (export_quarantine, QUARANTINE_COLUMNS),
    ):
        out = tmp_path / f"{columns[1]}.csv"
        n = function(engine, out)
        lines = out.read_text(encoding="utf-8").splitlines()
        assert lines[0] == ",".join(columns)
        assert len(lines) == n + 1 and n > 0
    assert FLOWS_COLUMNS == ("period", "hukou_code", "residence_code", "cohort", "persons", "suppressed")
    assert COVERAGE_COLUMNS == (
        "period", "county_code", "side", "indicator", "numerator", "denominator", "suppressed"
    )
    assert QUARANTINE_COLUMNS == ("source", "row_number", "reason")
    flows = (tmp_path / "hukou_code.csv").read_text(encoding="utf-8").splitlines()
    # sorted by period, hukou, residence, cohort; 1 person is under the threshold (10): blank
    assert flows[1] == "2010-01,310104,310115,all,,True"
    assert all(line.endswith(",True") for line in flows[1:])  # the fixture has no flow of 10
    coverage = (tmp_path / "county_code.csv").read_text(encoding="utf-8").splitlines()
    assert coverage[1] == "2010-01,310104,inflow,cert_verified,,,True"
    engine.dispose()


def test_open_store_refuses_an_unknown_schema_version(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    engine = store.open_store(url, create=True)
    with engine.begin() as conn:
        store.set_meta(conn, "schema_version", "0")
    engine.dispose()
    with pytest.raises(store.StoreError, match="unknown schema version '0'"):
        store.open_store(url)
    with pytest.raises(store.StoreError, match="unknown schema version '0'"):
        store.upgrade(url)  # nor does an upgrade guess
    assert os.path.exists(tmp_path / "s.sqlite")


def test_a_reader_never_creates_or_migrates(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    with pytest.raises(store.StoreError, match="no store at .*a read never creates a store"):
        store.open_store(url)
    assert not (tmp_path / "s.sqlite").exists()
    sqlite3.connect(tmp_path / "s.sqlite").execute("PRAGMA user_version = 7").connection.close()
    # ^ a SQLite database of someone else, without tables
    with pytest.raises(store.StoreError, match="holds no Yipanqi store: .*yipanqi ingest"):
        store.open_store(url)
    engine = store.open_store(url, create=True)  # a writer makes a brand-new store
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE unit_flows"))
        store.set_meta(conn, "schema_version", str(store.SCHEMA_VERSION + 1))
    engine.dispose()
    with pytest.raises(store.StoreError, match="newer than this code"):
        store.open_store(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        store.set_meta(conn, "schema_version", "1")
    engine.dispose()
    for reader in (lambda: store.open_store(url), lambda: store.open_store(url, create=True)):
        with pytest.raises(store.StoreError) as error:
            reader()
        message = str(error.value)
        assert "lacks table(s) unit_flows" in message and "yipanqi store upgrade" in message
        assert "\n" not in message
    engine = sa.create_engine(url)
    assert "unit_flows" not in sa.inspect(engine).get_table_names()  # untouched by the readers
    engine.dispose()
    assert store.upgrade(url) == [
        "created table(s) unit_flows", f"schema version 1 -> {store.SCHEMA_VERSION}"
    ]
    store.open_store(url).dispose()


def test_a_failed_export_leaves_no_half_file(tmp_path, sqlite_url, monkeypatch):
    import errno

    from etl import export

    ingest([write_csv(tmp_path / "tiny.csv", TINY)], sqlite_url, tmp_path / "data", KEY)
    engine = store.open_store(sqlite_url)

    def full(frame):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "neutralise_frame", full)
    out = tmp_path / "out" / "flows.csv"
    with pytest.raises(OSError, match="No space left"):
        export.export_flows(engine, out, scope=NATION)
    assert list((tmp_path / "out").iterdir()) == []  # neither flows.csv nor flows.csv.part
    engine.dispose()
