"""Exports as a contract: CSV files whose columns (names and order) are only ever added to.

- flows: ``period,hukou_code,residence_code,cohort,persons,suppressed`` (county level, every
  cohort, the diagonal included: hukou_code = residence_code);
- coverage: ``period,county_code,side,indicator,numerator,denominator,suppressed`` (side
  ``inflow`` or ``outflow``, indicator = the flag name of ``etl.indicators.INDICATORS``);
- quarantine: ``source,row_number,reason``.

Small cells are suppressed (``etl.disclosure``): a flow under the store's small-cell threshold has
``persons`` blank, a coverage row whose denominator is under it has numerator and denominator
blank, and ``suppressed`` is ``True`` on those rows (``False`` elsewhere). Secondary suppression
protects the margins the maps publish: flows per period and cohort by origin and by destination
(the diagonal is in neither), the prefecture, province and region flows the county flows add up
to (``etl.marts.linked_flows``, as the flows page withholds them), and a flow's nested cohorts (``all`` holds ``women_15_49``, which
holds ``married_women_15_49``): a finer cohort's count is withheld where the difference from a
coarser one's would be a small cell; coverage rows are withheld exactly as the pages withhold them, every
sum above a county (prefecture, province, region, nation) in the group of its parts
(``etl.marts.published``); so each period is suppressed as a whole. ``exact=True`` (stewards only, see
``yipanqi.export_cli``) writes the same columns unsuppressed (``suppressed`` all false). The files name a flow's
ends as the record format does (``hukou_code``, ``residence_code``: ``origin_code`` and
``destination_code`` of ``etl.marts``).

UTF-8 without BOM, comma-separated, header line first, rows sorted by the key columns; a text
cell that a spreadsheet could run as a formula (a file name such as ``=cmd|' /C calc'!A0.csv`` in
the quarantine) starts with an apostrophe (``etl.spreadsheet``). Research
centres and our own checks depend on these: add a new export rather than change one.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from etl import marts, store
from etl.disclosure import SUPPRESSED, flow_margins, suppress
from etl.marts.linked_flows import hierarchy, read_linked_flows
from etl.records import COHORTS
from etl.scope import Scope
from etl.spreadsheet import neutralise_frame, neutralise_row

FLOWS_COLUMNS = ("period", "hukou_code", "residence_code", "cohort", "persons", SUPPRESSED)
COVERAGE_COLUMNS = (
    "period", "county_code", "side", "indicator", "numerator", "denominator", SUPPRESSED,
)  # fmt: skip
QUARANTINE_COLUMNS = ("source", "row_number", "reason")
_FLOWS_FROM = ("period", "origin_code", "destination_code", "cohort", "persons")
"""The marts' columns written as ``FLOWS_COLUMNS`` (the file's names, in its order)."""
_COVERAGE_FROM = ("period", "unit_code", "side", "indicator", "numerator", "denominator")


FLOW_MARGINS = flow_margins(("period", "cohort"))
"""The margins of the county flows alone (inside the linked table ``export_flows`` closes)."""


def export_flows(engine: sa.Engine, out: str | Path, *, scope: Scope, exact: bool = False) -> int:
    """Write the county flows of ``scope``; returns the number of rows written. Withheld as the
    flows page withholds them: with the prefecture, province and region flows each period's county
    flows add up to, as one linked table (``etl.marts.linked_flows``)."""

    def parts() -> Iterator[pd.DataFrame]:
        parents = hierarchy(engine)  # once per export, not per period
        for part in _by_period(marts.stream_flows(engine, scope=scope)):
            if exact:
                yield part.assign(**{SUPPRESSED: False})
                continue
            yield suppress(part, ["persons"], _linked_county(engine, part, scope, parents))

    return _write_frames((p[[*_FLOWS_FROM, SUPPRESSED]] for p in parts()), FLOWS_COLUMNS, out)


def _linked_county(
    engine: sa.Engine, part: pd.DataFrame, scope: Scope, parents: tuple[pd.DataFrame, pd.DataFrame]
) -> np.ndarray:
    """Which county flows of ``part`` (one period, every cohort) are withheld: each cohort's
    linked with its period's coarser levels and the cohorts that hold it (``parents``: the
    hierarchy, ``etl.marts.linked_flows.hierarchy``, read once per export)."""
    period = str(part["period"].iloc[0])
    flags = np.zeros(len(part), dtype=bool)
    cohort = part["cohort"].to_numpy()
    done: list[dict[str, pd.DataFrame]] = []
    for name in COHORTS:
        rows = np.flatnonzero(cohort == name)
        county = part.iloc[rows][list(marts.PAIR_COLUMNS)]
        linked = read_linked_flows(
            engine, period, name, scope=scope, county=county, coarser=done, parents=parents
        )
        flags[rows] = linked["county"]["small_cell"].to_numpy(dtype=bool)
        done.append(linked)
    return flags


def export_coverage(
    engine: sa.Engine, out: str | Path, *, scope: Scope, exact: bool = False
) -> int:
    """Write every indicator's numerator and denominator per county of ``scope``, period and side:
    withheld as the pages withhold them (``etl.marts.published_coverage``, a period at a time)."""
    units = marts.read_units(engine, scope=scope)
    members = marts.read_region_members(engine, scope=scope)
    threshold = marts.small_cell_threshold(engine, scope=scope)

    def parts() -> Iterator[pd.DataFrame]:
        for part in _by_period(marts.stream_coverage(engine, scope=scope)):
            if exact:
                yield part.assign(**{SUPPRESSED: False})
                continue
            shown = marts.published_coverage(part, units, members, threshold, scope)
            county = shown[shown["level"] == "county"]
            yield suppress(county, ["numerator", "denominator"], county[SUPPRESSED])

    return _write_frames((p[[*_COVERAGE_FROM, SUPPRESSED]] for p in parts()), COVERAGE_COLUMNS, out)


def _by_period(parts: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """The streamed parts (ordered by period) joined into one frame per period: a margin's
    group lies within a period, so each period is suppressed whole."""
    pending: list[pd.DataFrame] = []
    for part in parts:
        for _, piece in part.groupby("period", sort=False):
            if pending and pending[0]["period"].iloc[0] != piece["period"].iloc[0]:
                yield pd.concat(pending, ignore_index=True)
                pending = []
            pending.append(piece)
    if pending:
        yield pd.concat(pending, ignore_index=True)


def export_quarantine(engine: sa.Engine, out: str | Path) -> int:
    """Write the quarantine: where each rejected row was and why (no personal data)."""
    t = store.quarantine
    query = sa.select(*[t.c[c] for c in QUARANTINE_COLUMNS]).order_by(
        t.c.run_id, t.c.source, t.c.row_number
    )
    n = 0
    with atomic(out) as tmp, engine.connect() as conn, tmp.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(QUARANTINE_COLUMNS)
        result = conn.execution_options(stream_results=True, yield_per=50_000).execute(query)
        for rows in result.partitions():
            writer.writerows(neutralise_row(row) for row in rows)
            n += len(rows)
    return n


def _write_frames(frames: Iterator[pd.DataFrame], columns: tuple[str, ...], out: str | Path) -> int:
    """Write frames (in ``columns``' order, under their names) to a CSV file, atomically."""
    n = 0
    with atomic(out) as tmp, tmp.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(columns) + "\n")
        for frame in frames:
            neutralise_frame(frame).to_csv(f, header=False, index=False, lineterminator="\n")
            n += len(frame)
    return n


@contextmanager
def atomic(out: str | Path) -> Iterator[Path]:
    """A ``.part`` file beside ``out`` for the block to write: renamed to ``out`` when the block
    ends, removed when it fails (a damaged store, a full disk: no half file is left)."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
