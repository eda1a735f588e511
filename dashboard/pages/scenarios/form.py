"""The scenario form and the scenario JSON, each into the other (pure: no Dash, no language).

The scenario JSON (``planning.scenario``'s file format) is the one source of truth; the form is a
view of it. A form is a list of lever kinds and the values of its fields, keyed by
``(lever, field)``: ``lever`` the lever's position (:data:`HEAD`, ``"scenario"``, for the
scenario's own fields), ``field`` a name of :data:`LEVER_FIELDS` or :data:`HEAD_FIELDS`. Form fields are the
lever's JSON fields except for two:

- a coverage push's ``set_to`` or ``raise_points`` is the pair ``mode`` (which of them) and
  ``amount`` (its number);
- ``keep_totals`` is a checklist: ``["keep"]`` or ``[]``.

A field left empty in the form is left out of the JSON, so the scenario's rules report it
(``planning.levers``), never a silent default. JSON the form cannot hold (an unknown kind or field,
a number written as text, an unknown indicator, a period the store lacks) stays JSON: the form is
not redrawn from it (:func:`representable`), and its problems are listed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from etl.records import INDICATOR_BY_FLAG
from planning.levers import (
    CAPACITY_BOUND,
    DEFAULT_COST_PER_PERSON,
    DEFAULT_PERSONS_PER_STAFF,
    FIELDS,
    KINDS,
    NUMBER_FIELDS,
    SIDES,
)

HEAD = "scenario"
"""The ``lever`` of the scenario's own fields (a text: a pattern-matching ID's wildcard holds a
whole number >= 0 or a short text, ``dashboard.security.inputs``)."""

LATEST = "latest"
"""The period picker's value for "the latest period" (no ``period`` in the JSON)."""

KEEP = "keep"
"""The keep-totals checklist's value when ticked."""

MODES = ("set_to", "raise_points")
HEAD_FIELDS = ("name", "period", "description", "persons_per_staff", "cost_per_person")
RESOURCES = ("persons_per_staff", "cost_per_person")
SCENARIO_KEYS = ("name", "period", "description", "levers", "resources")
LEVER_FIELDS: dict[str, tuple[str, ...]] = {
    "growth": ("areas", "side", "percent"),
    "attractiveness": ("areas", "factor", "keep_totals", "elasticity"),
    "coverage_push": ("areas", "indicator", "mode", "amount"),
    "capacity": ("areas", "staff", "persons_per_staff", "indicator"),
}
"""The form fields of each lever kind, in the order the form shows them."""

DEFAULTS: dict[str, dict[str, Any]] = {
    "growth": {"kind": "growth", "percent": 10, "side": "inflow", "areas": []},
    "attractiveness": {"kind": "attractiveness", "factor": 1.5, "areas": []},
    "coverage_push": {
        "kind": "coverage_push",
        "indicator": "cert_verified",
        "areas": [],
        "set_to": 98,
    },
    "capacity": {
        "kind": "capacity",
        "areas": [],
        "staff": 1,
        "persons_per_staff": DEFAULT_PERSONS_PER_STAFF,
    },
}
"""A new lever of each kind, as the add button puts it in the scenario (its areas still to pick)."""

Key = tuple[int | str, str]
Values = Mapping[Key, Any]


def new_lever(kind: str) -> dict[str, Any]:
    """A new lever of ``kind`` (:data:`DEFAULTS`); an unknown kind is a growth lever."""
    return _copy(DEFAULTS.get(kind, DEFAULTS["growth"]))


