"""The store: aggregates, quarantine and lineage in a SQL database through SQLAlchemy.

One module per seam, all importable from here (``from etl import store``):

- ``etl.store.schema``: the tables, ``SCHEMA_VERSION`` and ``open_store`` (readers: open and check,
  never change anything);
- ``etl.store.migrate``: ``upgrade_store`` (``yipanqi store upgrade``, and every ingest or
  aggregate through ``open_for_writing``);
- ``etl.store.lineage``: runs, their inputs and the quarantine (lineage);
- ``etl.store.writes``: bulk inserts and the per-period replacement of the marts;
- ``etl.store.saved``: saved scenarios and storyboards (their tables and queries);
- ``etl.store.row_security``: PostgreSQL's row-level security on the area tables, the scope a
  read sets for its transaction, and the grants of the web service's database role.

The marts are read only through ``etl.marts`` (the read contract: long shapes, the reader's
scope, the small-cell threshold).

Atomicity: a load replaces the aggregates of the periods it touched, writes its quarantine rows and
marks its run as succeeded in **one transaction**. A load that fails or is killed leaves the
previous data intact and readable; its run stays ``running`` (killed) or becomes ``failed``, and the
next start on the same machine marks a dead ``running`` run ``failed`` (``fail_dead_runs``).

Integrity (``etl.store.integrity``): a reader never creates a store; an empty, foreign, truncated
or damaged store, an unreachable server and a full disk each become one ``EtlError`` line saying
what to do; ``etl.store.backup`` makes and restores consistent copies.
"""

from __future__ import annotations

from etl.errors import StoreError
from etl.store import saved
from etl.store.lineage import (
    RunRecord,
    fail_dead_runs,
    fail_run,
    finish_run,
    ingested_digests,
    latest_run,
    list_runs,
    read_quarantine,
    read_run_inputs,
    start_run,
    succeeded_run_ids,
    utc_now,
)
from etl.store.migrate import open_for_writing, upgrade, upgrade_store
from etl.store.schema import (
    FEED_TABLES,
    MART_TABLES,
    OTHER_REGION,
    SCHEMA_VERSION,
    assessment,
    connection,
    coverage,
    feed_expected,
    feed_reports,
    flows,
    flows_rollup,
    meta,
    metadata,
    open_store,
    period_totals,
    quarantine,
    record_events,
    region_members,
    regions,
    run_inputs,
    runs,
    set_meta,
    store_meta,
    unit_flows,
    units,
)
from etl.store.writes import (
    bulk_insert,
    delete_periods,
    insert_marts,
    replace_periods,
    replace_reference,
)

__all__ = [
    "FEED_TABLES", "MART_TABLES", "OTHER_REGION", "SCHEMA_VERSION", "RunRecord", "StoreError", "assessment",
    "bulk_insert", "connection", "coverage", "feed_reports", "feed_expected", "delete_periods", "fail_dead_runs", "fail_run",
    "finish_run", "flows",
    "flows_rollup", "ingested_digests", "insert_marts", "latest_run", "list_runs",
    "meta", "metadata", "open_for_writing", "open_store", "period_totals",
    "quarantine", "read_quarantine", "record_events", "read_run_inputs", "region_members", "regions",
    "replace_periods", "replace_reference", "run_inputs", "runs", "saved", "set_meta", "start_run",
    "store_meta", "succeeded_run_ids", "unit_flows", "units",
    "upgrade", "upgrade_store", "utc_now",
]  # fmt: skip
