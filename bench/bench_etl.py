"""ETL benchmark: CSV ingest rows/s, aggregation vs two bare DuckDB queries, peak memory.

    .venv/bin/python bench/bench_etl.py --rows 2000000            # synthesise records
    .venv/bin/python bench/bench_etl.py --input records.csv        # e.g. from `yipanqi generate`
    .venv/bin/python bench/bench_etl.py --input records.csv --repeat 3   # medians of three runs

Steps, each in a fresh process so its peak memory (max RSS, workers included) is its own:

1. *ingest*: the full load of a CSV file (sha256, encoding check, parse, validate every rule,
   HMAC the IDs, de-duplicate, write the staged Parquet), without aggregation;
2. *aggregate*: every mart of ``etl.aggregate`` (flows for three cohorts with flags, rollups to
   prefecture / province / region, nine indicators on both sides, assessment) over the staged
   Parquet, twelve periods at a time as an ingest computes them;
3. *bare*: on the same files, a bare DuckDB ``GROUP BY hukou_code, residence_code`` (count) and a
   bare 9-flag coverage ``GROUP BY residence_code`` (sums): the yardstick of the issue (aggregation
   within 1.5x of their sum); also the OD query grouped by period as well, which is the grain of
   the flow tables (per period) and so the fairer yardstick;
4. *store*: writing the marts into a SQLite store in one transaction.

Results go to ``bench/results/etl.json`` (and are printed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from etl.dates import month_range  # noqa: E402
from etl.records import FIRST_PERIOD, LAST_PERIOD  # noqa: E402

PERIODS = month_range(FIRST_PERIOD, LAST_PERIOD)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (user + system)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def step_prepare(rows: int, out: Path) -> dict:
    import pyarrow.csv as pacsv

    from bench.synth import synth_records
    from geodata.hierarchy import hierarchy_table

    h = hierarchy_table()
    codes = h.loc[h["in_coverage"], "county_code"].astype(int).to_numpy()
    t0 = time.perf_counter()
    chunk = 1_000_000
    with pacsv.CSVWriter(out, synth_records(1, codes, PERIODS).schema) as writer:
        done = 0
        while done < rows:
            n = min(chunk, rows - done)
            # periods advance through the file like a monthly extract
            first = len(PERIODS) * done // rows
            last = max(first + 1, len(PERIODS) * (done + n) // rows)
            writer.write_table(synth_records(n, codes, PERIODS[first:last], seed=done))
            done += n
    return {"seconds": time.perf_counter() - t0, "bytes": out.stat().st_size}


def step_ingest(path: Path, work: Path) -> dict:
    from etl.pipeline import ingest

    t0, c0 = time.perf_counter(), _cpu()
    summary = ingest([path], f"sqlite:///{work / 'store.sqlite'}", work / "data", None, demo=True, aggregate=False)
    seconds = time.perf_counter() - t0
    cpu = _cpu() - c0
    return {
        "seconds": seconds,
        "load_seconds": summary.seconds.get("load"),
        "rows_in": summary.n_in,
        "rows_loaded": summary.n_loaded,
        "rows_quarantined": summary.n_quarantined,
        "rows_per_second": summary.n_in / seconds,
        "cpu_seconds": cpu,
        "cpu_seconds_per_million_rows": cpu / summary.n_in * 1e6,
        "peak_rss_mb": _peak_mb(),
    }


def _staged(work: Path) -> list[Path]:
    return sorted((work / "data" / "staged").glob("*/period=*/run-*.parquet"))


def step_aggregate(work: Path) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from etl.aggregate import aggregate_chunks
    from etl.pipeline import _geography

    hierarchy, regions = _geography(None)
    files = _staged(work)
    t0, c0 = time.perf_counter(), _cpu()
    chunks = list(aggregate_chunks(files, hierarchy, regions.membership(), run_id=0))  # as ingest does
    seconds = time.perf_counter() - t0
    cpu = _cpu() - c0
    peak = _peak_mb()
    tables = {
        name: pa.concat_tables([c.tables[name] for c in chunks], promote_options="permissive")
        for name in chunks[0].tables
    }
    sizes = {name: table.num_rows for name, table in tables.items()}
    for name, table in tables.items():
        pq.write_table(table, work / f"mart-{name}.parquet")
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": sizes, "peak_rss_mb": peak, "files": len(files)}


def step_bare(work: Path) -> dict:
    import duckdb

    from etl.records import FLAG_FIELDS

    files = "[" + ", ".join(f"'{f}'" for f in _staged(work)) + "]"
    con = duckdb.connect()

    def timed(query: str) -> tuple[float, float]:
        t0, c0 = time.perf_counter(), _cpu()
        con.sql(query).to_arrow_table()
        return time.perf_counter() - t0, _cpu() - c0

    sums = ", ".join(f"sum({f}::INT)" for f in FLAG_FIELDS)
    od, od_cpu = timed(f"SELECT hukou_code, residence_code, count(*) FROM read_parquet({files}) GROUP BY ALL")
    cov, cov_cpu = timed(f"SELECT residence_code, count(*), {sums} FROM read_parquet({files}) GROUP BY ALL")
    od_period, od_period_cpu = timed(
        f"SELECT period, hukou_code, residence_code, count(*) FROM read_parquet({files}) GROUP BY ALL"
    )
    return {
        "od_seconds": od,
        "coverage_seconds": cov,
        "sum_seconds": od + cov,
        "od_by_period_seconds": od_period,
        "sum_by_period_seconds": od_period + cov,
        "cpu_seconds": {"od": od_cpu, "coverage": cov_cpu, "od_by_period": od_period_cpu},
        "peak_rss_mb": _peak_mb(),
    }


def step_store(work: Path) -> dict:
    import pyarrow.parquet as pq

    from etl import store

    tables = {p.stem.removeprefix("mart-"): pq.read_table(p) for p in work.glob("mart-*.parquet")}
    periods = tables["period_totals"].column("period").to_pylist()
    engine = store.open_store(f"sqlite:///{work / 'marts.sqlite'}", create=True)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        store.replace_periods(conn, tables, periods)
    return {"seconds": time.perf_counter() - t0, "peak_rss_mb": _peak_mb()}


STEPS = {"prepare": step_prepare, "ingest": step_ingest, "aggregate": step_aggregate, "bare": step_bare, "store": step_store}


def _run(step: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "_step", step, *args], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"step {step} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure(path: Path, work: Path) -> dict:
    """One ingest, aggregation and yardstick measurement in ``work``."""
    r = _run("ingest", str(path), str(work))
    print(
        f"ingest: {r['rows_in']:,} rows in {r['seconds']:.1f} s = {r['rows_per_second'] / 1e6:.2f} M rows/s "
        f"({r['rows_loaded']:,} loaded, {r['rows_quarantined']:,} quarantined), peak {r['peak_rss_mb']:,.0f} MB, "
        f"{r['cpu_seconds_per_million_rows']:.2f} CPU s per million rows"
    )
    a = _run("aggregate", str(work))
    b = _run("bare", str(work))
    bare_cpu = b["cpu_seconds"]
    out = {
        "ingest": r,
        "aggregate": a,
        "bare": b,
        "ingest_rows_per_second": r["rows_per_second"],
        "ingest_cpu_seconds_per_million_rows": r["cpu_seconds_per_million_rows"],
        "aggregate_seconds": a["seconds"],
        "aggregate_cpu_seconds": a["cpu_seconds"],
        "bare_sum_seconds": b["sum_seconds"],
        "bare_sum_by_period_seconds": b["sum_by_period_seconds"],
        "ratio": a["seconds"] / b["sum_seconds"],
        "ratio_by_period": a["seconds"] / b["sum_by_period_seconds"],
        "ratio_cpu": a["cpu_seconds"] / (bare_cpu["od"] + bare_cpu["coverage"]),
        "ratio_by_period_cpu": a["cpu_seconds"] / (bare_cpu["od_by_period"] + bare_cpu["coverage"]),
    }
    print(
        f"aggregate: {a['seconds']:.2f} s, peak {a['peak_rss_mb']:,.0f} MB; bare DuckDB OD {b['od_seconds']:.2f} s + "
        f"coverage {b['coverage_seconds']:.2f} s = {b['sum_seconds']:.2f} s; ratio {out['ratio']:.2f} (target <= 1.5)\n"
        f"  with the OD query grouped by period too (as the flows are): {b['od_by_period_seconds']:.2f} s + "
        f"{b['coverage_seconds']:.2f} s; ratio {out['ratio_by_period']:.2f}\n"
        f"  in CPU seconds: aggregate {a['cpu_seconds']:.2f}; ratio {out['ratio_cpu']:.2f}, "
        f"by period {out['ratio_by_period_cpu']:.2f}\n"
        f"  mart rows: {a['rows']}"
    )
    return out


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "_step":
        step, args = sys.argv[2], sys.argv[3:]
        if step == "prepare":
            result = step_prepare(int(args[0]), Path(args[1]))
        elif step == "ingest":
            result = step_ingest(Path(args[0]), Path(args[1]))
        else:
            result = STEPS[step](Path(args[0]))
        print(json.dumps(result))
        return

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2_000_000, help="records to synthesise (without --input)")
    parser.add_argument("--input", type=Path, help="a record CSV file to ingest instead of synthetic records")
    parser.add_argument("--work", type=Path, help="working directory (default: a temporary one)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "etl.json")
    parser.add_argument("--repeat", type=int, default=1, help="measure ingest and aggregation N times (median)")
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="yipanqi-bench-etl-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
        },
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "load_average_before": os.getloadavg(),
    }
    if args.input:
        path = args.input
    else:
        path = work / "records.csv"
        results["prepare"] = _run("prepare", str(args.rows), str(path))
        print(f"synthesised {args.rows:,} records ({path.stat().st_size / 1e6:,.0f} MB) in {results['prepare']['seconds']:.1f} s")
    results["input"] = {"path": str(path), "bytes": path.stat().st_size}

    runs = []
    for i in range(max(1, args.repeat)):
        run_dir = work / f"run{i}"
        shutil.rmtree(run_dir, ignore_errors=True)
        run_dir.mkdir(parents=True)
        runs.append(_measure(path, run_dir))
    results["runs"] = runs
    results["median"] = median = {
        key: statistics.median(r[key] for r in runs)
        for key in (
            "ingest_rows_per_second",
            "ingest_cpu_seconds_per_million_rows",
            "aggregate_seconds",
            "aggregate_cpu_seconds",
            "bare_sum_seconds",
            "bare_sum_by_period_seconds",
            "ratio",
            "ratio_by_period",
            "ratio_cpu",
            "ratio_by_period_cpu",
        )
    }
    if len(runs) > 1:
        print(
            f"median of {len(runs)}: ingest {median['ingest_rows_per_second'] / 1e6:.2f} M rows/s "
            f"({median['ingest_cpu_seconds_per_million_rows']:.2f} CPU s per million rows); aggregate "
            f"{median['aggregate_seconds']:.2f} s, ratio {median['ratio']:.2f}, by period "
            f"{median['ratio_by_period']:.2f} (CPU {median['ratio_cpu']:.2f} / {median['ratio_by_period_cpu']:.2f})"
        )
    results["store"] = st = _run("store", str(work / f"run{len(runs) - 1}"))
    print(f"store (SQLite, one transaction): {st['seconds']:.2f} s, peak {st['peak_rss_mb']:,.0f} MB")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results written to {args.out}")


if __name__ == "__main__":
    main()
