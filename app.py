"""Yipanqi's composition root: settings from the environment, first-start setup, the Dash app.

``python app.py [--host 127.0.0.1] [--port 8050]``; ``server`` is the WSGI app for gunicorn.
"""

from __future__ import annotations

import argparse

from dashboard.factory import create_app
from dashboard.warmup import warm_caches
from geodata.layers import ensure_layers
from yipanqi.first_start import build_demo_store, needs_demo
from yipanqi.progress import step_progress
from yipanqi.settings import load_settings


def build_app():
    """Layers built and, on a fresh machine, a demo store generated; then the Dash app."""
    settings = load_settings()
    with step_progress() as report:
        layers = ensure_layers(settings.geodata_dir, progress=report)
    if needs_demo(settings.store_url):
        print(
            "First start: generating and loading demo records (synthetic, calibrated to the 2010 census)"
        )
        build_demo_store(settings)
    regions = str(settings.regions_path) if settings.regions_path else None
    app = create_app(layers, settings.store_url, regions)
    warm_caches(app)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="一盘棋 Yipanqi dashboard")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    build_app().run(host=args.host, port=args.port, debug=args.debug)


if __name__ == "__main__":
    main()
else:
    server = build_app().server
