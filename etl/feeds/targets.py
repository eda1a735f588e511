"""Targets of the feed indicators, each with the passage of seed 002 (河南通知, 2010) it comes from.

One module so that the per-year target configuration (issue 12, part 3) can fold these in as they
are. Targets are integer basis points (9,500 = 95%), compared exactly as ``etl.indicators``
compares coverage (``numerator x 10,000 >= target_bp x denominator``).

Measures (see docs/feeds.md):

- ``on_time`` (及时率 / 通报率): submissions received by the due date per submission expected;
- ``zero`` (零通报 share): zero reports per submission received: seed 002 requires a zero report
  when there is nothing to report but sets no rate, so it has no target;
- ``match`` (符合率): reported items whose count equals the records' own count of that event, per
  item compared (only where both exist);
- ``checked`` (验证率, 签订率, 通知及时率): ``count_checked`` per ``count`` of an item with a rate.

A department or item without a number in the seed has no target (None), never an invented one.
"""

from __future__ import annotations

from dataclasses import dataclass

MEASURES = ("on_time", "zero", "match", "checked")

SEED = "seed 002"
_GONGAN = "公安: 每月…提供出生、死亡、迁(移)入、迁(移)出人员的信息情况, 提供及时率、符合率达到95%以上"
_MINZHENG = "民政: 每月…提供新婚夫妇婚姻登记信息资料, 提供及时率、符合率达到95%以上"
_WEISHENG = "卫生: 每月…通报一次孕产妇及婴儿出生信息资料, 提供及时率、符合率达到95%以上"
_GONGSHANG = "工商: 每月…通报一次…流动人口婚育证明办理情况等计划生育信息, 通报率达到98%以上"


@dataclass(frozen=True)
class FeedTarget:
    """The target of ``measure`` for ``department`` (and ``item``, for ``match`` and ``checked``:
    None = every item of the department), with the seed and the passage it comes from."""

    department: str
    measure: str
    item: str | None
    target_bp: int
    source: str
    passage: str


FEED_TARGETS: tuple[FeedTarget, ...] = (
    FeedTarget("public_security", "on_time", None, 9_500, SEED, _GONGAN),
    FeedTarget("public_security", "match", None, 9_500, SEED, _GONGAN),
    FeedTarget("civil_affairs", "on_time", None, 9_500, SEED, _MINZHENG),
    FeedTarget("civil_affairs", "match", None, 9_500, SEED, _MINZHENG),
    FeedTarget("health", "on_time", None, 9_500, SEED, _WEISHENG),
    FeedTarget("health", "match", "births", 9_500, SEED, _WEISHENG),
    FeedTarget("commerce", "on_time", None, 9_800, SEED, _GONGSHANG),
    FeedTarget(
        "public_security", "checked", "cert_checks", 9_800, SEED,
        "公安: 办理流动人口暂住登记时, 查验…《流动人口婚育证明》…验证率达到98%以上",
    ),
    FeedTarget(
        "health", "checked", "cert_checks", 9_600, SEED,
        "卫生: 办理《医疗执业许可证》、《卫生许可证》、《健康证》等证件时, 查验…验证率达到96%以上",
    ),
    FeedTarget(
        "health", "checked", "permit_notices", 10_000, SEED,
        "卫生: 无《生育证》的应及时通报所在乡(镇、办)…, 通知及时率要达到100%",
    ),
    FeedTarget(
        "construction", "checked", "letters", 10_000, SEED,
        "住建: 督促建筑施工单位与计划生育管理部门签订计划生育责任书, 签订率达到100%",
    ),
    FeedTarget(
        "construction", "checked", "cert_checks", 9_800, SEED,
        "住建: 办理《施工许可证》时, 核查…《流动人口婚育证明》, 验证率达到98%以上",
    ),
)  # fmt: skip


def feed_target(department: str, measure: str, item: str | None = None) -> FeedTarget | None:
    """The target in force for ``department``'s ``measure`` (of ``item``), or None when the seed
    sets none: an item's own target first, then the department's."""
    if measure not in MEASURES:
        raise ValueError(f"unknown feed measure {measure!r}; one of {', '.join(MEASURES)}")
    for wanted in ((item, None) if item is not None else (None,)):
        for target in FEED_TARGETS:
            if (target.department, target.measure, target.item) == (department, measure, wanted):
                return target
    return None


def target_bp(department: str, measure: str, item: str | None = None) -> int | None:
    """``feed_target``'s basis points (None: no target)."""
    target = feed_target(department, measure, item)
    return None if target is None else target.target_bp
