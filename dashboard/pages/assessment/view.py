"""Pieces of the assessment page: the view chosen, the ranking grid's rows and columns, the
who-owes-whom rows, and the workbook download."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from dashboard import context
from dashboard.data import assessment as data
from dashboard.data import geo
from dashboard.data.store import current_scope, engine, periods
from dashboard.export.audit import record_export
from dashboard.i18n import N_, _, colon, current_language, join, pick, t
from etl import targets
from etl.assessment import ASSESSMENT_LEVELS, ROLES
from etl.assessment_export import xlsx_bytes
from etl.disclosure import SUPPRESSED
from etl.indicators import INDICATORS

ROLE_NAMES = {"destination": N_("As destination (inflow)"), "origin": N_("As origin (outflow)")}
ALL_REGIONS = ""
OWED_ROWS = 200


@dataclass(frozen=True)
class AssessmentView:
    """What the page shows: a period of the store, a level, a role and a region ("" all)."""

    period: str
    level: str
    role: str
    region: str


def chosen_view(period: object, level: object, role: object, region: object) -> AssessmentView:
    """The view asked for by the URL or the controls, an unknown value replaced by the default
    (the latest period, counties, destination, every region)."""
    available = periods()
    latest = available[-1] if available else ""
    return AssessmentView(
        period if isinstance(period, str) and period in available else latest,
        level if isinstance(level, str) and level in ASSESSMENT_LEVELS else "county",
        role if isinstance(role, str) and role in ROLES else "destination",
        region if isinstance(region, str) and region in region_codes() else ALL_REGIONS,
    )


def region_codes() -> list[str]:
    return [r.code for r in geo.regions(context.current().regions_path).regions]


def region_options() -> list[dict[str, str]]:
    """Every collaboration region, after "all regions", in the current language."""
    regions = geo.regions(context.current().regions_path).regions
    return [{"label": _("All regions"), "value": ALL_REGIONS}] + [
        {"label": pick(r.name_zh, r.name_en), "value": r.code} for r in regions
    ]


def ranking_rows(view: AssessmentView) -> tuple[list[dict], int]:
    """(grid rows of the view's role and region: by region, best score first, the units withheld
    as small cells last; how many are withheld). Scores and changes in points (0-100, 0.1)."""
    table = data.ranking(view.period, view.level)
    part = table[table["role"] == view.role]
    if view.region:
        part = part[part["region_code"] == view.region]
    part = part.sort_values(
        [SUPPRESSED, "region_code", "rank_in_region", "unit_code"],
        kind="stable",
        na_position="last",
    )
    names = geo.unit_names(current_language())
    regions = {
        r.code: pick(r.name_zh, r.name_en)
        for r in geo.regions(context.current().regions_path).regions
    }
    rows = []
    for row in part.itertuples(index=False):
        hidden = bool(getattr(row, SUPPRESSED))
        rows.append(
            {
                "unit_code": row.unit_code,
                "name": names.get(row.unit_code, row.unit_code),
                "province": names.get(row.province_code, "") if row.province_code else "",
                "region": regions.get(row.region_code, _("Other") if row.region_code else ""),
                "score": _points(row.score),
                "at_target": "" if hidden else f"{row.n_at_target} / {row.n_indicators}",
                "rank_in_region": _whole(row.rank_in_region),
                "n_in_region": _whole(row.n_in_region),
                "rank_in_province": _whole(row.rank_in_province),
                "n_in_province": _whole(row.n_in_province),
                "score_change": _points(row.score_change),
                "rank_change": _whole(row.rank_change),
                "status": t("suppressed_cell") if hidden else "",
            }
        )
    return rows, int(part[SUPPRESSED].sum())


def ranking_columns(level: str) -> list[dict]:
    """AG Grid column definitions of the ranking (every column sortable)."""
    number = {"type": "rightAligned", "minWidth": 80, "maxWidth": 150}
    columns = [
        {"field": "rank_in_region", "headerName": _("Rank in region"), **number},
        {"field": "name", "headerName": _("Area"), "minWidth": 140, "pinned": "left"},
        {"field": "province", "headerName": t("level_province"), "minWidth": 110},
        {"field": "region", "headerName": t("level_region"), "minWidth": 110},
        {"field": "score", "headerName": _("Score"), **number},
        {"field": "at_target", "headerName": _("At target"), "maxWidth": 110, "sortable": False},
        {"field": "rank_in_province", "headerName": _("Rank in province"), **number},
        {"field": "score_change", "headerName": _("Change (points)"), **number},
        {"field": "rank_change", "headerName": _("Places up in region"), **number},
        {"field": "status", "headerName": "", "minWidth": 100, "maxWidth": 130, "sortable": False},
        {"field": "unit_code", "headerName": _("Code"), "minWidth": 90, "maxWidth": 100},
    ]
    if level == "province":
        columns = [c for c in columns if c["field"] not in ("province", "rank_in_province")]
    return columns


def owed_rows(view: AssessmentView) -> list[dict]:
    """Who owes whom between provinces: the pairs with the largest estimated origin debt first
    (at most ``OWED_ROWS``), those touching the view's region when one is chosen."""
    table = data.owed(view.period)
    if view.region:
        members = set(
            geo.regions(context.current().regions_path).region(view.region).province_codes
        )
        table = table[table["origin_code"].isin(members) | table["destination_code"].isin(members)]
    names = geo.unit_names(current_language())
    rows = []
    for row in table.head(OWED_ROWS).itertuples(index=False):
        hidden = bool(getattr(row, SUPPRESSED))
        rows.append(
            {
                "origin": names.get(row.origin_code, row.origin_code),
                "destination": names.get(row.destination_code, row.destination_code),
                "women": _whole(row.women_15_49),
                "origin_reached": _whole(row.origin_reached),
                "origin_owed": _whole(row.origin_owed),
                "destination_reached": _whole(row.destination_reached),
                "destination_owed": _whole(row.destination_owed),
                "status": t("suppressed_cell") if hidden else "",
            }
        )
    return rows


