"""Which saved scenarios and storyboards a reader sees: the scope rule of saved work.

Saved work (``etl.store.saved``) records the scope of the principal who last saved it. A reader
sees (lists, opens, runs, replaces or deletes) an item only when that scope lies *within* the
reader's: every county of the item's scope is one of the reader's (by the store's hierarchy). So
a province's planner shares work with the nation's readers and with the other readers of that
province, but not with a neighbouring province nor with a prefecture inside it; an item saved by a
reader of the nation (or with no recorded scope) is the nation's readers' alone. Its titles, key
messages and scenario names were written with the author's view of the data, which is why the
author's scope, not only what the item's views point at, decides.
"""

from __future__ import annotations

import sqlalchemy as sa

from etl.marts.common import read_units
from etl.scope import NATION, Scope, ScopeError, parse_scope
from etl.store import saved


def within(engine: sa.Engine | sa.Connection, inner: Scope, outer: Scope) -> bool:
    """True when ``inner`` lies within ``outer``: every county of ``inner`` is one of ``outer``'s.
    The nation holds every scope and lies within none but itself; a scope with no county in the
    store lies within the nation only."""
    if outer.is_nation or inner == outer:
        return True
    if inner.is_nation:
        return False
    counties = set(read_units(engine, scope=inner)["county_code"])
    return bool(counties) and counties <= set(read_units(engine, scope=outer)["county_code"])


def saved_scope(engine: sa.Engine | sa.Connection, kind: str, name: str) -> Scope:
    """The recorded scope of saved ``kind`` ``name``; the nation when none (or an unreadable one)
    is recorded."""
    return _parsed(saved.scopes(engine, kind).get(name, saved.UNRECORDED))


def visible_saved(
    engine: sa.Engine | sa.Connection, kind: str, names: list[str], *, scope: Scope
) -> list[str]:
    """Those of ``names`` (saved work of ``kind``) that a reader of ``scope`` sees, in order."""
    if scope.is_nation:
        return list(names)
    recorded = saved.scopes(engine, kind)
    verdict: dict[Scope, bool] = {}
    shown = []
    for name in names:
        item = _parsed(recorded.get(name, saved.UNRECORDED))
        if item not in verdict:
            verdict[item] = within(engine, item, scope)
        if verdict[item]:
            shown.append(name)
    return shown


def _parsed(text: str) -> Scope:
    try:
        return parse_scope(text)
    except ScopeError:
        return NATION
