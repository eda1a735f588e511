"""The Spark engine beside the default one: DuckDB, Spark local mode and a Spark standalone cluster.

    .venv/bin/python bench/bench_spark.py --rows 1000000          # synthesise records
    .venv/bin/python bench/bench_spark.py --input records.csv      # e.g. from `yipanqi generate`

Needs the ``spark`` extra (PySpark) and Java 17. The script starts a standalone cluster on this
machine: a master and ``--workers`` workers (one core and ``--worker-memory`` each) bound to
127.0.0.1, from the ``bin/spark-class`` that the PySpark package ships; it stops them (by the
process ids it started) whatever happens.

Each configuration ingests the same CSV file end to end (file -> validated, staged -> marts ->
SQLite store), as ``yipanqi ingest --demo --engine ... [--master ...]`` in a fresh process:

- ``duckdb``: the default engine;
- ``spark-local``: ``--engine spark`` on ``local[2]``;
- ``spark-cluster``: ``--engine spark --master spark://127.0.0.1:<port>``.

Measured per configuration: wall seconds, CPU seconds and peak RSS of every process involved
(the command's process tree, and for the cluster the master, the workers and their executors,
sampled twice a second), and for Spark the shuffle bytes written (summed over the tasks of the
run's event log). Then the marts of the three stores are compared cell by cell: the parity at
this size. Results go to ``bench/results/spark-<rows>.json`` and are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_etl import step_prepare  # noqa: E402

MART_TABLES = ("flows", "flows_rollup", "unit_flows", "coverage", "assessment", "period_totals")


class TreeSampler:
    """CPU seconds and peak RSS of processes (and their descendants), sampled in a thread."""

    def __init__(self, roots: list[int]) -> None:
        import psutil

        self._psutil = psutil
        self.roots = list(roots)
        self.cpu: dict[tuple[int, float], float] = {}
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self.base = self._sample()[0]
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def add(self, pid: int) -> None:
        self.roots.append(pid)

    def cpu_seconds(self) -> float:
        return sum(self.cpu.values()) - self.base

    def _sample(self) -> tuple[float, int]:
        psutil = self._psutil
        rss = 0
        for root in list(self.roots):
            try:
                procs = [psutil.Process(root)]
                procs += procs[0].children(recursive=True)
            except psutil.NoSuchProcess:
                continue
            for p in procs:
                try:
                    t = p.cpu_times()
                    self.cpu[(p.pid, p.create_time())] = t.user + t.system
                    rss += p.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
        self.peak_rss = max(self.peak_rss, rss)
        return sum(self.cpu.values()), rss

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()


class StandaloneCluster:
    """A Spark master and workers on 127.0.0.1, started from PySpark's ``bin/spark-class``."""

    def __init__(self, workers: int, worker_memory: str, work: Path) -> None:
        import pyspark

        self.home = Path(pyspark.__file__).parent
        self.workers = workers
        self.worker_memory = worker_memory
        self.work = work
        self.port = _free_port()
        self.procs: list[subprocess.Popen] = []

    @property
    def url(self) -> str:
        return f"spark://127.0.0.1:{self.port}"

    def __enter__(self) -> StandaloneCluster:
        env = dict(os.environ, SPARK_HOME=str(self.home), SPARK_LOCAL_IP="127.0.0.1",
                   PYTHONPATH=str(REPO))  # fmt: skip
        spark_class = str(self.home / "bin" / "spark-class")
        logs = self.work / "cluster-logs"
        logs.mkdir(parents=True, exist_ok=True)
        try:
            self._start([spark_class, "org.apache.spark.deploy.master.Master", "--host",
                         "127.0.0.1", "--port", str(self.port), "--webui-port", str(_free_port())],
                        env, logs / "master.log")  # fmt: skip
            self._wait_for(logs / "master.log", "I have been elected leader", 120)
            for i in range(self.workers):
                worker_env = dict(env, SPARK_WORKER_DIR=str(self.work / f"worker-{i}"))
                self._start([spark_class, "org.apache.spark.deploy.worker.Worker", self.url,
                             "--cores", "1", "--memory", self.worker_memory,
                             "--webui-port", str(_free_port())],
                            worker_env, logs / f"worker-{i}.log")  # fmt: skip
                self._wait_for(logs / f"worker-{i}.log", "Successfully registered with master", 120)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)  # the launcher and the JVM it started
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def _start(self, args: list[str], env: dict[str, str], log: Path) -> None:
        with log.open("w") as out:
            self.procs.append(
                subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT,
                                 start_new_session=True)  # fmt: skip
            )

    def _wait_for(self, log: Path, text: str, timeout: float) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text in log.read_text(errors="replace"):
                return
            if any(p.poll() is not None for p in self.procs):
                raise RuntimeError(f"a cluster process ended early: see {log}")
            time.sleep(0.5)
        raise RuntimeError(f"no '{text}' in {log} after {timeout:.0f} s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_ingest(
    name: str, csv: Path, work: Path, engine: str, master: str | None, sampler_roots: list[int]
) -> dict:
    """One end-to-end ingest in a fresh process, measured."""
    store = work / f"{name}.sqlite"
    events = work / f"{name}-events"
    events.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-m", "yipanqi", "ingest", str(csv), "--demo", "--store",
            f"sqlite:///{store}", "--data-dir", str(work / f"{name}-data"), "--engine", engine]  # fmt: skip
    if master:
        args += ["--master", master]
    env = dict(os.environ, PYTHONPATH=str(REPO), YIPANQI_LAST_PERIOD="2012-12")
    env.pop("YIPANQI_HASH_KEY", None)
    if engine == "spark":
        env["PYSPARK_SUBMIT_ARGS"] = (
            f"--conf spark.eventLog.enabled=true --conf spark.eventLog.dir=file://{events} "
            "--conf spark.eventLog.compress=false --conf spark.eventLog.rolling.enabled=false "
            "--conf spark.executor.memory=1g pyspark-shell"
        )
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with TreeSampler([proc.pid, *sampler_roots]) as sampler:
        output, _ = proc.communicate()
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{name}: ingest failed:\n{output[-3000:]}")
    return {
        "seconds": seconds,
        "cpu_seconds": sampler.cpu_seconds(),
        "peak_rss_mb": sampler.peak_rss / 2**20,
        "shuffle_bytes_written": _shuffle_bytes(events) if engine == "spark" else None,
        "store": str(store),
        "summary": [line for line in output.splitlines() if " = loaded " in line][-1:],
    }


