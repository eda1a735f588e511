"""Saved scenarios: a ``scenarios`` table in the store's database, created on first use.

Columns: ``name`` (unique), ``parameters`` (the scenario's JSON), ``author``, ``created_at`` (UTC),
``baseline_run_id`` (the store's latest succeeded run when saved: the data the scenario was made
on). The table has its own SQLAlchemy MetaData: the ETL never touches it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from access import audit
from access.tables import ensure_tables as ensure_audit
from planning.errors import ScenarioError
from planning.scenario import Scenario, parse_scenario

metadata = sa.MetaData()

scenarios = sa.Table(
    "scenarios",
    metadata,
    sa.Column("scenario_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(80), nullable=False, unique=True),
    sa.Column("parameters", sa.Text, nullable=False),
    sa.Column("author", sa.String(120), nullable=False, default=""),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("baseline_run_id", sa.Integer),
)


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


def ensure_table(engine: sa.Engine) -> None:
    """Create the scenarios table if it is missing."""
    metadata.create_all(engine)


def save_scenario(
    engine: sa.Engine,
    scenario: Scenario,
    author: str = "",
    baseline_run_id: int | None = None,
    replace: bool = False,
) -> SavedScenario:
    """Save ``scenario`` under its name; an existing name is an error unless ``replace``. The save
    and its audit row (the acting principal's) commit together."""
    ensure_table(engine)
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
        exists = conn.execute(sa.select(scenarios.c.scenario_id).where(scenarios.c.name == scenario.name)).first()
        if exists and not replace:
            raise ScenarioError(f"a scenario named {scenario.name!r} is saved already: pick another name or replace it")
        if exists:
            conn.execute(scenarios.delete().where(scenarios.c.name == scenario.name))
        conn.execute(scenarios.insert().values(**row))
        audit.record(conn, audit.SCENARIO_SAVE, scenario.name, detail="replaced" if exists else "")
    return SavedScenario(scenario, author, now, baseline_run_id)


def list_scenarios(engine: sa.Engine) -> list[SavedScenario]:
    """Saved scenarios, newest first."""
    ensure_table(engine)
    query = sa.select(scenarios).order_by(scenarios.c.created_at.desc(), scenarios.c.name)
    with engine.connect() as conn:
        return [_saved(row) for row in conn.execute(query).mappings()]


def get_scenario(engine: sa.Engine, name: str) -> SavedScenario:
    """The saved scenario ``name``; ScenarioError if there is none."""
    ensure_table(engine)
    with engine.connect() as conn:
        row = conn.execute(sa.select(scenarios).where(scenarios.c.name == name)).mappings().first()
    if row is None:
        raise ScenarioError(f"no saved scenario named {name!r}: see `yipanqi scenario list`")
    return _saved(row)


def delete_scenario(engine: sa.Engine, name: str) -> None:
    """Delete the saved scenario ``name`` (audited); ScenarioError if there is none."""
    ensure_table(engine)
    ensure_audit(engine)
    with engine.begin() as conn:
        deleted = conn.execute(scenarios.delete().where(scenarios.c.name == name)).rowcount
        if deleted:
            audit.record(conn, audit.SCENARIO_DELETE, name)
    if not deleted:
        raise ScenarioError(f"no saved scenario named {name!r}: see `yipanqi scenario list`")


def _saved(row: sa.RowMapping) -> SavedScenario:
    scenario = parse_scenario(json.loads(row["parameters"]), f"saved scenario {row['name']!r}")
    return SavedScenario(scenario, row["author"], row["created_at"], row["baseline_run_id"])
