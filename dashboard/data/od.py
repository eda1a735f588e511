"""Pure functions over an origin-destination table: selection, netting, ordering, thinning,
totals and the region matrix (the terms are those of ``dashboard.data.flows``).

An *OD table* has ``OD_COLUMNS`` (``etl.marts.PAIR_COLUMNS``: one period, cohort and level); a
*selection* has ``FLOW_COLUMNS``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl import indicators
from etl.disclosure import Equations, margin_reveals
from etl.marts import PAIR_COLUMNS
from etl.marts.linked_flows import region_sums

DIRECTIONS = ("inflow", "outflow", "both", "net")
OD_COLUMNS = list(PAIR_COLUMNS)
FLOW_COLUMNS = ["origin_code", "destination_code", "persons", "small_cell", "group"]
"""Columns of a selection: ``group`` is ``in`` (into the focus), ``out`` (from it) or ``flow``."""


@dataclass(frozen=True)
class Totals:
    """Persons of a focused place or a set of units, between units only (within flows apart).

    For a place: ``inflow`` from every other unit, ``outflow`` to every other unit. For a set of
    regions: ``inflow`` from units outside the set, ``outflow`` to units outside it, ``among``
    between different units inside it. ``within`` is the persons of within flows (the diagonal).
    """

    inflow: int
    outflow: int
    within: int
    among: int | None = None
    withheld: frozenset[str] = frozenset()
    """The totals (``inflow``, ``outflow``, ``within``, ``among``) a display withholds whatever
    their size: the sum minus the flows shown would give a withheld flow away
    (``etl.disclosure.margin_reveals``)."""

    def hidden(self, name: str, threshold: int) -> bool:
        """Whether the total ``name`` (or ``net``: either of its two counts) is withheld: in
        ``withheld``, or a small count itself."""
        if name == "net":
            return self.hidden("inflow", threshold) or self.hidden("outflow", threshold)
        value = getattr(self, name)
        return name in self.withheld or (value is not None and suppressed(value, threshold))

    @property
    def net(self) -> int:
        """Net inflow: persons in minus persons out."""
        return self.inflow - self.outflow


def province_of(codes: pd.Series) -> pd.Series:
    """Province adcode of each unit adcode (its first two digits, then ``0000``)."""
    return codes.str.slice(0, 2) + "0000"


def in_provinces(codes: pd.Series, provinces: Iterable[str]) -> np.ndarray:
    """True where a unit's province is one of ``provinces``."""
    return province_of(codes).isin(set(provinces)).to_numpy()


