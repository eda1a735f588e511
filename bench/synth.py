"""Simple valid synthetic records for the ETL benchmark (a stand-in until ``yipanqi generate``).

Vectorised numpy: uniform-ish origins and destinations over real county codes, IDs with correct
check digits and the birth date inside them, flags at fixed rates. Not calibrated to anything.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from etl.national_id import id_ascii
from etl.records import FLAG_FIELDS


def _text(mat: np.ndarray) -> pa.Array:
    n, width = mat.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(mat).tobytes())]
    )


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    p = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] // p) % 10 + 48).astype(np.uint8)


def synth_records(n: int, county_codes: np.ndarray, periods: list[str], seed: int = 0) -> pa.Table:
    """``n`` valid records as an all-text table with canonical column names."""
    rng = np.random.default_rng(seed)
    codes = np.asarray(county_codes, dtype=np.int64)
    # a skewed set of destinations and origins so flows concentrate like real ones
    dest = codes[np.minimum(rng.zipf(1.3, n) - 1, len(codes) - 1) % len(codes)]
    orig = codes[rng.integers(0, len(codes), n)]
    period_idx = np.sort(rng.integers(0, len(periods), n))
    py = np.array([int(p[:4]) for p in periods])[period_idx]
    pm = np.array([int(p[5:]) for p in periods])[period_idx]
    by = py - rng.integers(1, 70, n)
    bm = rng.integers(1, 13, n)
    bd = rng.integers(1, 29, n)
    seq = rng.integers(0, 1000, n)
    ids = id_ascii(_digits(orig, 6) - ord("0"), by, bm, bd, seq)
    dash = np.full((n, 1), ord("-"), np.uint8)
    birth = np.concatenate([_digits(by, 4), dash, _digits(bm, 2), dash, _digits(bd, 2)], axis=1)
    ay = np.maximum(by + 16, py - rng.integers(0, 6, n))
    ay = np.minimum(ay, py)
    arrival = np.concatenate([_digits(ay, 4), dash, _digits(np.minimum(bm, pm), 2), dash, _digits(bd, 2)], axis=1)
    period = np.concatenate([_digits(py, 4), dash, _digits(pm, 2)], axis=1)
    sex = (seq % 2 == 0) + 1  # even sequence digit = female, like real IDs
    marital = np.where(py - by >= 22, rng.choice([20, 21, 22, 10], n, p=[0.6, 0.2, 0.05, 0.15]), 10)
    table = {
        "person_id": _text(ids),
        "sex": _text(_digits(sex, 1)),
        "birth_date": _text(birth),
        "marital_status": _text(_digits(marital, 2)),
        "hukou_code": _text(_digits(orig, 6)),
        "residence_code": _text(_digits(dest, 6)),
        "arrival_date": _text(arrival),
        "period": _text(period),
    }
    for i, name in enumerate(FLAG_FIELDS):
        table[name] = _text(_digits((rng.random(n) < 0.85 + 0.01 * i).astype(np.int64), 1))
    return pa.table(table)
