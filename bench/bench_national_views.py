"""Server-side time of the views that read the most rows, over a large store (e.g. 56 M records).

Each figure is the first (uncached) computation in a fresh process, after the app's start-up work:
- ``overview_flow_totals_<level>``: every unit's inflow and outflow in every period (the overview's
  flow measures; read from the unit-flows mart);
- ``area_<code>``: the whole /area/<code> page layout (map, bullets, trends, partners, cards);
- ``flows_county_<period>``: the flows page's data at county level (a period's county pairs, the
  top 2,000, totals).

Usage: ``.venv/bin/python bench/bench_national_views.py --store URL`` (a store the first start or
``yipanqi ingest`` built; open it once first if it predates the unit-flows mart, which fills it).
Results go to stdout and ``bench/results/national_views.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_geodata import machine  # noqa: E402
from dashboard.data import flows, overview  # noqa: E402
from dashboard.data.store import reading_as  # noqa: E402
from dashboard.factory import create_app  # noqa: E402
from etl import marts, store  # noqa: E402
from tests.support import layer_cache  # noqa: E402

AREAS = ("310115", "320200", "330400", "440300")  # Pudong, Wuxi, Jiaxing, Shenzhen


def timed(work, *args, **kwargs) -> float:  # noqa: ANN001, ANN002, ANN003
    started = time.perf_counter()
    work(*args, **kwargs)
    return round(time.perf_counter() - started, 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", required=True, help="SQLAlchemy URL of a populated store")
    args = parser.parse_args()
    engine = store.open_store(args.store)
    periods = marts.periods(engine, scope=marts.NATION)
    with engine.connect() as conn:
        county_flow_rows = conn.execute(
            sa.select(sa.func.count()).select_from(store.flows)
        ).scalar()
    app = create_app(layer_cache(), args.store)
    from dashboard.pages.area import layout as area

    seconds: dict[str, float] = {}
    with app.server.test_request_context("/"), reading_as(marts.NATION):  # a national reader
        for level in overview.LEVELS:
            seconds[f"overview_flow_totals_{level}"] = timed(overview.flow_totals, level)
        for code in AREAS:
            seconds[f"area_{code}"] = timed(area.layout, adcode=code)
        for period in periods[-2:]:
            query = flows.parse_query({"level": "county", "period": period, "top": "2000"})
            seconds[f"flows_county_{period}"] = timed(flows.flow_view, query)
    results = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
        "store": args.store.split("/")[-1],
        "periods": len(periods),
        "county_flow_rows": county_flow_rows,
        "seconds": seconds,
    }
    path = Path(__file__).parent / "results" / "national_views.json"
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
