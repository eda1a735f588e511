"""Casting raw columns: Arrow text (or typed) columns -> numpy values and a status per value.

Every parser returns ``(value, status)``: int64 values and an int8 *status* per row, one of
``OK``, ``MISSING`` (null or empty text), ``BAD`` (not of the expected shape) or ``IMPOSSIBLE``
(of the right shape but no such value, e.g. 2011-02-29). Values of rows that are not ``OK`` are
0 (or another placeholder the parser names). Text is parsed from its raw UTF-8 bytes with numpy:
a fixed-width field becomes an ``(n, width)`` byte matrix (``fixed_width``) whose digit columns are
summed column by column (``digit_columns``). No value is ever put into a message here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.dates import day_number

EPOCH_MONTH = 1970 * 12

OK, MISSING, BAD, IMPOSSIBLE = 0, 1, 2, 3

Parser: TypeAlias = Callable[[pa.Array], tuple[np.ndarray, np.ndarray]]


def column(arr: pa.ChunkedArray | pa.Array) -> pa.Array:
    """One contiguous array, dictionaries decoded and large or view strings as plain strings."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_large_string(arr.type) or pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.string())
    return arr


def is_text(arr: pa.Array) -> bool:
    return pa.types.is_string(arr.type)


def parse_with_trim(parse: Parser, arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Parse, then parse again trimmed the text values that failed."""
    value, status = parse(arr)
    if is_text(arr):
        retry = np.flatnonzero(status >= BAD)
        if len(retry):
            trimmed = pc.utf8_trim_whitespace(arr.take(pa.array(retry)))
            v2, s2 = parse(trimmed)
            value[retry] = v2
            status[retry] = s2
    return value, status


def valid_mask(arr: pa.Array) -> np.ndarray:
    if arr.null_count == 0:
        return np.ones(len(arr), dtype=bool)
    return np.asarray(pc.is_valid(arr))


def fixed_width(arr: pa.Array, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, width) uint8 matrix of each text's first bytes, mask of texts exactly ``width`` bytes, lengths."""
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4)
    data_buf = arr.buffers()[2]
    data = (
        np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(1, np.uint8)
    )
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
    exact &= valid_mask(arr)
    return mat, exact, lengths


def missing_text(arr: pa.Array, lengths: np.ndarray) -> np.ndarray:
    return (lengths == 0) | ~valid_mask(arr)


def digit_columns(mat: np.ndarray, cols: range | list[int]) -> tuple[np.ndarray, np.ndarray]:
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


