"""Staging rules on small in-memory batches: each rule, typed inputs, and the hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import numpy as np
import pyarrow as pa
import pytest

from etl.errors import HashKeyError
from etl.pseudonymise import DEMO_HASH_KEY, Hasher, key_fingerprint, person_hashes, resolve_key
from etl.stage import CodeBook, stage_batch
from geodata.hierarchy import hierarchy_table
from tests.etl.helpers import FIELDS, MESSY, MESSY_LOADED, MESSY_REASONS, TINY, national_id, record


@pytest.fixture(scope="module")
def codes() -> CodeBook:
    return CodeBook.from_hierarchy(hierarchy_table())


def _batch(rows: list[dict[str, str]]) -> pa.Table:
    return pa.table({f: pa.array([r[f] for r in rows], pa.string()) for f in FIELDS})


def _stage(rows, codes, first_row=1):
    return stage_batch(_batch(rows), {f: f for f in FIELDS}, first_row, codes)


def test_messy_rows_each_get_their_reason(codes):
    staged = _stage(MESSY, codes)
    got = dict(zip(staged.quarantine["row_number"].to_pylist(), staged.quarantine["reason"].to_pylist(), strict=True))
    duplicate = [n for n, r in MESSY_REASONS.items() if r.startswith("duplicate")]
    expected = {n: r for n, r in MESSY_REASONS.items() if n not in duplicate}  # duplicates: after hashing
    assert got == expected
    assert staged.records.num_rows == MESSY_LOADED + len(duplicate)
    assert staged.records.num_rows + staged.quarantine.num_rows == len(MESSY)


def test_typed_values_of_tiny_rows(codes):
    staged = _stage(TINY, codes)
    assert staged.quarantine.num_rows == 0
    records = staged.records.to_pydict()
    assert records["age"] == [29, 24, 39, 51, 15, 17, 34, 49, 15, 14, 59, 21]
    assert records["sex"][:3] == [2, 2, 1]
    assert records["hukou_code"][0] == 410102 and records["residence_code"][0] == 310115
    assert "birth_date" not in records and "arrival_date" not in records  # checked, then dropped
    assert records["period"][0] == "2010-01"
    assert records["cert_issued"][:3] == [True, True, False]
    assert staged.records.schema.field("hukou_code").type == pa.int32()
    # the IDs handed to the hasher, in order, upper-case
    ids = [staged.ids[i * 18 : (i + 1) * 18].decode() for i in range(len(TINY))]
    assert ids == [r["person_id"] for r in TINY]


def test_leap_days_and_month_ends(codes):
    ok = record(2, "1980-02-29", 20, "410102", "310115", "111111111", period="2012-02", arrival="2012-02-29")
    bad = record(2, "1981-03-01", 20, "410102", "310115", "111111111", period="2011-02", arrival="2011-02-29")
    staged = _stage([ok, bad], codes)
    assert staged.records.num_rows == 1
    assert staged.quarantine["reason"].to_pylist() == ["arrival_date: impossible date"]
    assert staged.records["age"].to_pylist() == [31]


def test_reasons_hold_no_personal_data(codes):
    staged = _stage(MESSY, codes)
    text = " ".join(staged.quarantine["reason"].to_pylist())
    for row in MESSY:
        assert row["person_id"] not in text
        assert row["birth_date"] not in text


def test_typed_parquet_like_columns(codes):
    rows = TINY[:4]
    table = pa.table(
        {
            "person_id": pa.array([r["person_id"] for r in rows]),
            "sex": pa.array([int(r["sex"]) for r in rows], pa.int8()),
            "birth_date": pa.array([dt.date.fromisoformat(r["birth_date"]) for r in rows]),
            "marital_status": pa.array([int(r["marital_status"]) for r in rows], pa.int16()),
            "hukou_code": pa.array([int(r["hukou_code"]) for r in rows], pa.int32()),
            "residence_code": pa.array([r["residence_code"] for r in rows]).dictionary_encode(),
            "arrival_date": pa.array([dt.datetime.fromisoformat(r["arrival_date"]) for r in rows]),
            "period": pa.array([r["period"] for r in rows], pa.large_string()),
            **{f: pa.array([r[f] == "1" for r in rows]) for f in FIELDS[8:]},
        }
    )
    staged = stage_batch(table, {f: f for f in FIELDS}, 1, codes)
    assert staged.quarantine.num_rows == 0
    assert staged.records["age"].to_pylist() == [29, 24, 39, 51]
    assert staged.records["cert_issued"].to_pylist() == [True, True, False, True]


def test_person_hash_is_truncated_hmac_sha256():
    key = b"k" * 32
    ids = [national_id("110101", "1990-01-01", s) for s in (1, 2, 3)]
    packed = person_hashes("".join(ids).encode(), key)
    for i, pid in enumerate(ids):
        assert packed[i * 16 : (i + 1) * 16] == hmac.new(key, pid.encode(), hashlib.sha256).digest()[:16]
    ids = [national_id("110101", "1990-01-01", s) for s in range(1000)] * 30
    many = "".join(ids).encode()
    keys = np.array([int(i[:17]) * 11 + (10 if i[17] == "X" else int(i[17])) for i in ids], dtype=np.int64)
    with Hasher(key, workers=2) as hasher:
        assert hasher.submit(many, keys).result() == person_hashes(many, key)
        assert hasher.n_hashed == 1000  # each distinct ID once
        assert hasher.submit(many[:18_000], keys[:1000]).result() == person_hashes(many[:18_000], key)
        assert hasher.n_hashed == 1000  # remembered
    with Hasher(key, workers=0, cache_size=10) as hasher:
        distinct = "".join(national_id(str(110101 + s // 1000), "1990-01-01", s % 1000) for s in range(25_000)).encode()
        dkeys = np.array([int(distinct[i * 18 : i * 18 + 17]) * 11 for i in range(25_000)], dtype=np.int64)
        dkeys += [10 if distinct[i * 18 + 17] == ord("X") else distinct[i * 18 + 17] - 48 for i in range(25_000)]
        assert hasher.submit(distinct, dkeys).result() == person_hashes(distinct, key)


def test_hash_key_rules():
    with pytest.raises(HashKeyError, match="YIPANQI_HASH_KEY"):
        resolve_key(None)
    with pytest.raises(HashKeyError, match="at least 16"):
        resolve_key("short")
    assert resolve_key(None, demo=True) == DEMO_HASH_KEY.encode()
    assert resolve_key("x" * 20, demo=True) == b"x" * 20
    assert key_fingerprint(b"a" * 20) != key_fingerprint(b"b" * 20)


def test_codebook_marks_outside_coverage(codes):
    assert codes.valid[310115] and not codes.outside[310115]
    assert codes.outside[810001] and not codes.valid[810001]
    assert not codes.valid[310230]  # an old GB/T 2260 code
    assert np.count_nonzero(codes.valid) > 2800
