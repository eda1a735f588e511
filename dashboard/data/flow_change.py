"""The change in flows between two periods or two years (the flows page's comparison, issue 16).

A *side* is one period ``YYYY-MM`` or one year ``YYYY`` (every period of the store in that year,
each pair's persons summed as ``dashboard.data.flows.read_od_range`` sums a range). A comparison
runs from its *base* side (``FlowQuery.compare``) to its *target*: the page's period, or, when the
base is a year, the page's period's year.

Change of a flow = persons(target) - persons(base), in whole persons; percent = change / base x 100
(none when the base is 0). Disclosure: each side's flows come through the one path of the page
(``etl.marts.read_pairs``, their ``small_cell`` flag; a year's pair is withheld when any of its
months is), and a change *involving* a withheld cell (either side) is withheld as a whole: its
base, target, change and percent are never computed into a number that leaves the server. A pair
absent on one side counts 0 persons there (a 0 discloses nobody). A unit's inflow, outflow or net
change is withheld when either side's total is withheld as the page withholds a total
(``dashboard.data.flows.level_unit_totals``: a small count, a total holding exactly one
withheld flow, one a coarser cohort's total would give away, or at province level one the audit
of the page's sums refuses); a net when any of its four totals is. Files blank them with
``etl.disclosure.suppress`` (secondary suppression by origin and destination on each side).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.data import flows as data
from dashboard.data.od import OD_COLUMNS
from dashboard.data.store import periods

CHANGE_COLUMNS = [
    "origin_code", "destination_code", "is_within", "before", "after", "change", "percent",
    "small_cell",
]  # fmt: skip
UNIT_KINDS = ("inflow", "outflow", "net")


def is_year(side: str | None) -> bool:
    return isinstance(side, str) and len(side) == 4 and side.isdigit()


def years() -> tuple[str, ...]:
    """The years with periods in the store, oldest first."""
    return tuple(sorted({p[:4] for p in periods()}))


def side_periods(side: str) -> tuple[str, ...]:
    """The store's periods of a side (a year: all its periods; a period: itself if stored)."""
    if is_year(side):
        return tuple(p for p in periods() if p.startswith(side + "-"))
    return (side,) if side in periods() else ()


def target_of(compare: str | None, period: str) -> str | None:
    """The target side of a comparison whose base is ``compare``, at the page's ``period``; None
    when ``compare`` is not a valid base (unknown, or the same side as the target)."""
    if not compare or not period:
        return None
    target = period[:4] if is_year(compare) else period
    if not side_periods(compare) or compare == target:
        return None
    return target


def side_label(side: str) -> str:
    return side


def read_side(side: str, cohort: str, level: str) -> pd.DataFrame:
    """Every flow of a side in ``OD_COLUMNS`` (a year: summed over its periods)."""
    period, start = side_span(side)
    if not period:
        return pd.DataFrame(columns=OD_COLUMNS)
    if start is None:
        return data.read_od(period, cohort, level)
    return data.read_od_range(start, period, cohort, level)


def side_span(side: str) -> tuple[str, str | None]:
    """(period, start) of a side: a period alone (start None), or a year's periods in the store
    (its last and first); ("", None) for a side with none."""
    chosen = side_periods(side)
    if not chosen:
        return "", None
    if len(chosen) == 1 and not is_year(side):
        return chosen[0], None
    return chosen[-1], chosen[0]


def change_pairs(base: str, target: str, cohort: str, level: str) -> pd.DataFrame:
    """Every pair of either side in ``CHANGE_COLUMNS`` (see the module docstring), by codes;
    ``before``/``after``/``change``/``percent`` of a withheld pair are NaN, never a number."""
    a = read_side(base, cohort, level)
    b = read_side(target, cohort, level)
    keys = ["origin_code", "destination_code", "is_within"]
    merged = pd.merge(
        a[[*keys, "persons", "small_cell"]],
        b[[*keys, "persons", "small_cell"]],
        on=keys,
        how="outer",
        suffixes=("_a", "_b"),
        sort=True,
    )
    before = merged["persons_a"].fillna(0).to_numpy("float64")
    after = merged["persons_b"].fillna(0).to_numpy("float64")
    small = merged["small_cell_a"].astype("boolean").fillna(False).to_numpy(bool) | merged[
        "small_cell_b"
    ].astype("boolean").fillna(False).to_numpy(bool)
    change = after - before
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(before > 0, change / before * 100.0, np.nan)
    out = merged[keys].copy()
    out["before"] = np.where(small, np.nan, before)
    out["after"] = np.where(small, np.nan, after)
    out["change"] = np.where(small, np.nan, change)
    out["percent"] = np.where(small, np.nan, percent)
    out["small_cell"] = small
    return out[CHANGE_COLUMNS].reset_index(drop=True)


