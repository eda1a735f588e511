"""Staging: the only step that renames and casts. A raw batch becomes typed records or quarantine rows.

Every row is checked against the record format (``etl.records``, docs/record-format.md); a row that
breaks any rule is quarantined with a reason listing *every* rule it breaks, e.g.
``person_id: check digit wrong; arrival_date: after the period's last day``. The checks are
vectorised over the batch (``etl.casting`` parses the raw text bytes with numpy; IDs are read by
``etl.national_id``); only the reasons of bad rows are assembled as text, and they never quote a
value read (a reason names a field and the rule it breaks, and at most a published county code).

Decisions beyond DESIGN.md §3:
- surrounding spaces are tolerated (a value that fails is retried once trimmed);
- an ID is valid when it has 17 digits and a check digit (0-9 or X; ``x`` is read as ``X``) that
  matches GB 11643, and the birth date in it (characters 7-14) equals ``birth_date``; the sex digit
  is not checked against ``sex``. 15-digit first-generation IDs are quarantined: convert them first;
- a code is valid, outside the census coverage, an older code staged as its current code (counted
  in ``StagedBatch.remapped``) or unknown as ``etl.codebook`` decides, e.g. ``hukou_code: unknown
  code 130421 (ambiguous split: 130402;130403)``;
- ``birth_date`` may not be after the period's last day nor imply an age over 120;
  ``arrival_date`` may not be after the period's last day nor before ``birth_date``;
- age is completed years on the first day of the period (0 for a child born during the period);
- a period outside the reporting window (``etl.dates.PeriodWindow``: from the programme's first
  reporting month, ``etl.records.FIRST_REPORTING_PERIOD``, to the month of the run's date or a
  configured last month) is quarantined: ``period: after the reporting window (ends 2026-02)``.
  Its other rules are still checked against it.

A *staged record* keeps only what the marts read: ``sex`` (int8: 1 male, 2 female), ``age``
(int16), ``marital_status`` (int8), ``hukou_code`` and ``residence_code`` (int32 of the 6-digit
code), ``period`` (text YYYY-MM) and the nine flags (bool). The birth and arrival dates are checked
here and then dropped. The person hash is added by the pipeline (``etl.pseudonymise``); the raw ID
never leaves this module except as the bytes handed to the hasher.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeAlias, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl import dates
from etl.casting import (
    BAD,
    IMPOSSIBLE,
    MISSING,
    OK,
    Parser,
    column,
    lookup_parser,
    parse_code,
    parse_with_trim,
)
from etl.casting import parse_date as _date
from etl.casting import parse_period as _period
from etl.codebook import CodeBook
from etl.codebook import Detail as CodeDetail
from etl.errors import InputFormatError
from etl.national_id import CHECK_WRONG, ID15, parse_ids
from etl.records import (
    FIELDS,
    FIRST_REPORTING_PERIOD,
    FLAG_FIELDS,
    FLAG_VALUES,
    MARITAL_VALUES,
    SEX_VALUES,
)
from etl.redact import library_reason

MAX_AGE = 120
T = TypeVar("T")
_EPOCH_MONTH = 1970 * 12


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


Detail: TypeAlias = np.ndarray | CodeDetail


class Rules:
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


def stage_batch(
    raw: pa.Table,
    columns: dict[str, str],
    first_row: int,
    codes: CodeBook,
    window: dates.PeriodWindow | None = None,
) -> StagedBatch:
    """Validate and cast one raw batch.

    ``columns`` maps canonical field names to the batch's column names; ``first_row`` is the row
    number of the batch's first row; ``window`` the periods accepted (default: from the
    programme's first reporting month to the current month). Raises ``InputFormatError`` naming the column and the rows of
    the batch (never a value) when a library cannot read a column at all (bytes that are not
    text, a list where a value should be).
    """
    n = raw.num_rows
    rules = Rules(n)

    def read(name: str, parse: Parser) -> tuple[np.ndarray, np.ndarray]:
        return guarded(lambda: parse_with_trim(parse, column(raw[columns[name]])), name)

    def guarded(call: Callable[[], T], name: str) -> T:
        """``call()``; a library error becomes an InputFormatError naming the column and the
        rows of the batch, never the values (``etl.redact``)."""
        try:
            return call()
        except (pa.ArrowException, ValueError, TypeError, OverflowError) as exc:
            raise InputFormatError(
                f"rows {first_row}-{first_row + n - 1}, column {columns[name]} ({name}): "
                f"cannot be read: {library_reason(exc)}"
            ) from None

    months, period_status = read("period", _period)
    rules.add("period: missing", period_status == MISSING)
    rules.add("period: not a YYYY-MM month", period_status >= BAD)
    period_ok = period_status == OK
    window = window or dates.PeriodWindow.through(FIRST_REPORTING_PERIOD, None, date.today())
    first_month, last_month = window.months()
    rules.add(f"period: before the reporting window (starts {window.first})", period_ok & (months < first_month))
    rules.add(f"period: after the reporting window (ends {window.last})", period_ok & (months > last_month))
    period_last_day = dates.last_day(months)

    sex, st = read("sex", lookup_parser(SEX_VALUES))
    rules.add("sex: missing", st == MISSING)
    rules.add("sex: not 1/2/男/女", st >= BAD)

    birth, birth_status = read("birth_date", _date)
    _date_rules(rules, "birth_date", birth_status)
    birth_ok = birth_status == OK
    rules.add("birth_date: after the period's last day", birth_ok & period_ok & (birth > period_last_day))
    age = dates.completed_age(birth, months)
    rules.add(f"birth_date: implies an age over {MAX_AGE}", birth_ok & period_ok & (age > MAX_AGE))

    marital, st = read("marital_status", lookup_parser(MARITAL_VALUES))
    rules.add("marital_status: missing", st == MISSING)
    rules.add("marital_status: not a GB/T 2261.2 code (10, 20-23, 30, 40, 90 or its word)", st >= BAD)

    code_values = {}
    remapped: dict[str, int] = {}
    remapped_rows: dict[str, np.ndarray] = {}
    for name in ("hukou_code", "residence_code"):
        value, st = read(name, parse_code)
        rules.add(f"{name}: missing", st == MISSING)
        rules.add(f"{name}: malformed code (not 6 digits)", st >= BAD)
        checked = codes.check(value, st == OK, period_ok, months)
        rules.add(f"{name}: unknown code", checked.unknown, checked.detail)
        rules.add(f"{name}: outside the census coverage:", checked.outside, checked.detail)
        code_values[name] = checked.value
        if len(checked.remapped):
            remapped_rows[name] = checked.remapped

    arrival, st = read("arrival_date", _date)
    _date_rules(rules, "arrival_date", st)
    arrival_ok = st == OK
    rules.add("arrival_date: after the period's last day", arrival_ok & period_ok & (arrival > period_last_day))
    rules.add("arrival_date: before birth_date", arrival_ok & birth_ok & (arrival < birth))

    flags = {}
    flag_lookup = lookup_parser(FLAG_VALUES)
    for name in FLAG_FIELDS:
        value, st = read(name, flag_lookup)
        rules.add(f"{name}: missing", st == MISSING)
        rules.add(f"{name}: not 1/0/是/否", st >= BAD)
        flags[name] = value

    id_bytes, id_status, id_ymd, id_keys = guarded(
        lambda: parse_ids(column(raw[columns["person_id"]])), "person_id"
    )
    id_birth, id_birth_exists = dates.day_number(*id_ymd)
    id_birth = np.where(id_birth_exists, id_birth, -(10**9))
    rules.add("person_id: missing", id_status == MISSING)
    rules.add("person_id: 15-digit first-generation ID (convert it to 18 digits)", id_status == ID15)
    rules.add("person_id: not an 18-character ID number", id_status == BAD)
    rules.add("person_id: check digit wrong", id_status == CHECK_WRONG)
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
        "age": pa.array(np.clip(age[good], 0, None).astype(np.int16)),
        "marital_status": pa.array(marital[good].astype(np.int8)),
        "hukou_code": pa.array(code_values["hukou_code"][good].astype(np.int32)),
        "residence_code": pa.array(code_values["residence_code"][good].astype(np.int32)),
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




_FIELD_ORDER = {f.name: i for i, f in enumerate(FIELDS)}


def _date_rules(rules: Rules, name: str, status: np.ndarray) -> None:
    rules.add(f"{name}: missing", status == MISSING)
    rules.add(f"{name}: not a YYYY-MM-DD date", status == BAD)
    rules.add(f"{name}: impossible date", status == IMPOSSIBLE)
