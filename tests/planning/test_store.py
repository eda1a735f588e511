"""Saved scenarios in the store: save, list, get, replace, delete."""

from __future__ import annotations

import pytest

from etl.scope import NATION
from etl.store import open_store
from planning.errors import ScenarioError
from planning.scenario import parse_scenario
from planning.store import delete_scenario, get_scenario, list_scenarios, save_scenario


@pytest.fixture
def engine(store_url):
    """A new store (SQLite and PostgreSQL): its scenarios table is made with it."""
    engine = open_store(store_url, create=True)
    yield engine
    engine.dispose()


def test_save_list_show_delete(engine):
    first = parse_scenario({"name": "a", "levers": [{"kind": "growth", "percent": 5, "side": "inflow", "areas": ["310000"]}]})
    second = parse_scenario({"name": "无锡 push", "levers": []})
    assert list_scenarios(engine, scope=NATION) == []
    save_scenario(engine, first, "planner", baseline_run_id=3, scope=NATION)
    save_scenario(engine, second, "", None, scope=NATION)
    assert {s.name for s in list_scenarios(engine, scope=NATION)} == {"a", "无锡 push"}
    saved = get_scenario(engine, "a", scope=NATION)
    assert saved.scenario == first and saved.author == "planner" and saved.baseline_run_id == 3
    with pytest.raises(ScenarioError, match="saved already"):
        save_scenario(engine, first, scope=NATION)
    changed = parse_scenario({"name": "a", "levers": []})
    save_scenario(engine, changed, replace=True, scope=NATION)
    assert get_scenario(engine, "a", scope=NATION).scenario.levers == ()
    delete_scenario(engine, "a", scope=NATION)
    with pytest.raises(ScenarioError, match="no saved scenario named 'a'"):
        get_scenario(engine, "a", scope=NATION)
    with pytest.raises(ScenarioError, match="no saved scenario"):
        delete_scenario(engine, "a", scope=NATION)


def test_save_and_run_reasons_carry_their_problem_for_pages(engine):
    """The English message for the command line, a problem code and values for the page's words
    (``dashboard.pages.scenarios.words.reason_text``), in both languages."""
    from dashboard.i18n import language
    from dashboard.pages.scenarios.words import reason_text
    from planning.model import load_baseline

    first = parse_scenario({"name": "b", "levers": []})
    save_scenario(engine, first, scope=NATION)
    with pytest.raises(ScenarioError) as taken:
        save_scenario(engine, first, scope=NATION)
    with pytest.raises(ScenarioError) as missing:
        get_scenario(engine, "nope", scope=NATION)
    with pytest.raises(ScenarioError) as empty:
        load_baseline(engine, scope=NATION)  # a new store: no aggregates
    assert [e.value.problems[0].code for e in (taken, missing, empty)] == [
        "name_taken", "no_saved", "no_aggregates",
    ]  # fmt: skip
    assert "saved already" in str(taken.value) and "yipanqi ingest" in str(empty.value)
    with language("zh"):
        texts = [reason_text(e.value) for e in (taken, missing, empty)]
    assert texts == [
        "已有名为“b”的情景：请另取一个名称",
        "没有名为“nope”的已保存情景",
        "数据库中尚无汇总数据：请先导入记录",
    ]
    with language("en"):
        assert reason_text(taken.value) == "a scenario named “b” is saved already: pick another name"
