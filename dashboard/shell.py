"""The page shell: header with navigation and the language switch, and the page container.

The language lives in the URL (``?lang=en``) like the rest of the page state, so a link reproduces
the view in the language it was shared in.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import dash
from dash import dcc, html

from dashboard import ids
from dashboard.i18n import lang_of, t

NAV = (
    ("/", "nav_overview"),
    ("/flows", "nav_flows"),
    ("/areas", "nav_areas"),
    ("/scenarios", "nav_scenarios"),
    ("/present", "nav_present"),
)


def shell_layout() -> html.Div:
    return html.Div(
        [
            dcc.Location(id=ids.SHELL_URL, refresh=False),
            html.Header(
                [
                    html.H1(t("app_title", "zh")),
                    html.Span(t("app_subtitle", "zh"), className="yp-subtitle"),
                    html.Nav(nav_links("/", "zh"), id=ids.SHELL_NAV),
                    html.A(
                        t("switch_lang", "zh"),
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


def nav_links(pathname: str, lang: str) -> list:
    query = f"?lang={lang}" if lang != "zh" else ""
    return [
        dcc.Link(
            t(key, lang),
            href=path + query,
            className="yp-active" if _section(pathname) == path else "",
        )
        for path, key in NAV
    ]


def switched_search(search: str | None) -> tuple[str, str]:
    """(query string with the other language, that language's code)."""
    params = dict(parse_qsl((search or "").lstrip("?")))
    other = "en" if lang_of(params.get("lang")) == "zh" else "zh"
    params["lang"] = other
    return "?" + urlencode(params), other


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
