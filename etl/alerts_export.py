"""The early-warning workbook: the alerts of one period with both languages' headers, the rules
and thresholds in force and the definitions (``etl.alerts``).

- XLSX: sheets ``预警 alerts`` and ``说明 notes``; the first header row is Chinese, the second
  English, data from the third row (panes frozen under the headers);
- CSV (UTF-8 with BOM, for spreadsheets): the alerts under one header row ``中文 English`` per
  column, with the notes in ``<name>.notes.csv`` beside it.

Every file goes through the one export path: alerts read with the reader's scope, the numbers of a
small cell blank (``etl.alerts.published_alerts``), text that could run as a formula neutralised
(``etl.spreadsheet``), written atomically (``etl.export.atomic``); the caller writes the audit
row (``dashboard.export.audit.record_export``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from etl import marts
from etl.alerts import RULE_NAMES, SEVERITY_NAMES, active_alerts, alerts_table, published_alerts
from etl.errors import EtlError
from etl.export import atomic
from etl.feeds.format import DEPARTMENT_BY_CODE
from etl.indicators import INDICATOR_BY_FLAG
from etl.scope import Scope
from etl.spreadsheet import neutralise_frame, text_cells
from geodata.hierarchy import unit_names_zh
from geodata.romanize import unit_names_en

FORMATS = (".xlsx", ".csv")
EXPORT_COLUMNS = (
    "period", "severity", "rule", "level", "unit_code", "unit_name_zh", "unit_name_en",
    "province_code", "department", "indicator", "value", "reference", "score", "small_cell",
    "reason_zh", "reason_en", "link",
)  # fmt: skip
HEADERS: dict[str, tuple[str, str]] = {
    "period": ("报告期", "Period"),
    "severity": ("严重程度", "Severity"),
    "rule": ("预警规则", "Rule"),
    "level": ("层级", "Level"),
    "unit_code": ("地区代码", "Area code"),
    "unit_name_zh": ("地区名称", "Area name (Chinese)"),
    "unit_name_en": ("英文名称", "Area name (English)"),
    "province_code": ("所属省份代码", "Province code"),
    "department": ("部门", "Department"),
    "indicator": ("指标", "Indicator"),
    "value": ("数值", "Value"),
    "reference": ("参照值", "Reference"),
    "score": ("差值或Z值", "Difference or z"),
    "small_cell": ("小单元格隐去", "Suppressed (small cell)"),
    "reason_zh": ("预警原因", "Reason (Chinese)"),
    "reason_en": ("预警原因（英文）", "Reason (English)"),
    "link": ("地区页面", "Area page"),
    "section": ("类别", "Section"),
    "key": ("项目", "Key"),
    "value_note": ("内容", "Value"),
}
"""Every column's header: (Chinese, English)."""
SHEETS = ("预警 alerts", "说明 notes")


class AlertExportError(EtlError):
    """An alert export asked for a format other than .xlsx or .csv."""


@dataclass(frozen=True)
class AlertExport:
    alerts: pd.DataFrame
    notes: pd.DataFrame


def alerts_export(
    engine: sa.Engine | sa.Connection, period: str, *, scope: Scope, made_at: str
) -> AlertExport:
    """The alerts of ``period`` for the reader's ``scope``, as they may leave the system."""
    units = marts.read_units(engine, scope=scope)
    table = readable(published_alerts(alerts_table(engine, period, scope=scope)), units)
    threshold = marts.small_cell_threshold(engine, scope=scope)
    return AlertExport(table, _notes(period, scope, made_at, threshold))


def readable(table: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Alert rows in ``EXPORT_COLUMNS`` with names in both languages for rule, severity,
    department and indicator, and the unit's names."""
    out = table.copy()
    out["unit_name_zh"] = out["unit_code"].map(unit_names_zh(units))
    out["unit_name_en"] = out["unit_code"].map(unit_names_en(units))
    out["rule"] = out["rule"].map(lambda r: " ".join(RULE_NAMES[r]))
    out["severity"] = out["severity"].map(lambda s: " ".join(SEVERITY_NAMES[s]))
    out["department"] = out["department"].map(
        lambda d: f"{DEPARTMENT_BY_CODE[d].name_zh} {DEPARTMENT_BY_CODE[d].name_en}" if d else ""
    )
    out["indicator"] = out["indicator"].map(
        lambda f: f"{INDICATOR_BY_FLAG[f].name_zh} {INDICATOR_BY_FLAG[f].name_en}" if f else ""
    )
    return out[list(EXPORT_COLUMNS)].reset_index(drop=True)


def write_alerts(export: AlertExport, out: str | Path) -> list[Path]:
    """Write ``export`` as .xlsx (one workbook) or .csv (two files), atomically; the files."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise AlertExportError(f"cannot write {path.name}: alerts are written as .xlsx or .csv")
    if suffix == ".xlsx":
        with atomic(path) as tmp:
            tmp.write_bytes(xlsx_bytes(export))
        return [path]
    written = []
    for frame, target in ((export.alerts, path), (export.notes, path.with_suffix(".notes.csv"))):
        with atomic(target) as tmp:
            tmp.write_bytes(csv_bytes(frame))
        written.append(target)
    return written


def _header(key: str) -> tuple[str, str]:
    return HEADERS.get(key, (key, key))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV (UTF-8 with BOM, CRLF) under one header row "中文 English" per column."""
    out = neutralise_frame(frame).rename(columns=lambda c: " ".join(_header(c)))
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def xlsx_bytes(export: AlertExport) -> bytes:
    """The workbook: each sheet with a Chinese and an English header row, then the data."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in zip(SHEETS, (export.alerts, export.notes), strict=True):
            frame = neutralise_frame(frame)
            frame.to_excel(writer, sheet_name=name, index=False, header=False, startrow=2)
            sheet = writer.sheets[name]
            for column, key in enumerate(frame.columns, start=1):
                zh, en = _header(key)
                sheet.cell(row=1, column=column, value=zh)
                sheet.cell(row=2, column=column, value=en)
                wide = key in ("reason_zh", "reason_en", "value_note")
                width = 70 if wide else max(12, min(28, 2 * len(zh) + 4, len(en) + 4))
                sheet.column_dimensions[
                    sheet.cell(row=1, column=column).column_letter
                ].width = width
            sheet.freeze_panes = "A3"
            text_cells(sheet.iter_rows())
    return buffer.getvalue()


def _notes(period: str, scope: Scope, made_at: str, threshold: int) -> pd.DataFrame:
    config = active_alerts()
    rows = [
        ("export", "content", "early-warning alerts (预警监测) of one period"),
        ("export", "period", period),
        ("export", "scope", str(scope)),
        ("export", "made_at", made_at),
        ("export", "rules_file", config.source),
        ("definitions", "link", "the area's page in the dashboard, at this period"),
        ("definitions", "value", "feed_late: days late; coverage: rate (%), reference the target "
         "or the previous period's rate; inflow_seasonal: inflow, reference the median of the same "
         "month of earlier years, score the robust z; mismatch: 公安 moves out, reference the "
         "records' departures, score the difference"),
        ("suppression", "rule", f"a mismatch whose either count is under {threshold} persons is "
         "listed with its numbers blank (small cell); coverage alerts only for published cells"),
    ]  # fmt: skip
    for rule, values in config.settings.items():
        text = ", ".join(f"{k} = {v}" for k, v in values.items())
        rows.append(("rules", rule, f"{' / '.join(RULE_NAMES[rule])}: {text}"))
    return pd.DataFrame(rows, columns=["section", "key", "value_note"])
