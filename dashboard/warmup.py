"""Warm the read caches in the background when the app starts.

The first request for a flow or coverage measure reads every period of a level, the census measures
read and cross-walk the census tables, and the first what-if scenario fits the flow model (seconds
on a national store), the hot spots page's first analysis builds the layers' contiguity, and the
monitoring page's first view computes the latest period's alerts (which every page's narrative
tells), the area pages read every indicator's published coverage, the flows page opens on the
latest period's linked flows and the audit of their sums, and a pilot's area page evaluates it;
doing them once at start-up, off the request path, keeps every interaction
fast. The warm-up reads as the nation, explicitly (``reading_as(NATION)``): it fills the caches
keyed by that scope only, which signed-in readers of the nation share; no reader of a narrower
scope ever gets them.
"""

from __future__ import annotations

import logging
import threading
from contextlib import suppress

import dash
from sqlalchemy.exc import DBAPIError

from dashboard.context import current as app_context
from dashboard.data import hotspots, monitoring, overview, scenarios
from dashboard.data.evaluation import pilot_evaluation
from dashboard.data.flows import flow_view, parse_query
from dashboard.data.store import periods, published_coverage, reading_as
from dashboard.i18n import LANGS, _, language
from etl.errors import EtlError
from etl.indicators import INDICATORS
from etl.scope import NATION
from etl.store.integrity import store_error
from geodata.areas import regions
from planning.evaluation import EvaluationError

log = logging.getLogger(__name__)


def warm_scenarios_page() -> None:
    """What the scenarios page computes for its first paint: the checks' baseline (a scenario
    without a period reads ``baseline(None)``, cached apart from the latest period's) and the
    example scenario's result (named in each language), so the page opens without a cold read."""
    scenarios.baseline(None)
    for lang in LANGS:
        with language(lang):
            checked, _found = scenarios.check(scenarios.example(_("example")))
        if checked is not None:
            scenarios.result(scenarios.canonical_json(checked))


def warm_evaluation(code: str) -> None:
    """A pilot's evaluation on the area page's default indicator (none when it cannot be made)."""
    with suppress(EvaluationError):  # the page says why, in one line, when it is opened
        pilot_evaluation(code)


def warm_caches(app: dash.Dash) -> threading.Thread:
    """Start a daemon thread that fills the overview's caches; returns it (tests may join it)."""

    def run() -> None:
        with app.server.app_context(), reading_as(NATION):
            try:
                if not periods():
                    return
                for indicator in INDICATORS:  # the area pages' cards and bullets, every map
                    published_coverage(indicator.flag)
                flow_view(parse_query({}))  # the flows page's default view: linked, audited
                for level in overview.LEVELS:
                    overview.flow_totals(level)
                    for measure in overview.CENSUS_MEASURES:
                        overview.measure_values(measure, level, periods()[-1])
                scenarios.model(periods()[-1])  # the what-if flow model: seconds to fit
                warm_scenarios_page()
                monitoring.alerts(periods()[-1])  # the latest month's early warning
                monitoring.submissions(periods()[-1])
                for level in hotspots.LEVELS:  # queen contiguity of the layers: 0.4-2 s each
                    hotspots.layer_contiguity(level)
                for pilot in regions(app_context().regions_path).pilots:  # 1-3 s each
                    warm_evaluation(pilot.code)
            except (EtlError, DBAPIError) as exc:  # the store is away or failing: one line
                error = exc if isinstance(exc, EtlError) else store_error(exc, "the store")
                log.warning("cache warm-up skipped (%s); reads fill the caches on demand", error)
            except Exception:  # noqa: BLE001 - a failed warm-up only costs speed, never correctness
                log.exception("cache warm-up failed; reads will fill the caches on demand")

    thread = threading.Thread(target=run, name="yipanqi-warmup", daemon=True)
    thread.start()
    return thread
