"""National ID numbers (公民身份号码, GB 11643-1999): structure, check digit, vectorised building.

An 18-character ID is::

    AAAAAA YYYYMMDD SSS C
    area   birth    seq check

- *area*: the 6-digit adcode of the county of household registration at the time of issue;
- *birth*: the date of birth, YYYYMMDD;
- *seq*: a 3-digit sequence number among people of the same area and birth date, odd for men and
  even for women;
- *check*: ISO 7064 MOD 11-2 over the first 17 digits: ``sum(d_i * w_i) mod 11`` with weights
  ``7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2`` indexes ``"10X98765432"``.

The old 15-digit ID (GB 11643-1989) is ``AAAAAA YYMMDD SSS``: no century, no check digit.

``parse_ids`` reads a column of IDs (vectorised, see ``etl.casting``); the generator builds them
with ``id_ascii``. An ID never appears in a message: the status of a parsed ID says what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.casting import BAD, MISSING, OK, digit_columns, fixed_width, is_text, missing_text

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARACTERS = "10X98765432"
ID_LENGTH = 18
_CHECK_ASCII = np.frombuffer(CHECK_CHARACTERS.encode("ascii"), dtype=np.uint8)
_ID_PATTERN = re.compile(r"\d{17}[\dX]")

ID15, CHECK_WRONG = 4, 5
"""Statuses of a parsed ID besides those of ``etl.casting``: a 15-digit first-generation ID, and
17 digits and a check character that does not match."""


def check_character(body: str) -> str:
    """The check character of the 17-digit ``body`` of an ID."""
    if len(body) != 17 or not body.isdigit():
        raise ValueError(f"an ID body is 17 digits, got {body!r}")
    total = sum(int(d) * int(w) for d, w in zip(body, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def is_valid_id(value: str) -> bool:
    """True if ``value`` is an 18-character ID with a real birth date and the right check character.

    A final lower-case ``x`` is accepted as ``X``. The area code is not checked here.
    """
    value = value.upper()
    if not _ID_PATTERN.fullmatch(value):
        return False
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return check_character(value[:17]) == value[17]


def sex_of_id(value: str) -> int:
    """1 (male) if the sequence number of an 18-character ID is odd, else 2 (female)."""
    return 1 if int(value[16]) % 2 else 2


def to_15_digit(value: str) -> str:
    """The old 15-digit form of an 18-character ID: the century and the check digit dropped."""
    return value[:6] + value[8:17]


def check_characters(digits: np.ndarray) -> np.ndarray:
    """ASCII codes of the check characters of IDs given as an ``(n, 17)`` array of digits 0-9."""
    remainders = (digits.astype(np.int64) @ WEIGHTS) % 11
    return _CHECK_ASCII[remainders]


def id_ascii(
    area_digits: np.ndarray,
    year: np.ndarray,
    month: np.ndarray,
    day: np.ndarray,
    seq: np.ndarray,
) -> np.ndarray:
    """IDs as an ``(n, 18)`` uint8 array of ASCII codes.

    ``area_digits`` is ``(n, 6)`` digits 0-9; ``year``, ``month``, ``day`` the birth date and
    ``seq`` the sequence number 0-999 (its parity is the caller's: odd for men).
    """
    n = len(seq)
    digits = np.empty((n, 17), dtype=np.uint8)
    digits[:, 0:6] = area_digits
    _put_number(digits, 6, 4, year)
    _put_number(digits, 10, 2, month)
    _put_number(digits, 12, 2, day)
    _put_number(digits, 14, 3, seq)
    out = np.empty((n, ID_LENGTH), dtype=np.uint8)
    out[:, :17] = digits + ord("0")
    out[:, 17] = check_characters(digits)
    return out


def _put_number(digits: np.ndarray, start: int, width: int, values: np.ndarray) -> None:
    """Write ``values`` as zero-padded decimal numbers into ``digits[:, start:start + width]``."""
    v = np.asarray(values, dtype=np.int64)
    for i in range(width - 1, -1, -1):
        digits[:, start + i] = v % 10
        v = v // 10


def parse_ids(
    arr: pa.Array,
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """IDs read from a column: normalised, status, birth date written in them, an int64 code.

    Returns the ``(n, 18)`` ASCII matrix of the IDs (a final ``x`` written ``X``), the status of
    each (``OK``, ``MISSING``, ``BAD``, ``ID15`` or ``CHECK_WRONG``), the year, month and day
    digits of characters 7-14 (unchecked), and an injective int64 code of each ID (its 17 digits
    times 11 plus the check value), for the hasher's in-memory cache.
    """
    if not is_text(arr):
        arr = pc.cast(arr, pa.string())
    n = len(arr)
    mat, exact, lengths = fixed_width(arr, ID_LENGTH)
    status = np.full(n, BAD, dtype=np.int8)
    total = np.zeros(n, dtype=np.int64)
    body = np.zeros(n, dtype=np.int64)
    body_ok = exact.copy()
    for k in range(17):
        digit = mat[:, k] - np.uint8(48)
        body_ok &= digit < 10
        total += digit * WEIGHTS[k]
        body *= 10
        body += digit
    last = mat[:, 17]
    is_x = (last == ord("x")) | (last == ord("X"))
    last_ok = (last - np.uint8(48) < 10) | is_x
    shape_ok = body_ok & last_ok
    expected = _CHECK_ASCII[total % 11]
    matches = (expected == last) | (is_x & (expected == ord("X")))
    status[shape_ok] = CHECK_WRONG
    status[shape_ok & matches] = OK
    if (lengths == 15).any():
        m15, exact15, _ = fixed_width(arr, 15)
        _, digits15 = digit_columns(m15, range(15))
        status[exact15 & digits15] = ID15
    status[missing_text(arr, lengths)] = MISSING
    year, _ = digit_columns(mat, range(6, 10))
    month, _ = digit_columns(mat, [10, 11])
    day, _ = digit_columns(mat, [12, 13])
    ids = mat
    if (last == ord("x")).any():
        ids = mat.copy()
        ids[last == ord("x"), 17] = ord("X")
    keys = body * 11 + np.where(is_x, 10, (last - np.uint8(48)) % 10)
    return ids, status, (year, month, day), keys
