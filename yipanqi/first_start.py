"""First start on a fresh machine: a demo store from synthetic records, so the dashboard has data.

Runs only when the store holds no aggregates. Records are generated from the 2010 census (see
``synthetic.generate``) at ``DEMO_FRACTION`` of the census migrants, every month
2009-01..2012-12, then ingested in demo mode (the published demo hash key) and aggregated. Real
users ingest their own extracts with ``yipanqi ingest`` instead; the demo never runs against a
store that has data.
"""

from __future__ import annotations

from pathlib import Path

from etl import marts, store
from etl.errors import EtlError
from etl.pipeline import ingest
from etl.store_guard import REAL, record_kind
from synthetic.generate import GenerateOptions, OutputSpec, load_inputs, write_records
from yipanqi.progress import step_progress
from yipanqi.settings import Settings

DEMO_YEAR = 2010
DEMO_FRACTION = 5e-4  # of the census migrants: ~4 M person-month records, ~85,000 persons a month
DEMO_SEED = 2009


def demo_records_path(data_dir: Path) -> Path:
    return data_dir / "demo" / f"records-{DEMO_YEAR}-f{DEMO_FRACTION:g}-s{DEMO_SEED}.parquet"


def needs_demo(store_url: str) -> bool:
    """True when the store has no aggregated period yet (a brand-new store is created first).

    A store the dashboard cannot read (of an older layout: run ``yipanqi store upgrade``) stops
    the start with its one-line message.
    """
    try:
        engine = store.open_store(store_url, create=True)
    except EtlError as exc:
        raise SystemExit(f"error: {exc}") from None
    try:
        return not marts.periods(engine, scope=marts.NATION) and record_kind(engine) != REAL
    finally:
        engine.dispose()


def build_demo_store(settings: Settings) -> None:
    """Generate the demo records (once) and ingest them into the settings' store, with progress bars."""
    path = demo_records_path(settings.data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with step_progress() as report:
        if not path.is_file():
            inputs = load_inputs(
                DEMO_YEAR,
                settings.data_dir / "cache",
                settings.regions_path,
                progress=lambda n: report("demo: county points", n, None),
            )
            options = GenerateOptions(fraction=DEMO_FRACTION, seed=DEMO_SEED)
            write_records(
                inputs,
                options,
                OutputSpec(path),
                progress=lambda done, total: report("demo: generate records", done, total),
            )
        ingest(
            [path],
            settings.store_url,
            settings.data_dir,
            settings.hash_key,
            demo=True,
            regions_path=settings.regions_path,
            progress=lambda event: report(f"demo: {event.task}", event.done, event.total),
        )
