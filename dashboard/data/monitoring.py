"""The monitoring page's reads: the alerts of one period (``etl.alerts``) and the departments'
reports (``etl.marts.read_feed_submissions``), through the marts with the reader's scope, cached
per data version."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from dashboard.data.store import cached, current_scope, engine
from etl import alerts as rules
from etl import marts
from etl.alerts_export import AlertExport, alerts_export
from etl.scope import Scope


@cached(maxsize=16)
def alerts(engine: Engine, period: str, *, scope: Scope) -> pd.DataFrame:
    """``etl.alerts.alerts_table`` of the reader's scope (callers must not mutate it)."""
    return rules.alerts_table(engine, period, scope=scope)


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
