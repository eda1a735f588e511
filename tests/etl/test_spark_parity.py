"""Parity: the Spark engine gives the default engine's marts, quarantine, counts and staged records.

The same inputs (the messy fixture with the tiny one, malformed CSV lines, 2,500 random records
over three periods, a Parquet input repeating some of them, a GB18030 file with Chinese headers,
and a second run bringing a new month and records already loaded) are ingested into two stores, one per engine; every table of the
store is then compared cell by cell (0 differing cells). The CSV file is read by Spark in
partitions of 64 KB, so row numbers cross partition boundaries. Then each engine aggregates the
other's staged records: the staged Parquet is one format for both.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from etl.pipeline import aggregate, ingest
from etl.staged import staged_files, staging_root
from tests.etl.helpers import FIELDS, MESSY, MESSY_LOADED, TINY, random_records, write_csv

KEY = "test-key-0123456789abcdef"
COUNTIES = ["310115", "310104", "320211", "360102", "440106", "410102", "110101", "420102",
            "510104", "650102", "130102", "370102", "430102", "610102", "330102", "350102"]  # fmt: skip
PERIODS = ["2010-01", "2010-02", "2010-03"]
TABLES = {  # table -> columns compared (every column but generated ids and times)
    "flows": None, "flows_rollup": None, "unit_flows": None, "coverage": None,
    "assessment": None, "period_totals": None, "quarantine": None,
    "run_inputs": ["run_id", "position", "source", "format", "encoding", "sha256", "n_in",
                   "n_loaded", "n_quarantined", "skipped_as_run", "extra_columns"],
    "runs": ["run_id", "kind", "status", "n_in", "n_loaded", "n_quarantined", "periods",
             "small_cell_threshold", "message"],
}  # fmt: skip


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[list[Path], list[Path]]:
    """The first run's inputs (messy CSV, Parquet) and the second run's (CSV)."""
    folder = tmp_path_factory.mktemp("parity-inputs")
    rows = random_records(2500, COUNTIES, PERIODS, seed=11)
    messy = write_csv(folder / "messy.csv", TINY + MESSY + rows[:2000])
    with messy.open("a", encoding="utf-8", newline="") as f:  # malformed lines, then valid rows
        f.write("1,2,3\n")
        f.write(",".join(["x"] * (len(FIELDS) + 2)) + "\n")
        csv.writer(f).writerows([[r[c] for c in FIELDS] for r in rows[2000:2100]])
    parquet = folder / "more.parquet"
    repeated = rows[1990:2010] + rows[2100:2300]  # 10 already in the CSV, 10 in the CSV's tail
    pq.write_table(pa.Table.from_pylist(repeated), parquet)
    chinese = write_csv(
        folder / "chinese.csv", random_records(200, COUNTIES, PERIODS, seed=13) + MESSY,
        chinese=True, encoding="gb18030",
    )  # fmt: skip
    later = random_records(300, COUNTIES, ["2010-03", "2009-12"], seed=12)  # 2009: other targets
    second = write_csv(folder / "second.csv", rows[2300:2400] + rows[:30] + later)
    return [messy, parquet, chinese], [second]


def _load(engine: str, base: Path, inputs: tuple[list[Path], list[Path]]) -> tuple[str, Path]:
    url = f"sqlite:///{base / 'store.sqlite'}"
    data = base / "data"
    for paths in inputs:
        summary = ingest(paths, url, data, KEY, engine_name=engine, small_cell=3, last_period="2010-12")
        assert summary.n_in == summary.n_loaded + summary.n_quarantined
    return url, data


@pytest.fixture(scope="module")
def stores(spark, inputs, tmp_path_factory) -> dict[str, tuple[str, Path]]:
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(64 * 1024))
    try:
        return {
            engine: _load(engine, tmp_path_factory.mktemp(engine), inputs)
            for engine in ("duckdb", "spark")
        }
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")


def _table(url: str, name: str, columns: list[str] | None) -> pd.DataFrame:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            frame = pd.read_sql_table(name, conn)
    finally:
        engine.dispose()
    frame = frame[columns] if columns else frame
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def _differing_cells(a: pd.DataFrame, b: pd.DataFrame) -> int:
    assert list(a.columns) == list(b.columns)
    if len(a) != len(b):
        return abs(len(a) - len(b)) * len(a.columns) + _differing_cells(a[: len(b)], b[: len(a)])
    same = (a == b) | (a.isna() & b.isna())
    return int((~same).to_numpy().sum())


def _staged(data: Path, url: str) -> pd.DataFrame:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        store_id = conn.execute(sa.text("SELECT value FROM store_meta WHERE key='store_id'")).scalar()
    engine.dispose()
    parts = []
    for period, _, path in staged_files(staging_root(data, str(store_id))):
        table = pq.read_table(path).drop_columns(["period"] if "period" in pq.read_schema(path).names else [])
        frame = table.to_pandas()
        frame["person_hash"] = frame["person_hash"].map(bytes)
        frame["period"] = period
        parts.append(frame)
    out = pd.concat(parts)
    return out.sort_values(["period", "person_hash"]).reset_index(drop=True)


def test_the_engines_agree_on_every_table(stores):
    (duck_url, _), (spark_url, _) = stores["duckdb"], stores["spark"]
    differing = {
        name: _differing_cells(_table(duck_url, name, cols), _table(spark_url, name, cols))
        for name, cols in TABLES.items()
    }
    assert differing == dict.fromkeys(TABLES, 0)
    rows = {name: len(_table(spark_url, name, None)) for name in TABLES}
    assert all(rows.values()), rows  # nothing compared empty with empty
    quarantine = _table(spark_url, "quarantine", None)
    assert len(quarantine) > len(MESSY) - MESSY_LOADED  # the messy rows, malformed lines, duplicates
    assert {"duplicate person-period: already loaded by an earlier run"} <= set(quarantine["reason"])
    assert quarantine["reason"].str.startswith("not a CSV row of 17 fields").sum() == 2


def test_the_staged_records_are_the_same(stores):
    (duck_url, duck_data), (spark_url, spark_data) = stores["duckdb"], stores["spark"]
    duck, spark_records = _staged(duck_data, duck_url), _staged(spark_data, spark_url)
    assert _differing_cells(duck, spark_records[list(duck.columns)].astype(duck.dtypes)) == 0


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_each_engine_aggregates_the_others_staged_records(stores, engine):
    other = "spark" if engine == "duckdb" else "duckdb"
    url, data = stores[other]
    before = {n: _table(url, n, None) for n in ("flows", "flows_rollup", "coverage", "assessment")}
    aggregate(url, data, small_cell=3, engine_name=engine)
    after = {n: _table(url, n, None) for n in before}
    assert {n: _differing_cells(before[n], after[n]) for n in before} == dict.fromkeys(before, 0)


def test_the_command_line_runs_the_spark_engine(spark, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from yipanqi import cli

    monkeypatch.setenv("YIPANQI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("YIPANQI_STORE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")
    monkeypatch.delenv("YIPANQI_HASH_KEY", raising=False)
    path = write_csv(tmp_path / "records.csv", TINY + MESSY)
    runner = CliRunner()
    result = runner.invoke(cli.app, ["ingest", str(path), "--demo", "--engine", "spark"])
    assert result.exit_code == 0, result.output
    assert "in 32 = loaded 16 + quarantined 16" in result.output
    # the default engine reads the Spark engine's staged hashes: the same people are duplicates
    repeat = write_csv(tmp_path / "again.csv", TINY + [dict(TINY[0], period="2010-02")])
    duck = runner.invoke(cli.app, ["ingest", str(repeat), "--demo"])
    assert duck.exit_code == 0, duck.output
    assert "in 13 = loaded 1 + quarantined 12" in duck.output

    sql = runner.invoke(
        cli.app, ["ingest", f"sqlite:///{tmp_path / 'store.sqlite'}", "--table", "runs", "--demo",
                  "--engine", "spark"],
    )  # fmt: skip
    assert sql.exit_code != 0
    assert "the Spark engine reads CSV and Parquet files" in sql.output
    assert "Traceback" not in sql.output
    master = runner.invoke(cli.app, ["aggregate", "--master", "spark://127.0.0.1:1"])
    assert master.exit_code != 0 and "use it with --engine spark" in master.output
