"""Saved scenarios: the typed face of the store's ``scenarios`` table (``etl.store.saved``).

A saved scenario is its parameters, who saved it, when (UTC), and the store's latest succeeded run
when saved (``baseline_run_id``: the data the scenario was made on). A save or delete and its
audit row (``access.audit``, the acting principal's) commit together.

Every function takes the reader's ``scope``: a save records it, and a scenario saved under a scope
that does not lie within the reader's (``etl.marts.saved``) is, to that reader, not there: it is
not listed, cannot be opened, run or deleted, and its name cannot be saved over (the save is
refused, saying the name is taken).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from access import audit
from access.tables import ensure_tables as ensure_audit
from etl import marts
from etl.scope import Scope
from etl.store import saved
from planning.errors import ScenarioError
from planning.scenario import Scenario, parse_scenario


@dataclass(frozen=True)
class SavedScenario:
    """A scenario as saved: its parameters and who saved it, when, on which baseline run."""

    scenario: Scenario
    author: str
    created_at: datetime
    baseline_run_id: int | None

    @property
    def name(self) -> str:
        return self.scenario.name


def save_scenario(
    engine: sa.Engine,
    scenario: Scenario,
    author: str = "",
    baseline_run_id: int | None = None,
    replace: bool = False,
    *,
    scope: Scope,
) -> SavedScenario:
    """Save ``scenario`` under its name, as saved by a principal of ``scope``; an existing name is
    an error unless ``replace`` (and always when the scenario saved under it is hidden from
    ``scope``). The save and its audit row (the acting principal's) commit together."""
    ensure_audit(engine)
    now = datetime.now(UTC).replace(tzinfo=None)
    row = {
        "name": scenario.name,
        "parameters": json.dumps(scenario.to_json(), ensure_ascii=False, sort_keys=True),
        "author": author,
        "created_at": now,
        "baseline_run_id": baseline_run_id,
    }
    with engine.begin() as conn:
        exists = saved.scenario_row(conn, scenario.name) is not None
        if name_hidden(conn, scenario.name, scope=scope):
            raise ScenarioError.of(
                "name_hidden",
                f"the name {scenario.name!r} is taken by a scenario outside your scope: pick another name",
                value=scenario.name,
            )
        if exists and not replace:
            raise ScenarioError.of(
                "name_taken",
                f"a scenario named {scenario.name!r} is saved already: pick another name or replace it",
                value=scenario.name,
            )
        saved.write_scenario(conn, row, str(scope))
        audit.record(conn, audit.SCENARIO_SAVE, scenario.name, detail="replaced" if exists else "")
    return SavedScenario(scenario, author, now, baseline_run_id)


def list_scenarios(engine: sa.Engine, *, scope: Scope) -> list[SavedScenario]:
    """The saved scenarios ``scope`` sees, newest first."""
    rows = saved.scenario_rows(engine)
    shown = set(marts.visible_saved(engine, saved.SCENARIO, [r["name"] for r in rows], scope=scope))
    return [_saved(row) for row in rows if row["name"] in shown]


def get_scenario(engine: sa.Engine, name: str, *, scope: Scope) -> SavedScenario:
    """The saved scenario ``name``; ScenarioError if there is none that ``scope`` sees."""
    row = saved.scenario_row(engine, name)
    if row is None or not _visible(engine, name, scope):
        raise ScenarioError.of(
            "no_saved", f"no saved scenario named {name!r}: see `yipanqi scenario list`", value=name
        )
    return _saved(row)


def delete_scenario(engine: sa.Engine, name: str, *, scope: Scope) -> None:
    """Delete the saved scenario ``name`` (audited); ScenarioError if there is none that
    ``scope`` sees."""
    ensure_audit(engine)
    with engine.begin() as conn:
        deleted = _visible(conn, name, scope) and saved.delete_scenario(conn, name)
        if deleted:
            audit.record(conn, audit.SCENARIO_DELETE, name)
    if not deleted:
        raise ScenarioError.of(
            "no_saved", f"no saved scenario named {name!r}: see `yipanqi scenario list`", value=name
        )


def name_hidden(engine: sa.Engine | sa.Connection, name: str, *, scope: Scope) -> bool:
    """True when a scenario named ``name`` is saved that ``scope`` does not see (its name cannot
    be saved over)."""
    return saved.scenario_row(engine, name) is not None and not _visible(engine, name, scope)


def scenario_scope(engine: sa.Engine, name: str) -> Scope:
    """The scope recorded for the saved scenario ``name`` (the nation when none is)."""
    return marts.saved_scope(engine, saved.SCENARIO, name)


def _visible(engine: sa.Engine | sa.Connection, name: str, scope: Scope) -> bool:
    return bool(marts.visible_saved(engine, saved.SCENARIO, [name], scope=scope))


def _saved(row: saved.Row) -> SavedScenario:
    scenario = parse_scenario(json.loads(row["parameters"]), f"saved scenario {row['name']!r}")
    return SavedScenario(scenario, row["author"], row["created_at"], row["baseline_run_id"])
