"""The staging area keeps only the columns the marts read, readable by its owner only."""

from __future__ import annotations

import datetime as dt
import re
import stat
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from etl import store
from etl.aggregate.scan import inflow_sql, pairs_sql
from etl.pipeline import aggregate, ingest
from etl.staged import STAGED_SCHEMA, staged_files
from tests.etl.helpers import TINY, write_csv

KEY = "test-key-0123456789abcdef"


def _marts(url: str) -> dict[str, pd.DataFrame]:
    engine = store.open_store(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: pd.read_sql_query(
                    sa.select(t).with_only_columns(*[c for c in t.columns if c.name != "run_id"]),
                    conn,
                ).sort_values([c.name for c in t.columns if c.name != "run_id"], ignore_index=True)
                for t in (store.flows, store.flows_rollup, store.coverage, store.assessment)
            }
    finally:
        engine.dispose()


def test_staged_columns_are_those_the_marts_read():
    files = {"2010-01": [Path("x.parquet")]}
    sql = pairs_sql(files, packed=True) + inflow_sql(files)
    words = set(re.findall(r"[a-z_]+", sql))
    # every staged column is read by the marts, but the hash (de-duplication) and the period (the
    # loader files records by period; the marts group by file)
    assert set(STAGED_SCHEMA.names) - words == {"person_hash", "period"}
    assert not {"birth_date", "arrival_date", "person_id"} & (words | set(STAGED_SCHEMA.names))


def test_an_older_staging_area_is_minimised_and_made_private(tmp_path, sqlite_url):
    data = tmp_path / "data"
    ingest([write_csv(tmp_path / "tiny.csv", TINY)], sqlite_url, data, KEY)
    before = _marts(sqlite_url)
    root = next((data / "staged").iterdir())
    (path,) = [p for _, _, p in staged_files(root)]
    # as an older version wrote it: birth and arrival dates too, world-readable
    table = pq.read_table(path)
    table = table.add_column(
        2, "birth_date", pa.array([dt.date.fromisoformat(r["birth_date"]) for r in TINY])
    )
    table = table.append_column("arrival_date", pa.array([dt.date(2008, 6, 15)] * len(TINY)))
    pq.write_table(table, path)
    (root / ".minimised-v2").unlink()
    for p in (data / "staged", root, path.parent):
        p.chmod(0o755)
    path.chmod(0o644)

    aggregate(sqlite_url, data)

    assert pq.read_schema(path).names == STAGED_SCHEMA.names
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for p in (data / "staged", root, path.parent):
        assert stat.S_IMODE(p.stat().st_mode) == 0o700
    after = _marts(sqlite_url)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(frame, after[name])
