"""The record format: one row = one floating person in one reporting month (DESIGN.md §3).

This module is the single contract between the generator, the loader and the docs
(``docs/record-format.md``). Canonical names are English; the loader also accepts the Chinese
headers below (UTF-8 or GB18030) and maps them.

Definitions used everywhere:
- age: completed years on the first day of the period;
- women of childbearing age (育龄妇女): women aged 15-49;
- married: marital status 20-23 (已婚, 初婚, 再婚, 复婚);
- a flow counts distinct persons with a given (hukou_code, residence_code) in one period;
  hukou_code == residence_code is an intra-county mover (the diagonal), kept and flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

# The indicators computed from the flags are part of the contract; they are defined, with their
# arithmetic, in ``etl.indicators`` and importable from here as well.
from etl.indicators import DENOMINATORS, INDICATOR_BY_FLAG, INDICATORS, Indicator

__all__ = [
    "CHINESE_HEADERS", "COHORTS", "DENOMINATORS", "FIELDS", "FIELD_NAMES", "FLAG_FIELDS",
    "FIRST_REPORTING_PERIOD", "FLAG_VALUES", "FIRST_PERIOD", "INDICATORS", "INDICATOR_BY_FLAG", "Indicator", "LAST_PERIOD",
    "MARITAL_VALUES", "MARRIED_CODES", "SEX_VALUES", "Field",
]  # fmt: skip


@dataclass(frozen=True)
class Field:
    name: str
    header_zh: str
    kind: str  # "id", "sex", "date", "marital", "code", "period", "flag"
    description: str


FIELDS: tuple[Field, ...] = (
    Field(
        "person_id",
        "公民身份号码",
        "id",
        "18-character national ID (GB 11643, check digit validated; last may be X); replaced by a keyed hash on load",
    ),
    Field("sex", "性别", "sex", "1 or 男 = male, 2 or 女 = female (GB/T 2261.1)"),
    Field("birth_date", "出生日期", "date", "YYYY-MM-DD"),
    Field(
        "marital_status",
        "婚姻状况",
        "marital",
        "GB/T 2261.2: 10 未婚, 20 已婚, 21 初婚, 22 再婚, 23 复婚, 30 丧偶, 40 离婚, 90 未说明",
    ),
    Field(
        "hukou_code",
        "户籍地行政区划代码",
        "code",
        "6-digit county adcode of household registration (origin)",
    ),
    Field(
        "residence_code",
        "现居住地行政区划代码",
        "code",
        "6-digit county adcode of current residence (destination)",
    ),
    Field(
        "arrival_date",
        "流入日期",
        "date",
        "YYYY-MM-DD, arrival at the residence; not after the period's last day",
    ),
    Field("period", "统计期", "period", "YYYY-MM, the reporting month"),
    Field(
        "cert_issued",
        "婚育证明办理",
        "flag",
        "marriage-and-childbearing certificate issued at the origin",
    ),
    Field("cert_verified", "婚育证明查验", "flag", "certificate verified at the residence"),
    Field("health_check", "康检", "flag", "health check"),
    Field("contraception", "节育措施落实", "flag", "contraceptive measure in place"),
    Field("free_service", "免费技术服务", "flag", "free technical service received"),
    Field("pregnancy_check", "孕检", "flag", "pregnancy check"),
    Field("free_contraceptives", "免费药具", "flag", "free contraceptives received"),
    Field("prepregnancy_consult", "孕前优生咨询", "flag", "pre-pregnancy eugenics consultation"),
    Field("policy_aware", "政策知晓", "flag", "aware of the policy"),
)

FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
CHINESE_HEADERS: dict[str, str] = {f.header_zh: f.name for f in FIELDS}
FLAG_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.kind == "flag")

SEX_VALUES = {"1": 1, "男": 1, "2": 2, "女": 2}
MARITAL_VALUES = {
    "10": 10,
    "未婚": 10,
    "20": 20,
    "已婚": 20,
    "21": 21,
    "初婚": 21,
    "22": 22,
    "再婚": 22,
    "23": 23,
    "复婚": 23,
    "30": 30,
    "丧偶": 30,
    "40": 40,
    "离婚": 40,
    "90": 90,
    "未说明": 90,
}
MARRIED_CODES = frozenset({20, 21, 22, 23})
FLAG_VALUES = {"1": 1, "是": 1, "0": 0, "否": 0}

COHORTS = ("all", "women_15_49", "married_women_15_49")

FIRST_PERIOD = "2009-01"
LAST_PERIOD = "2012-12"
"""The months the synthetic records span (``synthetic.generate``) and the dashboard's trends show."""

FIRST_REPORTING_PERIOD = "2009-01"
"""The programme's first reporting month: the one-chessboard mechanism began province-wide in 2009
(DESIGN.md section 1), so an earlier period is an error in the record. The default start of the
reporting window (``etl.dates.PeriodWindow``; setting ``YIPANQI_FIRST_PERIOD``)."""
