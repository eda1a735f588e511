"""``yipanqi store upgrade``: the one way (besides ingest) an older store is migrated."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from etl import store
from etl.pipeline import ingest
from tests.etl.helpers import TINY, write_csv
from yipanqi.cli import app


def test_upgrade_an_older_store_and_readers_refuse_it_before(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    ingest([write_csv(tmp_path / "tiny.csv", TINY)], url, tmp_path / "data", demo=True, workers=0)
    engine = store.open_store(url)
    with engine.begin() as conn:  # as the code before unit_flows left it
        conn.execute(store.unit_flows.delete())
        store.set_meta(conn, "schema_version", "1")
    engine.dispose()
    runner = CliRunner()

    refused = runner.invoke(app, ["runs", "--store", url])
    assert refused.exit_code == 2
    message = " ".join(refused.output.split())  # the console wraps long lines
    assert "is at schema version 1" in message
    assert "run `yipanqi store upgrade --store URL` first" in message
    assert "Traceback" not in refused.output

    done = runner.invoke(app, ["store", "upgrade", "--store", url])
    assert done.exit_code == 0, done.output
    assert "summed unit_flows from the flow tables" in done.output
    assert f"schema version 1 -> {store.SCHEMA_VERSION}" in done.output
    again = runner.invoke(app, ["store", "upgrade", "--store", url])
    assert "nothing to do" in again.output
    assert runner.invoke(app, ["runs", "--store", url]).exit_code == 0


def test_upgrade_refuses_a_store_of_unknown_version(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    engine = store.open_store(url, create=True)
    with engine.begin() as conn:
        store.set_meta(conn, "schema_version", "banana")
    engine.dispose()
    result = CliRunner().invoke(app, ["store", "upgrade", "--store", url])
    assert result.exit_code == 2 and "unknown schema version 'banana'" in " ".join(result.output.split())


def test_the_first_start_stops_with_one_line_on_an_older_store(tmp_path):
    from yipanqi.first_start import needs_demo

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    assert needs_demo(url)  # a brand-new store is created: empty, the demo is needed
    engine = store.open_store(url)
    with engine.begin() as conn:
        store.set_meta(conn, "schema_version", "1")
    engine.dispose()
    with pytest.raises(SystemExit, match="yipanqi store upgrade") as stop:
        needs_demo(url)
    assert "\n" not in str(stop.value)
