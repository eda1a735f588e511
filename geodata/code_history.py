"""GB/T 2260 county codes over time: the code history since 1981 and the MCA code lists.

Terms
-----
*GB/T 2260 code* (adcode): the 6-digit civil-affairs (民政部, MCA) code of a province (``xx0000``), a
prefecture (``xxxx00``) or a county-level unit (anything else). Codes are reused over the decades, so
a *code record* is keyed on (code, first year in use); see ``data/reference/gbt2260-areacodes``.

*Successor*: when a code record is abolished (弃用) or changed (变更), its 新代码 column lists the
code(s) that took its area. An entry with ``[YYYY]`` is a partial transfer made in year YYYY while
the record stayed in use; the entries without a year are the successors at the record's end. A
*chain* follows successors step by step until records still in use (在用) are reached.

The crosswalk from census codes to polygon codes built on this history is ``geodata.codes``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geodata.errors import CensusDataError

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference" / "gbt2260-areacodes"
HISTORY_FILE = "result.csv"
MCA_YEARS = (2010, 2020, 2024)
CURRENT = "在用"

_SUCCESSOR = re.compile(r"^(\d{6})(?:\[(\d{4})\])?$")


def read_code_history(reference_dir: Path | None = None) -> pd.DataFrame:
    """Every GB/T 2260 code record since 1981 (``result.csv``), one row per (code, start_year).

    Columns: ``code``, ``province_name``, ``prefecture_name``, ``name``, ``level`` (省级/地级/县级),
    ``status`` (在用/弃用/变更), ``start_year``, ``end_year`` (<NA> while in use; the record is
    valid from start_year inclusive to end_year exclusive), ``successors`` (raw 新代码 text).
    """
    return _code_history(reference_dir or REFERENCE_DIR).copy()


@lru_cache(maxsize=4)
def _code_history(reference_dir: Path) -> pd.DataFrame:
    path = reference_dir / HISTORY_FILE
    try:
        raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except OSError as exc:
        raise CensusDataError(f"cannot read the GB/T 2260 history {path}: {exc}") from exc
    names = {
        "代码": "code",
        "一级行政区": "province_name",
        "二级行政区": "prefecture_name",
        "名称": "name",
        "级别": "level",
        "状态": "status",
        "启用时间": "start_year",
        "变更/弃用时间": "end_year",
        "新代码": "successors",
    }
    missing = sorted(set(names) - set(raw.columns))
    if missing:
        raise CensusDataError(f"{path} lacks columns {missing}; is it the yescallop/areacodes result.csv?")
    table = raw.rename(columns=names)[list(names.values())]
    table["start_year"] = pd.to_numeric(table["start_year"]).astype("int64")
    table["end_year"] = pd.to_numeric(table["end_year"].replace("", None)).astype("Int64")
    if table.duplicated(["code", "start_year"]).any():
        dup = table.loc[table.duplicated(["code", "start_year"]), "code"].tolist()[:5]
        raise CensusDataError(f"{path}: (代码, 启用时间) is not unique, e.g. {dup}")
    return table


def read_mca_codes(year: int, reference_dir: Path | None = None) -> pd.DataFrame:
    """The MCA code list valid at 31 Dec of ``year`` (2010, 2020 or 2024): ``code``, ``name``, ``level``.

    ``level`` is implied by the code: ``province`` (xx0000), ``prefecture`` (xxxx00), ``county``.
    """
    if year not in MCA_YEARS:
        raise ValueError(f"no MCA list for {year}; available: {MCA_YEARS}")
    path = (reference_dir or REFERENCE_DIR) / f"mca_{year}.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CensusDataError(f"cannot read the MCA list {path}: {exc}") from exc
    pairs = [line.split(maxsplit=1) for line in lines if line.strip()]
    table = pd.DataFrame(pairs, columns=["code", "name"])
    table["level"] = [_level_of(c) for c in table["code"]]
    return table


def _level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "prefecture" if code.endswith("00") else "county"


@lru_cache(maxsize=4)
def _records_by_code(reference_dir: Path) -> dict[str, list[tuple]]:
    """code -> its records as (start_year, end_year|None, status, successors, name), by start."""
    table = _code_history(reference_dir)
    out: dict[str, list[tuple]] = {}
    for row in table.itertuples(index=False):
        end = None if pd.isna(row.end_year) else int(row.end_year)
        out.setdefault(row.code, []).append((row.start_year, end, row.status, row.successors, row.name))
    for records in out.values():
        records.sort(key=lambda r: r[0])
    return out


def _record_at(records: list[tuple], year: int) -> tuple | None:
    """The record in use in ``year``: the latest one started by then (else the earliest one)."""
    started = [r for r in records if r[0] <= year]
    if started:
        return started[-1]
    return records[0] if records else None


def successor_codes(successors: str, end_year: int | None) -> list[str]:
    """Successors at a record's end from its 新代码 text ``"130108[2001];130111"`` -> ``["130111"]``.

    The entries without a year; if there are none, those dated in ``end_year``; if none either,
    all entries. Raises ``CensusDataError`` on an entry that is not ``dddddd`` or ``dddddd[yyyy]``.
    """
    entries = []
    for part in filter(None, (p.strip() for p in successors.split(";"))):
        match = _SUCCESSOR.match(part)
        if not match:
            raise CensusDataError(f"GB/T 2260 history: cannot read successor entry {part!r}")
        entries.append((match.group(1), None if match.group(2) is None else int(match.group(2))))
    undated = [c for c, y in entries if y is None]
    if undated:
        return undated
    dated_at_end = [c for c, y in entries if end_year is not None and y == end_year]
    return dated_at_end or [c for c, _ in entries]


def current_codes(code: str, year: int, reference_dir: Path | None = None) -> tuple[list[str], list[str]]:
    """Follow ``code`` (as used in ``year``) through successor chains to the codes in use now.

    Returns ``(current, dead_ends)``, both sorted: codes whose record is in use (在用), and codes
    whose chain stops at an abolished record without successors. Both empty if the code is unknown.
    """
    records = _records_by_code(reference_dir or REFERENCE_DIR)
    current: set[str] = set()
    dead: set[str] = set()
    seen: set[tuple[str, int]] = set()
    stack = [(code, year)]
    while stack:
        c, y = stack.pop()
        record = _record_at(records.get(c, []), y)
        if record is None:
            dead.add(c)
            continue
        if (c, record[0]) in seen:
            continue
        seen.add((c, record[0]))
        start, end, status, successors, _ = record
        if status == CURRENT or end is None:
            current.add(c)
            continue
        nexts = successor_codes(successors, end) or ([c] if status != "弃用" else [])
        if not nexts:
            dead.add(c)
        stack.extend((s, end) for s in nexts)
    return sorted(current), sorted(dead)


def is_known_code(code: str, reference_dir: Path | None = None) -> bool:
    """True if ``code`` appears in the GB/T 2260 history (in any year)."""
    return code in _records_by_code(reference_dir or REFERENCE_DIR)


def in_use(code: str, year: int, reference_dir: Path | None = None) -> bool:
    """True if the record of ``code`` in ``year`` is still in use (在用) today."""
    record = _record_at(_records_by_code(reference_dir or REFERENCE_DIR).get(code, []), year)
    return record is not None and record[2] == CURRENT
