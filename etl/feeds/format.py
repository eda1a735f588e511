"""The feed format: one row = one item of one department's monthly report for one county.

A *submission* is a department's report for one county (the reporting unit) and one period: the
rows sharing ``department``, ``county_code`` and ``period``. A *zero report* (零通报) is an explicit
row whose ``count`` is 0 and ``zero_report`` is 1; a missing submission is the absence of rows.
docs/feeds.md is the user's description of the same contract.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeedField:
    name: str
    header_zh: str
    description: str
    required: bool = True


FEED_FIELDS: tuple[FeedField, ...] = (
    FeedField("department", "报送部门", "department code or its Chinese name (DEPARTMENTS)"),
    FeedField("county_code", "报送单位代码", "6-digit county-level code of the reporting unit"),
    FeedField("period", "统计期", "YYYY-MM, the month reported on"),
    FeedField(
        "submitted_at", "报送时间", "YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DD, Beijing time, when sent"
    ),
    FeedField("item", "通报项目", "item code or its Chinese name (the department's ITEMS)"),
    FeedField("count", "数量", "whole number >= 0: events, or cases handled"),
    FeedField(
        "count_checked",
        "其中达标数",
        "whole number 0..count: of the cases, those checked / signed / notified in time; "
        "required for items with a rate, empty otherwise",
        required=False,
    ),
    FeedField("zero_report", "零通报", "1/0 or 是/否: 1 = nothing to report (count must be 0)"),
)
FEED_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FEED_FIELDS)
FEED_REQUIRED: tuple[str, ...] = tuple(f.name for f in FEED_FIELDS if f.required)
FEED_HEADERS: dict[str, str] = {f.header_zh: f.name for f in FEED_FIELDS}


@dataclass(frozen=True)
class Department:
    code: str
    name_zh: str
    name_en: str


DEPARTMENTS: tuple[Department, ...] = (
    Department("public_security", "公安", "Public security"),
    Department("civil_affairs", "民政", "Civil affairs"),
    Department("health", "卫生", "Health"),
    Department("commerce", "工商", "Industry and commerce"),
    Department("construction", "住建", "Housing and construction"),
    Department("human_resources", "人社", "Human resources and social security"),
)
DEPARTMENT_BY_CODE: dict[str, Department] = {d.code: d for d in DEPARTMENTS}


@dataclass(frozen=True)
class Item:
    """An item a department reports. ``checked``: the row also carries ``count_checked`` (the
    item has a rate, e.g. 验证率 = checked / count); ``record_event``: the records' own event the
    count is compared with (match rate), or None when the records carry no such event."""

    department: str
    code: str
    name_zh: str
    name_en: str
    checked: bool = False
    record_event: str | None = None
    main: bool = False  # the department's principal monthly item (the generator's)


ITEMS: tuple[Item, ...] = (
    Item("public_security", "moves_in", "迁入", "Moves in", record_event="arrivals", main=True),
    Item("public_security", "moves_out", "迁出", "Moves out", record_event="departures"),
    Item("public_security", "births", "出生", "Births"),
    Item("public_security", "deaths", "死亡", "Deaths"),
    Item("public_security", "cert_checks", "婚育证明查验", "Certificate checks", checked=True),
    Item("civil_affairs", "marriages", "婚姻登记", "Marriage registrations", main=True),
    Item("health", "births", "出生", "Births", main=True),
    Item("health", "cert_checks", "婚育证明查验", "Certificate checks", checked=True),
    Item("health", "permit_notices", "无证通报", "No-permit notices", checked=True),
    Item("commerce", "cert_info", "婚育证明信息", "Certificate information", main=True),
    Item("construction", "letters", "责任书签订", "Responsibility letters", checked=True, main=True),
    Item("construction", "cert_checks", "婚育证明查验", "Certificate checks", checked=True),
    Item("human_resources", "cert_info", "婚育证明信息", "Certificate information", main=True),
)
ITEM_BY_KEY: dict[tuple[str, str], Item] = {(i.department, i.code): i for i in ITEMS}
MAIN_ITEM: dict[str, Item] = {i.department: i for i in ITEMS if i.main}

DEPARTMENT_VALUES: dict[str, int] = {}
for _n, _d in enumerate(DEPARTMENTS):
    DEPARTMENT_VALUES[_d.code] = _n
    DEPARTMENT_VALUES[_d.name_zh] = _n
ITEM_CODES: tuple[str, ...] = tuple(dict.fromkeys(i.code for i in ITEMS))
"""Item codes in order of first appearance (an item code may serve several departments)."""
ITEM_VALUES: dict[str, int] = {}
for _n, _code in enumerate(ITEM_CODES):
    ITEM_VALUES[_code] = _n
for _i in ITEMS:
    ITEM_VALUES.setdefault(_i.name_zh, ITEM_CODES.index(_i.code))
ZERO_VALUES = {"1": 1, "是": 1, "0": 0, "否": 0}