def owed_columns() -> list[dict]:
    number = {"type": "rightAligned", "maxWidth": 150}
    return [
        {"field": "origin", "headerName": _("Origin (registration)"), "minWidth": 120},
        {"field": "destination", "headerName": _("Destination (residence)"), "minWidth": 120},
        {"field": "women", "headerName": t("cohort_women_15_49"), **number},
        {"field": "origin_reached", "headerName": _("Certified by origin (est.)"), **number},
        {"field": "origin_owed", "headerName": _("Origin owes (est.)"), **number},
        {
            "field": "destination_reached",
            "headerName": _("Verified by destination (est.)"),
            **number,
        },
        {"field": "destination_owed", "headerName": _("Destination owes (est.)"), **number},
        {"field": "status", "headerName": "", "minWidth": 100, "maxWidth": 130, "sortable": False},
    ]


def targets_note(period: str) -> str:
    """The targets in force for the period, e.g. "Targets in force for 2010: ... free technical
    service rate 89% ..." (the ones that differ by year named)."""
    table = targets.active_targets()
    year = table.year_of(period) if period else table.last_year
    moving = [
        i for i in INDICATORS
        if len({table.bp_by_year[(i.flag, y)] for y in range(table.first_year, table.last_year + 1)}) > 1
    ]  # fmt: skip
    parts = [
        f"{pick(i.name_zh, i.name_en)} {table.bp(i.flag, period or str(year)) / 100:g}%"
        for i in moving
    ]
    return _("Scores against the targets in force for {year}{changing}.").format(
        year=year, changing=(colon() + join(parts)) if parts else ""
    )


def download(view: AssessmentView) -> dict:
    """The workbook of the view's period and level for ``dcc.Download`` (both roles, every
    region, who owes whom, the notes), its audit row written."""
    made_at = datetime.now(UTC).isoformat(timespec="seconds")
    export = data.workbook(view.period, view.level, made_at)
    filename = f"assessment-{view.period}-{view.level}.xlsx"
    rows = len(export.assessment) + len(export.owed)
    params = {"period": view.period, "level": view.level, "scope": current_scope()}
    record_export(engine(), "assessment", params, rows=rows, out=filename)
    content = base64.b64encode(xlsx_bytes(export)).decode("ascii")
    return {"content": content, "filename": filename, "base64": True}


def _points(share: object) -> float | None:
    """A share (0-1) as points (0-100) to one decimal; None where blank."""
    if share is None or pd.isna(share):
        return None
    return round(float(share) * 100, 1)  # type: ignore[arg-type]


def _whole(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)  # type: ignore[call-overload]
