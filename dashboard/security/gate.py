"""The gate: one ``before_request`` in front of every route and every callback.

1. Open routes (``policy.OPEN_ROUTES``: sign-in, sign-out, health, static code and fonts) pass.
2. Without a valid session: a page asks the browser to sign in (302 to ``/login?next=...``);
   anything else gets 401.
3. The route's endpoint must be in ``policy.ROUTES`` and allowed to the principal's role, else 403.
4. A callback request must name a registered callback (``output``) whose action (``policy``
   ``CALLBACKS``) the role allows, else 403; a body that is not a JSON object with an ``output``,
   or whose outputs, inputs and state do not fit the registered callback
   (``dashboard.security.inputs``), is a 400. The values of inputs and state are never trusted
   for who may see what: the principal and its scope come from the server session only.

The principal is kept in ``flask.g.principal`` for the request and bound as the acting principal
(``access.principal``) so that storage modules audit with the right name.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import flask
from werkzeug.wrappers import Response

from access.principal import Principal, bind, unbind
from dashboard import context
from dashboard.security import inputs, policy
from dashboard.security.config import SecurityConfig
from dashboard.security.sessions import signed_in


def install_gate(app: dash.Dash, config: SecurityConfig) -> None:
    """Put the gate in front of ``app``'s server (after Dash's own first-request set-up, which it
    needs: Dash fills ``callback_map`` there)."""
    server = app.server

    @server.before_request
    def gate() -> Response | None:
        endpoint = flask.request.endpoint
        if endpoint in policy.OPEN_ROUTES:
            return None
        principal = signed_in(context.current().engine, config.policy)
        if principal is None:
            return _unauthenticated(endpoint)
        flask.g.principal = principal
        flask.g.acting_token = bind(principal)
        if endpoint is None:  # no such route: let Flask answer 404 / 405
            return None
        action = policy.ROUTES.get(endpoint)
        if action is None or not principal.may(action):
            return _refuse(403, "forbidden")
        if endpoint == policy.CALLBACK_ENDPOINT:
            return _authorize_callback(app, principal)
        return None

    @server.teardown_request
    def release(_exc: BaseException | None) -> None:
        token = flask.g.pop("acting_token", None)
        if token is not None:
            unbind(token)


def current_principal() -> Principal | None:
    """The signed-in principal of this request (None outside a request or on an open route)."""
    return flask.g.get("principal") if flask.has_request_context() else None


def _authorize_callback(app: dash.Dash, principal: Principal) -> Response | None:
    body = flask.request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return _refuse(400, "a callback request is a JSON object with an output")
    output = body["output"]
    if output not in app.callback_map:
        return _refuse(403, "no such callback")
    action = policy.callback_action(output)
    if action is None or not principal.may(action):
        return _refuse(403, "forbidden")
    problem = inputs.mismatch(app.callback_map[output], body)
    if problem is not None:
        return _refuse(400, f"the request does not fit its callback: {problem}")
    return None


def _unauthenticated(endpoint: str | None) -> Response:
    request = flask.request
    if endpoint in policy.PAGE_ENDPOINTS and request.method in ("GET", "HEAD"):
        query = {"next": request.full_path.rstrip("?")}
        if flask.g.get("session_ended"):
            query["ended"] = "1"
        if request.args.get("lang") == "en":
            query["lang"] = "en"
        return flask.redirect("/login?" + urlencode(query), code=302)
    return _refuse(401, "sign in first")


def _refuse(status: int, message: str) -> Response:
    return flask.Response(message + "\n", status=status, mimetype="text/plain")
