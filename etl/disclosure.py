"""Disclosure control of every table that leaves the system as a file: one convention, one function.

A *suppressed* cell is written blank, and its row carries ``suppressed`` = true; never ``<10``,
never a zero, never a rounded number. Every export (the flows page's CSV, the research exports of
``dashboard.export.tables``, ``etl.export`` and the scenario results of ``planning.export``) calls
``suppress`` on the table it is about to write.

*Primary suppression*: the cells of a small cell (a count under the store's small-cell threshold,
see ``etl.indicators.small_cell``) are blanked. Which count decides is the caller's: a flow's
persons, a rate's denominator. *Secondary suppression* (blanking further cells so that a
suppressed one cannot be recovered from a total by subtraction) is not done yet; it belongs inside
``suppress``, after the primary step, so that no caller changes when it comes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

SUPPRESSED = "suppressed"
"""The boolean column that marks a row whose cells are withheld."""


def suppress(data: pd.DataFrame, columns: Sequence[str], small: object) -> pd.DataFrame:
    """A copy of ``data`` with ``columns`` blank where ``small`` (a boolean per row) and the
    boolean column ``suppressed`` set (added last, or overwritten where it is).

    Integer columns become nullable integers (a kept count stays ``12``, not ``12.0``); other
    columns hold NA where blanked.
    """
    hidden = np.asarray(small, dtype=bool)
    if hidden.shape != (len(data),):
        raise ValueError(f"suppress: {hidden.shape} flags for {len(data)} rows")
    # secondary suppression goes here: widen `hidden` so no blank can be derived from the rest
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
