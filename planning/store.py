"""Saved scenarios: the typed face of the store's ``scenarios`` table (``etl.store.saved``).

A saved scenario is its parameters, who saved it, when (UTC), and the store's latest succeeded run
when saved (``baseline_run_id``: the data the scenario was made on). A save or delete and its
audit row (``access.audit``, the acting principal's) commit together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from access import audit
from access.tables import ensure_tables as ensure_audit
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
) -> SavedScenario:
    """Save ``scenario`` under its name; an existing name is an error unless ``replace``. The save
    and its audit row (the acting principal's) commit together."""
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
        if exists and not replace:
            raise ScenarioError(f"a scenario named {scenario.name!r} is saved already: pick another name or replace it")
        saved.write_scenario(conn, row)
        audit.record(conn, audit.SCENARIO_SAVE, scenario.name, detail="replaced" if exists else "")
    return SavedScenario(scenario, author, now, baseline_run_id)


def list_scenarios(engine: sa.Engine) -> list[SavedScenario]:
    """Saved scenarios, newest first."""
    return [_saved(row) for row in saved.scenario_rows(engine)]


def get_scenario(engine: sa.Engine, name: str) -> SavedScenario:
    """The saved scenario ``name``; ScenarioError if there is none."""
    row = saved.scenario_row(engine, name)
    if row is None:
        raise ScenarioError(f"no saved scenario named {name!r}: see `yipanqi scenario list`")
    return _saved(row)


def delete_scenario(engine: sa.Engine, name: str) -> None:
    """Delete the saved scenario ``name`` (audited); ScenarioError if there is none."""
    ensure_audit(engine)
    with engine.begin() as conn:
        deleted = saved.delete_scenario(conn, name)
        if deleted:
            audit.record(conn, audit.SCENARIO_DELETE, name)
    if not deleted:
        raise ScenarioError(f"no saved scenario named {name!r}: see `yipanqi scenario list`")


def _saved(row: saved.Row) -> SavedScenario:
    scenario = parse_scenario(json.loads(row["parameters"]), f"saved scenario {row['name']!r}")
    return SavedScenario(scenario, row["author"], row["created_at"], row["baseline_run_id"])
