"""What a page may show of flows when it shows every level: county, prefecture, province and
region flows of one period (or range) and cohort withheld as one linked table.

A flow adds up across levels: a prefecture flow is the sum of the county flows between its counties
and the other prefecture's, a province flow the sum of its prefecture flows (and of its county
flows), a region flow the sum of the province flows between the two regions' members (a province
in two regions counts in both, as ``etl.aggregate`` sums them). A page that shows the levels side by
side (the flows page's level switch, its region matrix) publishes each of those sums beside its
parts. Each sum and its parts form a *group* (``etl.disclosure``), the sum a member of it: a group
with exactly one withheld flow above 0 would give it away (a published province flow minus the
published county flows inside it; or a withheld province flow rebuilt from its published county
flows, and with it the small flow it protected), so its smallest published flow above 0 is
withheld too. The closure runs over these link groups, over each level's inflow and outflow of
every unit (the diagonal apart, ``etl.disclosure.flow_margins``) and over the nested cohorts
(``etl.disclosure.Nesting``: the coarser cohorts' flags come decided) until nothing changes.

This closes each sum with its parts, one equation at a time; the flows page's sums taken
together (its region matrix, units' totals and the totals of a choice of regions: a linear system)
are audited on top of it (``dashboard.data.od.audit_province_sums``).

The hierarchy (``units``, ``region_members``) is the store's public one, read for the nation:
a scoped reader's flows are linked to their parents as the nation's are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa

from etl.disclosure import Margins, Nesting, withheld
from etl.marts.common import read_region_members, read_units, small_cell_threshold
from etl.marts.flows import PAIR_COLUMNS, read_pairs
from etl.records import COHORTS
from etl.scope import NATION, Scope
from etl.store.schema import OTHER_REGION

LINKED_LEVELS = ("county", "prefecture", "province", "region")
_LINKS = (("county", "prefecture"), ("county", "province"), ("prefecture", "province"))
"""The sums of finer flows that a coarser flow is (region flows: ``_region_groups``)."""


def read_linked_flows(
    engine: sa.Engine | sa.Connection,
    period: str,
    cohort: str,
    *,
    scope: Scope,
    county: pd.DataFrame | None = None,
    coarser: Sequence[Mapping[str, pd.DataFrame]] | None = None,
    parents: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> dict[str, pd.DataFrame]:
    """Every level's flows of ``period`` and ``cohort`` in the reader's ``scope`` (``read_pairs``),
    withheld as one linked table (``linked_flows``). What the caller has already it may pass, else
    it is read: ``county``, this cohort's county flows (``PAIR_COLUMNS``); ``coarser``, this
    function's results for the cohorts that hold ``cohort``; ``parents``, ``hierarchy(engine)``."""
    parents = hierarchy(engine) if parents is None else parents
    if coarser is None:
        coarser = []
        for name in COHORTS[: COHORTS.index(cohort)] if cohort in COHORTS else ():
            coarser.append(
                read_linked_flows(
                    engine, period, name, scope=scope, coarser=list(coarser), parents=parents
                )
            )
    levels = {
        level: read_pairs(engine, period, cohort, level, scope=scope)
        if county is None or level != "county"
        else county
        for level in LINKED_LEVELS
    }
    return linked_flows(levels, coarser, *parents, small_cell_threshold(engine, scope=scope))


