"""Saves and deletes of scenarios and storyboards write an audit row in the same transaction, under
the principal the gate bound to the request (the command line's operating-system account
otherwise)."""

from __future__ import annotations

import pytest

from access import audit
from access.principal import Principal, bind, unbind
from access.roles import Role
from dashboard.story import storage
from dashboard.story.model import Slide, Storyboard, View
from etl.scope import NATION, Scope
from etl.store import open_store
from planning.errors import ScenarioError
from planning.scenario import parse_scenario
from planning.store import delete_scenario, save_scenario

PLANNER = Principal("he.ping", Role.PLANNER, Scope("region", "pan_yangtze"))


@pytest.fixture
def engine(tmp_path):
    """A new store: its saved-work tables are made with it, the audit table on the first save."""
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}", create=True)
    yield engine
    engine.dispose()


@pytest.fixture
def as_planner():
    token = bind(PLANNER)
    yield PLANNER
    unbind(token)


def test_scenario_saves_and_deletes_are_audited(engine, as_planner):
    scenario = parse_scenario({"name": "无锡 push", "levers": []})
    save_scenario(engine, scenario, scope=NATION)
    save_scenario(engine, scenario, replace=True, scope=NATION)
    delete_scenario(engine, "无锡 push", scope=NATION)
    with pytest.raises(ScenarioError):
        delete_scenario(engine, "无锡 push", scope=NATION)  # nothing deleted: nothing audited
    events = list(reversed(audit.list_events(engine)))
    assert [(e.action, e.object, e.detail) for e in events] == [
        (audit.SCENARIO_SAVE, "无锡 push", ""),
        (audit.SCENARIO_SAVE, "无锡 push", "replaced"),
        (audit.SCENARIO_DELETE, "无锡 push", ""),
    ]
    assert {(e.username, e.scope) for e in events} == {("he.ping", "region:pan_yangtze")}


def test_a_refused_save_leaves_no_audit_row(engine, as_planner):
    scenario = parse_scenario({"name": "a", "levers": []})
    save_scenario(engine, scenario, scope=NATION)
    with pytest.raises(ScenarioError, match="saved already"):
        save_scenario(engine, scenario, scope=NATION)
    assert len(audit.list_events(engine, action=audit.SCENARIO_SAVE)) == 1


def test_storyboard_saves_and_deletes_are_audited(engine, as_planner):
    board = Storyboard("meeting", (Slide(View(page="overview"), "t", ""),))
    storage.save_storyboard(engine, board, scope=NATION)
    storage.delete_storyboard(engine, "meeting", scope=NATION)
    storage.delete_storyboard(engine, "meeting", scope=NATION)
    events = list(reversed(audit.list_events(engine)))
    assert [(e.action, e.object, e.detail, e.username) for e in events] == [
        (audit.STORYBOARD_SAVE, "meeting", "1 slides", "he.ping"),
        (audit.STORYBOARD_DELETE, "meeting", "", "he.ping"),
    ]


def test_from_the_command_line_the_os_account_is_named(engine):
    save_scenario(engine, parse_scenario({"name": "cli", "levers": []}), scope=NATION)
    assert audit.list_events(engine)[0].username.startswith("os:")