def to_form(scenario: Mapping[str, Any]) -> tuple[list[str], dict[Key, Any]]:
    """The form of a scenario that is :func:`representable`: its lever kinds and field values."""
    values: dict[Key, Any] = {
        (HEAD, "name"): scenario.get("name") or "",
        (HEAD, "period"): scenario.get("period") or LATEST,
        (HEAD, "description"): scenario.get("description") or "",
    }
    resources = scenario.get("resources") or {}
    values[(HEAD, "persons_per_staff")] = resources.get(
        "persons_per_staff", DEFAULT_PERSONS_PER_STAFF
    )
    values[(HEAD, "cost_per_person")] = resources.get("cost_per_person", DEFAULT_COST_PER_PERSON)
    kinds = []
    for i, lever in enumerate(scenario.get("levers") or []):
        kind = lever["kind"]
        kinds.append(kind)
        areas = lever.get("areas") or []
        values[(i, "areas")] = [areas] if isinstance(areas, str) else list(areas)
        for spec in NUMBER_FIELDS[kind]:
            if spec.name not in MODES:
                values[(i, spec.name)] = lever.get(spec.name, spec.default)
        if kind == "growth":
            values[(i, "side")] = lever.get("side")
        elif kind == "attractiveness":
            values[(i, "keep_totals")] = [KEEP] if lever.get("keep_totals") else []
        elif kind == "coverage_push":
            values[(i, "indicator")] = _flags(lever.get("indicator"), ())
            mode = "raise_points" if lever.get("raise_points") is not None else "set_to"
            values[(i, "mode")] = mode
            values[(i, "amount")] = lever.get(mode)
        else:
            values[(i, "indicator")] = _flags(lever.get("indicator"), CAPACITY_BOUND)
    return kinds, values


def from_form(kinds: Sequence[str], values: Values) -> dict[str, Any]:
    """The scenario JSON of a form (``kinds`` of its levers in order, ``values`` of its fields)."""
    out: dict[str, Any] = {"name": _text(values.get((HEAD, "name")))}
    period = values.get((HEAD, "period"))
    if isinstance(period, str) and period and period != LATEST:
        out["period"] = period
    description = _text(values.get((HEAD, "description")))
    if description:
        out["description"] = description
    out["levers"] = [_lever(i, kind, values) for i, kind in enumerate(kinds)]
    resources = {k: values.get((HEAD, k)) for k in RESOURCES}
    out["resources"] = {k: v for k, v in resources.items() if v is not None}
    return out


def _lever(i: int, kind: str, values: Values) -> dict[str, Any]:
    lever: dict[str, Any] = {"kind": kind}
    for name in FIELDS.get(kind, ()):
        value = values.get((i, name))
        if name == "keep_totals":
            if value:
                lever[name] = True
        elif name == "indicator":
            lever.update(_indicator(kind, value))
        elif name in MODES:
            if values.get((i, "mode")) == name and values.get((i, "amount")) is not None:
                lever[name] = values.get((i, "amount"))
        elif name == "areas":
            lever[name] = [a for a in value or [] if isinstance(a, str)]
        elif value is not None:
            lever[name] = value
    return lever


def _indicator(kind: str, value: Any) -> dict[str, Any]:
    flags = [f for f in INDICATOR_BY_FLAG if isinstance(value, list) and f in value]
    if kind == "capacity" and set(flags) == set(CAPACITY_BOUND):
        return {}  # the default: every capacity-bound indicator
    if not flags:
        return {"indicator": []}
    if kind == "coverage_push" and len(flags) == len(INDICATOR_BY_FLAG):
        return {"indicator": "all"}
    return {"indicator": flags[0] if len(flags) == 1 else flags}


def normalized(scenario: Any) -> Any:
    """``scenario`` with every default filled in and every value in one spelling (numbers as
    floats, one indicator as a list, ``"all"`` as every flag): two scenarios that mean the same
    compare equal. Anything not a scenario object is returned as it is."""
    if not isinstance(scenario, Mapping):
        return scenario
    out = dict(scenario)
    if out.get("period") is None:
        out.pop("period", None)
    if out.get("description") in (None, ""):
        out.pop("description", None)
    if out.get("name") is None:
        out["name"] = ""
    resources = out.get("resources")
    if resources is None or isinstance(resources, Mapping):
        filled = {
            "persons_per_staff": DEFAULT_PERSONS_PER_STAFF,
            "cost_per_person": DEFAULT_COST_PER_PERSON,
        }
        filled.update({k: v for k, v in (resources or {}).items() if v is not None})
        out["resources"] = {k: _number(v) for k, v in filled.items()}
    if isinstance(out.get("levers"), list):
        out["levers"] = [_normal_lever(lever) for lever in out["levers"]]
    return out


