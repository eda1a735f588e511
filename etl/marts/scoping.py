"""Which units of a level lie inside a reader's scope, as SQL over the store's hierarchy.

A unit *lies inside* a scope when its level is not above the scope's level and it belongs to the
scope by the store's ``units`` and ``region_members`` tables (never by the digits of its code: a
directly administered county such as 仙桃市 429004 is in the prefecture the hierarchy gives it):

- nation: every unit (no filter at all);
- region: the counties and prefectures of its member provinces, those provinces, and the region
  itself (``other``: the provinces of no region);
- province: its counties, its prefectures and itself;
- prefecture: its counties and itself.
"""

from __future__ import annotations

import sqlalchemy as sa

from etl.scope import Scope
from etl.store.schema import OTHER_REGION, region_members, units

UNIT_LEVELS = ("county", "prefecture", "province", "region")
_RANK = {"county": 0, "prefecture": 1, "province": 2, "region": 3, "nation": 4}


def inside(column: sa.ColumnElement, level: str, scope: Scope) -> sa.ColumnElement[bool] | None:
    """A condition true where ``column`` (codes of units of ``level``) lies inside ``scope``;
    None for the nation (nothing to filter)."""
    if level not in UNIT_LEVELS:
        raise ValueError(f"unknown level {level!r}; one of {', '.join(UNIT_LEVELS)}")
    if scope.is_nation:
        return None
    if _RANK[level] > _RANK[scope.level]:
        return sa.false()
    if level == "region":
        return column == scope.code
    return column.in_(sa.select(units.c[f"{level}_code"]).where(_counties_of(scope)).distinct())


def _counties_of(scope: Scope) -> sa.ColumnElement[bool]:
    """A condition on ``units`` rows: the county lies inside the (non-national) ``scope``."""
    if scope.level == "province":
        return units.c.province_code == scope.code
    if scope.level == "prefecture":
        return units.c.prefecture_code == scope.code
    members = sa.select(region_members.c.province_code)
    if scope.code == OTHER_REGION:
        return units.c.province_code.not_in(members)
    return units.c.province_code.in_(members.where(region_members.c.region_code == scope.code))


def where(*conditions: sa.ColumnElement[bool] | None) -> list[sa.ColumnElement[bool]]:
    """The conditions that filter something (``inside`` gives None for the nation)."""
    return [c for c in conditions if c is not None]
