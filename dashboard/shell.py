"""The page shell: header with navigation and the language switch, and the page container.

The language lives in the URL (``?lang=en``) like the rest of the page state, so a link reproduces
the view in the language it was shared in.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

import dash
from dash import dcc, html

from dashboard import ids
from dashboard.i18n import ENDONYMS, lang_query, language, other_language, request_language, t

NAV = (
    ("/", "nav_overview"),
    ("/flows", "nav_flows"),
    ("/areas", "nav_areas"),
    ("/hotspots", "nav_hotspots"),
    ("/assessment", "nav_assessment"),
    ("/monitoring", "nav_monitoring"),
    ("/scenarios", "nav_scenarios"),
    ("/present", "nav_present"),
)


def shell_layout() -> html.Div:
    return html.Div(
        [
            dcc.Location(id=ids.SHELL_URL, refresh=False),
            html.Header(
                [
                    html.H1(t("app_title"), id=ids.SHELL_TITLE),
                    html.Span(t("app_subtitle"), id=ids.SHELL_SUBTITLE, className="yp-subtitle"),
                    html.Nav(nav_links("/"), id=ids.SHELL_NAV),
                    html.A(
                        ENDONYMS["en"],
                        id=ids.SHELL_LANG,
                        href="?lang=en",
                        className="yp-lang",
                    ),
                ],
                className="yp-header",
            ),
            html.Main(dash.page_container, className="yp-page"),
        ]
    )


def page_title(key: str) -> Callable[..., str]:
    """The browser tab's title of a page (``t(key)``) in the request's language, for
    ``dash.register_page(title=...)``: Dash calls it in the page router's request."""

    def title(**_path: str) -> str:
        with language(request_language()):
            return f"{t('app_title')} · {t(key)}"

    return title


def nav_links(pathname: str) -> list:
    """The navigation in the current language, the entry of ``pathname`` marked."""
    return [
        dcc.Link(
            t(key),
            href=path + lang_query(),
            className="yp-active" if _section(pathname) == path else "",
        )
        for path, key in NAV
    ]


def switched_search(search: str | None) -> str:
    """The query string ``search`` with the other language than its own."""
    params = dict(parse_qsl((search or "").lstrip("?")))
    with language(params.get("lang")):
        params["lang"] = other_language()
    return "?" + urlencode(params)


def _section(pathname: str) -> str:
    """The navigation entry a path belongs to (``/area/<code>`` belongs to ``/areas``, the
    storyboard editor to ``/present``)."""
    if pathname.startswith("/area"):
        return "/areas"
    if pathname.startswith("/storyboards"):
        return "/present"
    for path, _ in NAV[1:]:
        if pathname.startswith(path):
            return path
    return "/"
