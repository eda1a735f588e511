"""Yipanqi's composition root: settings from the environment, first-start setup, the Dash app.

``server`` is the WSGI app that ``yipanqi serve`` (gunicorn) runs; ``python app.py [--host
127.0.0.1] [--port 8050]`` serves it with Flask's development server (one process, never debug).
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from access.signin import SignInPolicy
from dashboard.context import CONFIG_KEY
from dashboard.factory import create_app
from dashboard.security import SecurityConfig
from dashboard.security.config import secret_from_file
from dashboard.warmup import warm_caches
from etl.errors import AlertConfigError, TargetConfigError
from geodata.layers import ensure_layers
from yipanqi.first_start import (
    build_demo_store,
    ensure_first_account,
    needs_demo,
    recover_after_crash,
)
from yipanqi.progress import step_progress
from yipanqi.settings import Settings, SettingsError, install_targets, load_settings


def security_config(settings: Settings) -> SecurityConfig:
    """Sessions under the data directory, the signing key from the environment or its file."""
    return SecurityConfig(
        session_dir=settings.session_dir,
        secret_key=settings.secret_key or secret_from_file(settings.data_dir / "secret_key"),
        tls=settings.tls,
        proxies=settings.proxies,
        policy=SignInPolicy(
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_max_hours),
        ),
        ldap=settings.ldap,
    )


def build_app(wait_for_warmup: bool = False):
    """Layers built and, on a fresh machine, a demo store and a first account; then the app.
    ``wait_for_warmup``: fill the read caches before returning (a preloading server forks its
    workers after that, so they all start warm) and close the store's connections (a connection
    must not be shared between processes)."""
    try:
        settings = load_settings()
        install_targets()
    except (SettingsError, TargetConfigError, AlertConfigError) as exc:
        raise SystemExit(f"error: {exc}") from None
    with step_progress() as report:
        layers = ensure_layers(settings.geodata_dir, progress=report)
    if needs_demo(settings.store_url):
        print(
            "First start: generating and loading demo records (synthetic, calibrated to the 2010 census)"
        )
        build_demo_store(settings)
    ensure_first_account(settings)
    recovered = recover_after_crash(settings)
    if recovered:
        print(f"after loads that died: {recovered}")
    regions = str(settings.regions_path) if settings.regions_path else None
    app = create_app(layers, settings.store_url, regions, security_config(settings))
    warming = warm_caches(app)
    if wait_for_warmup:
        warming.join()
        context = app.server.config[CONFIG_KEY]
        if context.engine_opened:
            context.engine.dispose()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="一盘棋 Yipanqi dashboard (development server)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    args = parser.parse_args()
    build_app().run(host=args.host, port=args.port, debug=False)


if __name__ == "__main__":
    main()
else:
    server = build_app(wait_for_warmup=True).server
