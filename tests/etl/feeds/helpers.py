"""Feed fixtures written by hand (plain Python, no code of ``etl.feeds``)."""

from __future__ import annotations

import csv
from pathlib import Path

FIELDS = (
    "department", "county_code", "period", "submitted_at", "item", "count", "count_checked",
    "zero_report",
)  # fmt: skip
CHINESE = {
    "department": "报送部门", "county_code": "报送单位代码", "period": "统计期",
    "submitted_at": "报送时间", "item": "通报项目", "count": "数量", "count_checked": "其中达标数",
    "zero_report": "零通报",
}  # fmt: skip


def row(
    department: str, county: str, period: str, submitted: str, item: str, count: str,
    checked: str = "", zero: str = "0",
) -> dict[str, str]:  # fmt: skip
    return dict(zip(FIELDS, (department, county, period, submitted, item, count, checked, zero), strict=True))


def write_feeds(
    path: Path, rows: list[dict[str, str]], *, chinese: bool = False, encoding: str = "utf-8"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow([CHINESE[name] if chinese else name for name in FIELDS])
        for r in rows:
            writer.writerow([r[name] for name in FIELDS])
    return path


# A small month: 2012-09 is due 2012-10-08 (National Day holiday); 2012-08 is due 2012-09-03.
GOOD = [
    row("公安", "310115", "2012-09", "2012-10-08 23:59:59", "迁入", "7"),  # on time (last minute)
    row("public_security", "310115", "2012-09", "2012-10-08 09:00", "cert_checks", "10", "9"),
    row("卫生", "310115", "2012-09", "2012-10-09 08:00", "出生", "3"),  # late
    row("民政", "320211", "2012-09", "2012-10-02", "婚姻登记", "0", zero="是"),  # zero, on time
    row("住建", "320211", "2012-08", "2012-09-03 17:30", "letters", "4", "4"),  # on time
    row("工商", "320211", "2012-08", "2012-09-04", "cert_info", "0", zero="1"),  # zero, late
]
"""6 rows, 5 submissions: (公安, 310115, 09) on time with 2 items; (卫生, 310115, 09) late;
(民政, 320211, 09) zero on time; (住建, 320211, 08) on time; (工商, 320211, 08) zero late."""

BAD = [
    row("公安", "310115", "2012-09", "2012-09-30 10:00", "迁入", "1"),  # before the month ended
    row("交通", "310115", "2012-09", "2012-10-08", "迁入", "1"),  # unknown department
    row("民政", "310115", "2012-09", "2012-10-08", "出生", "1"),  # item not of 民政
    row("卫生", "999999", "2012-09", "2012-10-08", "出生", "1"),  # unknown code
    row("卫生", "320211", "2012-13", "2012-10-08", "出生", "1"),  # not a month
    row("卫生", "320211", "2012-09", "2012-10-32", "出生", "1"),  # impossible date
    row("卫生", "320211", "2012-09", "2012-10-08", "出生", "-3"),  # not a whole number
    row("卫生", "320211", "2012-09", "2012-10-08", "出生", "2", zero="1"),  # zero with a count
    row("卫生", "320211", "2012-09", "2012-10-08", "出生", "0"),  # 0 without the flag
    row("住建", "320211", "2012-09", "2012-10-08", "letters", "4"),  # rate item without checked
    row("住建", "320211", "2012-09", "2012-10-08", "cert_checks", "4", "5"),  # checked above count
    row("公安", "310115", "2012-09", "2012-10-08 10:00", "迁入", "8"),  # duplicate of GOOD[0]
]
BAD_REASONS = [
    "submitted_at: before the period's month ended",
    "department: not a known department",
    "item: not an item this department reports",
    "county_code: unknown code",
    "period: not a YYYY-MM month",
    "submitted_at: impossible date or time",
    "count: not a whole number >= 0",
    "zero_report: 1 but count above 0",
    "count: 0 but not flagged a zero report",
    "count_checked: missing (this item has a rate)",
    "count_checked: above count",
    "duplicate: this department's item for this county and period is already reported (row 1)",
]
