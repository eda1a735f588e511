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
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARACTERS = "10X98765432"
ID_LENGTH = 18
_CHECK_ASCII = np.frombuffer(CHECK_CHARACTERS.encode("ascii"), dtype=np.uint8)
_ID_PATTERN = re.compile(r"\d{17}[\dX]")


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
