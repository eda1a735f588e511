"""docs/record-format.md lists every field and indicator of the contract in etl/records.py."""

from __future__ import annotations

import re
from pathlib import Path

from etl.pseudonymise import DEMO_HASH_KEY
from etl.records import FIELDS, INDICATORS, MARITAL_VALUES
from etl.targets import target_bp
from tests.etl.helpers import check_char

DOC = Path(__file__).resolve().parents[2] / "docs" / "record-format.md"


def _rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines() if line.startswith("| `")]


def test_every_field_has_a_row_with_its_chinese_header():
    rows: dict[str, list[str]] = {}
    for r in _rows(DOC.read_text(encoding="utf-8")):
        rows.setdefault(r[0].strip("`"), r)  # the field table comes first
    for field in FIELDS:
        assert field.name in rows, field.name
        assert rows[field.name][1] == field.header_zh


def test_every_indicator_has_a_row_with_side_and_target():
    rows = {r[0].strip("`"): r for r in _rows(DOC.read_text(encoding="utf-8"))}  # indicators come last
    for ind in INDICATORS:
        row = rows[ind.flag]
        assert row[1] == ind.name_zh and row[2] == ind.side
        assert row[4] == f"{round(target_bp(ind.flag, '2012-12') / 100)}%"


def test_codes_words_demo_key_and_example_ids():
    text = DOC.read_text(encoding="utf-8")
    for word in MARITAL_VALUES:
        assert word in text
    assert DEMO_HASH_KEY in text
    for example in set(re.findall(r"\b\d{17}[\dX]\b", text)):
        assert check_char(example[:17]) == example[17], example
