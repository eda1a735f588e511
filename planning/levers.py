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
from planning.errors import Problem, ScenarioError

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
SIDES = ("inflow", "outflow")


@dataclass(frozen=True)
class NumberField:
    """A number field of a lever: its unit and bounds (``exclusive``: the minimum itself is out).

    ``unit``: ``percent`` (0-100 scale, a change), ``percent_level`` (a rate on the 0-100 scale),
    ``points`` (percentage points), ``factor`` (a multiplier), ``elasticity`` (an exponent),
    ``staff`` (staff members per county), ``persons`` (persons per staff member).
    ``default``: the value when the field is absent; ``required``: absent is an error.
    """

    name: str
    unit: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive: bool = False
    required: bool = True
    default: float | None = None


NUMBER_FIELDS: dict[str, tuple[NumberField, ...]] = {
    "growth": (NumberField("percent", "percent", minimum=-100.0),),
    "attractiveness": (
        NumberField("factor", "factor", minimum=0.0, exclusive=True),
        NumberField("elasticity", "elasticity", minimum=0.0, required=False),
    ),
    "coverage_push": (
        NumberField("set_to", "percent_level", minimum=0.0, maximum=100.0, required=False),
        NumberField("raise_points", "points", minimum=0.0, maximum=100.0, required=False),
    ),
    "capacity": (
        NumberField("staff", "staff", minimum=0.0),
        NumberField(
            "persons_per_staff", "persons", minimum=0.0, exclusive=True, required=False,
            default=DEFAULT_PERSONS_PER_STAFF,
        ),
    ),
}  # fmt: skip
"""Every number field of each lever kind with its unit and bounds: the one home of the bounds
(parsing checks them, the scenario page's inputs show them)."""

FIELDS: dict[str, tuple[str, ...]] = {
    "growth": ("percent", "side", "areas"),
    "attractiveness": ("factor", "areas", "keep_totals", "elasticity"),
    "coverage_push": ("indicator", "areas", "set_to", "raise_points"),
    "capacity": ("areas", "staff", "persons_per_staff", "indicator"),
}
"""The fields each lever kind takes (besides ``kind``)."""


def number_field(kind: str, name: str) -> NumberField:
    """The spec of number field ``name`` of lever kind ``kind`` (KeyError if none)."""
    for spec in NUMBER_FIELDS[kind]:
        if spec.name == name:
            return spec
    raise KeyError(f"{kind}.{name}")


def parse_levers(items: Any, where: str = "levers") -> list[Lever]:
    """Levers from a JSON list; every broken rule is reported at once in one ScenarioError."""
    if not isinstance(items, list):
        raise ScenarioError(
            problems=[
                Problem(
                    "not_list",
                    f"{where}: must be a list of lever objects, got {type(items).__name__}",
                    field="levers",
                )
            ]
        )
    levers: list[Lever] = []
    problems: list[Problem] = []
    for i, item in enumerate(items):
        try:
            levers.append(parse_lever(item, f"{where}[{i}]", index=i))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems=problems)
    return levers


