"""Roles and what each may do: the one table of permissions.

Roles are ordered ``viewer < planner < analyst < steward``; every action needs a minimal role and a
higher role may do everything a lower one may:

- viewer: the maps and pages of its scope, presentations and briefing packs (slides);
- planner: + save and delete scenarios and storyboards;
- analyst: + exports of (suppressed) data;
- steward: + exact (unsuppressed) exports, ingest, user administration.
"""

from __future__ import annotations

from enum import StrEnum

from access.errors import AccessError


class Role(StrEnum):
    VIEWER = "viewer"
    PLANNER = "planner"
    ANALYST = "analyst"
    STEWARD = "steward"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class Action(StrEnum):
    VIEW = "view"  # pages, maps, charts, presentations of the principal's scope
    EXPORT_SLIDES = "export.slides"  # a storyboard's briefing pack (PPTX / PDF)
    EXPORT_MAP = "export.map"  # a map as the page shows it (PNG / PDF / SVG), small cells suppressed
    SAVE_SCENARIO = "scenario.write"  # save or delete a scenario
    SAVE_STORYBOARD = "storyboard.write"  # save, edit or delete a storyboard
    EXPORT_DATA = "export.data"  # data files (CSV, Excel, layers) with small cells suppressed
    EXPORT_EXACT = "export.exact"  # the exact marts, small cells included
    INGEST = "ingest"
    MANAGE_USERS = "users.manage"


MINIMAL_ROLE: dict[Action, Role] = {
    Action.VIEW: Role.VIEWER,
    Action.EXPORT_SLIDES: Role.VIEWER,
    Action.EXPORT_MAP: Role.VIEWER,
    Action.SAVE_SCENARIO: Role.PLANNER,
    Action.SAVE_STORYBOARD: Role.PLANNER,
    Action.EXPORT_DATA: Role.ANALYST,
    Action.EXPORT_EXACT: Role.STEWARD,
    Action.INGEST: Role.STEWARD,
    Action.MANAGE_USERS: Role.STEWARD,
}


def allows(role: Role, action: Action) -> bool:
    """True when ``role`` may do ``action``."""
    return role.rank >= MINIMAL_ROLE[action].rank


def parse_role(text: str) -> Role:
    """A role from its name; AccessError naming the valid ones otherwise."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise AccessError(f"unknown role {text!r}; one of {names}") from None
