"""Saved work belongs to the store's layout: made with the store, refused when missing, made by the
upgrade; the queries in ``etl.store.saved`` round-trip rows."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from etl import store
from etl.store import saved


def test_saved_tables_come_with_a_new_store_and_only_the_upgrade_adds_them(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    engine = store.open_store(url, create=True)
    tables = set(sa.inspect(engine).get_table_names())
    assert {"saved_scopes", "scenarios", "storyboard_slides"} <= tables
    with engine.begin() as conn:  # a store made before saved work joined the layout
        conn.execute(sa.text("DROP TABLE scenarios"))
        conn.execute(sa.text("DROP TABLE storyboard_slides"))
        conn.execute(sa.text("DROP TABLE saved_scopes"))
    engine.dispose()
    with pytest.raises(store.StoreError, match="lacks table.*scenarios.*yipanqi store upgrade"):
        store.open_store(url)
    assert "scenarios" not in sa.inspect(sa.create_engine(url)).get_table_names()
    assert store.upgrade(url) == ["created table(s) saved_scopes, scenarios, storyboard_slides"]
    store.open_store(url).dispose()


def test_rows_round_trip_and_replace(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path / 's.sqlite'}", create=True)
    first, later = datetime(2024, 1, 1), datetime(2024, 2, 1)
    row = {"name": "a", "parameters": "{}", "author": "x", "created_at": first, "baseline_run_id": 1}
    with engine.begin() as conn:
        saved.write_scenario(conn, row, "province:320000")
        saved.write_scenario(conn, {**row, "parameters": "[]", "created_at": later}, "nation")
    assert [(r["name"], r["parameters"]) for r in saved.scenario_rows(engine)] == [("a", "[]")]
    assert saved.scenario_row(engine, "b") is None
    slides = [{"view": "{}", "title": t, "message": ""} for t in ("one", "two")]
    with engine.begin() as conn:
        saved.write_slides(conn, "board", slides, first, "region:pan_yangtze")
        saved.write_slides(conn, "board", slides[::-1], later, "prefecture:320200")
    assert [r["title"] for r in saved.slide_rows(engine, "board")] == ["two", "one"]
    assert saved.storyboard_times(engine, "board") == (first, later)  # creation kept
    assert saved.scopes(engine, saved.SCENARIO) == {"a": "nation"}  # the last save's scope
    assert saved.scopes(engine, saved.STORYBOARD) == {"board": "prefecture:320200"}
    with engine.begin() as conn:
        assert saved.delete_storyboard(conn, "board") and not saved.delete_storyboard(conn, "board")
        assert saved.delete_scenario(conn, "a") and not saved.delete_scenario(conn, "a")
    assert saved.storyboard_names(engine) == [] and saved.storyboard_times(engine, "board") is None
    assert saved.scopes(engine, saved.SCENARIO) == {} == saved.scopes(engine, saved.STORYBOARD)
    engine.dispose()
