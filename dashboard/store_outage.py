"""When the store fails: a 503 that says so and retries, never a 500 or a traceback.

A store that cannot be reached (the PostgreSQL server is down or restarting, or dropped the
connection), a damaged one, or a full disk make every read fail. ``install_store_outage`` adds a
Flask error handler for those failures (``etl.errors.StoreError`` and its kinds, ``DiskSpaceError``
and SQLAlchemy's database errors, classified by ``etl.store.integrity.store_error``) in front of
every route, the gate and the sign-in page included:

- a page (a browser navigating) gets a short HTML page with the message, which reloads itself
  every ``RETRY_SECONDS`` until the store answers again;
- anything else (callbacks, layouts, geometry) gets ``{"yipanqi_store": kind, "message": ...}``
  with status 503; ``assets/yipanqi-store.js`` shows the message as a banner over the page and
  reloads the page once the store answers again (the widgets come back in their URL state).

Every response has ``Retry-After``; the log gets one line (no traceback: the messages are the
ETL's, without values). Nothing is cached on failure, so the first request after the server is
back reads normally (the engine checks connections before use: ``pool_pre_ping``).
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlsplit

import flask
import sqlalchemy as sa
from markupsafe import escape

from dashboard.i18n import _, language
from etl.errors import (
    DiskSpaceError,
    EtlError,
    StoreDamagedError,
    StoreError,
    StoreUnavailableError,
)
from etl.store.integrity import store_error
from etl.store.schema import mask

log = logging.getLogger(__name__)

RETRY_SECONDS = 10
PAGE_ENDPOINTS = frozenset({"/", "/<path:path>", "security.login"})


def install_store_outage(server: flask.Flask, store_url: str) -> None:
    """Answer store failures on ``server`` with a 503 (see the module)."""
    where = mask(store_url)

    def answer(exc: Exception) -> flask.Response:
        error = exc if isinstance(exc, EtlError) else store_error(exc, where)
        return outage_response(error)

    for kind in (StoreError, DiskSpaceError, sa.exc.DBAPIError):
        server.register_error_handler(kind, answer)


def outage_response(error: EtlError) -> flask.Response:
    """The 503 for a store failure: an HTML page for a page request, JSON for anything else."""
    kind = _kind(error)
    log.warning("store %s: %s", kind, error)
    request = flask.request
    with language(_request_language()):
        message = outage_message(kind)
        title = _("Yipanqi: the data store is not available")
    if request.endpoint in PAGE_ENDPOINTS:
        body = (
            "<!doctype html><html><head><meta charset='utf-8'>"
            f"<meta http-equiv='refresh' content='{RETRY_SECONDS}'>"
            f"<title>{escape(title)}</title></head>"
            "<body style='font-family: sans-serif; margin: 3rem; max-width: 40rem'>"
            f"<h1 style='font-size: 1.3rem'>{escape(title)}</h1>"
            f"<p class='yp-store-outage'>{escape(message)}</p></body></html>"
        )
        response = flask.Response(body, status=503, mimetype="text/html")
    else:
        response = flask.jsonify({"yipanqi_store": kind, "message": message})
        response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_SECONDS)
    return response


def outage_message(kind: str) -> str:
    """What the user is told, in the current language."""
    if kind == "unavailable":
        return _(
            "The data store cannot be reached right now. This page tries again every "
            "10 seconds and comes back by itself when the store is available."
        )
    if kind == "damaged":
        return _(
            "The data store is damaged and cannot be read. An administrator must restore "
            "the last backup (yipanqi store restore). This page tries again every 10 seconds."
        )
    return _(
        "The data store failed to answer. An administrator can see why in the server log. "
        "This page tries again every 10 seconds."
    )


def _kind(error: EtlError) -> str:
    if isinstance(error, StoreUnavailableError):
        return "unavailable"
    if isinstance(error, StoreDamagedError):
        return "damaged"
    return "failed"


def _request_language() -> str | None:
    """The page's language: ``?lang=`` of the request, else of the page that sent it (a
    callback's ``Referer``, sent for same-origin requests)."""
    request = flask.request
    lang = request.args.get("lang")
    if lang:
        return lang
    referrer = request.headers.get("Referer", "")
    return dict(parse_qsl(urlsplit(referrer).query)).get("lang")
