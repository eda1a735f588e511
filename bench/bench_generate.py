"""Benchmark of the record generator (issue 3: "generation of 56 M rows: report time and memory").

Generates about N rows nationally (the fraction is worked out from the census so that the expected
number of rows is N, over all 48 months) into a temporary file, and reports:

- ``inputs_seconds``: census, hierarchy, regions and county points (points cached after the first
  run in ``--cache``);
- ``generate_seconds`` and ``rows_per_second``: simulation and writing;
- ``peak_rss_mb``: the process's peak resident memory (``ru_maxrss``), and ``inputs_rss_mb``, the
  peak before generation started, so the generator's own share is the difference;
- ``file_mb``: the size of the output.

Usage: ``.venv/bin/python bench/bench_generate.py [ROWS] [--format parquet|csv] [--messy] [--out F]``
(default 5,000,000 rows, Parquet). Figures go to stdout and ``bench/results/generate.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

from synthetic.generate import (
    GenerateOptions,
    OutputSpec,
    fraction_for_rows,
    load_inputs,
    write_records,
)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=float, nargs="?", default=5e6)
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--scope", choices=("all", "intra", "inter"), default="all")
    parser.add_argument("--year", type=int, default=2010)
    parser.add_argument("--messy", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=Path("var/bench-cache"))
    parser.add_argument("--out", type=Path, help="keep the records in this file (default: a temporary one)")
    args = parser.parse_args()

    started = time.perf_counter()
    inputs = load_inputs(args.year, args.cache)
    inputs_seconds = time.perf_counter() - started
    inputs_rss = peak_rss_mb()

    base = GenerateOptions(scope=args.scope, seed=args.seed, messy=args.messy)
    fraction = fraction_for_rows(inputs, args.rows, base)
    fraction_56m = fraction_for_rows(inputs, 56e6, base)
    options = GenerateOptions(scope=args.scope, seed=args.seed, messy=args.messy, fraction=fraction)
    with tempfile.TemporaryDirectory() as tmp:
        out = OutputSpec(args.out or Path(tmp) / f"records.{args.format}")
        result = write_records(inputs, options, out)
        file_mb = out.path.stat().st_size / 1e6
    peak = peak_rss_mb()
    results = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "date": time.strftime("%Y-%m-%d"),
        "year": args.year,
        "scope": args.scope,
        "format": args.format,
        "messy": args.messy,
        "fraction": fraction,
        "fraction_for_56m_rows": fraction_56m,
        "rows": result.rows,
        "persons": result.persons,
        "inputs_seconds": round(inputs_seconds, 2),
        "generate_seconds": round(result.seconds, 2),
        "rows_per_second": round(result.rows / result.seconds),
        "inputs_rss_mb": round(inputs_rss),
        "peak_rss_mb": round(peak),
        "file_mb": round(file_mb, 1),
        "extrapolated_56m_seconds": round(result.seconds * 56e6 / result.rows),
    }
    path = Path(__file__).parent / "results" / "generate.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
