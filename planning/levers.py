"""Levers: the changes a scenario makes, parsed and validated from JSON objects.

Terms
-----
*Area*: a collaboration-region code (``regions.region_code``, e.g. ``pan_yangtze``), or a 6-digit
province, prefecture or county adcode; an area stands for the counties it contains.

*Percent* and *points* are on the 0-100 scale (``"set_to": 98`` is a 98% coverage rate); in the
computation rates are shares (0-1).

Flow levers (``growth``, ``attractiveness``) change the county flow matrix; coverage levers
(``coverage_push``, ``capacity``) change the projected numerators. Flow levers apply in the order
given, then coverage levers in the order given (see ``docs/scenarios.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from etl.records import INDICATOR_BY_FLAG
from planning.errors import ScenarioError

CAPACITY_BOUND: tuple[str, ...] = (
    "health_check",
    "contraception",
    "free_service",
    "pregnancy_check",
    "free_contraceptives",
    "prepregnancy_consult",
)
"""Indicators whose numerator is a service delivered in person at the residence by service staff.

Certificate issuance and verification are counter paperwork, and policy awareness is publicity;
those are not bounded by ``capacity`` levers (a push lever can still move them).
"""

DEFAULT_PERSONS_PER_STAFF = 1000.0
"""Persons of an indicator's denominator one full-time staff member serves in a period (assumption)."""

DEFAULT_COST_PER_PERSON = 25.0
"""Yuan per person served: the 2011 per-capita standard of basic public health services (25 yuan),
i.e. funding floating persons at the same standard as registered residents."""


@dataclass(frozen=True)
class Growth:
    """Multiply every flow into (``inflow``) or out of (``outflow``) the areas by 1 + percent/100."""

    percent: float
    side: str
    areas: tuple[str, ...]
    kind: str = "growth"


@dataclass(frozen=True)
class Attractiveness:
    """Multiply the destination attractiveness of the areas by ``factor``; flows are re-allocated.

    ``keep_totals`` false: origin-constrained (each origin's between-county outflow kept, the
    destinations' totals change). True: doubly constrained (origin totals kept, and the national
    total kept while the destination totals of the areas change by ``factor ** elasticity`` and the
    other destinations share the difference). ``elasticity`` overrides the fitted one.
    """

    factor: float
    areas: tuple[str, ...]
    keep_totals: bool = False
    elasticity: float | None = None
    kind: str = "attractiveness"


@dataclass(frozen=True)
class CoveragePush:
    """Raise an indicator's rate in the areas: to at least ``set_to`` percent, or by ``raise_points``."""

    indicators: tuple[str, ...]
    areas: tuple[str, ...]
    set_to: float | None = None
    raise_points: float | None = None
    kind: str = "coverage_push"


@dataclass(frozen=True)
class Capacity:
    """Staff per county of the areas: numerator = min(denominator, staff * persons_per_staff)."""

    areas: tuple[str, ...]
    staff: float
    persons_per_staff: float
    indicators: tuple[str, ...] = CAPACITY_BOUND
    kind: str = "capacity"


Lever = Growth | Attractiveness | CoveragePush | Capacity
FLOW_KINDS = ("growth", "attractiveness")
COVERAGE_KINDS = ("coverage_push", "capacity")
KINDS = FLOW_KINDS + COVERAGE_KINDS


def parse_levers(items: Any, where: str = "levers") -> list[Lever]:
    """Levers from a JSON list; every broken rule is reported at once in one ScenarioError."""
    if not isinstance(items, list):
        raise ScenarioError(f"{where}: must be a list of lever objects, got {type(items).__name__}")
    levers: list[Lever] = []
    problems: list[str] = []
    for i, item in enumerate(items):
        try:
            levers.append(parse_lever(item, f"{where}[{i}]"))
        except ScenarioError as exc:
            problems.append(str(exc))
    if problems:
        raise ScenarioError("\n".join(problems))
    return levers


