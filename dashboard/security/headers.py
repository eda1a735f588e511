"""Response headers on everything the server sends, and the CSRF cookie for Dash's renderer.

Content-Security-Policy: scripts only from this server plus the hashes of Dash's own inline
scripts (``app.csp_hashes()``); plotly.js needs ``'unsafe-eval'`` and inline styles; images may be
``data:``/``blob:`` (plotly's downloads); requests go to this server only (``connect-src 'self'``:
nothing in a page can send data elsewhere); no framing (``frame-ancestors 'none'`` and
X-Frame-Options DENY: save and delete buttons cannot be clickjacked). Data responses (pages,
callbacks, layouts) are ``no-store``.
"""

from __future__ import annotations

import dash
import flask
from flask_wtf.csrf import generate_csrf

from dashboard.security.config import SecurityConfig
from dashboard.security.login import CSRF_COOKIE

PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def content_security_policy(script_hashes: list[str]) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *script_hashes, "'unsafe-eval'"]),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "worker-src": "'self' blob:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def install_headers(app: dash.Dash, config: SecurityConfig) -> None:
    """An ``after_request`` that adds the headers (the CSP is computed at the first response, once
    Dash has registered every inline script)."""
    policy: list[str] = []

    @app.server.after_request
    def security_headers(response: flask.Response) -> flask.Response:
        if not policy:
            policy.append(content_security_policy(list(app.csp_hashes())))
        headers = response.headers
        headers["Content-Security-Policy"] = policy[0]
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["Permissions-Policy"] = PERMISSIONS
        if config.tls:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        if "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"
        if flask.g.get("principal") is not None and (
            response.mimetype == "text/html" or CSRF_COOKIE not in flask.request.cookies
        ):
            response.set_cookie(
                CSRF_COOKIE,
                generate_csrf(),
                path="/",
                secure=config.tls,
                httponly=False,  # the renderer reads it to send X-CSRFToken
                samesite="Strict",
            )
        return response