def parse_lever(item: Any, where: str = "lever", index: int | None = None) -> Lever:
    """One lever from a JSON object with its ``kind`` (see ``docs/scenarios.md``); ``index``: its
    position in the scenario, carried by the problems."""
    if not isinstance(item, Mapping):
        raise ScenarioError(
            problems=[
                Problem("not_object", f"{where}: must be an object with a 'kind', got {item!r}", index)
            ]
        )
    kind = item.get("kind")
    p = _Reader(item, where, index)
    lever: Lever | None = None
    if kind == "growth":
        p.known()
        percent = p.number("percent")
        side = p.choice("side", SIDES)
        lever = Growth(percent, side, p.areas())
    elif kind == "attractiveness":
        p.known()
        factor = p.number("factor")
        elasticity = p.number("elasticity")
        keep = item.get("keep_totals", False)
        if not isinstance(keep, bool):
            p.problem(
                "not_bool", f"'keep_totals' must be true or false, got {keep!r}", "keep_totals",
                value=keep,
            )  # fmt: skip
        lever = Attractiveness(factor, p.areas(), bool(keep), elasticity)
    elif kind == "coverage_push":
        p.known()
        indicators = p.indicators("indicator", required=True)
        set_to = p.number("set_to")
        points = p.number("raise_points")
        if (set_to is None) == (points is None):
            p.problem(
                "one_of", "give exactly one of 'set_to' or 'raise_points' (percent)", None,
                fields=("set_to", "raise_points"),
            )  # fmt: skip
        lever = CoveragePush(indicators, p.areas(), set_to, points)
    elif kind == "capacity":
        p.known()
        staff = p.number("staff")
        pps = p.number("persons_per_staff")
        indicators = p.indicators("indicator", required=False) or CAPACITY_BOUND
        unbound = [i for i in indicators if i not in CAPACITY_BOUND]
        if unbound:
            p.problem(
                "not_capacity_bound",
                f"{', '.join(unbound)} not capacity-bound; capacity applies to {', '.join(CAPACITY_BOUND)}",
                "indicator", flags=tuple(unbound), bound=CAPACITY_BOUND,
            )  # fmt: skip
        lever = Capacity(p.areas(), staff, pps, indicators)
    else:
        p.problem(
            "unknown_kind", f"unknown kind {kind!r}; one of {', '.join(KINDS)}", "kind",
            kind=kind, kinds=KINDS,
        )  # fmt: skip
    if p.problems:
        raise ScenarioError(problems=p.problems)
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
    """Reads typed fields of one lever object, collecting every problem in ``problems``."""

    def __init__(self, item: Mapping[str, Any], where: str, index: int | None) -> None:
        self.item, self.where, self.index = item, where, index
        self.problems: list[Problem] = []

    def problem(self, code: str, text: str, field: str | None, **params: Any) -> None:
        self.problems.append(Problem(code, f"{self.where}: {text}", self.index, field, params))

    def known(self) -> None:
        names = FIELDS[self.item["kind"]]
        extra = sorted(set(self.item) - {"kind", *names})
        if extra:
            self.problem(
                "unknown_fields",
                f"unknown field(s) {', '.join(extra)} for kind {self.item['kind']!r}; "
                f"allowed: {', '.join(names)}",
                None, fields=tuple(extra), allowed=names,
            )  # fmt: skip

    _MISSING = object()

    def number(self, name: str) -> Any:
        """The number field ``name`` of this kind, checked against its :data:`NUMBER_FIELDS` spec:
        its default (None if it has none) when absent or null and not required."""
        spec = number_field(self.item["kind"], name)
        value = self.item.get(name, self._MISSING)
        bounds = {"minimum": spec.minimum, "maximum": spec.maximum, "exclusive": spec.exclusive}
        if value is self._MISSING or value is None:
            if spec.required:
                self.problem("required", f"'{name}' is required (a number)", name, **bounds)
                return 0.0
            return spec.default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem("not_number", f"'{name}' must be a number, got {value!r}", name, value=value, **bounds)
            return 0.0
        value = float(value)
        low = spec.minimum
        if low is not None and (value < low or (spec.exclusive and value == low)):
            relation = ">" if spec.exclusive else ">="
            self.problem(
                "below_minimum", f"'{name}' must be {relation} {low:g}, got {value:g}", name,
                minimum=low, exclusive=spec.exclusive, value=value,
            )  # fmt: skip
        if spec.maximum is not None and value > spec.maximum:
            self.problem(
                "above_maximum", f"'{name}' must be <= {spec.maximum:g}, got {value:g}", name,
                maximum=spec.maximum, value=value,
            )  # fmt: skip
        return value

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        value = self.item.get(name)
        if value not in choices:
            self.problem(
                "not_choice", f"'{name}' must be one of {', '.join(choices)}, got {value!r}", name,
                choices=choices, value=value,
            )  # fmt: skip
            return choices[0]
        return str(value)

    def areas(self) -> tuple[str, ...]:
        value = self.item.get("areas")
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            self.problem(
                "no_areas",
                f"'areas' must be a non-empty list of region codes or adcodes, got {value!r}",
                "areas", value=value,
            )  # fmt: skip
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
            self.problem("not_indicators", f"'{name}' must be an indicator flag, a list of them or 'all'", name)
            return ()
        unknown = [v for v in value if v not in INDICATOR_BY_FLAG]
        if unknown:
            self.problem(
                "unknown_indicators",
                f"unknown indicator(s) {unknown}; one of {', '.join(INDICATOR_BY_FLAG)}",
                name, flags=tuple(str(v) for v in unknown),
            )  # fmt: skip
        return tuple(v for v in value if v in INDICATOR_BY_FLAG)