def hierarchy(engine: sa.Engine | sa.Connection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The store's public hierarchy, the nation's (``read_units``, ``read_region_members``): a
    scoped reader's flows are linked to their parents as the nation's are."""
    return read_units(engine, scope=NATION), read_region_members(engine, scope=NATION)


def linked_flows(
    levels: Mapping[str, pd.DataFrame],
    coarser: Sequence[Mapping[str, pd.DataFrame]],
    units: pd.DataFrame,
    members: pd.DataFrame,
    threshold: int,
) -> dict[str, pd.DataFrame]:
    """``levels`` (level -> its flows in ``PAIR_COLUMNS`` of one period or range, one cohort)
    with ``small_cell`` widened as the module docstring says; ``coarser``: the same of the
    cohorts that hold this one (``etl.records.COHORTS``, coarsest first), as this function
    returned them. ``units``: ``county_code, prefecture_code, province_code``; ``members``:
    ``region_code, province_code`` (provinces of none sum into ``OTHER_REGION``)."""
    names = COHORTS[: len(coarser) + 1]
    # this cohort's flows by codes: the partners a closure picks among equal counts do not
    # depend on the order the caller read them in (the page and the exports agree)
    order = {
        level: np.lexsort(
            (
                pd.factorize(frame["destination_code"], sort=True)[0],
                pd.factorize(frame["origin_code"], sort=True)[0],
            )
        )
        for level, frame in levels.items()
    }
    ordered = {level: frame.iloc[order[level]] for level, frame in levels.items()}
    parts = [
        frame[list(PAIR_COLUMNS)].assign(cohort=name, level=level)
        for name, frames in zip(names, [*coarser, ordered], strict=True)
        for level, frame in frames.items()
    ]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if table.empty:
        return dict(levels)
    coded, margins = _groups(table, units, members)
    nesting = Nesting("cohort", ("level", "origin_code", "destination_code"), "persons", threshold)
    small = table["small_cell"].to_numpy(dtype=bool)
    flags = withheld(coded, small, margins, nesting, decided=len(coarser))
    out: dict[str, pd.DataFrame] = {}
    start = sum(len(f) for frames in coarser for f in frames.values())
    for level, frame in levels.items():
        widened = np.empty(len(frame), dtype=bool)
        widened[order[level]] = flags[start : start + len(frame)]
        start += len(frame)
        same = (widened == frame["small_cell"].to_numpy(dtype=bool)).all()
        out[level] = frame if same else frame.assign(small_cell=widened)
    return out


def _groups(
    table: pd.DataFrame, units: pd.DataFrame, members: pd.DataFrame
) -> tuple[pd.DataFrame, list[Margins]]:
    """The columns ``withheld`` needs (``persons``, the nesting's keys) and one numeric column per
    grouping (NaN: in no group of it), with the ``Margins`` over them: each level's outflow and
    inflow of a unit (the diagonal apart), and each coarser flow with the finer flows it sums."""
    cohort = pd.factorize(table["cohort"])[0]
    level = pd.factorize(table["level"])[0]
    n_rows = len(table)
    # every code as a number once (the codes repeat: a few thousand units over many rows)
    ends, known = pd.factorize(
        pd.concat([table["origin_code"], table["destination_code"]], ignore_index=True)
    )
    o, d = ends[:n_rows], ends[n_rows:]
    parent = {
        ("county", "prefecture"): dict(zip(units["county_code"], units["prefecture_code"], strict=True)),
        ("county", "province"): dict(zip(units["county_code"], units["province_code"], strict=True)),
        ("prefecture", "province"): dict(
            zip(units["prefecture_code"], units["province_code"], strict=True)
        ),
    }
    space = list(known)
    number = {code: i for i, code in enumerate(space)}
    for up in parent.values():  # parents no flow names: numbers of their own
        for code in sorted(set(up.values()) - number.keys()):
            number[code] = len(space)
            space.append(code)
    n = len(space) + 1
    level_names = table["level"].to_numpy(object)
    coded = table[["cohort", "level", "origin_code", "destination_code", "persons", "is_within"]]
    columns: dict[str, np.ndarray] = {
        "g_out": _key(cohort, level, o, n=n),
        "g_in": _key(cohort, level, d, n=n),
    }
    links = []
    for fine, coarse in _LINKS:
        is_fine, is_coarse = level_names == fine, level_names == coarse
        up = parent[(fine, coarse)]
        lifted = np.array([number.get(up.get(code), -1) for code in known] or [-1])
        go = np.where(is_fine, lifted[o], np.where(is_coarse, o, -1))
        gd = np.where(is_fine, lifted[d], np.where(is_coarse, d, -1))
        name = f"g_{fine}_{coarse}"
        columns[name] = _key(cohort, go, gd, n=n)
        links.append(name)
    for i, key in enumerate(_region_groups(table, members)):
        name = f"g_region_{i}"
        columns[name] = np.where(key >= 0, cohort.astype("float64") * (key.max() + 1) + key, np.nan)
        links.append(name)
    coded = coded.assign(**columns)
    return coded, [
        Margins("persons", (("g_out",), ("g_in",)), "is_within"),
        Margins("persons", tuple((name,) for name in links)),
    ]


def _key(*parts: np.ndarray, n: int) -> np.ndarray:
    """One number per row for the combination of ``parts`` (each below ``n``; NaN where one is
    -1: the row is in no group)."""
    key = np.zeros(len(parts[0]), dtype="float64")
    missing = np.zeros(len(parts[0]), dtype=bool)
    for part in parts:
        key = key * n + part
        missing |= part < 0
    return np.where(missing, np.nan, key)


def region_sums(
    origin: Sequence[str], destination: Sequence[str], regions: Mapping[str, Sequence[str]]
) -> dict[tuple[str, str], list[int]]:
    """The positions of the province flows (``origin``, ``destination``) that each pair of regions
    sums: every pair of their ends' regions (``regions``: a province's regions; one of none
    counts in ``OTHER_REGION``, as ``etl.aggregate`` sums it)."""
    sums: dict[tuple[str, str], list[int]] = {}
    for row, (a, b) in enumerate(zip(origin, destination, strict=True)):
        for ra in regions.get(a, (OTHER_REGION,)):
            for rb in regions.get(b, (OTHER_REGION,)):
                sums.setdefault((ra, rb), []).append(row)
    return sums


def _region_groups(table: pd.DataFrame, members: pd.DataFrame) -> list[np.ndarray]:
    """Groupings of each region flow with the province flows it sums (-1: in none). A province
    flow sits in the group of every pair of its ends' regions (up to four), so the groups are
    spread over as few groupings as keep each row in one group per grouping."""
    regions = members.groupby("province_code")["region_code"].agg(tuple).to_dict()
    is_province = (table["level"] == "province").to_numpy()
    is_region = (table["level"] == "region").to_numpy()
    if not is_region.any() or not is_province.any():
        return []
    region_rows = np.flatnonzero(is_region)
    province_rows = np.flatnonzero(is_province)
    origin = table["origin_code"].to_numpy(object)
    destination = table["destination_code"].to_numpy(object)
    region_pairs = list(zip(origin[region_rows], destination[region_rows], strict=True))
    number = {pair: i for i, pair in enumerate(sorted(set(region_pairs)))}
    region_of = np.array([number[p] for p in region_pairs])
    summed = region_sums(origin[province_rows], destination[province_rows], regions)
    groupings: list[np.ndarray] = []
    for pair, i in number.items():
        rows = province_rows[summed.get(pair, [])]
        for key in groupings:
            if (key[rows] < 0).all():
                break
        else:
            key = np.full(len(table), -1, dtype="int64")
            groupings.append(key)
        key[rows] = i
        key[region_rows[region_of == i]] = i
    return groupings
