"""Benchmark of the departmental feeds (issue 12: "feeds for every county x 6 departments x 48
months (about 830 k rows) ingest and aggregate in under 15 s here").

Generates the national feeds (``synthetic.feeds``: every covered county x 6 departments x
2009-01 .. 2012-12, minus the submissions the model leaves missing) into a CSV file, then times
``etl.feeds.ingest.ingest_feeds`` into a new store (SQLite file by default, or ``--store URL``):
reading, validation, de-duplication, the DuckDB flags of every submission, and the one
transaction writing the rows, the expected submissions and the lineage. It then times one
national read of every measure (``read_feed_rates`` at region level, all periods) and one
county-level read of a period, as the Monitoring page will make them.

Reported: ``rows``, ``generate_seconds``, ``ingest_seconds`` (wall time of the ingest call) with
its parts (``load``, ``aggregate``, ``store``), the CPU seconds of this process during the ingest
(with SQLite the whole load runs in it: about the wall time on an idle machine; DuckDB's two
threads can make it exceed the wall time), ``read_*_seconds``, and the machine's load average at
the start (the machine is shared: a load above its 2 CPUs slows every wall-time figure).

Usage: ``.venv/bin/python bench/bench_feeds.py [--store URL] [--cache DIR] [--keep DIR]``.
Figures go to stdout and ``bench/results/feeds.json`` (``feeds-postgres.json`` for PostgreSQL).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from etl.feeds.ingest import ingest_feeds
from etl.marts import NATION, read_feed_rates
from geodata.hierarchy import hierarchy_table
from synthetic.feeds import FeedOptions, every_county, write_feeds
from synthetic.generate import load_inputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="store URL (default: a new SQLite file)")
    parser.add_argument("--cache", type=Path, default=Path("var/bench-cache"))
    parser.add_argument("--keep", type=Path, help="keep the feed file and store in this folder")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-feeds-"))
    folder.mkdir(parents=True, exist_ok=True)
    load_average = os.getloadavg()[0]
    inputs = every_county(load_inputs(2010, args.cache), hierarchy_table())
    started = time.perf_counter()
    result = write_feeds(inputs, FeedOptions(seed=args.seed), folder / "feeds.csv")
    generate_seconds = time.perf_counter() - started

    url = args.store or f"sqlite:///{folder / 'store.sqlite'}"
    started, cpu = time.perf_counter(), _cpu_seconds()
    summary = ingest_feeds([str(result.path)], url, folder / "data", today=date(2013, 6, 30))
    ingest_seconds = time.perf_counter() - started
    ingest_cpu = _cpu_seconds() - cpu

    engine = sa.create_engine(url)
    try:
        started = time.perf_counter()
        national = read_feed_rates(engine, level="region", scope=NATION)
        read_national = time.perf_counter() - started
        started = time.perf_counter()
        counties = read_feed_rates(engine, "2012-09", level="county", scope=NATION)
        read_county = time.perf_counter() - started
    finally:
        engine.dispose()

    figures = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_at_start": round(load_average, 2),
        },
        "date": date.today().isoformat(),
        "store": sa.engine.make_url(url).get_backend_name(),
        "rows": result.rows,
        "missing_submissions": result.missing,
        "generate_seconds": round(generate_seconds, 2),
        "n_in": summary.n_in,
        "n_loaded": summary.n_loaded,
        "n_quarantined": summary.n_quarantined,
        "ingest_seconds": round(ingest_seconds, 2),
        "ingest_parts_seconds": {k: round(v, 2) for k, v in summary.seconds.items()},
        "ingest_cpu_seconds_of_this_process": round(ingest_cpu, 2),
        "target_seconds": 15,
        "read_region_all_periods_seconds": round(read_national, 2),
        "read_region_rows": len(national),
        "read_county_one_period_seconds": round(read_county, 2),
        "read_county_rows": len(counties),
    }
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    name = "feeds.json" if figures["store"] == "sqlite" else f"feeds-{figures['store']}.json"
    out = Path(__file__).with_name("results") / name
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _cpu_seconds() -> float:
    """CPU time of this process and its threads (user + system): with SQLite, the whole load runs
    in it, so this is close to the wall time the ingest takes on an otherwise idle machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
