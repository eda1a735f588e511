"""Disclosure control of every table that leaves the system as a file: one convention, one function.

A *suppressed* cell is written blank, and its row carries ``suppressed`` = true; never ``<10``,
never a zero, never a rounded number. Every export (the flows page's CSV, the research exports of
``dashboard.export.tables``, ``etl.export``, the scenario results of ``planning.export``, the
tables of a briefing pack) calls ``suppress`` on the table it is about to write.

*Primary suppression*: the cells of a small cell (a count under the store's small-cell threshold,
see ``etl.indicators.small_cell``) are blanked. Which count decides is the caller's: a flow's
persons, a rate's denominator.

*Secondary (complementary) suppression*: a *margin* is the sum of a *group* of rows that is
published somewhere (a county's outflow = its row of the flow table; a prefecture's denominator =
the sum of its counties'). A group with exactly one suppressed row above 0 would give that row away
(margin minus the published rows), so the group's smallest published row with a count above 0 is
suppressed too (a suppressed 0 discloses nobody, as in ``etl.indicators.withheld``, and does not
count). Every *grouping* (origins, destinations; prefectures, provinces) is checked again
until no group changes. A group whose lone suppressed row has no non-zero partner keeps it: its
margin then equals that small count and is itself withheld wherever it is shown. ``Margins`` says
which groupings a table has and which count picks the partner.

*Nested cohorts* (``Nesting``): the cohorts ``all``, ``women_15_49`` and
``married_women_15_49`` (``etl.records.COHORTS``, coarse to fine; each holds the next) count the
same persons of one cell (a flow of a period) more than once. Two published counts of one cell in nested cohorts give away their difference,
the persons of the coarser cohort outside the finer one (men and women of other ages; women
15-49 not married), a cohort that no table publishes. When that difference is 1 to threshold - 1
it is a small cell disclosed by subtraction, so the finer count is withheld too (the coarser one,
the cohort the pages open on, stays as its own suppression left it; a difference of 0 discloses
nobody). The sums of a cohort's cells (a place's inflow) are compared the same way
(``nested_margins``). ``withheld`` decides a table's cohorts from the coarsest to the finest, each cohort's
margins closed before a finer cohort is compared with it, so a cohort's withheld cells are the
same whether it is suppressed alone (beside its coarser cohorts, as a page reads it) or with
every cohort at once (as the exports write them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.records import COHORTS

SUPPRESSED = "suppressed"
"""The boolean column that marks a row whose cells are withheld."""


@dataclass(frozen=True)
class Margins:
    """The published sums over a table's rows.

    ``count``: the column whose smallest non-zero value picks the complementary row; ``groups``:
    each grouping as its key columns (a group = the rows with equal keys); ``outside``: a boolean
    column whose true rows belong to no group (a flow's diagonal, not part of inflow or outflow).
    Rows with a missing key are in no group of that grouping.
    """

    count: str
    groups: tuple[tuple[str, ...], ...]
    outside: str | None = None


def flow_margins(
    by: Sequence[str] = ("period", "cohort"),
    *,
    count: str = "persons",
    origin: str = "origin_code",
    destination: str = "destination_code",
    within: str | None = "is_within",
) -> Margins:
    """Margins of a flow table: each origin's outflow and each destination's inflow per ``by``.
    ``within`` names the diagonal flag when the published totals leave intra-unit moves out
    (None: the totals include them)."""
    return Margins(count, ((*by, origin), (*by, destination)), within)


@dataclass(frozen=True)
class Nesting:
    """Cohorts nested coarse to fine (each holds the persons of the next) in one table.

    ``column``: the cohort of each row; ``order``: the cohorts, coarsest first (rows of a cohort
    not listed are compared with none); ``cell``: the key columns that name one cell across
    cohorts (a flow's period, origin and destination); ``count``: its persons; ``threshold``: the
    small-cell threshold (a difference 1 to ``threshold`` - 1 is small).
    """

    column: str
    cell: tuple[str, ...]
    count: str
    threshold: int
    order: tuple[str, ...] = COHORTS


def flow_nesting(
    threshold: int,
    by: Sequence[str] = ("period",),
    *,
    column: str = "cohort",
    count: str = "persons",
    origin: str = "origin_code",
    destination: str = "destination_code",
) -> Nesting:
    """The nesting of a flow table's cohorts: one cell = one flow (``by``, origin, destination)."""
    return Nesting(column, (*by, origin, destination), count, int(threshold))


def unit_margins(by: Sequence[str], parents: Sequence[str], *, count: str) -> Margins:
    """Margins of a table of units: the sum over each parent unit (``parents``: the columns of
    the prefecture, province, ... codes) per ``by`` (period, side, indicator)."""
    return Margins(count, tuple((*by, parent) for parent in parents))


def suppress(
    data: pd.DataFrame,
    columns: Sequence[str],
    small: object,
    margins: Margins | Sequence[Margins] | None = None,
    nesting: Nesting | None = None,
) -> pd.DataFrame:
    """A copy of ``data`` with ``columns`` blank where ``small`` (a boolean per row) and, when
    ``margins`` are given, where a margin would reveal a small row (secondary suppression; several
    ``Margins``, e.g. one per published count, are applied in turn until none widens the cells),
    and, with ``nesting``, where two nested cohorts would give a small difference away
    (``withheld``); the boolean column ``suppressed`` set (added last, or overwritten where it is).

    Integer columns become nullable integers (a kept count stays ``12``, not ``12.0``); other
    columns hold NA where blanked.
    """
    hidden = withheld(data, small, margins, nesting)
    out = data.copy()
    for name in columns:
        column = out[name]
        if pd.api.types.is_integer_dtype(column) or pd.api.types.is_bool_dtype(column):
            column = column.astype("Int64" if pd.api.types.is_integer_dtype(column) else "boolean")
        elif pd.api.types.is_float_dtype(column):
            column = column.astype("Float64")
        out[name] = column.mask(hidden)
    out[SUPPRESSED] = hidden
    return out


def withheld(
    data: pd.DataFrame,
    small: object,
    margins: Margins | Sequence[Margins] | None = None,
    nesting: Nesting | None = None,
    *,
    decided: int = 0,
) -> np.ndarray:
    """Which rows of ``data`` a publication withholds: ``small`` (a boolean per row) widened by
    the ``margins`` (``complementary``, until no ``Margins`` widens them) and, with ``nesting``,
    by nested cohorts (``nested``): cohort by cohort, coarsest first, each closed under its
    margins before the finer ones are compared with it (see the module docstring). Rows whose
    cohort is outside ``nesting.order`` are closed under the margins alone. ``decided``: the
    first so many cohorts of ``nesting.order`` come with their final flags (as this function
    returned them) and are taken as they are (a page reading one cohort beside the coarser ones
    it has read; the result is the same, without closing them again)."""
    hidden = np.array(small, dtype=bool)
    if hidden.shape != (len(data),):
        raise ValueError(f"suppress: {hidden.shape} flags for {len(data)} rows")
    every = [] if margins is None else [margins] if isinstance(margins, Margins) else list(margins)
    if nesting is None:
        return _closed(data, hidden, every)
    cohort = data[nesting.column].to_numpy()
    for name in nesting.order[decided:]:
        rows = np.flatnonzero(cohort == name)
        if not len(rows):
            continue
        hidden = nested(data, hidden, nesting, name)
        part = data.iloc[rows]
        hidden[rows] = _closed(part, hidden[rows], every)
    rest = np.flatnonzero(~np.isin(cohort, list(nesting.order)))
    if len(rest):
        hidden[rest] = _closed(data.iloc[rest], hidden[rest], every)
    return hidden


def _closed(data: pd.DataFrame, hidden: np.ndarray, every: Sequence[Margins]) -> np.ndarray:
    """``hidden`` widened by each of ``every`` in turn until none widens it."""
    before = -1
    while every and before != int(hidden.sum()):
        before = int(hidden.sum())
        for one in every:
            hidden = complementary(data, hidden, one)
    return hidden


def nested(data: pd.DataFrame, hidden: object, nesting: Nesting, cohort: str) -> np.ndarray:
    """``hidden`` with the rows of ``cohort`` widened: a row published (not hidden) whose cell is
    published in a coarser cohort of ``nesting.order`` with a count larger by 1 to threshold - 1
    is hidden (the difference would be a small cell of the complement cohort; see the module
    docstring). The coarser cohorts' flags are taken as they are (decide them first)."""
    flags = np.array(hidden, dtype=bool)
    order = list(nesting.order)
    if cohort not in order or order.index(cohort) == 0 or not len(data):
        return flags
    names = data[nesting.column].to_numpy()
    coarser = np.isin(names, order[: order.index(cohort)]) & ~flags
    finer = (names == cohort) & ~flags
    if not coarser.any() or not finer.any():
        return flags
    cell = list(nesting.cell)
    values = pd.to_numeric(data[nesting.count], errors="coerce").to_numpy("float64", na_value=0.0)
    fine = data.loc[finer, cell].assign(_row=np.flatnonzero(finer), _fine=values[finer])
    coarse = data.loc[coarser, cell].assign(_coarse=values[coarser])
    pairs = fine.merge(coarse, on=cell, how="inner")
    difference = pairs["_coarse"].to_numpy() - pairs["_fine"].to_numpy()
    small = (difference > 0) & (difference < nesting.threshold)
    flags[pairs["_row"].to_numpy()[small]] = True
    return flags


def nested_margins(counts: Sequence[object], hidden: Sequence[object], threshold: int) -> np.ndarray:
    """The rule of ``nested`` for sums published in nested cohorts (a place's inflow in ``all``,
    ``women_15_49``, ...: ``counts[i][k]``, the k-th sum in the i-th cohort, coarsest first;
    ``hidden`` their withheld flags, final for every cohort but the last): the last cohort's flags
    widened where a coarser published sum exceeds its published sum by 1 to threshold - 1 (the
    complement cohort's sum, a small count, would be their difference)."""
    fine = pd.to_numeric(pd.Series(np.asarray(counts[-1])), errors="coerce").fillna(0).to_numpy()
    flags = np.array(hidden[-1], dtype=bool)
    for count, coarse_hidden in zip(counts[:-1], hidden[:-1], strict=True):
        coarse = pd.to_numeric(pd.Series(np.asarray(count)), errors="coerce").fillna(0).to_numpy()
        difference = coarse - fine
        shown = ~np.asarray(coarse_hidden, dtype=bool) & ~flags
        flags |= shown & (difference > 0) & (difference < threshold)
    return flags


def nested_reveals(data: pd.DataFrame, hidden: object, nesting: Nesting) -> pd.DataFrame:
    """Every cell published in two cohorts of ``nesting.order`` whose difference is 1 to
    threshold - 1: ``cell`` columns, ``coarse``, ``fine`` (the two cohorts), ``difference`` (no
    rows after ``withheld`` with that ``nesting``). The attack of the module docstring, for
    audits and tests."""
    shown = data.loc[~np.asarray(hidden, dtype=bool), [*nesting.cell, nesting.column, nesting.count]]
    rank = {name: i for i, name in enumerate(nesting.order)}
    shown = shown[shown[nesting.column].isin(rank)]
    pairs = shown.merge(shown, on=list(nesting.cell), suffixes=("_coarse", "_fine"))
    column, count = nesting.column, nesting.count
    pairs = pairs[
        pairs[f"{column}_coarse"].map(rank).to_numpy() < pairs[f"{column}_fine"].map(rank).to_numpy()
    ]
    difference = pd.to_numeric(pairs[f"{count}_coarse"]) - pd.to_numeric(pairs[f"{count}_fine"])
    small = (difference > 0) & (difference < nesting.threshold)
    return pd.DataFrame(
        {
            **{name: pairs[name] for name in nesting.cell},
            "coarse": pairs[f"{column}_coarse"],
            "fine": pairs[f"{column}_fine"],
            "difference": difference,
        }
    )[small.to_numpy()].reset_index(drop=True)


def complementary(data: pd.DataFrame, hidden: np.ndarray, margins: Margins) -> np.ndarray:
    """``hidden`` widened until no group of ``margins`` holds exactly one hidden row above 0
    beside a published row above 0 (see the module docstring)."""
    flags = np.array(hidden, dtype=bool)
    if not len(data) or not margins.groups:
        return flags
    values = pd.to_numeric(data[margins.count], errors="coerce").to_numpy("float64", na_value=0.0)
    keys = [group_keys(data, list(columns), margins.outside) for columns in margins.groups]
    positive = values > 0
    stable = False
    while not stable:
        stable = True
        for key in keys:
            inside = key >= 0
            if not inside.any():
                continue
            n_groups = int(key.max()) + 1
            secret = inside & flags & positive
            lone = np.bincount(key[secret], minlength=n_groups) == 1
            candidates = np.flatnonzero(inside & ~flags & positive)
            candidates = candidates[lone[key[candidates]]]
            if not len(candidates):
                continue
            order = candidates[np.lexsort((values[candidates], key[candidates]))]
            first = np.unique(key[order], return_index=True)[1]
            flags[order[first]] = True
            stable = False
    return flags


def group_keys(data: pd.DataFrame, columns: list[str], outside: str | None = None) -> np.ndarray:
    """The group number of each row under the key ``columns`` (-1: in no group)."""
    if len(columns) == 1:  # one key column: numbered in order of appearance, -1 for a missing key
        key = pd.factorize(data[columns[0]], use_na_sentinel=True)[0].astype("int64")
    else:
        groups = data.groupby(columns, sort=False, dropna=True).ngroup()  # NaN for a missing key
        key = groups.fillna(-1).to_numpy("int64").copy()
    if outside is not None:
        key[data[outside].fillna(False).to_numpy(dtype=bool)] = -1
    return key


def lone_groups(data: pd.DataFrame, hidden: np.ndarray, margins: Margins) -> int:
    """How many groups would give a hidden row away: exactly one hidden row above 0 and some
    published row above 0 (0 after ``complementary``)."""
    values = pd.to_numeric(data[margins.count], errors="coerce").to_numpy("float64", na_value=0.0)
    n = 0
    for columns in margins.groups:
        key = group_keys(data, list(columns), margins.outside)
        frame = pd.DataFrame(
            {"key": key, "hidden": hidden & (values > 0), "partner": ~hidden & (values > 0)}
        )
        sums = frame[frame["key"] >= 0].groupby("key")[["hidden", "partner"]].sum()
        n += int(((sums["hidden"] == 1) & (sums["partner"] > 0)).sum())
    return n


def margin_reveals(counts: object, hidden: object) -> bool:
    """Whether a published sum of ``counts`` gives a hidden one away: exactly one hidden count
    above 0 in the sum (the sum minus the published counts is that count). A display withholds
    such a margin (``revealing_margins`` for many at once); a margin with no hidden count, or
    with two or more, can be shown (a suppressed 0 discloses nobody and does not count)."""
    values = pd.to_numeric(pd.Series(np.asarray(counts)), errors="coerce").fillna(0).to_numpy()
    flags = np.asarray(hidden, dtype=bool)
    return int((flags & (values > 0)).sum()) == 1


def revealing_margins(
    data: pd.DataFrame, hidden: object, columns: Sequence[str], count: str
) -> pd.Series:
    """For each group of ``data`` by ``columns`` (rows with a missing key in none), whether
    its sum of ``count`` would give a hidden row away (``margin_reveals``); indexed by the key."""
    values = pd.to_numeric(data[count], errors="coerce").fillna(0).to_numpy("float64")
    secret = np.asarray(hidden, dtype=bool) & (values > 0)
    frame = data[list(columns)].assign(_secret=secret.astype("int64"))
    return frame.groupby(list(columns), sort=False, dropna=True)["_secret"].sum() == 1


class Equations:
    """Published sums over a table's withheld cells, as a reader could solve them: a cell is
    *determined* when its unit vector lies in the row space of the equations (over the reals:
    the sums, minus their published cells, pin it down exactly). ``admit`` adds an equation only
    while it determines no cell that was not determined before: the caller withholds the sum it
    refuses. Rows are weights over the withheld cells (``n`` of them); an equation over published
    cells alone (all weights 0) tells nothing and is admitted. Incremental Gram-Schmidt: the
    squared norms of the projections of the unit vectors (``reach``) reach 1 at a determined
    cell."""

    _EPS = 1e-9

    def __init__(self, n: int) -> None:
        self.basis = np.zeros((n, 0))
        self.reach = np.zeros(n)

    def admit(self, row: object, *, force: bool = False) -> bool:
        """Add the equation ``row`` unless it would determine a cell not determined yet (with
        ``force``: add it anyway, a sum already published); whether it was added."""
        r = np.asarray(row, dtype="float64")
        for _ in range(2):  # twice: Gram-Schmidt loses orthogonality once
            r = r - self.basis @ (self.basis.T @ r)
        norm = float(np.linalg.norm(r))
        if norm < 1e-7:
            return True  # a combination of the equations already in: nothing new
        q = r / norm
        reach = self.reach + q * q
        if not force and ((self.reach < 1 - self._EPS) & (reach > 1 - self._EPS)).any():
            return False
        self.basis = np.column_stack([self.basis, q])
        self.reach = reach
        return True

    def determined(self) -> np.ndarray:
        """Which cells the equations admitted so far determine."""
        return self.reach > 1 - self._EPS
