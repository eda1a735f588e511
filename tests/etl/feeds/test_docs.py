"""docs/feeds.md lists every field, department and item of the contract in etl/feeds/format.py,
and every target of etl/feeds/targets.py (as a percentage beside its department)."""

from __future__ import annotations

from pathlib import Path

from etl.feeds.format import DEPARTMENTS, FEED_FIELDS, ITEMS
from etl.feeds.targets import FEED_TARGETS

DOC = Path(__file__).resolve().parents[3] / "docs" / "feeds.md"


def rows() -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines() if line.startswith("| `")]


def test_every_field_has_a_row_with_its_chinese_header():
    fields = {r[0].strip("`"): r for r in rows() if len(r) == 5}
    for field in FEED_FIELDS:
        assert fields[field.name][1] == field.header_zh


def test_every_item_of_every_department_has_a_row():
    items = {(r[0].strip("`"), r[2].strip("`")): r for r in rows() if len(r) == 6}
    names = {d.code: d.name_zh for d in DEPARTMENTS}
    for item in ITEMS:
        row = items[(item.department, item.code)]
        assert row[1] == names[item.department] and row[3] == item.name_zh
        assert bool(row[4]) == item.checked and bool(row[5]) == (item.record_event is not None)


def test_every_target_is_in_the_measures_table():
    text = DOC.read_text(encoding="utf-8")
    names = {d.code: d.name_zh for d in DEPARTMENTS}
    measures = {r[0].split()[0].strip("`"): r[3] for r in rows() if len(r) == 4}
    for target in FEED_TARGETS:
        cell = measures[target.measure]
        assert names[target.department] in cell and f"{target.target_bp // 100}%" in cell, target
        assert target.source == "seed 002" and target.passage
    assert "chinese-calendar" in text
