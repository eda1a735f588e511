"""The assessment page's reads: the ranked two-way assessment and who owes whom of one period
(``etl.assessment``), through the marts with the reader's scope, cached per data version."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from dashboard.data.store import cached, current_scope, engine
from etl import assessment
from etl.assessment_export import AssessmentExport, assessment_export
from etl.scope import Scope


@cached(maxsize=32)
def ranking(engine: Engine, period: str, level: str, *, scope: Scope) -> pd.DataFrame:
    """``etl.assessment.assessment_table`` of the reader's scope (callers must not mutate it)."""
    return assessment.assessment_table(engine, period, level, scope=scope)


@cached(maxsize=32)
def owed(engine: Engine, period: str, *, scope: Scope) -> pd.DataFrame:
    """``etl.assessment.owed_table`` of the reader's scope (callers must not mutate it)."""
    return assessment.owed_table(engine, period, scope=scope)


def workbook(period: str, level: str, made_at: str) -> AssessmentExport:
    """The export of ``period`` and ``level`` for the reader's scope (what the CLI writes)."""
    return assessment_export(engine(), period, level, scope=current_scope(), made_at=made_at)
