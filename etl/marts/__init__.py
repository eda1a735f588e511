"""The read contract of the marts: every read of the store's aggregates goes through here.

The dashboard, planning, the storyboards, every export and the command line read flows, coverage,
assessment and totals only through these functions (no SQL of theirs touches a mart). Each mart
has one long shape, the same at every level:

- flows (``read_flows``): ``period, level, origin_code, destination_code, cohort, persons,
  is_within, small_cell``; county rows add ``is_inter_province``. ``origin_code`` is the unit of
  household registration (户籍地, hukou), ``destination_code`` that of residence (现居住地);
  ``is_within``: both are the same unit (at county level the diagonal of intra-county movers),
  never part of between-unit totals. ``read_pairs`` is the lean form of one period (``origin_code,
  destination_code, persons, is_within, small_cell``, unordered) for the flows page;
- coverage (``read_coverage``): ``period, level, unit_code, side, indicator, numerator,
  denominator, small_cell``; ``coverage_sums`` adds up a set of counties; what a page or an
  export may show of it (``read_published_coverage``): the counties with every sum above them
  (prefecture, province, region, nation) and ``suppressed``, the one rule of what is withheld;
- unit flows (``read_unit_flows``): ``period, level, unit_code, inflow, outflow, within``;
- assessment (``read_assessment``): ``period, county_code, role, n_indicators, n_at_target,
  score, small_cell``;
- period totals (``read_period_totals``): ``period, persons, between, inter_province``;
- departmental feeds (``read_feed_rates``, ``read_feed_submissions``, ``read_feed_counts``) and the records' own
  events (``read_record_events``): see ``etl.marts.feeds``.

Counts are int64 persons. ``small_cell`` flags a count (a flow's persons, a coverage row's
denominator) under the store's small-cell threshold (``small_cell_threshold``: the only read of it
from the store). Ratios, targets and gaps are never stored or read: ``etl.indicators`` computes
them from numerator and denominator.

**Scope.** Every read takes a required keyword ``scope`` (``etl.scope.Scope``: nation, a region,
a province or a prefecture; the command line and tests pass ``NATION``) and returns rows of that
scope only. The scope is resolved to its counties through the store's own ``units`` and
``region_members`` tables, never through the digits of a code. A unit *lies inside* the scope when
its level is not above the scope's and it belongs to it (``etl.marts.scoping``): for a region,
its member provinces, their prefectures and counties, and the region itself. Then:

- coverage, assessment and unit flows: only units inside the scope (a prefecture, province or
  region row only when that unit lies inside it);
- flows at county and prefecture level: only rows with *both* ends inside the scope;
- flows at province and region level: rows with *at least one* end inside it (provinces and
  regions are the public level at which a province sees where its migrants come from);
- period totals: the persons living in the scope (see ``read_period_totals``);
- the nation: no filter at all. Periods and the threshold are the same for every scope;
- saved scenarios and storyboards (``visible_saved``): those saved by a principal whose scope
  lies within the reader's (``etl.marts.saved``).

Every read reaches the store through ``etl.store.row_security.scoped``, which on PostgreSQL sets
the scope for the read's own transaction (``SET LOCAL``): the database's row-level security then
applies the same rules a second time, so rows outside the scope stay hidden even from a query that
misses its filter.
"""

from __future__ import annotations

from etl.marts.common import (
    periods,
    read_region_members,
    read_regions,
    read_units,
    small_cell_threshold,
)
from etl.marts.coverage import (
    ASSESSMENT_COLUMNS,
    COVERAGE_COLUMNS,
    COVERAGE_LEVELS,
    SUM_COLUMNS,
    coverage_sums,
    read_assessment,
    read_coverage,
    stream_coverage,
)
from etl.marts.feeds import (
    FEED_LEVELS,
    FEED_RATE_COLUMNS,
    SUBMISSION_COLUMNS,
    departments_summed,
    read_feed_counts,
    read_feed_rates,
    read_feed_submissions,
    read_record_events,
    suppressed_rates,
)
from etl.marts.flows import (
    FLOW_COLUMNS,
    FLOW_LEVELS,
    PAIR_COLUMNS,
    read_flows,
    read_pairs,
    stream_flows,
)
from etl.marts.published import (
    PUBLISHED_COLUMNS,
    PUBLISHED_LEVELS,
    published_coverage,
    read_published_coverage,
)
from etl.marts.saved import saved_scope, visible_saved, within
from etl.marts.totals import (
    PERIOD_COLUMNS,
    UNIT_FLOW_COLUMNS,
    UNIT_FLOW_LEVELS,
    read_period_totals,
    read_unit_flows,
)
from etl.scope import NATION, Scope
from etl.store.schema import OTHER_REGION

__all__ = [
    "ASSESSMENT_COLUMNS", "COVERAGE_COLUMNS", "COVERAGE_LEVELS", "FEED_LEVELS",
    "FEED_RATE_COLUMNS", "FLOW_COLUMNS", "FLOW_LEVELS", "NATION", "OTHER_REGION", "PAIR_COLUMNS",
    "PERIOD_COLUMNS", "PUBLISHED_COLUMNS", "PUBLISHED_LEVELS", "SUBMISSION_COLUMNS", "SUM_COLUMNS",
    "Scope", "UNIT_FLOW_COLUMNS", "UNIT_FLOW_LEVELS", "coverage_sums", "departments_summed",
    "periods", "published_coverage", "read_assessment", "read_coverage", "read_feed_counts", "read_feed_rates",
    "read_feed_submissions", "read_flows", "read_pairs", "read_period_totals",
    "read_published_coverage", "read_record_events", "read_region_members", "read_regions",
    "suppressed_rates",
    "read_unit_flows", "read_units", "small_cell_threshold", "stream_coverage", "stream_flows",
    "saved_scope", "visible_saved", "within",
]  # fmt: skip
