"""Targets per indicator per year, and the two-way assessment's weights: the one home of the lookup.

A *target set* is read from a TOML file (``etl/targets.toml`` by default; ``YIPANQI_TARGETS``
names another, read once at an entry point which installs it with ``use_targets``). The file gives,
per indicator of ``etl.indicators``, a target in whole or fractional percent for every year from
``first_year`` to ``last_year``, the seed it comes from, and a weight. It is validated on load;
every broken rule is reported at once, one line each naming the file, the line and the key.

The *target in force* for a period (``YYYY-MM``) is that of the period's year; a year after
``last_year`` keeps the last target (in force until replaced), a year before ``first_year`` takes
the first. Targets are integer basis points (9,800 = 98%), the form of the exact rules in
``etl.indicators`` (``at_target``, ``gap``, ``attainment``, ``shown_rate``). Every consumer asks
this module: ``target_bp`` / ``target`` for one indicator and period, ``target_bps`` for columns of
indicators and periods, ``with_measures`` for coverage rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from etl import indicators as rules
from etl.errors import TargetConfigError
from etl.indicators import BASIS, INDICATOR_BY_FLAG
from geodata.config_file import line_of, read_config

DEFAULT_TARGETS_FILE = "targets.toml"
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class TargetSet:
    """Targets (basis points) per (indicator, year), weights per indicator, and their sources."""

    first_year: int
    last_year: int
    bp_by_year: Mapping[tuple[str, int], int]
    weights: Mapping[str, float]
    sources: Mapping[str, str]  # flag -> "seed file: “quoted phrase”"
    weight_reasons: Mapping[str, str]
    source: str  # the file read

    def year_of(self, period: str) -> int:
        """The year whose targets are in force for ``period`` (``YYYY-MM`` or ``YYYY``)."""
        year = int(str(period)[:4])
        return min(max(year, self.first_year), self.last_year)

    def bp(self, flag: str, period: str) -> int:
        """The target of ``flag`` in force for ``period``, in basis points."""
        rules.indicator(flag)  # ValueError naming the known flags
        return self.bp_by_year[(flag, self.year_of(period))]

    def weight(self, flag: str) -> float:
        return self.weights[flag]


def load_targets(path: Path | None = None) -> TargetSet:
    """Read and validate a target file (``None``: the packaged default); TargetConfigError
    listing every problem, one line each, for a malformed one."""
    config = read_config(path, "etl", DEFAULT_TARGETS_FILE, TargetConfigError, "target")
    return _validated(config.data, config.text, config.source)


def _validated(data: dict, text: str, source: str) -> TargetSet:
    errors: list[str] = []
    years: dict[str, int] = {}
    for key in ("first_year", "last_year"):
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 1949 <= value <= 2100:
            errors.append(
                f"{source}:{line_of(text, key)}: {key} must be a year such as 2009, got {value!r}"
            )
        else:
            years[key] = value
    first, last = years.get("first_year", 0), years.get("last_year", -1)
    if len(years) == 2 and last < first:
        errors.append(
            f"{source}:{line_of(text, 'last_year')}: last_year {last} is before first_year {first}"
        )
    tables = data.get("indicator")
    if not isinstance(tables, dict):
        tables = {}
        errors.append(f"{source}: no [indicator.<flag>] tables")
    bp_by_year: dict[tuple[str, int], int] = {}
    weights: dict[str, float] = {}
    sources: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for flag, raw in tables.items():
        where = f"{source}:{line_of(text, f'[indicator.{flag}]')}"
        if flag not in INDICATOR_BY_FLAG:
            errors.append(
                f"{where}: unknown indicator {flag!r}; one of {', '.join(INDICATOR_BY_FLAG)}"
            )
            continue
        if not isinstance(raw, dict):
            errors.append(f"{where}: indicator.{flag} must be a table")
            continue
        for key in ("seed", "quote"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                errors.append(
                    f"{where}: indicator.{flag}.{key} missing: cite the seed for every number"
                )
        sources[flag] = f"{raw.get('seed', '')}: “{raw.get('quote', '')}”"
        reasons[flag] = str(raw.get("weight_reason", ""))
        weight = raw.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 100:
            errors.append(
                f"{where}: indicator.{flag}.weight must be a number above 0 and at most 100, got {weight!r}"
            )
        else:
            weights[flag] = float(weight)
        targets = raw.get("targets")
        if not isinstance(targets, dict):
            errors.append(f"{where}: indicator.{flag}.targets must be a table of year = percent")
            continue
        for year_text, percent in targets.items():
            key = f"indicator.{flag}.targets.{year_text}"
            year = int(year_text) if _YEAR.match(year_text) else None
            if year is None or len(years) == 2 and not first <= year <= last:
                errors.append(
                    f"{where}: {key}: year outside first_year..last_year ({first}-{last})"
                )
                continue
            bp = _basis_points(percent)
            if bp is None:
                errors.append(
                    f"{where}: {key}: target must be a percent from 0 to 100 (at most 2 decimals), got {percent!r}"
                )
                continue
            bp_by_year[(flag, year)] = bp
        missing = [y for y in range(first, last + 1) if str(y) not in targets]
        if missing:
            errors.append(
                f"{where}: indicator.{flag}.targets lacks the year(s) {', '.join(map(str, missing))}"
            )
    absent = [flag for flag in INDICATOR_BY_FLAG if flag not in tables]
    if absent:
        errors.append(f"{source}: no [indicator.<flag>] table for {', '.join(absent)}")
    if errors:
        raise TargetConfigError("\n".join(errors))
    return TargetSet(first, last, bp_by_year, weights, sources, reasons, source)


def _basis_points(percent: object) -> int | None:
    """A percent (int or float, 0-100, at most 2 decimals) as basis points; None otherwise."""
    if isinstance(percent, bool) or not isinstance(percent, int | float):
        return None
    bp = round(float(percent) * 100)
    if not 0 <= bp <= BASIS or abs(float(percent) * 100 - bp) > 1e-6:
        return None
    return bp


# --- the target set in force ----------------------------------------------------------------------

_active: TargetSet | None = None


def use_targets(targets: TargetSet | None) -> None:
    """Install ``targets`` as the set every lookup uses (None: back to the packaged default).
    Called once by an entry point with the file of ``YIPANQI_TARGETS``."""
    global _active
    _active = targets


def active_targets() -> TargetSet:
    """The installed target set; the packaged default, read on first use, when none is."""
    global _active
    if _active is None:
        _active = load_targets(None)
    return _active


def target_bp(flag: str, period: str) -> int:
    """The target of ``flag`` in force for ``period``, in basis points (9,800 = 98%)."""
    return active_targets().bp(flag, period)


def target(flag: str, period: str) -> float:
    """The target of ``flag`` in force for ``period`` as a share (0-1), for display."""
    return target_bp(flag, period) / BASIS


def target_bps(flags: pd.Series, periods: pd.Series | str) -> pd.Series:
    """The target in force of each (flag, period) pair, in basis points (int64), on ``flags``'
    index; ``periods`` may be one period for all."""
    targets = active_targets()
    if isinstance(periods, str):
        periods = pd.Series(periods, index=flags.index)
    years = pd.Series(
        [targets.year_of(p) for p in periods.astype(str)], index=flags.index, dtype="int64"
    )
    keys = pd.MultiIndex.from_arrays([flags.astype(str), years])
    lookup = pd.Series(targets.bp_by_year)
    values = lookup.reindex(keys).to_numpy()
    if np.isnan(values.astype(np.float64)).any():
        unknown = sorted(set(flags.astype(str)) - set(INDICATOR_BY_FLAG))
        raise ValueError(f"unknown indicator(s) {unknown}; one of {', '.join(INDICATOR_BY_FLAG)}")
    return pd.Series(values.astype("int64"), index=flags.index)


def weights(flags: list[str] | tuple[str, ...]) -> np.ndarray:
    """The assessment weight of each flag, in order."""
    targets = active_targets()
    return np.array([targets.weight(f) for f in flags], dtype=np.float64)


def with_measures(data: pd.DataFrame) -> pd.DataFrame:
    """Coverage rows (``period, indicator, numerator, denominator``) with ``rate`` (the ratio),
    ``target`` (share, in force for the row's period), ``at_target`` and ``gap`` (persons)."""
    out = data.copy()
    out["numerator"] = out["numerator"].astype("int64")
    out["denominator"] = out["denominator"].astype("int64")
    bp = target_bps(out["indicator"], out["period"])
    out["rate"] = rules.ratio(out["numerator"], out["denominator"])
    out["target"] = bp / BASIS
    out["at_target"] = rules.at_target(out["numerator"], out["denominator"], bp)
    out["gap"] = rules.gap(out["numerator"], out["denominator"], bp)
    return out
