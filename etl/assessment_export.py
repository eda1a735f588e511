"""The assessment workbook: the ranked two-way assessment and who owes whom, with both languages'
headers, the targets and weights in force and the definitions (``etl.assessment``).

- XLSX: sheets ``考核 assessment``, ``互欠 owed`` and ``说明 notes``; the first header row is
  Chinese, the second English, data from the third row (panes frozen under the headers);
- CSV (UTF-8 with BOM, for spreadsheets): the assessment rows under one header row ``中文 English``
  per column, with the who-owes-whom rows in ``<name>.owed.csv`` and the notes in
  ``<name>.notes.csv`` beside it.

Every file goes through the one export path: rows read with the reader's scope, small cells
suppressed (``etl.assessment`` with ``etl.disclosure``), text that could run as a formula
neutralised (``etl.spreadsheet``), written atomically (``etl.export.atomic``); the caller writes
the audit row (``dashboard.export.audit.record_export``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from etl import marts, targets
from etl.assessment import assessment_table, owed_table
from etl.errors import EtlError
from etl.export import atomic
from etl.indicators import INDICATORS
from etl.scope import Scope
from etl.spreadsheet import neutralise_frame, text_cells
from geodata.hierarchy import unit_names_zh
from geodata.romanize import unit_names_en

FORMATS = (".xlsx", ".csv")
HEADERS: dict[str, tuple[str, str]] = {
    "period": ("报告期", "Period"),
    "level": ("层级", "Level"),
    "unit_code": ("地区代码", "Area code"),
    "unit_name_zh": ("地区名称", "Area name (Chinese)"),
    "unit_name_en": ("英文名称", "Area name (English)"),
    "province_code": ("所属省份代码", "Province code"),
    "region_code": ("协作区域代码", "Region code"),
    "region_name": ("协作区域", "Collaboration region"),
    "role": ("考核角色", "Role"),
    "n_indicators": ("考核指标数", "Indicators assessed"),
    "n_at_target": ("达标指标数", "Indicators at target"),
    "score": ("考核得分", "Score (0-1)"),
    "rank_in_province": ("省内排名", "Rank in province"),
    "n_in_province": ("省内参评数", "Ranked in province"),
    "rank_in_region": ("区域内排名", "Rank in region"),
    "n_in_region": ("区域内参评数", "Ranked in region"),
    "previous_score": ("上期得分", "Previous score"),
    "score_change": ("得分变化", "Score change"),
    "previous_rank_in_region": ("上期区域排名", "Previous rank in region"),
    "rank_change": ("区域排名变化（上升为正）", "Rank change in region (up is +)"),
    "suppressed": ("小单元格隐去", "Suppressed (small cell)"),
    "origin_code": ("流出省份代码", "Origin province code"),
    "origin_name_zh": ("流出省份", "Origin province"),
    "origin_name_en": ("流出省份（英文）", "Origin province (English)"),
    "destination_code": ("流入省份代码", "Destination province code"),
    "destination_name_zh": ("流入省份", "Destination province"),
    "destination_name_en": ("流入省份（英文）", "Destination province (English)"),
    "women_15_49": ("流动育龄妇女（人）", "Women 15-49 (persons)"),
    "origin_target": ("办证率目标", "Issuance target"),
    "origin_reached": ("估计已办证（人）", "Certified by origin (estimated persons)"),
    "origin_owed": ("流出地欠账（人）", "Origin owes (estimated persons)"),
    "destination_target": ("验证率目标", "Verification target"),
    "destination_reached": ("估计已验证（人）", "Verified by destination (estimated persons)"),
    "destination_owed": ("流入地欠账（人）", "Destination owes (estimated persons)"),
    "section": ("类别", "Section"),
    "key": ("项目", "Key"),
    "value": ("内容", "Value"),
}
"""Every column's header: (Chinese, English)."""
ROLE_WORDS = {"origin": "流出地 origin", "destination": "流入地 destination"}
SHEETS = ("考核 assessment", "互欠 owed", "说明 notes")


class AssessmentExportError(EtlError):
    """An assessment export asked for a format other than .xlsx or .csv."""


@dataclass(frozen=True)
class AssessmentExport:
    """The three tables of an assessment export (names added, suppressed, in file order)."""

    assessment: pd.DataFrame
    owed: pd.DataFrame
    notes: pd.DataFrame  # section, key, value