def _shuffle_bytes(events: Path) -> int:
    total = 0
    for log in (p for p in events.rglob("*") if p.is_file() and not p.name.startswith(".")):
        with log.open(errors="replace") as f:
            for line in f:
                if '"SparkListenerTaskEnd"' not in line:
                    continue
                metrics = json.loads(line).get("Task Metrics") or {}
                total += int(metrics.get("Shuffle Write Metrics", {}).get("Shuffle Bytes Written", 0))
    return total


def differing_cells(store_a: str, store_b: str) -> dict[str, int]:
    import pandas as pd
    import sqlalchemy as sa

    out = {}
    for table in MART_TABLES:
        frames = []
        for path in (store_a, store_b):
            engine = sa.create_engine(f"sqlite:///{path}")
            with engine.connect() as conn:
                frame = pd.read_sql_table(table, conn)
            engine.dispose()
            frame = frame.drop(columns=["run_id"], errors="ignore")
            frames.append(frame.sort_values(list(frame.columns)).reset_index(drop=True))
        a, b = frames
        if len(a) != len(b):
            out[table] = abs(len(a) - len(b)) * len(a.columns)
            continue
        same = (a == b) | (a.isna() & b.isna())
        out[table] = int((~same).to_numpy().sum())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="records to synthesise (without --input)")
    parser.add_argument("--input", type=Path, help="a record CSV file instead of synthetic records")
    parser.add_argument("--workers", type=int, default=2, help="standalone workers (one core each)")
    parser.add_argument("--worker-memory", default="1536m")
    parser.add_argument("--work", type=Path, help="working directory (default: a temporary one)")
    parser.add_argument("--out", type=Path, help="results file (default: bench/results/spark-<rows>.json)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["duckdb", "spark-local", "spark-cluster"])
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-spark-"))
    work.mkdir(parents=True, exist_ok=True)
    result: dict = {
        "machine": {"cpus": os.cpu_count(), "processor": platform.machine(), "python": platform.python_version()},
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "load_average_before": list(os.getloadavg()),
    }
    try:
        csv = args.input
        if csv is None:
            csv = work / "records.csv"
            result["prepare"] = step_prepare(args.rows, csv)
        rows = args.rows if args.input is None else sum(1 for _ in csv.open("rb")) - 1
        result["input"] = {"path": str(csv), "bytes": csv.stat().st_size, "rows": rows}
        out = args.out or REPO / "bench" / "results" / f"spark-{rows // 1_000_000 or 1}m.json"
        runs = result["runs"] = {}
        if "duckdb" not in args.skip:
            runs["duckdb"] = run_ingest("duckdb", csv, work, "duckdb", None, [])
            print(f"duckdb: {runs['duckdb']['seconds']:.1f} s", flush=True)
        if "spark-local" not in args.skip:
            runs["spark-local"] = run_ingest("spark-local", csv, work, "spark", "local[2]", [])
            print(f"spark local[2]: {runs['spark-local']['seconds']:.1f} s", flush=True)
        if "spark-cluster" not in args.skip:
            t0 = time.perf_counter()
            with StandaloneCluster(args.workers, args.worker_memory, work) as cluster:
                result["cluster_start_seconds"] = time.perf_counter() - t0
                runs["spark-cluster"] = run_ingest(
                    "spark-cluster", csv, work, "spark", cluster.url, [p.pid for p in cluster.procs]
                )
            runs["spark-cluster"]["workers"] = args.workers
            print(f"spark cluster ({args.workers} workers): {runs['spark-cluster']['seconds']:.1f} s", flush=True)
        for run in runs.values():
            run["records_per_second"] = rows / run["seconds"]
        if "duckdb" in runs:
            result["differing_cells_vs_duckdb"] = {
                name: differing_cells(runs["duckdb"]["store"], run["store"])
                for name, run in runs.items()
                if name != "duckdb"
            }
        result["load_average_after"] = list(os.getloadavg())
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(json.dumps(result, indent=2, ensure_ascii=False))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
