"""Default storyboards: one per collaboration region and language, written from the data when none
is saved (named by the region's code, ``-en`` appended for the English one).

Each has four slides for the latest period: the region's inflow and certificate verification; the
verification rate by prefecture; the region's weakest indicator (furthest below its target); and
its pilots (or, in a region without pilots, the certificate issuance rate at the origins).
"""

from __future__ import annotations

import sqlalchemy as sa

from dashboard.formatting import rate, target_percent
from dashboard.i18n import ENDONYMS, LANGS, _, current_language, indicator_name, language, pick, t
from dashboard.story import storage
from dashboard.story.model import Slide, Storyboard, View
from dashboard.story.narrative import figures, latest_period, units_at_target
from etl import targets
from etl.scope import NATION, Scope, ScopeError
from geodata.regions import Region, RegionConfig

NAME_SUFFIX = {"zh": "", "en": "-en"}
"""What a default storyboard's name adds to its region's code, by language."""


def board_label(name: str, regions: RegionConfig) -> str:
    """How a storyboard is listed: a default board by its region's name and its language
    (``泛长三角 · English``), any other by its name."""
    for region in regions.regions:
        for lang, suffix in NAME_SUFFIX.items():
            if name == region.code + suffix:
                return f"{pick(region.name_zh, region.name_en)} · {ENDONYMS[lang]}"
    return name


def default_storyboard(
    engine: sa.Engine, region: Region, regions: RegionConfig, period: str, *, scope: Scope
) -> Storyboard:
    """The region's default storyboard in the current language."""
    base = View(page="overview", region=region.code, period=period)
    fig = figures(engine, base, regions, scope=scope)
    verified = fig.indicator("cert_verified")  # None: a small cell, never quoted
    verified_rate = (
        rate(verified.rate, verified.target) if verified is not None else t("suppressed_cell")
    )
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
            _("{region}: inflow and certificate verification").format(
                region=pick(region.name_zh, region.name_en)
            ),
            _("Certificate verification rate {rate}, target {target}").format(
                rate=verified_rate, target=target_percent(targets.target("cert_verified", period))
            ),
        ),
        Slide(
            View(
                page="overview",
                region=region.code,
                level="prefecture",
                measure="cert_verified",
                period=period,
            ),
            _("Certificate verification rate (prefectures)"),
            _("{at} of {total} prefectures at the {target} target").format(
                at=at, total=total, target=target_percent(targets.target("cert_verified", period))
            ),
        ),
    ]
    weakest = fig.weakest()
    if weakest is not None:
        name = indicator_name(weakest.flag)
        slides.append(
            Slide(
                View(
                    page="overview",
                    region=region.code,
                    level="prefecture",
                    measure=weakest.flag,
                    period=period,
                ),
                # when every indicator meets its target, the title says so (it promised a shortfall
                # that the narrative then denied)
                (
                    _("Every indicator at target; closest to its target: {name}")
                    if weakest.at_target
                    else _("Furthest below target: {name}")
                ).format(name=name),
                _("{name} {rate}, target {target}").format(
                    name=name,
                    rate=rate(weakest.rate, weakest.target),
                    target=target_percent(weakest.target),
                ),
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
                _("Pilot: {name}").format(name=pick(pilot.name_zh, pilot.name_en)),
                _("Certificate verification in a pilot area"),
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
                _("Origins: certificate issuance rate (prefectures)"),
                _("Issuance at the origin comes before verification at the destination"),
            )
        )
    return Storyboard(region.code + NAME_SUFFIX[current_language()], tuple(slides))


def ensure_defaults(engine: sa.Engine, regions: RegionConfig) -> None:
    """Save a default storyboard per region and language when no storyboard is saved at all.

    Each is written from the marts as the nation sees them (its figures are the whole region's,
    whoever's request comes first) and recorded as the region's (``region:<code>``), so only
    readers of the nation and of that region see it (``etl.marts.saved``)."""
    if storage.any_storyboard(engine):
        return
    period = latest_period(engine, scope=NATION)
    if not period:
        return
    for lang in LANGS:
        with language(lang):
            for region in regions.regions:
                board = default_storyboard(engine, region, regions, period, scope=NATION)
                storage.save_storyboard(engine, board, scope=region_scope(region))


def region_scope(region: Region) -> Scope:
    """The scope of a collaboration region (the nation for a code a scope cannot be written with)."""
    try:
        return Scope("region", region.code)
    except ScopeError:
        return NATION
