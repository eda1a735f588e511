"""The Dash app factory: the shell (header, navigation, page container) and the geometry route."""

from __future__ import annotations

import re
from pathlib import Path

import dash

from dashboard.context import CONFIG_KEY, AppContext
from dashboard.geometry_route import register_geometry_route
from dashboard.pages import register_pages
from dashboard.shell import shell_layout
from geodata.layers import LayerSet

PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR.parent / "assets"


class _Dash(dash.Dash):
    """Dash without the 100 kB Babel polyfill: the intranet's browsers are current Chromium, Edge
    and Firefox, and evaluating it cost ~120 ms of the first paint on our 2-core machine. The one
    global from it that dash-core-components uses, ``regeneratorRuntime``, is served from
    ``assets/vendor/regenerator-runtime.js`` (assets load before the component bundles)."""

    def interpolate_index(self, **kwargs: str) -> str:  # type: ignore[override]
        kwargs["scripts"] = re.sub(
            r'<script src="[^"]*/deps/polyfill@[^"]*"></script>\s*', "", kwargs["scripts"]
        )
        return super().interpolate_index(**kwargs)


def create_app(layers: LayerSet, store_url: str, regions_path: str | None = None) -> dash.Dash:
    """A Dash app over a built layer cache and a store (SQLAlchemy URL)."""
    app = _Dash(
        __name__,
        use_pages=True,
        pages_folder="",  # the page packages register themselves: dashboard.pages
        assets_folder=str(ASSETS_DIR),
        title="一盘棋 · 流动人口服务管理",
        serve_locally=True,
        compress=False,
        suppress_callback_exceptions=True,
    )
    app.server.config[CONFIG_KEY] = AppContext(
        layers=layers, store_url=store_url, regions_path=regions_path
    )
    register_pages()
    register_geometry_route(app.server, layers)
    app.layout = shell_layout
    return app
