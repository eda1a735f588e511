"""Reshape the census age x sex bands of the county xlsx files into long CSVs (values unchanged).

Reads ``data/reference/census-county-2010-2020/census_county_{2010,2020}_v1.xlsx`` once each and
writes ``data/derived/census_age_sex_{year}.csv`` with the columns

    source_row  the xlsx row number (header = row 1), the key of county_{year}_extract.csv
    adcode      区划代码 as printed (blank where the xlsx has none or "NA")
    sex         1 male, 2 female
    age_lo      first age of the band, completed years
    age_hi      last age of the band, inclusive (the open band 85+ is written 85..100)
    persons     the xlsx cell, unchanged (blank where the cell is blank or "NA")

one line per (row, sex, band) for every xlsx row that has a population or any band value, plus
``data/derived/PROVENANCE.md`` (sources, columns, sha256 of inputs and outputs). Each xlsx row is
checked against the extract CSV (same code and pop_total) before anything is written.

Run from the repository root: ``.venv/bin/python scripts/derive_census_age_sex.py``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIR = ROOT / "data" / "reference" / "census-county-2010-2020"
OUT_DIR = ROOT / "data" / "derived"
OPEN_BAND_END = 100
OUT_COLUMNS = ["source_row", "adcode", "sex", "age_lo", "age_hi", "persons"]
SEX = {"男": 1, "女": 2}


@dataclass(frozen=True)
class Source:
    year: int
    xlsx: str
    sheet: str
    code_column: str
    total_column: str
    band_pattern: re.Pattern[str]


SOURCES = (
    # 2020: 男_0岁, 男_1到4岁, ..., 女_85岁以上
    Source(2020, "census_county_2020_v1.xlsx", "七普（年鉴）", "区划代码", "人口数_合计",
           re.compile(r"^(?P<sex>[男女])_(?P<lo>\d+)(?:到(?P<hi>\d+))?岁(?P<open>以上)?$")),
    # 2010: 0岁（男）, 1-4岁（男）, ..., 85岁及以上（女） (one header closes with a half-width ')')
    Source(2010, "census_county_2010_v1.xlsx", "Sheet1", "区划代码", "合计",
           re.compile(r"^(?P<lo>\d+)(?:-(?P<hi>\d+))?岁(?P<open>及以上)?（(?P<sex>[男女])[）)]$")),
)


def band_columns(header: list[str], pattern: re.Pattern[str]) -> dict[int, tuple[int, int, int, str]]:
    """Column index -> (sex, age_lo, age_hi, header) for every age x sex band column; validated."""
    bands = {}
    for i, name in enumerate(header):
        match = pattern.match(str(name or "").strip())
        if match:
            lo = int(match["lo"])
            hi = OPEN_BAND_END if match["open"] else int(match["hi"] or lo)
            bands[i] = (SEX[match["sex"]], lo, hi, name)
    for sex in SEX.values():
        spans = sorted((lo, hi) for s, lo, hi, _ in bands.values() if s == sex)
        edges = [lo for lo, _ in spans] + [OPEN_BAND_END + 1]
        if not spans or spans[0][0] != 0 or any(hi + 1 != nxt for (_, hi), nxt in zip(spans, edges[1:], strict=True)):
            sys.exit(f"age bands for sex {sex} do not tile 0..{OPEN_BAND_END}: {spans}")
    return bands


def as_count(value: object, where: str) -> int | None:
    """An xlsx cell as a whole number of persons, None if blank or "NA"; else the script stops."""
    if value is None or (isinstance(value, str) and value.strip() in ("", "NA")):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or float(value) != int(value):
        sys.exit(f"{where}: {value!r} is not a whole number of persons")
    return int(value)


def as_code(value: object) -> str:
    text = "" if value is None else str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return text if re.fullmatch(r"\d{6}", text) else ""


def read_extract(year: int) -> dict[int, tuple[str, str]]:
    """source_row -> (adcode, pop_total) as text, from the extract CSV."""
    with open(SOURCE_DIR / f"county_{year}_extract.csv", encoding="utf-8", newline="") as handle:
        return {int(r["source_row"]): (r["adcode"], r["pop_total"]) for r in csv.DictReader(handle)}


def derive(source: Source) -> tuple[str, int, int, list[str]]:
    """The long CSV text of one year, the number of xlsx rows and of written rows, the band headers."""
    book = openpyxl.load_workbook(SOURCE_DIR / source.xlsx, read_only=True, data_only=True)
    sheet = book[source.sheet]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h) if h is not None else "" for h in next(rows)]
    bands = band_columns(header, source.band_pattern)
    code_at, total_at = header.index(source.code_column), header.index(source.total_column)
    extract = read_extract(source.year)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OUT_COLUMNS)
    n_rows = n_written = 0
    for source_row, row in enumerate(rows, start=2):
        n_rows += 1
        where = f"{source.xlsx} row {source_row}"
        code, total = as_code(row[code_at]), as_count(row[total_at], where)
        values = {i: as_count(row[i], f"{where} column {bands[i][3]}") for i in bands}
        if total is None and all(v is None for v in values.values()):
            continue
        expected = extract.get(source_row)
        if expected != (code, "" if total is None else str(total)):
            sys.exit(f"{where}: code/total {code, total} differ from the extract's {expected}")
        for i, (sex, lo, hi, _) in sorted(bands.items(), key=lambda kv: kv[1][:2]):
            writer.writerow([source_row, code, sex, lo, hi, "" if values[i] is None else values[i]])
        n_written += 1
    book.close()
    return out.getvalue(), n_rows, n_written, [bands[i][3] for i in sorted(bands)]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


PROVENANCE = """# data/derived: tables derived from data/reference (values unchanged, only reshaped)

