"""Load benchmark (issue 14): signed-in users on the production server, against 127.0.0.1 only.

The app runs exactly as ``yipanqi serve`` runs it (gunicorn, gthread, 2 workers x 4 threads,
``--preload``, ``app:server``) over the 48-month demo store of a first start, built once under
``var/bench-load`` (or ``$YIPANQI_BENCH_DATA_DIR``) and reused. Each simulated user (locust,
``bench/locustfile.py``) has an account of its own, signs in through the form and goes round
overview -> period -> measure -> flows -> area (Pudong 310115), replaying the callback bodies a
real browser sent (``bench/fixtures/callbacks.json``, made by ``bench.capture_callbacks``).

Runs, bounded in users and time:
- ``target``: 50 users arriving one a second, then 5 minutes measured with a 5-15 s pause between
  steps. Target: p95 < 500 ms for the callbacks of the overview (with its period and measure
  switches), flows and area pages; 0 errors.
- ``stress``: no pauses at 10, 25 and 50 users (5 arriving a second, then 90 s measured each), to
  see where latency bends.

Per callback: requests, p50, p95, max (ms), errors; per run: requests/s and the 1-minute load
average at its start (the machine is shared; the load generator runs on it too).

Usage: ``.venv/bin/python bench/bench_load.py [--users 50] [--duration 300] [--stress 10,25,50]
[--stress-duration 90] [--skip-target] [--skip-stress]``. Results go to stdout and
``bench/results/load.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from yipanqi.serve_cli import gunicorn_argv  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "bench" / "fixtures" / "callbacks.json"
TEST_FIXTURE = REPO / "bench" / "fixtures" / "callbacks-test-store.json"  # the CI smoke run's
LOCUSTFILE = REPO / "bench" / "locustfile.py"
RESULTS = REPO / "bench" / "results" / "load.json"
PASSWORD = "load benchmark passphrase"
PAGES = {"overview": "overview", "period": "overview", "measure": "overview"}
TARGET_P95_MS = 500
WORKERS, THREADS = 2, 4


def demo_data_dir() -> Path:
    """The benchmark's data directory (its first start builds the 48-month demo store there)."""
    return Path(os.environ.get("YIPANQI_BENCH_DATA_DIR", REPO / "var" / "bench-load"))


def callback_name(step: str, body: dict) -> str:
    """``step: first output`` (``+N`` more outputs), e.g. ``period: overview-values.data+4``."""
    outputs = [o for o in body["output"].strip(".").split("...") if o]
    more = f"+{len(outputs) - 1}" if len(outputs) > 1 else ""
    return f"{step}: {outputs[0]}{more}"


