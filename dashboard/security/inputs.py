"""Callback inputs a forged request can send, and the one way they are refused: a 400.

Dash looks a callback up by the ``output`` of a request's body alone and takes every other field
as it comes (``docs``: dash 4 ``_initialize_context``), so a body that does not fit its callback
would reach Dash's own code or the callback's and end in a 500 with a traceback in the log. Two
walls answer it with a 400 instead, in one place each:

1. *The body's shape* (``mismatch``, run by the gate before the callback): ``outputs``,
   ``inputs`` and ``state`` are those of the registered callback, in order (the same component
   IDs and properties; for a pattern-matching one, what the renderer sends: a list of matches
   when the pattern has an ``ALL`` or ``ALLSMALLER`` wildcard, else (``MATCH``) the one match,
   whose IDs fit the pattern); ``changedPropIds`` names some of the inputs; and the properties whose type is fixed
   by the component (``n_clicks``, ``n_intervals``: a count; ``search``, ``pathname``, ``href``:
   text, and a location's ``pathname`` is a path from ``/``; ``clickData``: an object) have that
   type.
2. *The values* (``InvalidInput``): a value of the right shape that the page cannot use (an
   unknown measure, level, period index or area code, a slide index out of range) raises
   ``InvalidInput`` where the value is read (the checks below: ``choice``, ``index``, ``text``);
   ``secure_app`` maps it to a 400 for the whole app.

URL parameters are not inputs of this kind: a page's layout reads them and falls back to its
default view when one is unknown (a bookmarked link stays usable).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

MAX_MATCHES = 1000  # pattern-matching matches in one request (a storyboard's slides)
MAX_COUNT = 2**31 - 1  # n_clicks, n_intervals
MAX_TEXT = 4096  # characters of a URL part or a text input

COUNT_PROPS = frozenset({"n_clicks", "n_intervals", "n_submit", "n_blur"})
TEXT_PROPS = frozenset({"search", "pathname", "href", "hash"})
OBJECT_PROPS = frozenset({"clickData", "hoverData", "selectedData", "relayoutData"})


class InvalidInput(ValueError):
    """A callback input that the page cannot use (answered with a 400, never a 500)."""


def mismatch(spec: dict, body: dict) -> str | None:
    """What is wrong with the shape of callback request ``body`` for the registered callback
    ``spec`` (an entry of ``app.callback_map``); None when it fits."""
    for field in ("inputs", "state", "changedPropIds"):
        if not isinstance(body.get(field, []), list):
            return f"{field} is not a list"
    problem = _outputs(spec, body.get("outputs"), body["output"])
    if problem:
        return problem
    for field, deps in (("inputs", spec["inputs"]), ("state", spec["state"])):
        items = body.get(field, [])
        if len(items) != len(deps):
            return f"{field}: {len(items)} given, the callback has {len(deps)}"
        for i, (item, dep) in enumerate(zip(items, deps, strict=True)):
            problem = _dependency(item, dep)
            if problem:
                return f"{field}[{i}]: {problem}"
    names = {_prop_id(m) for item in body.get("inputs", []) for m in _matches(item)}
    for changed in body.get("changedPropIds", []):
        if not isinstance(changed, str) or _parsed_prop_id(changed) not in names:
            return "changedPropIds names something that is not an input"
    return None


def _outputs(spec: dict, outputs: Any, key: str) -> str | None:
    expected = _output_specs(key)
    given = outputs if key.startswith("..") else [outputs]
    if spec.get("no_output"):
        return None
    if not isinstance(given, list) or len(given) != len(expected):
        return "outputs are not the callback's"
    for item, (component, prop) in zip(given, expected, strict=True):
        pattern = _id_of(component)
        if isinstance(pattern, dict):
            matches = item if _multi(pattern) else [item]
            if not isinstance(matches, list) or len(matches) > MAX_MATCHES:
                return "outputs are not the callback's"
            if not all(
                isinstance(m, dict) and _fits(m.get("id"), pattern) and _property(m) == prop
                for m in matches
            ):
                return "outputs are not the callback's"
            continue
        if not isinstance(item, dict) or _key(item.get("id")) != _key(pattern):
            return "outputs are not the callback's"
        if _property(item) != prop:
            return "outputs are not the callback's"
    return None


def _property(item: dict) -> str:
    return str(item.get("property", "")).split("@", 1)[0]


def _multi(pattern: dict) -> bool:
    """Whether the renderer sends a pattern's matches as a list (an ``ALL`` or ``ALLSMALLER``
    wildcard); a ``MATCH`` pattern's one match comes alone."""
    return any(
        isinstance(v, list) and v and v[0] in ("ALL", "ALLSMALLER") for v in pattern.values()
    )


def _output_specs(key: str) -> list[tuple[str, str]]:
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    found = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        found.append((component, prop.split("@", 1)[0]))
    return found


