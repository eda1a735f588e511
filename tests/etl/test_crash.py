"""Crash and disk-full safety: a load that dies anywhere leaves the previous data readable, and the
next start marks its run failed and removes its staged files.

- every kill point of ``etl.crashpoints`` (parse, stage, staged, aggregate, store, commit): the
  ``yipanqi ingest`` command runs in a subprocess that SIGKILLs itself there; the store's marts,
  quarantine and lineage must equal what they were, the next command (``yipanqi store check``)
  must mark the run failed and leave no staged file of it, and the same input must then load;
- a lost PostgreSQL connection in the middle of the store write (the server ends the session);
- a full disk (a real tmpfs, root only): refused before staging when the estimate says so, and
  filled up during staging when it does not.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from etl import crashpoints, space, store
from etl.errors import DiskSpaceError, StoreUnavailableError
from etl.pipeline import ingest
from etl.staged import staged_files, staging_root
from etl.store.lineage import DEAD_RUN
from tests.etl.helpers import TINY, random_records, write_csv
from tests.etl.test_store import KEY, REPO, _assert_same, _snapshot

COUNTIES = ["310115", "310104", "320211", "330402", "360102", "440106", "410102", "110105"]
CLI = "import sys; from yipanqi.cli import main; sys.argv[0] = 'yipanqi'; main()"


def _yipanqi(*args: str, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "YIPANQI_HASH_KEY": KEY, "COLUMNS": "200"}
    env.pop(crashpoints.KILL_AT, None)
    if kill_at:
        env[crashpoints.KILL_AT] = kill_at
    return subprocess.run(
        [sys.executable, "-c", CLI, *args], env=env, capture_output=True, text=True, timeout=300
    )


def _staged(url: str, data: Path) -> set[tuple[str, int]]:
    engine = store.open_store(url)
    try:
        root = staging_root(data, store.meta(engine, "store_id"))
    finally:
        engine.dispose()
    leftovers = {(p.parent.name, -1) for p in root.glob("period=*/*.tmp")}
    return {(period, run) for period, run, _ in staged_files(root)} | leftovers


def _runs(url: str) -> dict[int, store.RunRecord]:
    engine = store.open_store(url)
    try:
        return {r.run_id: r for r in store.list_runs(engine)}
    finally:
        engine.dispose()


@pytest.mark.parametrize("point", crashpoints.POINTS)
def test_a_load_killed_at_any_point_leaves_the_previous_data(point, tmp_path, store_url):
    data = tmp_path / "data"
    first = ingest([write_csv(tmp_path / "tiny.csv", TINY)], store_url, data, KEY, workers=0)
    before, staged_before = _snapshot(store_url), _staged(store_url, data)
    rows = random_records(3000, COUNTIES, ["2010-01", "2010-02", "2010-03"], seed=23)
    second = write_csv(tmp_path / "second.csv", rows)

    killed = _yipanqi(
        "ingest", str(second), "--store", store_url, "--data-dir", str(data), "--workers", "0",
        kill_at=point,
    )  # fmt: skip
    assert killed.returncode == -9, (point, killed.stdout[-500:], killed.stderr[-2000:])
    _assert_same(before, _snapshot(store_url))  # the previous data, readable and unchanged
    run_id = max(_runs(store_url))
    assert run_id == first.run_id + 1 and _runs(store_url)[run_id].status == "running"

    check = _yipanqi("store", "check", "--store", store_url, "--data-dir", str(data))
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"run(s) {run_id} left running by a process that is gone: marked failed" in check.stdout
    dead = _runs(store_url)[run_id]
    assert (dead.status, dead.message) == ("failed", DEAD_RUN)
    assert _staged(store_url, data) == staged_before  # no orphan staged file
    _assert_same(before, _snapshot(store_url))

    again = ingest([second], store_url, data, KEY, workers=0)
    assert (again.n_loaded, again.inputs[0].skipped_as_run) == (3000, None)
    engine = store.open_store(store_url)
    with engine.connect() as conn:
        totals = dict(conn.execute(sa.select(store.period_totals.c.period, store.period_totals.c.persons)).all())
    engine.dispose()
    tiny_persons = int(before["period_totals"].set_index("period")["persons"].sum())
    expected = pd.Series([r["period"] for r in rows]).value_counts().to_dict()
    expected["2010-01"] += tiny_persons  # the tiny fixture is all 2010-01
    assert totals == expected


def test_a_lost_postgres_connection_fails_the_run_in_one_line(tmp_path, monkeypatch, store_url):
    if not store_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL server ends the session")
    url = store_url
    data = tmp_path / "data"
    ingest([write_csv(tmp_path / "tiny.csv", TINY)], url, data, KEY, workers=0)
    before, staged_before = _snapshot(url), _staged(url, data)
    real_insert = store.insert_marts

    def insert_then_lose_the_server(conn, marts):
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        admin = sa.create_engine(url)
        with admin.begin() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
        admin.dispose()
        real_insert(conn, marts)

    monkeypatch.setattr(store, "insert_marts", insert_then_lose_the_server)
    second = write_csv(tmp_path / "second.csv", random_records(500, COUNTIES, ["2010-01"], seed=3))
    with pytest.raises(StoreUnavailableError) as lost:
        ingest([second], url, data, KEY, workers=0)
    message = str(lost.value)
    assert "\n" not in message and "cannot reach the store" in message
    assert "the store keeps its previous data" in message
    monkeypatch.setattr(store, "insert_marts", real_insert)
    _assert_same(before, _snapshot(url))
    assert _staged(url, data) == staged_before
    failed = _runs(url)[max(_runs(url))]
    assert failed.status == "failed" and "cannot reach the store" in failed.message


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs (root only: skipped elsewhere)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.decode().strip()}")
    yield disk
    subprocess.run(["umount", "--lazy", str(disk)], check=False)  # detached even if a file is open


def test_a_full_disk_is_refused_before_staging(small_disk, tmp_path):
    data, url = small_disk / "data", f"sqlite:///{small_disk / 'store.sqlite'}"
    second = write_csv(tmp_path / "second.csv", random_records(500, COUNTIES, ["2010-01"], seed=3))
    result = _yipanqi("ingest", str(second), "--store", url, "--data-dir", str(data), "--workers", "0")
    assert result.returncode == 2
    error = result.stderr.strip()
    assert "\n" not in error and "Traceback" not in error
    assert error.startswith("error: not enough free space on the disk of") and "--data-dir" in error
    assert not _runs(url)  # nothing started


@pytest.mark.parametrize(
    ("room", "estimates", "said", "cause"),
    [
        (160_000, False, "a disk filled up during the load", OSError),
        (1_000_000, False, "a disk filled up during the load", sa.exc.OperationalError),
        (1_000_000, True, "not enough free space on the disk of", type(None)),
    ],
    ids=["fills-while-staging", "fills-while-storing", "refused-before-storing"],
)
def test_a_disk_that_fills_up_during_a_load_leaves_no_debris(
    small_disk, tmp_path, monkeypatch, room, estimates, said, cause
):
    """``room``: bytes left free, so that the disk fills while the records are staged (pyarrow
    fails) or while the store's journal is written (SQLite: "database or disk is full"); with
    ``estimates``, the store's estimate refuses before anything is written to the store."""
    data, url = small_disk / "data", f"sqlite:///{small_disk / 'store.sqlite'}"
    monkeypatch.setattr(space, "MARGIN", 0)  # the estimates let it start: the disk fills anyway
    monkeypatch.setattr(space, "PERIOD_BYTES_NEW_STORE", 0)
    ratio, store_estimate = space.CSV_STAGED_RATIO, space.store_estimate
    first = ingest([write_csv(tmp_path / "tiny.csv", TINY)], url, data, KEY, workers=0)
    before, staged_before = _snapshot(url), _staged(url, data)
    free = space.free_bytes(small_disk)
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * max(0, free - room))
    rows = random_records(20000, COUNTIES, [f"2010-{m:02d}" for m in range(1, 7)], seed=5)
    second = write_csv(tmp_path / "second.csv", rows)
    monkeypatch.setattr(space, "CSV_STAGED_RATIO", 0.0)
    if not estimates:
        monkeypatch.setattr(space, "store_estimate", lambda *_: 0)
    with pytest.raises(DiskSpaceError) as full:
        ingest([second], url, data, KEY, workers=0)
    message = str(full.value)
    assert "\n" not in message and message.startswith(said)
    assert type(full.value.__cause__) is cause  # staging (pyarrow), the store (SQLite), or none
    _assert_same(before, _snapshot(url))  # readable on the full disk, unchanged
    assert _staged(url, data) == staged_before
    failed = _runs(url)[first.run_id + 1]
    assert failed.status == "failed" and failed.message == message
    filler.unlink()  # with the space freed (and honest estimates) the same input loads
    monkeypatch.setattr(space, "CSV_STAGED_RATIO", ratio)
    monkeypatch.setattr(space, "store_estimate", store_estimate)
    assert ingest([second], url, data, KEY, workers=0).n_loaded == 20000
