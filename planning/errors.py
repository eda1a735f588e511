"""The one exception type of the planning package, and the problems it reports.

A *problem* is one broken rule of a scenario: a stable ``code`` naming the rule, the lever it is in
(0-based position in ``levers``; None for the scenario itself), the field, the values that tell it
(``params``), and the English ``message`` the command line prints. Pages show problems in their own
language from the code and the params (``dashboard.pages.scenarios.problems``); the codes are:

=====================  ==========================================================================
code                   params
=====================  ==========================================================================
``not_object``         scenario or lever is not a JSON object
``unknown_fields``     ``fields`` (unknown names), ``allowed``
``bad_name``           ``value``
``bad_period``         ``value``
``unknown_period``     ``value``, ``first``, ``last`` (a period the store does not hold)
``levers_required``    —
``not_list``           ``levers`` is not a list
``bad_resources``      ``resources`` is not an object of the two known keys
``not_positive``       ``field`` (a resource), ``value``
``bad_description``    —
``unknown_kind``       ``kind``, ``kinds``
``required``           ``field``: a number is missing (``minimum``, ``maximum``, ``exclusive``)
``not_number``         ``field``, ``value``
``below_minimum``      ``field``, ``minimum``, ``exclusive``, ``value``
``above_maximum``      ``field``, ``maximum``, ``value``
``not_choice``         ``field``, ``choices``, ``value``
``not_bool``           ``field``, ``value``
``no_areas``           ``value``: ``areas`` missing, empty or not a list of codes
``unknown_areas``      ``codes``: codes that are no region, province, prefecture or county
``not_indicators``     ``field``: not a flag, a list of flags or ``"all"``
``unknown_indicators`` ``field``, ``flags``
``one_of``             ``fields``: give exactly one of them
``not_capacity_bound`` ``flags``, ``bound``
``no_aggregates``      the store has no aggregates (run time: nothing to project from)
``too_few_flows``      too few between-county flows to fit the flow model
``no_points``          ``n``, ``codes``: counties without a point for distances
``name_hidden``        ``value``: a saved scenario of that name lies outside the reader's scope
``name_taken``         ``value``: a scenario of that name is saved already
``no_saved``           ``value``: no saved scenario of that name that the reader sees
=====================  ==========================================================================
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One broken rule of a scenario (see the module docstring for the codes)."""

    code: str
    message: str
    lever: int | None = None
    field: str | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)


class ScenarioError(ValueError):
    """A scenario file, lever or saved scenario is invalid or cannot be applied: ``problems``
    say why (a page shows them in its language), ``str()`` in English."""

    @classmethod
    def of(cls, code: str, message: str, **params: Any) -> ScenarioError:
        """The error of one problem of the scenario itself (a run-time reason, a saved name)."""
        return cls(problems=[Problem(code, message, params=params)])

    def __init__(self, message: str | None = None, problems: Sequence[Problem] = ()) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if message is None:
            message = "\n".join(p.message for p in self.problems)
        super().__init__(message)
