"""The Dash app factory: the shell (header, navigation, page container), the geometry route,
sign-in with its gate in front of everything (``dashboard.security``), and the 503 answer to a
store that fails (``dashboard.store_outage``: the app starts while the store cannot be reached)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import dash
import flask
from markupsafe import escape

from dashboard.context import CONFIG_KEY, AppContext
from dashboard.geometry_route import register_geometry_route
from dashboard.i18n import _, lang_query, language
from dashboard.pages import register_pages
from dashboard.security import SecurityConfig, current_principal, secure_app
from dashboard.shell import shell_layout
from dashboard.store_outage import install_store_outage
from etl.errors import StoreUnavailableError
from geodata.layers import LayerSet

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR.parent / "assets"


class _Dash(dash.Dash):
    """Dash without the 100 kB Babel polyfill: the intranet's browsers are current Chromium, Edge
    and Firefox, and evaluating it cost ~120 ms of the first paint on our 2-core machine. The one
    global from it that dash-core-components uses, ``regeneratorRuntime``, is served from
    ``assets/vendor/regenerator-runtime.js`` (assets load before the component bundles).

    The page also names the signed-in account and links to sign-out (server-rendered, outside
    React, styled by ``assets/yipanqi-account.css``)."""

    def interpolate_index(self, **kwargs: str) -> str:  # type: ignore[override]
        kwargs["scripts"] = re.sub(
            r'<script src="[^"]*/deps/polyfill@[^"]*"></script>\s*', "", kwargs["scripts"]
        )
        kwargs["app_entry"] = _account_bar() + kwargs["app_entry"]
        return super().interpolate_index(**kwargs)


def _account_bar() -> str:
    principal = current_principal()
    if principal is None:
        return ""
    # the index is served once per full load (the language switch is one), before any callback
    with language(flask.request.args.get("lang")):
        label, query = _("Sign out"), lang_query()
    return (
        '<div class="yp-account">'
        f'<span class="yp-account-name">{escape(principal.username)}</span>'
        f'<a href="/logout{query}" class="yp-account-out">{escape(label)}</a></div>'
    )


def create_app(
    layers: LayerSet,
    store_url: str,
    regions_path: str | None = None,
    security: SecurityConfig | None = None,
) -> dash.Dash:
    """A Dash app over a built layer cache and a store (SQLAlchemy URL), every route and callback
    behind sign-in. ``security`` None: sessions in a temporary directory with a random key
    (tests; nothing survives a restart)."""
    app = _Dash(
        __name__,
        # no Flask /static route: assets are Dash's
        server=flask.Flask(__name__, static_folder=None),  # type: ignore[arg-type]
        use_pages=True,
        pages_folder="",  # the page packages register themselves: dashboard.pages
        assets_folder=str(ASSETS_DIR),
        title="一盘棋 · 流动人口服务管理",
        serve_locally=True,
        compress=False,
        suppress_callback_exceptions=True,
        enable_mcp=False,  # never expose callbacks as MCP tools, whatever DASH_MCP_ENABLED says
    )
    app_context = AppContext(layers=layers, store_url=store_url, regions_path=regions_path)
    app.server.config[CONFIG_KEY] = app_context
    try:
        _ = app_context.engine  # open the store, make the account and audit tables
    except StoreUnavailableError as exc:  # the app starts; its pages say so and retry
        log.warning("%s; the app starts and its pages retry until the store answers", exc)
    install_store_outage(app.server, store_url)
    register_pages()
    register_geometry_route(app.server, layers)
    app.layout = shell_layout
    secure_app(app, security or SecurityConfig.ephemeral())
    return app