def _normal_lever(lever: Any) -> Any:
    if not isinstance(lever, Mapping) or lever.get("kind") not in KINDS:
        return lever
    kind = lever["kind"]
    out = dict(lever)
    for spec in NUMBER_FIELDS[kind]:
        value = out.get(spec.name)
        if value is None:
            out.pop(spec.name, None)
            if spec.default is not None:
                out[spec.name] = float(spec.default)
        else:
            out[spec.name] = _number(value)
    areas = out.get("areas", [])
    out["areas"] = [areas] if isinstance(areas, str) else areas
    if kind == "attractiveness" and out.get("keep_totals") is False:
        del out["keep_totals"]
    if kind == "growth" and out.get("side") is None:
        out.pop("side", None)
    if kind in ("coverage_push", "capacity"):
        default = CAPACITY_BOUND if kind == "capacity" else ()
        out["indicator"] = _flags(out.get("indicator"), default, keep_unknown=True)
    return out


def _flags(value: Any, default: Sequence[str] | None, keep_unknown: bool = False) -> Any:
    """Indicator flags as a list in the order of ``etl.indicators`` (``"all"``: every flag;
    missing: ``default``)."""
    if value is None and default is not None:
        value = list(default)
    if value == "all":
        value = list(INDICATOR_BY_FLAG)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return value if keep_unknown else []
    known = [f for f in INDICATOR_BY_FLAG if f in value]
    unknown = [v for v in value if v not in INDICATOR_BY_FLAG]
    return known + unknown if keep_unknown else known


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def representable(scenario: Any, periods: Sequence[str]) -> bool:
    """Whether the form can hold ``scenario`` exactly (what it shows is what the JSON says): an
    object of the scenario's fields whose levers are of known kinds with known fields, numbers
    as numbers, known indicators (capacity-bound ones for capacity), at most one of ``set_to`` and
    ``raise_points``, and a period of ``periods``; and the form of it gives it back."""
    if not isinstance(scenario, Mapping) or set(scenario) - set(SCENARIO_KEYS):
        return False
    if not isinstance(scenario.get("name", ""), str) or not isinstance(
        scenario.get("description", ""), str
    ):
        return False
    if scenario.get("period") is not None and scenario.get("period") not in periods:
        return False
    resources = scenario.get("resources", {})
    if not isinstance(resources, Mapping) or set(resources) - set(RESOURCES):
        return False
    if not all(v is None or _is_number(v) for v in resources.values()):
        return False
    levers = scenario.get("levers")
    if not isinstance(levers, list) or not all(_lever_representable(lever) for lever in levers):
        return False
    kinds, values = to_form(scenario)
    return normalized(from_form(kinds, values)) == normalized(scenario)


def _lever_representable(lever: Any) -> bool:
    if not isinstance(lever, Mapping) or lever.get("kind") not in KINDS:
        return False
    kind = lever["kind"]
    if set(lever) - {"kind", *FIELDS[kind]}:
        return False
    if not all(
        lever.get(s.name) is None or _is_number(lever.get(s.name)) for s in NUMBER_FIELDS[kind]
    ):
        return False
    areas = lever.get("areas", [])
    areas = [areas] if isinstance(areas, str) else areas
    if not isinstance(areas, list) or not all(isinstance(a, str) and a for a in areas):
        return False
    if kind == "growth":
        return lever.get("side") is None or lever.get("side") in SIDES
    if kind == "attractiveness":
        return isinstance(lever.get("keep_totals", False), bool)
    flags = _flags(
        lever.get("indicator"), CAPACITY_BOUND if kind == "capacity" else (), keep_unknown=True
    )
    allowed = CAPACITY_BOUND if kind == "capacity" else tuple(INDICATOR_BY_FLAG)
    if not isinstance(flags, list) or not all(f in allowed for f in flags):
        return False
    if kind == "coverage_push":
        return lever.get("set_to") is None or lever.get("raise_points") is None
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
