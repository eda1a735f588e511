"""``yipanqi serve``: the production server, gunicorn with threaded workers and the app preloaded.

The master process imports ``app:server`` once (``--preload``: layers checked, first start done,
caches warmed) and forks the workers, which share those pages of memory. ``gthread`` workers each
run ``--threads`` requests at a time; on a 2-core host 2 workers x 4 threads is a good start.
Gunicorn's ``Server`` header names no version; its control socket is
turned off. Put nginx in front for TLS (docs/deploy.md).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Annotated

import typer

from yipanqi.options import CommandError


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the root app."""
    app.command("serve")(serve_command)


def gunicorn_argv(host: str, port: int, workers: int, threads: int, timeout: int) -> list[str]:
    """The gunicorn command line for these options."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "--preload",
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        "30",
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        "127.0.0.1,::1",
        "--no-control-socket",  # no runtime-management socket: nothing to manage the server through
        "app:server",
    ]


def serve_command(
    host: Annotated[
        str, typer.Option(help="Address to listen on (behind nginx: 127.0.0.1).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8050,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (about one per core).")] = 2,
    threads: Annotated[int, typer.Option(min=1, help="Threads per worker.")] = 4,
    timeout: Annotated[
        int, typer.Option(min=10, help="Seconds before a stuck worker is restarted.")
    ] = 120,
) -> None:
    """Serve the dashboard with gunicorn (gthread workers, app preloaded)."""
    if importlib.util.find_spec("app") is None:
        raise CommandError(
            "the app module (app.py) is not importable: install the package or run from its folder"
        )
    if importlib.util.find_spec("gunicorn") is None:
        raise CommandError("gunicorn is not installed: pip install gunicorn")
    os.environ.setdefault("DASH_MCP_ENABLED", "false")
    argv = gunicorn_argv(host, port, workers, threads, timeout)
    os.execv(argv[0], argv)  # nosec B606 # a fixed argument list, no shell
