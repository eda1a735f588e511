"""A scope: the part of the country a reader may see (nation, a region, a province or a prefecture).

The read contract of the marts (``etl.marts``) takes a scope on every read and returns rows of that
scope only; the dashboard builds it from the signed-in user's server session, never from the page.
A county is in a scope when its province is a member of the region (``region_members``), its
province is the province, or its prefecture is the prefecture (the store's ``units`` table, so
directly administered counties such as 仙桃市 belong to the prefecture code the hierarchy gives
them, not to the first four digits of their code).

Written ``nation``, ``region:pan_yangtze``, ``province:320000`` or ``prefecture:320200``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEVELS = ("nation", "region", "province", "prefecture")
_CODE = {
    "region": re.compile(r"^[a-z][a-z0-9_]{0,23}$"),
    "province": re.compile(r"^\d{2}0000$"),
    "prefecture": re.compile(r"^\d{4}00$"),
}


class ScopeError(ValueError):
    """A scope written wrongly (unknown level or a code of the wrong shape)."""


@dataclass(frozen=True, order=True)
class Scope:
    """Where a reader may look. ``code`` is empty for the nation."""

    level: str = "nation"
    code: str = ""

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ScopeError(f"unknown scope level {self.level!r}; one of {', '.join(LEVELS)}")
        if self.level == "nation":
            if self.code:
                raise ScopeError("the nation scope takes no code")
        elif not _CODE[self.level].match(self.code):
            raise ScopeError(
                f"scope {self.level} needs a code like "
                + {"region": "pan_yangtze", "province": "320000", "prefecture": "320200"}[self.level]
                + f", not {self.code!r}"
            )

    @property
    def is_nation(self) -> bool:
        return self.level == "nation"

    def __str__(self) -> str:
        return self.level if self.is_nation else f"{self.level}:{self.code}"


NATION = Scope()


def parse_scope(text: str) -> Scope:
    """``nation``, ``region:CODE``, ``province:CODE`` or ``prefecture:CODE`` as a Scope."""
    level, _, code = text.strip().partition(":")
    return Scope(level, code)
