"""Sign-in, roles and hardening of the web service: everything between the network and a page.

``secure_app(app, config)`` wires, in this order: proxy headers (when behind nginx), server-side
sessions, the sign-in routes, the gate (every route and callback), CSRF protection (Flask-WTF
``CSRFProtect`` on every POST; Dash's renderer sends the ``_csrf_token`` cookie as
``X-CSRFToken``), and the security headers. ``current_principal()`` is the signed-in principal of
the request.
"""

from __future__ import annotations

import dash
from dash.exceptions import DependencyException
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from dashboard.security.config import SecurityConfig
from dashboard.security.gate import current_principal, install_gate
from dashboard.security.headers import install_headers
from dashboard.security.inputs import InvalidInput
from dashboard.security.login import login_blueprint
from dashboard.security.sessions import configure_sessions

__all__ = ["SecurityConfig", "current_principal", "secure_app"]

MAX_BODY = 8 * 1024 * 1024  # bytes: a callback body is a few kB; nothing here uploads files


def secure_app(app: dash.Dash, config: SecurityConfig) -> None:
    """Put sign-in, the gate, CSRF protection and the security headers in front of ``app``."""
    server = app.server
    if config.proxies:
        server.wsgi_app = ProxyFix(
            server.wsgi_app, x_for=config.proxies, x_proto=config.proxies, x_host=config.proxies
        )
    server.config.update(
        SECRET_KEY=config.secret_key,
        MAX_CONTENT_LENGTH=MAX_BODY,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which expires itself
        WTF_CSRF_SSL_STRICT=True,
        DEBUG=False,
    )
    configure_sessions(server, config)
    blueprint = login_blueprint(config)
    server.register_blueprint(blueprint)
    install_gate(app, config)
    csrf = CSRFProtect(server)
    csrf.exempt("dashboard.security.login.login")  # its form has its own token (see login.py)
    install_headers(app, config)
    # Dash raises for a component-suite path it did not register (../ included): that is a 404.
    server.register_error_handler(DependencyException, _not_found)
    # a callback input the page cannot use (dashboard.security.inputs): that is a 400.
    server.register_error_handler(InvalidInput, _bad_input)


def _not_found(_exc: Exception) -> Response:
    return Response("not found\n", status=404, mimetype="text/plain")


def _bad_input(exc: Exception) -> Response:
    return Response(f"bad callback input: {exc}\n", status=400, mimetype="text/plain")