Made by `scripts/derive_census_age_sex.py` (sha256 `{script_sha}`); run it from the repository root
to rebuild: `.venv/bin/python scripts/derive_census_age_sex.py`. Read by `geodata.census`
(`read_age_sex`, `age_sex_structure`, `age_sex_check`). License: MIT, as the source tables
(`data/reference/census-county-2010-2020/LICENSE`; cite Dong, Du and Liu, SSRN 4049338).

## census_age_sex_{{year}}.csv: resident population by age band and sex, every row of the county xlsx

Long format, UTF-8, one line per (xlsx row, sex, age band):

| column | meaning |
|---|---|
| `source_row` | row number in the xlsx (header = row 1) = `source_row` of `county_{{year}}_extract.csv`: the join key (2010's 市辖区 rows and the zones without code have no adcode) |
| `adcode` | 区划代码 as printed (blank where the xlsx has none; 2020's national row has "NA") |
| `sex` | 1 male, 2 female |
| `age_lo`, `age_hi` | age band in completed years, inclusive; the open band 85+ is written 85..100 |
| `persons` | the xlsx cell, unchanged; blank where the xlsx cell is blank or "NA" (the 2020 file's blank marker) |

Rows without any population or band value (2010's blank separator rows, its footer line, and the
南沙群岛 / 中沙群岛 rows of 2010, which are blank throughout) are not written. Before writing, every
row's code and population total are checked against the extract CSV.

{sections}
## Checks (see `geodata.census.age_sex_check`)
- 2020: on every row the 38 bands add up to 人口数_合计 (blank band cells as 0).
- 2010: on all rows but two the bands add up to 合计: 211422 建昌县 (bands 30,000 more than 合计)
  and 430407 石鼓区 (6 fewer). The values are kept as published and reported by the census report.
"""

SECTION = """## {year}: `{out}`
- Source: `data/reference/census-county-2010-2020/{xlsx}` (sha256 `{xlsx_sha}`), sheet `{sheet}`,
  {n_rows} data rows, {n_written} written ({n_lines} lines).
- Columns read: `{code}` (code), `{total}` (check only), and the {n_bands} band columns
  `{first}` ... `{last}`.
- Output sha256: `{out_sha}`.

"""


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    sections = []
    for source in SOURCES:
        text, n_rows, n_written, headers = derive(source)
        out = OUT_DIR / f"census_age_sex_{source.year}.csv"
        out.write_text(text, encoding="utf-8")
        sections.append(SECTION.format(
            year=source.year, out=out.name, xlsx=source.xlsx, xlsx_sha=sha256(SOURCE_DIR / source.xlsx),
            sheet=source.sheet, n_rows=n_rows, n_written=n_written, n_lines=text.count("\n") - 1,
            code=source.code_column, total=source.total_column, n_bands=len(headers),
            first=headers[0], last=headers[-1].replace("\n", " "), out_sha=sha256(out),
        ))
        print(f"{source.year}: {n_written} of {n_rows} rows -> {out.relative_to(ROOT)}")
    (OUT_DIR / "PROVENANCE.md").write_text(
        PROVENANCE.format(script_sha=sha256(Path(__file__).resolve()), sections="".join(sections)),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