def as_od(pairs: pd.DataFrame) -> pd.DataFrame:
    """``change_pairs`` as an OD table whose persons are the signed change (0 where withheld:
    the flag says so, the number is never read), for ``select_flows``."""
    return pd.DataFrame(
        {
            "origin_code": pairs["origin_code"],
            "destination_code": pairs["destination_code"],
            "persons": pairs["change"].fillna(0).astype("int64"),
            "is_within": pairs["is_within"].astype(bool),
            "small_cell": pairs["small_cell"].astype(bool),
        }
    )


@dataclass(frozen=True)
class UnitChange:
    """Each unit's between-unit inflow, outflow and net on both sides, and the changes; a value
    is NaN where withheld."""

    frame: pd.DataFrame  # code, {kind}_before, {kind}_after, {kind}_change, {kind}_percent


def unit_change(base: str, target: str, cohort: str, level: str) -> pd.DataFrame:
    """One row per unit of the level (in the reader's scope): ``code`` and, per kind of
    ``UNIT_KINDS``, ``{kind}_before``, ``{kind}_after``, ``{kind}_change``, ``{kind}_percent``
    and ``{kind}_withheld`` (see the module docstring)."""
    codes = list(data.unit_codes(level))
    a = data.level_unit_totals(level, *side_span(base), cohort, codes)
    b = data.level_unit_totals(level, *side_span(target), cohort, codes)
    hid = {
        kind: a[f"{kind}_withheld"].to_numpy(bool) | b[f"{kind}_withheld"].to_numpy(bool)
        for kind in ("inflow", "outflow")
    }
    hid["net"] = hid["inflow"] | hid["outflow"]
    a_in, a_out = a["inflow"].to_numpy("float64"), a["outflow"].to_numpy("float64")
    b_in, b_out = b["inflow"].to_numpy("float64"), b["outflow"].to_numpy("float64")
    sides = {
        "inflow": (a_in, b_in),
        "outflow": (a_out, b_out),
        "net": (a_in - a_out, b_in - b_out),
    }
    out = pd.DataFrame({"code": codes})
    for kind in UNIT_KINDS:
        before, after = sides[kind]
        hidden = hid[kind]
        change = after - before
        with np.errstate(divide="ignore", invalid="ignore"):
            percent = np.where(before != 0, change / np.abs(before) * 100.0, np.nan)
        out[f"{kind}_before"] = np.where(hidden, np.nan, before)
        out[f"{kind}_after"] = np.where(hidden, np.nan, after)
        out[f"{kind}_change"] = np.where(hidden, np.nan, change)
        out[f"{kind}_percent"] = np.where(hidden, np.nan, percent)
        out[f"{kind}_withheld"] = hidden
    return out


def range_units(start: str, end: str, cohort: str, level: str) -> pd.DataFrame:
    """``code, inflow, outflow, net, {kind}_withheld`` of each unit summed over a period range
    (``read_od_range``), withheld as a total is on the page."""
    codes = list(data.unit_codes(level))
    units = data.level_unit_totals(level, end, start, cohort, codes)
    hid_in = units["inflow_withheld"].to_numpy(bool)
    hid_out = units["outflow_withheld"].to_numpy(bool)
    ins, outs = units["inflow"].to_numpy("float64"), units["outflow"].to_numpy("float64")
    out = pd.DataFrame({"code": codes, "inflow": ins, "outflow": outs, "net": ins - outs})
    out["inflow_withheld"], out["outflow_withheld"] = hid_in, hid_out
    out["net_withheld"] = hid_in | hid_out
    return out


def order_changes(flows: pd.DataFrame) -> pd.DataFrame:
    """Published changes by absolute change, largest first (ties by codes), then the withheld
    ones by codes (their order discloses nothing of their size)."""
    small = flows["small_cell"].to_numpy(dtype=bool)
    size = np.where(small, 0, np.abs(flows["persons"].to_numpy("int64")))
    keyed = flows.assign(_small=small, _size=size).sort_values(
        ["_small", "_size", "origin_code", "destination_code"],
        ascending=[True, False, True, True],
        kind="stable",
    )
    return keyed.drop(columns=["_small", "_size"]).reset_index(drop=True)
