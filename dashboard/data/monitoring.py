"""The monitoring page's reads: the alerts of one period (``etl.alerts``) and the departments'
reports (``etl.marts.read_feed_submissions``), through the marts with the reader's scope, cached
per data version."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from dashboard.data.store import cached, current_scope, engine
from etl import alerts as rules
from etl import marts
from etl.alerts_export import AlertExport, alerts_export
from etl.scope import Scope


@cached(maxsize=16)
def alerts(engine: Engine, period: str, *, scope: Scope) -> pd.DataFrame:
    """``etl.alerts.alerts_table`` of the reader's scope (callers must not mutate it): through
    ``etl.alerts.cached_alerts``, the memo the narratives read too, so one computation serves both."""
    return rules.cached_alerts(engine, period, scope=scope)


@cached(maxsize=16)
def submissions(engine: Engine, period: str, *, scope: Scope) -> pd.DataFrame:
    """Every expected submission of the period in the reader's scope, with the county's province
    (callers must not mutate it)."""
    data = marts.read_feed_submissions(engine, period, scope=scope)
    units = marts.read_units(engine, scope=scope).set_index("county_code")["province_code"]
    return data.assign(province_code=data["county_code"].map(units).fillna(""))


def workbook(period: str, made_at: str) -> AlertExport:
    """The export of ``period`` for the reader's scope (what ``yipanqi alerts`` writes)."""
    return alerts_export(engine(), period, scope=current_scope(), made_at=made_at)


ALERT_MEASURE = "alerts"
"""The measure of a map or layer of alerts (``dashboard.export.source.MapView``)."""
ALERT_LEVELS = ("prefecture", "county")
"""The levels an alerts map is drawn at (a province's own alerts are in the grid)."""


@dataclass(frozen=True)
class AlertCounts:
    """The alerts of a period per unit of ``level`` (filters applied), aligned with ``codes``:
    ``total`` and per severity (``by_severity[s]``); ``inside`` marks the units of the chosen
    region (every unit when none). A unit counts its own alerts and those of the units below it
    (a prefecture: its own and its counties'); a larger unit's alerts (a province's) are on no
    unit of a finer map."""

    codes: list[str]
    total: np.ndarray
    by_severity: dict[str, np.ndarray]
    inside: np.ndarray

    def highest(self) -> list[str]:
        """Each unit's most severe alert's severity ("" for none)."""
        out = [""] * len(self.codes)
        for severity in reversed(rules.SEVERITIES):  # the most severe written last
            for k in np.flatnonzero(self.by_severity[severity] > 0):
                out[k] = severity
        return out


def alert_counts(
    period: str, level: str, *, region: str = "", department: str = "", severity: str = ""
) -> AlertCounts:
    """How many alerts of ``period`` each unit of ``level`` has, for the reader's scope, with the
    monitoring page's filters (``region``: a region code of the region file; ``department``;
    ``severity``; "" all): the one count behind the page's map and ``yipanqi export map|layer
    --measure alerts`` (needs the store context)."""
    from dashboard import context
    from dashboard.data import geo
    from dashboard.data.overview import unit_codes

    if level not in ALERT_LEVELS:
        raise ValueError(f"an alerts map is by {' or '.join(ALERT_LEVELS)}, not {level!r}")
    table = alerts(period)
    keep = pd.Series(True, index=table.index)
    provinces: set[str] | None = None
    if region:
        provinces = set(geo.regions(context.current().regions_path).region(region).province_codes)
        keep &= table["province_code"].isin(provinces)
    if department:
        keep &= table["department"] == department
    if severity:
        keep &= table["severity"] == severity
    table = table[keep]
    h = geo.hierarchy()
    finer = ["county"] if level == "county" else ["county", "prefecture"]
    lookup: dict[str, str] = {}
    for lv in finer:
        lookup.update(zip(h[f"{lv}_code"], h[f"{level}_code"], strict=True))
    unit = table["unit_code"].map(lookup)
    codes = unit_codes(level)
    by_severity = {
        s: unit[table["severity"] == s].value_counts().reindex(codes, fill_value=0).to_numpy(int)
        for s in rules.SEVERITIES
    }
    total = sum(by_severity.values(), np.zeros(len(codes), dtype=int))
    if provinces is None:
        inside = np.ones(len(codes), dtype=bool)
    else:
        parent = h.drop_duplicates(f"{level}_code").set_index(f"{level}_code")["province_code"]
        inside = parent.reindex(codes).isin(provinces).to_numpy(bool)
    return AlertCounts(codes, np.asarray(total, dtype=int), by_severity, inside)