def assessment_export(
    engine: sa.Engine | sa.Connection, period: str, level: str, *, scope: Scope, made_at: str
) -> AssessmentExport:
    """The assessment of ``level`` in ``period`` and who owes whom, for the reader's ``scope``."""
    units = marts.read_units(engine, scope=scope)
    zh = unit_names_zh(units)
    en = unit_names_en(units)
    regions = marts.read_regions(engine, scope=scope).set_index("region_code")
    table = assessment_table(engine, period, level, scope=scope)
    table.insert(3, "unit_name_zh", table["unit_code"].map(zh))
    table.insert(4, "unit_name_en", table["unit_code"].map(en))
    names = regions["name_zh"] + " " + regions["name_en"]
    table.insert(7, "region_name", table["region_code"].map(names).fillna(table["region_code"]))
    table["role"] = table["role"].map(ROLE_WORDS)
    owed = owed_table(engine, period, scope=scope)
    for end in ("origin", "destination"):
        at = owed.columns.get_loc(f"{end}_code") + 1
        owed.insert(at, f"{end}_name_zh", owed[f"{end}_code"].map(zh))
        owed.insert(at + 1, f"{end}_name_en", owed[f"{end}_code"].map(en))
    threshold = marts.small_cell_threshold(engine, scope=scope)
    notes = _notes(period, level, scope, made_at, threshold)
    return AssessmentExport(table, owed, notes)


def write_assessment(export: AssessmentExport, out: str | Path) -> list[Path]:
    """Write ``export`` as .xlsx (one workbook) or .csv (three files), atomically; the files."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise AssessmentExportError(
            f"cannot write {path.name}: an assessment is written as .xlsx or .csv"
        )
    if suffix == ".xlsx":
        with atomic(path) as tmp:
            tmp.write_bytes(xlsx_bytes(export))
        return [path]
    written = []
    for frame, target in (
        (export.assessment, path),
        (export.owed, path.with_suffix(".owed.csv")),
        (export.notes, path.with_suffix(".notes.csv")),
    ):
        with atomic(target) as tmp:
            tmp.write_bytes(csv_bytes(frame))
        written.append(target)
    return written


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV (UTF-8 with BOM, CRLF) under one header row "中文 English" per column."""
    out = neutralise_frame(frame).rename(columns=lambda c: " ".join(HEADERS.get(c, (c, c))))
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def xlsx_bytes(export: AssessmentExport) -> bytes:
    """The workbook: each sheet with a Chinese and an English header row, then the data."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in zip(SHEETS, (export.assessment, export.owed, export.notes), strict=True):
            frame.to_excel(writer, sheet_name=name, index=False, header=False, startrow=2)
            sheet = writer.sheets[name]
            for column, key in enumerate(frame.columns, start=1):
                zh, en = HEADERS.get(key, (key, key))
                sheet.cell(row=1, column=column, value=zh)
                sheet.cell(row=2, column=column, value=en)
                width = 60 if key == "value" else max(12, min(28, 2 * len(zh) + 4, len(en) + 4))
                sheet.column_dimensions[
                    sheet.cell(row=1, column=column).column_letter
                ].width = width
            sheet.freeze_panes = "A3"
            text_cells(sheet.iter_rows())
    return buffer.getvalue()


def _notes(period: str, level: str, scope: Scope, made_at: str, threshold: int) -> pd.DataFrame:
    table = targets.active_targets()
    rows = [
        ("export", "content", "ranked two-way assessment (双向考核) and who owes whom"),
        ("export", "period", period),
        ("export", "level", level),
        ("export", "scope", str(scope)),
        ("export", "made_at", made_at),
        ("export", "targets_file", table.source),
        ("definitions", "score", "weighted mean over the role's indicators with a denominator of "
         "min(1, rate / target in force for the period); origin: outflow indicators (by hukou), "
         "destination: inflow indicators (by residence); prefectures and provinces on their "
         "counties' summed coverage"),
        ("definitions", "rank", "1 = best published score of the level and role in the province "
         "(blank for provinces) or region (a unit of a province in two regions has a row for each; "
         "provinces of no region rank in 'other'); ties share the best place; only units of the "
         "reader's scope take part, region ranks blank below a region scope"),
        ("definitions", "change", "score minus the previous period's; rank change = previous rank "
         "in region minus this one (up is +)"),
        ("definitions", "owed", "per province pair, the origin's women 15-49 living in the "
         "destination; certified / verified are ESTIMATES: each county pair's women at the hukou "
         "county's issuance rate (婚育证明办证率) and the residence county's verification rate "
         "(婚育证明验证率), since coverage is stored per county and side, not per pair; owes = "
         "persons short of the target in force; pairs with both provinces in the reader's scope"),
        ("suppression", "rule", f"a score whose smallest denominator above 0 is under "
         f"{threshold} persons is withheld (blank, suppressed = true, not ranked); a province "
         f"pair under {threshold} women is blank, with complementary cells by origin and "
         "destination"),
    ]  # fmt: skip
    for indicator in INDICATORS:
        bp = table.bp(indicator.flag, period)
        rows.append((
            "targets", indicator.flag,
            f"{indicator.name_zh} / {indicator.name_en} ({indicator.side}): target {bp / 100:g}% "
            f"in force for {table.year_of(period)}; weight {table.weight(indicator.flag):g} "
            f"({table.weight_reasons.get(indicator.flag, '')}); source {table.sources[indicator.flag]}",
        ))  # fmt: skip
    return pd.DataFrame(rows, columns=["section", "key", "value"])