def select_flows(
    od: pd.DataFrame,
    direction: str,
    *,
    focus: str | None = None,
    provinces: Iterable[str] = (),
) -> pd.DataFrame:
    """Between-unit flows of a selection, in ``FLOW_COLUMNS`` (not ordered, not thinned).

    With ``focus`` the selection is that unit; otherwise the units whose province is in
    ``provinces``. ``direction`` is one of ``DIRECTIONS`` (see the module docstring).
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}; one of {DIRECTIONS}")
    between = od[~od["is_within"].to_numpy()]
    if focus is not None:
        to_sel = (between["destination_code"] == focus).to_numpy()
        from_sel = (between["origin_code"] == focus).to_numpy()
    else:
        provinces = set(provinces)
        to_sel = in_provinces(between["destination_code"], provinces)
        from_sel = in_provinces(between["origin_code"], provinces)
    keep = {"inflow": to_sel, "outflow": from_sel}.get(direction, to_sel | from_sel)
    chosen = between[keep]
    out = chosen[["origin_code", "destination_code", "persons", "small_cell"]].reset_index(
        drop=True
    )
    if direction == "net":
        out = net_pairs(out)
    if focus is None:
        out["group"] = "flow"
    else:
        out["group"] = np.where(out["destination_code"] == focus, "in", "out")
    return out[FLOW_COLUMNS]


def net_pairs(flows: pd.DataFrame) -> pd.DataFrame:
    """Each pair of units once, as persons(a -> b) - persons(b -> a) running the positive way.

    ``small_cell`` is True when either of the two flows is a small cell; balanced pairs are dropped.
    """
    a = flows["origin_code"].to_numpy()
    b = flows["destination_code"].to_numpy()
    forward = a < b
    key = pd.DataFrame(
        {
            "lo": np.where(forward, a, b),
            "hi": np.where(forward, b, a),
            "signed": np.where(forward, 1, -1) * flows["persons"].to_numpy(dtype="int64"),
            "small": flows["small_cell"].to_numpy(dtype=bool),
        }
    )
    pairs = key.groupby(["lo", "hi"], sort=False, as_index=False).agg(
        signed=("signed", "sum"), small=("small", "any")
    )
    pairs = pairs[pairs["signed"] != 0]
    positive = pairs["signed"].to_numpy() > 0
    return pd.DataFrame(
        {
            "origin_code": np.where(positive, pairs["lo"], pairs["hi"]),
            "destination_code": np.where(positive, pairs["hi"], pairs["lo"]),
            "persons": np.abs(pairs["signed"].to_numpy()).astype("int64"),
            "small_cell": pairs["small"].to_numpy(dtype=bool),
        }
    )


def order_flows(flows: pd.DataFrame) -> pd.DataFrame:
    """Publishable flows by persons (largest first, ties by codes), then small cells by codes."""
    sort_persons = np.where(
        flows["small_cell"].to_numpy(dtype=bool), 0, flows["persons"].to_numpy()
    )
    keyed = flows.assign(_small=flows["small_cell"].astype(bool), _persons=sort_persons)
    keyed = keyed.sort_values(
        ["_small", "_persons", "origin_code", "destination_code"],
        ascending=[True, False, True, True],
        kind="stable",
    )
    return keyed.drop(columns=["_small", "_persons"]).reset_index(drop=True)


def thin(flows: pd.DataFrame, top: int) -> pd.DataFrame:
    """The first ``top`` flows in the order of ``order_flows``."""
    return order_flows(flows).head(int(top)).reset_index(drop=True)


def place_totals(od: pd.DataFrame, code: str) -> Totals:
    """In, out and within persons of one unit (with every other unit)."""
    origin = (od["origin_code"] == code).to_numpy()
    destination = (od["destination_code"] == code).to_numpy()
    within = od["is_within"].to_numpy(dtype=bool)
    return _totals(
        od,
        inflow=destination & ~within,
        outflow=origin & ~within,
        within=origin & within,
    )


def set_totals(od: pd.DataFrame, provinces: Iterable[str]) -> Totals:
    """Persons into, out of and among the units of a set of provinces, and within its units."""
    return _totals(od, **set_parts(od, provinces))


def set_parts(od: pd.DataFrame, provinces: Iterable[str]) -> dict[str, np.ndarray]:
    """The rows of ``od`` each total of ``set_totals`` sums (name -> row mask)."""
    provinces = set(provinces)
    origin = in_provinces(od["origin_code"], provinces)
    destination = in_provinces(od["destination_code"], provinces)
    within = od["is_within"].to_numpy(dtype=bool)
    return {
        "inflow": destination & ~origin,
        "outflow": origin & ~destination,
        "within": origin & within,
        "among": origin & destination & ~within,
    }


@dataclass(frozen=True)
class Audit:
    """What a page withholds of the sums of province flows beyond each sum's own rule
    (``audit_province_sums``): region flows, provinces' totals and set totals refused."""

    regions: frozenset[tuple[str, str]]  # (origin region, destination region)
    units: frozenset[tuple[str, str]]  # (province, "inflow" or "outflow")
    sets: Mapping[frozenset[str], frozenset[str]]  # a choice's provinces -> its totals refused


