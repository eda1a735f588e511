"""The Dash app factory: the shell (header, navigation, page container) and the geometry route."""

from __future__ import annotations

from pathlib import Path

import dash
from dash import html

from dashboard.context import CONFIG_KEY, AppContext
from dashboard.geometry_route import register_geometry_route
from geodata.layers import LayerSet

PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR.parent / "assets"


def create_app(layers: LayerSet, store_url: str) -> dash.Dash:
    """A Dash app over a built layer cache and a store (SQLAlchemy URL)."""
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PACKAGE_DIR / "pages"),
        assets_folder=str(ASSETS_DIR),
        title="一盘棋 · 流动人口服务管理",
        serve_locally=True,
        compress=False,
        suppress_callback_exceptions=True,
    )
    app.server.config[CONFIG_KEY] = AppContext(layers=layers, store_url=store_url)
    register_geometry_route(app.server, layers)
    app.layout = html.Div(
        [
            html.Header(
                [
                    html.H1("一盘棋"),
                    html.Span(
                        "流动人口计划生育服务管理 · 区域协作规划平台", className="yp-subtitle"
                    ),
                    html.Nav(
                        [
                            html.A(page["name"], href=page["relative_path"])
                            for page in dash.page_registry.values()
                        ]
                    ),
                ],
                className="yp-header",
            ),
            html.Main(dash.page_container, className="yp-page"),
        ]
    )
    return app
