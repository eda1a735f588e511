"""Malformed CSV lines are quarantined with their own row number, in the numbering of every row.

Row n is the n-th record after the header, malformed or not; a record whose quoted value holds a
line break is one row; blank lines are no rows.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from etl import sources, store
from etl.pipeline import ingest
from tests.etl.helpers import CHINESE, FIELDS, TINY, record

KEY = "test-key-0123456789abcdef"
DUPLICATE = (
    "duplicate person-period: same person_id and period as an earlier row (that one is kept)"
)


def _line(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def _write(
    path: Path, items: list[dict[str, str] | str], encoding: str = "utf-8", chinese: bool = False
) -> Path:
    """Records (dicts, with a ``note`` extra column) or raw lines (str), in order, after a header."""
    header = [CHINESE[f] if chinese else f for f in FIELDS] + ["note"]
    text = _line(header)
    for item in items:
        text += (
            item
            if isinstance(item, str)
            else _line([item[f] for f in FIELDS] + [item.get("note", "")])
        )
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_malformed_lines_get_their_row_numbers(tmp_path, sqlite_url, encoding):
    good = [dict(r) for r in TINY[:6]]
    good[1]["note"] = "two\nlines"  # a quoted line break: still one row
    bad_sex = dict(TINY[6], sex="3")
    items: list[dict[str, str] | str] = [
        good[0],  # 1
        good[1],  # 2 (two physical lines)
        "1,2,3\n",  # 3 too few fields
        good[2],  # 4
        _line([good[3][f] for f in FIELDS] + ["note", "one too many"]),  # 5 too many fields
        "\n",  # a blank line: no row
        good[3],  # 6
        bad_sex,  # 7
        '"x\ny",2\n',  # 8 too few fields, with a quoted line break
        good[4],  # 9
        dict(good[0]),  # 10 duplicate of row 1
        good[5],  # 11
    ]
    path = _write(tmp_path / "bad.csv", items, encoding, chinese=encoding == "gb18030")
    summary = ingest([path], sqlite_url, tmp_path / "data", KEY)
    assert summary.n_in == 11 == summary.n_loaded + summary.n_quarantined
    assert (summary.n_loaded, summary.n_quarantined) == (6, 5)
    assert summary.rule_counts["not a CSV row of 18 fields"] == 3
    q = store.read_quarantine(store.open_store(sqlite_url))
    assert dict(zip(q["row_number"], q["reason"], strict=True)) == {
        3: "not a CSV row of 18 fields: 3 found",
        5: "not a CSV row of 18 fields: 19 found",
        7: "sex: not 1/2/男/女",
        8: "not a CSV row of 18 fields: 2 found",
        10: DUPLICATE,
    }


def test_row_numbers_across_blocks(tmp_path):
    """Many blocks (4 KB each): every malformed line and every well-formed row gets its number."""
    rows = [
        record(2, "1980-05-10", 20, "410102", "310115", "111111111", sequence=s % 1000)
        for s in range(2000)
    ]
    items: list[dict[str, str] | str] = []
    malformed: list[int] = []
    wellformed: list[int] = []
    for i, row in enumerate(rows):
        if i % 97 == 5:
            items.append("only,three,fields\n")
            malformed.append(len(items))
        items.append(row)
        wellformed.append(len(items))
    path = _write(tmp_path / "many.csv", items)
    found = sources.MalformedLines()
    columns = list(FIELDS)
    n = sum(
        t.num_rows for t in sources.csv_batches(path, "utf-8", columns, found, block_bytes=4096)
    )
    assert n == len(rows)
    assert found.expected == 18
    assert found.found == [(m, 3) for m in malformed]
    counted = np.arange(1, n + 1)  # the numbering of the batches: well-formed rows only
    assert found.renumber(counted).tolist() == wellformed


def test_unknown_row_numbers_fall_back_to_zero():
    lines = sources.MalformedLines(expected=17, found=[(0, 3), (4, 2)])
    # only the known one moves the rows after it
    assert lines.renumber(np.array([1, 2, 3, 4])).tolist() == [1, 2, 3, 5]
    assert sources.MalformedLines().renumber(np.array([1, 2])).tolist() == [1, 2]


def test_without_row_numbers_from_the_reader(tmp_path, sqlite_url, monkeypatch):
    """A threaded pyarrow reader gives no row numbers: row 0, said so, and the counts still hold."""
    real = sources.pacsv.open_csv

    def threaded(stream, read_options, **kwargs):  # noqa: ANN001, ANN003
        read_options.use_threads = True
        return real(stream, read_options=read_options, **kwargs)

    monkeypatch.setattr(sources.pacsv, "open_csv", threaded)
    path = _write(tmp_path / "bad.csv", [TINY[0], "1,2,3\n", TINY[1], dict(TINY[2], sex="3")])
    summary = ingest([path], sqlite_url, tmp_path / "data", KEY)
    assert (summary.n_in, summary.n_loaded, summary.n_quarantined) == (4, 2, 2)
    assert summary.rule_counts["not a CSV row of 18 fields (row number unknown)"] == 1
    q = store.read_quarantine(store.open_store(sqlite_url))
    assert dict(zip(q["row_number"], q["reason"], strict=True)) == {
        0: "not a CSV row of 18 fields: 3 found (row number unknown)",
        3: "sex: not 1/2/男/女",  # counted among the other rows
    }