def add_accounts(store_url: str, count: int) -> list[list[str]]:
    """``count`` viewer accounts of national scope (kept if already there): [[name, password]]."""
    from access import accounts
    from access.errors import AccessError
    from etl.store import open_store

    names = [f"load.user.{i:03d}" for i in range(1, count + 1)]
    engine = open_store(store_url, create=True)
    try:
        for name in names:
            with suppress(AccessError):  # made by an earlier run
                accounts.add_account(engine, name, "viewer", "nation", password=PASSWORD)
    finally:
        engine.dispose()
    return [[name, PASSWORD] for name in names]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn_server(
    data_dir: Path, store_url: str, log: Path, timeout: float = 1800
) -> Iterator[str]:
    """Base URL of ``yipanqi serve``'s gunicorn over ``store_url``; stopped on exit.
    A first start in ``data_dir`` (layers, demo store) happens inside ``timeout``."""
    port = _free_port()
    env = {
        **os.environ,
        "YIPANQI_DATA_DIR": str(data_dir),
        "YIPANQI_STORE_URL": store_url,
        "DASH_MCP_ENABLED": "false",
        "PYTHONPATH": str(REPO),
    }
    base = f"http://127.0.0.1:{port}"
    with log.open("ab") as out:
        server = subprocess.Popen(
            gunicorn_argv("127.0.0.1", port, WORKERS, THREADS, 120),
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(base):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start; see {log}")
                time.sleep(0.5)
            yield base
        finally:
            server.terminate()
            server.wait(60)


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # nosec B310
            return bool(response.status == 200)
    except OSError:
        return False


def run_locust(
    base: str,
    accounts: list[list[str]],
    users: int,
    seconds: int,
    wait: tuple[float, float],
    log: Path,
    fixture: Path = FIXTURE,
    spawn_rate: float = 5,
) -> dict:
    """One headless locust run replaying ``fixture``: users start at ``spawn_rate`` a second, then
    ``seconds`` are measured. Every request's time (ms) by name (sign-ins from the start, the rest
    once all users have started), errors, the measured window and the 1-minute load average at
    the start."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "times.json"
        env = {
            **os.environ,
            "YIPANQI_LOAD_FIXTURES": str(fixture),
            "PYTHONPATH": str(REPO),
            "YIPANQI_LOAD_ACCOUNTS": json.dumps(accounts),
            "YIPANQI_LOAD_WAIT": f"{wait[0]},{wait[1]}",
            "YIPANQI_LOAD_OUT": str(out),
        }
        command = [
            sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
            "--users", str(users), "--spawn-rate", str(spawn_rate),
            "--run-time", f"{seconds + math.ceil(users / spawn_rate)}s", "--stop-timeout", "30", "--host", base,
            "--only-summary", "--loglevel", "WARNING",
        ]  # fmt: skip
        load = round(os.getloadavg()[0], 2)
        with log.open("ab") as stream:
            subprocess.run(command, cwd=REPO, env=env, stdout=stream, stderr=subprocess.STDOUT)
        raw = json.loads(out.read_text(encoding="utf-8"))
    raw["load_average_1min_at_start"] = load
    return raw


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of ``values`` (0 < q <= 100)."""
    ordered = sorted(values)
    return ordered[max(0, int(round(q / 100 * len(ordered))) - 1)]


def stats(times: list[float], errors: int = 0) -> dict:
    return {
        "requests": len(times),
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "max_ms": round(max(times), 1),
        "errors": errors,
    }


def is_callback(name: str) -> bool:
    return not name.startswith("sign-in") and ": GET " not in name


def summarise(raw: dict, users: int, seconds: int, wait: tuple[float, float]) -> dict:
    """Per request name, per page (callbacks only) and in total."""
    times, errors = raw["times"], raw["errors"]
    by_name = {name: stats(t, len(errors.get(name, []))) for name, t in sorted(times.items())}
    pages: dict[str, list[float]] = {}
    page_errors: dict[str, int] = {}
    for name, values in times.items():
        if is_callback(name):
            step = name.split(":")[0]
            page = PAGES.get(step, step)
            pages.setdefault(page, []).extend(values)
            page_errors[page] = page_errors.get(page, 0) + len(errors.get(name, []))
    every = [t for name, values in times.items() if is_callback(name) for t in values]
    total = sum(len(v) for name, v in times.items() if not name.startswith("sign-in"))
    window = max(raw["window"][1] - raw["window"][0], 1e-9) if raw["window"] else 0
    return {
        "users": users,
        "seconds": seconds,
        "pause_s": list(wait),
        "load_average_1min_at_start": raw["load_average_1min_at_start"],
        "requests": total,  # after all users started; sign-ins apart
        "errors": sum(len(v) for v in errors.values()),
        "requests_per_s": round(total / window, 1) if window else 0,
        "callbacks": stats(every, sum(page_errors.values())) if every else {},
        "pages": {page: stats(values, page_errors[page]) for page, values in pages.items()},
        "by_request": by_name,
        "error_samples": {name: e[:3] for name, e in errors.items() if e},
    }


def main() -> None:
    from bench.bench_geodata import machine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=300, help="seconds of the target run")
    parser.add_argument("--stress", default="10,25,50", help="users of the stress runs")
    parser.add_argument("--stress-duration", type=int, default=90)
    parser.add_argument("--skip-target", action="store_true")
    parser.add_argument("--skip-stress", action="store_true")
    args = parser.parse_args()
    data_dir = demo_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    store_url = f"sqlite:///{data_dir / 'yipanqi.sqlite'}"
    log = data_dir / "bench-load.log"
    stress = [int(n) for n in args.stress.split(",")] if not args.skip_stress else []
    accounts = add_accounts(store_url, max([args.users, *stress]))
    results: dict = {
        "benchmark": "signed-in users: overview, period, measure, flows, area (Pudong)",
        "target": f"p95 < {TARGET_P95_MS} ms for the callbacks of overview, flows and area; 0 errors",
        "server": f"gunicorn gthread {WORKERS} workers x {THREADS} threads, --preload (yipanqi serve)",
        "store": "48-month demo store (first start, SQLite)",
        "client": "locust 2.47 FastHttpUser on the same machine",
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
    }
    with gunicorn_server(data_dir, store_url, log) as base:
        if not args.skip_target:
            wait = (5.0, 15.0)
            raw = run_locust(base, accounts, args.users, args.duration, wait, log, spawn_rate=1)
            target = summarise(raw, args.users, args.duration, wait)
            target["met"] = target["errors"] == 0 and all(
                page["p95_ms"] < TARGET_P95_MS for page in target["pages"].values()
            )
            results["target_run"] = target
        results["stress_runs"] = [
            summarise(
                run_locust(base, accounts, n, args.stress_duration, (0.0, 0.0), log),
                n,
                args.stress_duration,
                (0.0, 0.0),
            )
            for n in stress
        ]
    if RESULTS.exists() and (args.skip_target or args.skip_stress):
        previous = json.loads(RESULTS.read_text(encoding="utf-8"))
        for key in ("target_run", "stress_runs"):
            if key in previous and not results.get(key):
                results[key] = previous[key]
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for run in [results.get("target_run"), *results["stress_runs"]]:
        if run:
            pages = {page: f"p95 {v['p95_ms']:.0f} ms" for page, v in run["pages"].items()}
            print(f"{run['users']} users, pause {run['pause_s']}: {run['errors']} errors, {pages}")


if __name__ == "__main__":
    main()