def audit_province_sums(
    province: pd.DataFrame,
    region: pd.DataFrame,
    regions: Mapping[str, tuple[str, ...]],
    units: pd.DataFrame,
    choices: Sequence[frozenset[str]],
    threshold: int,
    leading: int = 0,
) -> Audit:
    """The sums of province flows a page publishes, checked together (``etl.disclosure.Equations``):
    each is withheld alone only when it holds exactly one withheld flow, but together they form a
    linear system over the withheld flows. Admitted in a fixed order, each only while it
    determines no withheld flow: the region flows (each the sum of the province flows between
    its members), the totals (``set_totals``) of the first ``leading`` choices of regions, each
    province's inflow and outflow, then the totals of the other choices; a sum refused is
    withheld. ``province``, ``region``: the flows at
    those levels as the page reads them (one period or range, one cohort); ``regions``: each
    province's regions; ``units``: ``code, inflow_withheld, outflow_withheld`` of the provinces
    (``cohort_unit_totals``). The order fixes the outcome for a period and cohort, whatever a
    reader asks first."""
    persons = province["persons"].to_numpy("int64")
    hidden = province["small_cell"].to_numpy(dtype=bool) & (persons > 0)
    unknown = np.flatnonzero(hidden)
    equations = Equations(len(unknown))
    origin = province["origin_code"].to_numpy(object)
    destination = province["destination_code"].to_numpy(object)
    summed = region_sums(origin, destination, regions)
    refused_regions = set()
    for a, b, small in region[["origin_code", "destination_code", "small_cell"]].itertuples(
        index=False
    ):
        block = np.zeros(len(province), dtype=bool)
        block[summed.get((a, b), [])] = True
        if not small and not equations.admit(block[unknown]):
            refused_regions.add((a, b))
    between = ~province["is_within"].to_numpy(dtype=bool)
    sets: dict[frozenset[str], frozenset[str]] = {}

    def decide(choice: frozenset[str]) -> None:
        totals = set_totals(province, choice)
        parts = set_parts(province, choice).items()
        sets[choice] = frozenset(
            name
            for name, rows in parts
            if not totals.hidden(name, threshold) and not equations.admit(rows[unknown])
        )

    for choice in choices[:leading]:
        decide(choice)
    refused_units = set()
    for row in units.itertuples(index=False):
        for side, ends in (("inflow", destination), ("outflow", origin)):
            rows = (ends == row.code) & between
            if not getattr(row, f"{side}_withheld") and not equations.admit(rows[unknown]):
                refused_units.add((row.code, side))
    for choice in choices[leading:]:
        decide(choice)
    return Audit(frozenset(refused_regions), frozenset(refused_units), sets)


def _totals(od: pd.DataFrame, **parts: np.ndarray) -> Totals:
    """Each total the persons of its rows (``parts``: name -> row mask), withheld where the sum
    would give a withheld flow away (``etl.disclosure.margin_reveals``)."""
    persons = od["persons"].to_numpy(dtype="int64")
    small = od["small_cell"].to_numpy(dtype=bool)
    return Totals(
        **{name: int(persons[rows].sum()) for name, rows in parts.items()},
        withheld=frozenset(
            name for name, rows in parts.items() if margin_reveals(persons[rows], small[rows])
        ),
    )


def suppressed(value: int, threshold: int) -> bool:
    """A count a display withholds: under the small-cell threshold and not 0 (a zero discloses
    nobody; see ``etl.indicators.withheld``)."""
    return bool(indicators.withheld(value, threshold))


# --- the region-to-region matrix ----------------------------------------------------------------


@dataclass(frozen=True)
class RegionMatrix:
    """Persons from each region (rows: origin) to each region (columns: destination).

    The diagonal holds each region's within flows (between its own units, and the intra-county
    movers), which are never part of between-region totals. A province in two regions counts in
    both, so rows do not add up to the national total.
    """

    codes: tuple[str, ...]
    persons: np.ndarray  # int64, shape (n, n)
    small_cell: np.ndarray  # bool, shape (n, n)


def region_matrix_of(rollup: pd.DataFrame, codes: Sequence[str], threshold: int) -> RegionMatrix:
    """The matrix of a region-level rollup (``origin_code, destination_code, persons``)."""
    grid = (
        rollup.pivot_table(
            index="origin_code", columns="destination_code", values="persons", aggfunc="sum"
        )
        .reindex(index=list(codes), columns=list(codes))
        .fillna(0)
        .to_numpy(dtype="int64")
    )
    return RegionMatrix(tuple(codes), grid, indicators.withheld(grid, threshold))
