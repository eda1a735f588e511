"""Cells safe to open in a spreadsheet: formula neutralisation (OWASP "CSV injection").

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and so
``=cmd|' /C calc'!A0`` as a command), and some also after a leading tab or carriage return, or
the full-width ``＝ ＋ － ＠`` that Chinese input methods type. Text that a user or a file
controls reaches the product's exports: input file names (the quarantine, the lineage), scenario
and storyboard names and titles, area and region names. Every CSV and XLSX the product writes
therefore goes through this module:

- CSV (``neutralise``, ``neutralise_frame``, ``neutralise_row``): a text cell that would start a
  formula gets a leading apostrophe, ``'=cmd|...``, which spreadsheets show as text;
- XLSX (``text_cells``): such a cell is written as a text cell with the "quote prefix" style, its
  text unchanged (a text cell is never computed, and stays text when edited).

Only text is touched: numbers stay numbers, and a text cell that *is* a number (``-12.5``, the
fractional figures of ``planning.export``) is left as it is, since no spreadsheet runs it.
Internal files that no person opens in a spreadsheet (the PostgreSQL ``COPY`` buffer of
``etl.store``, the generator's record files) are not exports and keep their bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
"""First characters a spreadsheet may read as the start of a formula (OWASP, and full-width)."""
_LEADING_SPACE = " \u3000"
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?%?")
_PREFIX = "'"


def is_formula(text: str) -> bool:
    """Whether a spreadsheet could run ``text`` as a formula: it starts (after spaces) with a
    character of ``FORMULA_STARTS`` and is not simply a number."""
    stripped = text.lstrip(_LEADING_SPACE)
    return (
        bool(stripped)
        and stripped.startswith(FORMULA_STARTS)
        and not (any(c.isdigit() for c in stripped) and _NUMBER.fullmatch(stripped))
    )


def neutralise(value: Any) -> Any:  # noqa: ANN401 - any cell
    """A CSV cell: ``value``, or a text that could run as a formula with ``'`` before it."""
    if isinstance(value, str) and is_formula(value):
        return _PREFIX + value
    return value


def neutralise_row(row: Sequence[Any]) -> list[Any]:
    """A CSV row (``csv.writer``) with each cell neutralised."""
    return [neutralise(value) for value in row]


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text cells and column names (a header row) neutralised: a copy when any
    changes; numbers untouched."""
    if any(isinstance(name, str) and is_formula(name) for name in frame.columns):
        frame = frame.set_axis([neutralise(name) for name in frame.columns], axis="columns")
    changed: dict[int, pd.Series] = {}
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            continue
        first = column.astype("string").str.lstrip(_LEADING_SPACE).str[:1]
        suspect = first.isin(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
        if suspect.any():
            fixed = column.copy()
            fixed.iloc[suspect.nonzero()[0]] = [neutralise(v) for v in column[suspect]]
            changed[position] = fixed
    if not changed:
        return frame
    out = frame.copy()
    for position, fixed in changed.items():
        out.isetitem(position, fixed)
    return out


def text_cells(rows: Iterable[Iterable[Any]]) -> int:
    """Mark the cells of an openpyxl worksheet (``worksheet.iter_rows()``) whose text could run
    as a formula as text cells with the quote prefix, their text unchanged; how many."""
    marked = 0
    for row in rows:
        for cell in row:
            if isinstance(cell.value, str) and is_formula(cell.value):
                cell.data_type = "s"  # openpyxl made "=..." a formula cell
                cell.quotePrefix = True
                marked += 1
    return marked
