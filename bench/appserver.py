"""The app served from its own process, for the browser benchmarks.

As in production, the server does not share a process with the browser driver: Playwright's sync
API runs its event loop in the benchmark's process, and a server there competes with it for the GIL
(first paints measured ~0.4 s slower that way).

    with app_server(store_url) as url: ...        # layers from the test cache
    python -m bench.appserver STORE_URL PORT_FILE [LAYER_ROOT]

Every page is behind sign-in: the server's store carries the browser tests' steward account, and a
benchmark signs its browser contexts in through the sign-in form
(``tests.browser.conftest.new_signed_in_context``).
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@contextmanager
def app_server(
    store_url: str, layer_root: Path | None = None, timeout: float = 300
) -> Iterator[str]:
    """Base URL of the app over ``store_url``, caches warmed as by app.py; stopped on exit.

    ``layer_root``: a layer cache root (``geodata.layers.ensure_layers``); default the test cache.
    """
    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        command = [sys.executable, "-m", "bench.appserver", store_url, str(port_file)]
        server = subprocess.Popen([*command, *([str(layer_root)] if layer_root else [])], cwd=REPO)
        try:
            deadline = time.monotonic() + timeout
            while not port_file.exists():
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the app server did not start")
                time.sleep(0.2)
            yield f"http://127.0.0.1:{port_file.read_text()}"
        finally:
            server.terminate()
            server.wait()


def serve(store_url: str, port_file: Path, layer_root: Path | None = None) -> None:
    from werkzeug.serving import make_server

    from dashboard.factory import create_app
    from dashboard.warmup import warm_caches
    from geodata.layers import ensure_layers
    from tests.browser.conftest import add_browser_steward
    from tests.support import layer_cache

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    add_browser_steward(store_url)
    app = create_app(ensure_layers(layer_root) if layer_root else layer_cache(), store_url)
    warm_caches(app).join()
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    partial = port_file.with_suffix(".partial")
    partial.write_text(str(server.server_port))
    partial.rename(port_file)  # the port appears whole
    server.serve_forever()


if __name__ == "__main__":
    serve(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) > 3 else None)