def _dependency(item: Any, dep: dict) -> str | None:
    pattern = _id_of(dep["id"])  # a pattern-matching ID is registered as its JSON text
    if not isinstance(pattern, dict):
        if not isinstance(item, dict) or item.get("id") != pattern:
            return "not the callback's component"
        if item.get("property") != dep["property"]:
            return "not the callback's property"
        return _typed(dep["property"], item.get("value"))
    if not _multi(pattern):
        item = [item]  # MATCH: the one match, as it is
    elif not isinstance(item, list) or len(item) > MAX_MATCHES:
        return "a pattern-matching dependency is a list of matches"
    for match in item:
        if not isinstance(match, dict) or match.get("property") != dep["property"]:
            return "a match of another property"
        if not _fits(match.get("id"), pattern):
            return "a match whose ID does not fit the pattern"
        problem = _typed(dep["property"], match.get("value"))
        if problem:
            return problem
    return None


def _fits(component: Any, pattern: dict) -> bool:
    """True when ``component`` (a match's ID) has the pattern's keys, its fixed values, and a
    whole number >= 0 or a short text where the pattern has a wildcard."""
    if not isinstance(component, dict) or set(component) != set(pattern):
        return False
    for name, wanted in pattern.items():
        value = component[name]
        if isinstance(wanted, list):  # a wildcard (ALL, MATCH, ALLSMALLER)
            whole = isinstance(value, int) and not isinstance(value, bool) and value >= 0
            if not (whole or (isinstance(value, str) and len(value) <= 100)):
                return False
        elif value != wanted:
            return False
    return True


def _typed(prop: str, value: Any) -> str | None:
    """Whether ``value`` has the type a component gives ``prop`` (None: it does, or any type
    may come)."""
    if prop == "pathname" and not (isinstance(value, str) and value.startswith("/")):
        return "pathname is not a path"  # the browser's location always has one
    if value is None:
        return None
    if prop in COUNT_PROPS:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            return f"{prop} is not a count"
    elif prop in TEXT_PROPS:
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            return f"{prop} is not text"
    elif prop in OBJECT_PROPS and not isinstance(value, dict):
        return f"{prop} is not an object"
    return None


def _matches(item: Any) -> list:
    return item if isinstance(item, list) else [item]


def _prop_id(item: dict) -> tuple[str, str]:
    return _key(item.get("id")), str(item.get("property"))


def _parsed_prop_id(text: str) -> tuple[str, str]:
    component, _, prop = text.rpartition(".")
    return _key(_id_of(component)), prop


def _id_of(text: str) -> Any:
    if text.startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _key(component: Any) -> str:
    """A component ID as comparable text (a pattern ID: its JSON with sorted keys)."""
    if isinstance(component, dict):
        return json.dumps(component, sort_keys=True, separators=(",", ":"))
    return str(component)


# --- checks of values, where a page reads them ------------------------------------------------


def choice(value: Any, allowed: Collection[str], what: str) -> str:
    """``value`` when it is one of ``allowed`` (text), else InvalidInput."""
    if not isinstance(value, str) or value not in allowed:
        raise InvalidInput(f"unknown {what}")
    return value


def index(value: Any, items: Sequence, what: str) -> int:
    """``value`` as an index into ``items`` (a whole number in range), else InvalidInput."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise InvalidInput(f"{what} is not a whole number")
    if not 0 <= int(value) < len(items):
        raise InvalidInput(f"{what} out of range")
    return int(value)


def fields(value: Any, *names: str) -> dict[str, str]:
    """The text fields ``names`` of a page's key store (a missing one: ""), else InvalidInput."""
    if not isinstance(value, dict):
        raise InvalidInput("the page's key is not an object")
    return {name: text(value.get(name), name) for name in names}


def text(value: Any, what: str, *, default: str = "") -> str:
    """``value`` as text (None: ``default``), else InvalidInput."""
    if value is None:
        return default
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise InvalidInput(f"{what} is not text")
    return value


def texts(value: Any, what: str) -> list[str]:
    """``value`` as a list of texts (None: none), else InvalidInput."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_MATCHES:
        raise InvalidInput(f"{what} is not a list")
    return [text(item, what) for item in value]


def clicked_code(click: Any) -> str | None:
    """The code (``customdata``) of the first point of a map's ``clickData``; None when nothing
    was clicked; InvalidInput when it is not a code."""
    points = click.get("points") if isinstance(click, dict) else None
    if not points:
        return None
    first = points[0] if isinstance(points, list) else None
    code = first.get("customdata") if isinstance(first, dict) else None
    if code is None:
        return None
    if not isinstance(code, str) or len(code) > 64:
        raise InvalidInput("the clicked place is not a code")
    return code
