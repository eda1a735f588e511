"""Demo records and real records never share a store unless told so; a store keeps its hash key."""

from __future__ import annotations

import pytest
from rich.console import Console
from typer.testing import CliRunner

from etl import marts, store
from etl.errors import HashKeyError, StoreKindError
from etl.pipeline import ingest
from etl.scope import NATION
from etl.store_guard import DEMO, REAL, record_kind
from tests.etl.helpers import TINY, TINY_FEBRUARY, write_csv
from yipanqi import etl_cli
from yipanqi.cli import app
from yipanqi.first_start import needs_demo

KEY = "test-key-0123456789abcdef"


def _kind(url: str) -> str | None:
    engine = store.open_store(url)
    try:
        return record_kind(engine)
    finally:
        engine.dispose()


def test_demo_mode_refuses_a_store_of_real_records(tmp_path, store_url):
    ingest([write_csv(tmp_path / "jan.csv", TINY)], store_url, tmp_path / "data", KEY)
    assert _kind(store_url) == REAL
    feb = write_csv(tmp_path / "feb.csv", TINY_FEBRUARY)
    for key in (None, KEY):  # with the demo key or with the store's own key
        with pytest.raises(StoreKindError, match="demo mode refuses this store"):
            ingest([feb], store_url, tmp_path / "data", key, demo=True)
    assert marts.periods(store.open_store(store_url), scope=NATION) == ["2010-01"]


def test_real_records_need_permission_to_join_a_demo_store(tmp_path, sqlite_url):
    ingest([write_csv(tmp_path / "jan.csv", TINY)], sqlite_url, tmp_path / "data", KEY, demo=True)
    assert _kind(sqlite_url) == DEMO
    feb = write_csv(tmp_path / "feb.csv", TINY_FEBRUARY)
    with pytest.raises(StoreKindError, match="holds demo .synthetic. records.*--into-demo-store"):
        ingest([feb], sqlite_url, tmp_path / "data", KEY)
    summary = ingest([feb], sqlite_url, tmp_path / "data", KEY, into_demo_store=True)
    assert summary.n_loaded == len(TINY_FEBRUARY)
    assert _kind(sqlite_url) == REAL  # mixed now: demo mode refuses it from here on
    with pytest.raises(StoreKindError, match="demo mode refuses"):
        ingest(
            [write_csv(tmp_path / "mar.csv", [dict(r, period="2010-03") for r in TINY])],
            sqlite_url,
            tmp_path / "data",
            KEY,
            demo=True,
        )


def test_a_demo_store_of_the_published_key_says_so_when_another_key_comes(tmp_path, sqlite_url):
    ingest([write_csv(tmp_path / "jan.csv", TINY)], sqlite_url, tmp_path / "data", None, demo=True)
    with pytest.raises(HashKeyError, match="another hash key.*holds demo records"):
        ingest([write_csv(tmp_path / "feb.csv", TINY_FEBRUARY)], sqlite_url, tmp_path / "data", KEY)


def test_a_store_made_before_the_marker_is_judged_by_its_key(tmp_path, sqlite_url):
    ingest([write_csv(tmp_path / "jan.csv", TINY)], sqlite_url, tmp_path / "data", None, demo=True)
    engine = store.open_store(sqlite_url)
    with engine.begin() as conn:
        conn.execute(store.store_meta.delete().where(store.store_meta.c.key == "record_kind"))
    assert record_kind(engine) == DEMO  # the published demo key
    engine.dispose()


def test_first_start_builds_no_demo_over_real_records(tmp_path, sqlite_url):
    assert needs_demo(sqlite_url)
    ingest(
        [write_csv(tmp_path / "jan.csv", TINY)], sqlite_url, tmp_path / "data", KEY, aggregate=False
    )
    assert not marts.periods(store.open_store(sqlite_url), scope=NATION)  # nothing aggregated yet, but real
    assert not needs_demo(sqlite_url)


def test_the_command_says_it_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("YIPANQI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("YIPANQI_STORE_URL", raising=False)
    monkeypatch.setenv("YIPANQI_HASH_KEY", KEY)
    monkeypatch.setattr(etl_cli, "err", Console(width=400, stderr=True))
    runner = CliRunner()
    assert (
        runner.invoke(
            app, ["ingest", str(write_csv(tmp_path / "jan.csv", TINY)), "--demo"]
        ).exit_code
        == 0
    )
    feb = str(write_csv(tmp_path / "feb.csv", TINY_FEBRUARY))
    refused = runner.invoke(app, ["ingest", feb])
    assert refused.exit_code == 2
    assert refused.stderr.strip().count("\n") == 0 and "--into-demo-store" in refused.stderr
    assert runner.invoke(app, ["ingest", feb, "--into-demo-store"]).exit_code == 0
