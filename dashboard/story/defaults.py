"""Default storyboards: one per collaboration region, written from the data when none is saved.

Each has four slides for the latest period: the region's inflow and certificate verification; the
verification rate by prefecture; the region's weakest indicator (furthest below its target); and
its pilots (or, in a region without pilots, the certificate issuance rate at the origins).
"""

from __future__ import annotations

import sqlalchemy as sa

from dashboard.i18n import indicator_name
from dashboard.story import storage
from dashboard.story.model import Slide, Storyboard, View
from dashboard.story.narrative import figures, latest_period, units_at_target
from etl.scope import Scope
from geodata.regions import Region, RegionConfig


def default_storyboard(
    engine: sa.Engine, region: Region, regions: RegionConfig, period: str, *, scope: Scope
) -> Storyboard:
    base = View(page="overview", region=region.code, period=period)
    fig = figures(engine, base, regions, scope=scope)
    verified = fig.indicator("cert_verified")
    at, total = units_at_target(
        engine, fig.scope.county_codes, period, "cert_verified", scope=scope
    )
    slides = [
        Slide(
            View(
                page="overview",
                region=region.code,
                level="province",
                measure="inflow",
                period=period,
            ),
            f"{region.name_zh}：流入人口与婚育证明验证",
            f"婚育证明验证率 {verified.rate:.1%}，目标 {verified.target:.0%}",
        ),
        Slide(
            View(
                page="overview",
                region=region.code,
                level="prefecture",
                measure="cert_verified",
                period=period,
            ),
            "婚育证明验证率（地市）",
            f"{total} 个地市中 {at} 个达到 98% 目标",
        ),
    ]
    weakest = fig.weakest()
    if weakest is not None:
        name = indicator_name(weakest.flag, "zh")
        slides.append(
            Slide(
                View(
                    page="overview",
                    region=region.code,
                    level="prefecture",
                    measure=weakest.flag,
                    period=period,
                ),
                f"差距最大的指标：{name}",
                f"{name} {weakest.rate:.1%}，目标 {weakest.target:.0%}",
            )
        )
    provinces = set(region.province_codes)
    pilots = [p for p in regions.pilots if p.code[:2] + "0000" in provinces]
    for pilot in pilots:
        slides.append(
            Slide(
                View(
                    page="area",
                    region=region.code,
                    level="county",
                    measure="cert_verified",
                    period=period,
                    area=pilot.code,
                ),
                f"试点：{pilot.name_zh}",
                "先行先试地区的婚育证明验证",
            )
        )
    if not pilots:
        slides.append(
            Slide(
                View(
                    page="overview",
                    region=region.code,
                    level="prefecture",
                    measure="cert_issued",
                    period=period,
                ),
                "户籍地：婚育证明办证率（地市）",
                "流出地办证是流入地验证的前提",
            )
        )
    return Storyboard(region.code, tuple(slides))


def ensure_defaults(engine: sa.Engine, regions: RegionConfig, *, scope: Scope) -> list[str]:
    """Save a default storyboard per region when no storyboard is saved; the saved names
    (written from the marts as ``scope`` sees them)."""
    names = storage.list_storyboards(engine)
    if names:
        return names
    period = latest_period(engine, scope=scope)
    if not period:
        return []
    for region in regions.regions:
        board = default_storyboard(engine, region, regions, period, scope=scope)
        storage.save_storyboard(engine, board)
    return storage.list_storyboards(engine)