def parse_code(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A 6-digit code (text of six digits, or an integer 100000-999999)."""
    n = len(arr)
    if is_text(arr):
        mat, exact, lengths = fixed_width(arr, 6)
        value, alldig = digit_columns(mat, range(6))
        ok = exact & alldig
        status = np.full(n, BAD, dtype=np.int8)
        status[ok] = OK
        status[missing_text(arr, lengths)] = MISSING
        return np.where(ok, value, 0), status
    if pa.types.is_integer(arr.type):
        valid = valid_mask(arr)
        value = np.asarray(arr.fill_null(0), dtype=np.int64)
        ok = valid & (value >= 100000) & (value <= 999999)
        status = np.where(ok, OK, BAD).astype(np.int8)
        status[~valid] = MISSING
        return np.where(ok, value, 0), status
    return parse_code(pc.cast(arr, pa.string()))


def lookup_parser(mapping: dict[str, int]) -> Parser:
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
        if is_text(arr):
            for width, lut in tables.items():
                mat, exact, lengths = fixed_width(arr, width)
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
            status[missing_text(arr, lengths)] = MISSING
            return value, status
        if pa.types.is_boolean(arr.type):
            arr = pc.cast(arr, pa.int8())
        if pa.types.is_integer(arr.type):
            valid = valid_mask(arr)
            value = np.asarray(arr.fill_null(0), dtype=np.int64)
            ok = valid & np.isin(value, allowed)
            status = np.where(ok, OK, BAD).astype(np.int8)
            status[~valid] = MISSING
            return np.where(ok, value, 0), status
        return parse(pc.cast(arr, pa.string()))

    return parse


def parse_date(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``YYYY-MM-DD`` text (or Arrow dates and timestamps) as days since 1970-01-01 (``etl.dates``)."""
    n = len(arr)
    if is_text(arr):
        mat, exact, lengths = fixed_width(arr, 10)
        y, ok_y = digit_columns(mat, range(4))
        m, ok_m = digit_columns(mat, [5, 6])
        dd, ok_d = digit_columns(mat, [8, 9])
        shape_ok = exact & ok_y & ok_m & ok_d & (mat[:, 4] == ord("-")) & (mat[:, 7] == ord("-"))
        days, exists = day_number(y, m, dd)
        status = np.full(n, BAD, dtype=np.int8)
        status[shape_ok & ~exists] = IMPOSSIBLE
        status[shape_ok & exists] = OK
        status[missing_text(arr, lengths)] = MISSING
        return np.where(status == OK, days, 0), status
    if pa.types.is_timestamp(arr.type) or pa.types.is_date64(arr.type):
        arr = pc.cast(pc.cast(arr, pa.timestamp("s")) if pa.types.is_date64(arr.type) else arr, pa.date32())
    if pa.types.is_date32(arr.type):
        valid = valid_mask(arr)
        days = np.asarray(pc.cast(arr, pa.int32()).fill_null(0), dtype=np.int64)
        status = np.where(valid, OK, MISSING).astype(np.int8)
        return days, status
    return parse_date(pc.cast(arr, pa.string()))


def parse_period(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``YYYY-MM`` text as month numbers (``etl.dates``); BAD outside 1900-2100."""
    if not is_text(arr):
        return parse_period(pc.cast(arr, pa.string()))
    mat, exact, lengths = fixed_width(arr, 7)
    y, ok_y = digit_columns(mat, range(4))
    m, ok_m = digit_columns(mat, [5, 6])
    ok = exact & ok_y & ok_m & (mat[:, 4] == ord("-"))
    ok &= (m >= 1) & (m <= 12) & (y >= 1900) & (y <= 2100)
    status = np.where(ok, OK, BAD).astype(np.int8)
    status[missing_text(arr, lengths)] = MISSING
    return np.where(ok, y * 12 + m - 1, EPOCH_MONTH), status


_WHOLE = r"^[0-9]{1,9}$"


def parse_count(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A whole number 0 .. 999,999,999 (digits only as text; an integer column as it is)."""
    n = len(arr)
    if is_text(arr):
        shaped = np.asarray(pc.match_substring_regex(arr, _WHOLE).fill_null(False), dtype=bool)
        value = np.zeros(n, dtype=np.int64)
        if shaped.any():
            rows = np.flatnonzero(shaped)
            value[rows] = np.asarray(pc.cast(arr.take(pa.array(rows)), pa.int64()))
        status = np.where(shaped, OK, BAD).astype(np.int8)
        status[np.asarray(pc.fill_null(pc.equal(pc.utf8_length(arr), 0), True), dtype=bool)] = MISSING
        return value, status
    if pa.types.is_integer(arr.type):
        valid = valid_mask(arr)
        value = np.asarray(arr.fill_null(0), dtype=np.int64)
        ok = valid & (value >= 0) & (value < 10**9)
        status = np.where(ok, OK, BAD).astype(np.int8)
        status[~valid] = MISSING
        return np.where(ok, value, 0), status
    return parse_count(pc.cast(arr, pa.string()))


def parse_timestamp(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM`` or ``YYYY-MM-DD HH:MM:SS`` (``T`` may stand for the
    space), or an Arrow timestamp or date, as seconds since 1970-01-01 00:00 of the same clock
    (no time zone is read or applied); a date alone is its first second."""
    n = len(arr)
    if is_text(arr):
        mat, _, lengths = fixed_width(arr, 19)
        y, ok_y = digit_columns(mat, range(4))
        m, ok_m = digit_columns(mat, [5, 6])
        d, ok_d = digit_columns(mat, [8, 9])
        shape = ok_y & ok_m & ok_d & (mat[:, 4] == ord("-")) & (mat[:, 7] == ord("-"))
        with_time = (lengths == 16) | (lengths == 19)
        hh, ok_h = digit_columns(mat, [11, 12])
        mm, ok_mi = digit_columns(mat, [14, 15])
        ss, ok_s = digit_columns(mat, [17, 18])
        seconds = lengths == 19
        sep = (mat[:, 10] == ord(" ")) | (mat[:, 10] == ord("T"))
        time_shape = sep & ok_h & ok_mi & (mat[:, 13] == ord(":"))
        time_shape &= ~seconds | (ok_s & (mat[:, 16] == ord(":")))
        shape &= (lengths == 10) | (with_time & time_shape)
        ss = np.where(seconds, ss, 0)
        hh, mm = np.where(with_time, hh, 0), np.where(with_time, mm, 0)
        days, exists = day_number(y, m, d)
        exists &= (hh < 24) & (mm < 60) & (ss < 60)
        status = np.full(n, BAD, dtype=np.int8)
        status[shape & ~exists] = IMPOSSIBLE
        status[shape & exists] = OK
        status[missing_text(arr, lengths)] = MISSING
        value = days * 86_400 + hh * 3_600 + mm * 60 + ss
        return np.where(status == OK, value, 0), status
    if pa.types.is_date(arr.type):
        arr = pc.cast(arr, pa.timestamp("s"))
    if pa.types.is_timestamp(arr.type):
        valid = valid_mask(arr)
        value = np.asarray(pc.cast(pc.cast(arr, pa.timestamp("s")), pa.int64()).fill_null(0))
        return value.astype(np.int64), np.where(valid, OK, MISSING).astype(np.int8)
    return parse_timestamp(pc.cast(arr, pa.string()))
