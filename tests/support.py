"""Shared test helpers: the boundary-layer cache built once per test session."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from geodata.layers import LayerSet, ensure_layers

DEMO_FRACTION = 2e-4  # of the 2010 census migrants: ~100,000 records over three months
DEMO_PERIODS = ("2012-10", "2012-12")

REPO = Path(__file__).resolve().parents[1]
TEST_OUTPUT = REPO / "test-output"


@lru_cache(maxsize=1)
def layer_cache() -> LayerSet:
    """The layer cache under ``var/test-cache`` (or ``YIPANQI_TEST_CACHE``), built if missing."""
    root = Path(os.environ.get("YIPANQI_TEST_CACHE", REPO / "var" / "test-cache"))
    return ensure_layers(root / "geodata")


@lru_cache(maxsize=1)
def demo_store() -> tuple[str, Path]:
    """(store URL, data dir) of a small store built from generated records (three months, national).

    Built once per test session in its own folder under ``var/test-cache`` (so concurrent sessions
    never share one), removed when the session ends.
    """
    import atexit
    import shutil

    from etl.pipeline import ingest
    from synthetic.generate import GenerateOptions, OutputSpec, load_inputs, write_records

    root = Path(os.environ.get("YIPANQI_TEST_CACHE", REPO / "var" / "test-cache"))
    data_dir = root / f"demo-store-{os.getpid()}"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    records = data_dir / "records.parquet"
    inputs = load_inputs(2010, root / "points")
    options = GenerateOptions(fraction=DEMO_FRACTION, first_period=DEMO_PERIODS[0], last_period=DEMO_PERIODS[1], seed=11)
    write_records(inputs, options, OutputSpec(records))
    url = f"sqlite:///{data_dir / 'store.sqlite'}"
    ingest([records], url, data_dir, demo=True, workers=0)
    from yipanqi.first_start import load_demo_feeds  # the departments' feeds, for the alerts

    load_demo_feeds(url, data_dir, root / "points", periods=DEMO_PERIODS, seed=11)
    return url, data_dir