def parse_lever(item: Any, where: str = "lever") -> Lever:
    """One lever from a JSON object with its ``kind`` (see ``docs/scenarios.md``)."""
    if not isinstance(item, Mapping):
        raise ScenarioError(f"{where}: must be an object with a 'kind', got {item!r}")
    kind = item.get("kind")
    problems: list[str] = []
    p = _Reader(item, where, problems)
    lever: Lever | None = None
    if kind == "growth":
        p.known("percent", "side", "areas")
        percent = p.number("percent", minimum=-100.0)
        side = p.choice("side", ("inflow", "outflow"))
        lever = Growth(percent, side, p.areas())
    elif kind == "attractiveness":
        p.known("factor", "areas", "keep_totals", "elasticity")
        factor = p.number("factor", minimum=0.0, exclusive=True)
        elasticity = p.number("elasticity", minimum=0.0, default=None)
        keep = item.get("keep_totals", False)
        if not isinstance(keep, bool):
            problems.append(f"{where}: 'keep_totals' must be true or false, got {keep!r}")
        lever = Attractiveness(factor, p.areas(), bool(keep), elasticity)
    elif kind == "coverage_push":
        p.known("indicator", "areas", "set_to", "raise_points")
        indicators = p.indicators("indicator", required=True)
        set_to = p.number("set_to", minimum=0.0, maximum=100.0, default=None)
        points = p.number("raise_points", minimum=0.0, maximum=100.0, default=None)
        if (set_to is None) == (points is None):
            problems.append(f"{where}: give exactly one of 'set_to' or 'raise_points' (percent)")
        lever = CoveragePush(indicators, p.areas(), set_to, points)
    elif kind == "capacity":
        p.known("areas", "staff", "persons_per_staff", "indicator")
        staff = p.number("staff", minimum=0.0)
        pps = p.number("persons_per_staff", minimum=0.0, exclusive=True, default=DEFAULT_PERSONS_PER_STAFF)
        indicators = p.indicators("indicator", required=False) or CAPACITY_BOUND
        unbound = [i for i in indicators if i not in CAPACITY_BOUND]
        if unbound:
            problems.append(
                f"{where}: {', '.join(unbound)} not capacity-bound; capacity applies to "
                f"{', '.join(CAPACITY_BOUND)}"
            )
        lever = Capacity(p.areas(), staff, pps, indicators)
    else:
        problems.append(f"{where}: unknown kind {kind!r}; one of {', '.join(KINDS)}")
    if problems:
        raise ScenarioError("\n".join(problems))
    assert lever is not None
    return lever


def lever_to_json(lever: Lever) -> dict[str, Any]:
    """The JSON object of a lever (the inverse of :func:`parse_lever`)."""
    if isinstance(lever, Growth):
        return {"kind": "growth", "percent": lever.percent, "side": lever.side, "areas": list(lever.areas)}
    if isinstance(lever, Attractiveness):
        out: dict[str, Any] = {"kind": "attractiveness", "factor": lever.factor, "areas": list(lever.areas)}
        if lever.keep_totals:
            out["keep_totals"] = True
        if lever.elasticity is not None:
            out["elasticity"] = lever.elasticity
        return out
    if isinstance(lever, CoveragePush):
        out = {"kind": "coverage_push", "indicator": _one_or_list(lever.indicators), "areas": list(lever.areas)}
        if lever.set_to is not None:
            out["set_to"] = lever.set_to
        else:
            out["raise_points"] = lever.raise_points
        return out
    return {
        "kind": "capacity",
        "areas": list(lever.areas),
        "staff": lever.staff,
        "persons_per_staff": lever.persons_per_staff,
        "indicator": _one_or_list(lever.indicators),
    }


def _one_or_list(values: tuple[str, ...]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


class _Reader:
    """Reads typed fields of one lever object, appending every problem to ``problems``."""

    def __init__(self, item: Mapping[str, Any], where: str, problems: list[str]) -> None:
        self.item, self.where, self.problems = item, where, problems

    def known(self, *names: str) -> None:
        extra = sorted(set(self.item) - {"kind", *names})
        if extra:
            self.problems.append(
                f"{self.where}: unknown field(s) {', '.join(extra)} for kind {self.item['kind']!r}; "
                f"allowed: {', '.join(names)}"
            )

    _MISSING = object()

    def number(
        self,
        name: str,
        minimum: float | None = None,
        maximum: float | None = None,
        exclusive: bool = False,
        default: Any = _MISSING,
    ) -> Any:
        value = self.item.get(name, self._MISSING)
        if value is self._MISSING or (value is None and default is not self._MISSING):
            if default is self._MISSING:
                self.problems.append(f"{self.where}: '{name}' is required (a number)")
                return 0.0
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problems.append(f"{self.where}: '{name}' must be a number, got {value!r}")
            return 0.0
        value = float(value)
        if minimum is not None and (value < minimum or (exclusive and value == minimum)):
            relation = ">" if exclusive else ">="
            self.problems.append(f"{self.where}: '{name}' must be {relation} {minimum:g}, got {value:g}")
        if maximum is not None and value > maximum:
            self.problems.append(f"{self.where}: '{name}' must be <= {maximum:g}, got {value:g}")
        return value

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        value = self.item.get(name)
        if value not in choices:
            self.problems.append(f"{self.where}: '{name}' must be one of {', '.join(choices)}, got {value!r}")
            return choices[0]
        return str(value)

    def areas(self) -> tuple[str, ...]:
        value = self.item.get("areas")
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            self.problems.append(
                f"{self.where}: 'areas' must be a non-empty list of region codes or adcodes, got {value!r}"
            )
            return ()
        return tuple(value)

    def indicators(self, name: str, required: bool) -> tuple[str, ...]:
        value = self.item.get(name)
        if value is None and not required:
            return ()
        if value == "all":
            return tuple(INDICATOR_BY_FLAG)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.problems.append(f"{self.where}: '{name}' must be an indicator flag, a list of them or 'all'")
            return ()
        unknown = [v for v in value if v not in INDICATOR_BY_FLAG]
        if unknown:
            self.problems.append(
                f"{self.where}: unknown indicator(s) {unknown}; one of {', '.join(INDICATOR_BY_FLAG)}"
            )
        return tuple(v for v in value if v in INDICATOR_BY_FLAG)
