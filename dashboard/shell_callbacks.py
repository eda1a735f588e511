"""The shell's callback: navigation links and the language switch follow the page's URL (run for
each app by ``dashboard.pages.register_pages``, like the pages' callbacks)."""

from __future__ import annotations

from dash import Input, Output, callback

from dashboard import ids
from dashboard.i18n import ENDONYMS, lang_of_search, other_language, t, use_language
from dashboard.shell import nav_links, switched_search


@callback(
    Output(ids.SHELL_NAV, "children"),
    Output(ids.SHELL_LANG, "href"),
    Output(ids.SHELL_LANG, "children"),
    Output(ids.SHELL_TITLE, "children"),
    Output(ids.SHELL_SUBTITLE, "children"),
    Input(ids.SHELL_URL, "pathname"),
    Input(ids.SHELL_URL, "search"),
)
def update_shell(pathname: str | None, search: str | None):
    use_language(lang_of_search(search))
    return (
        nav_links(pathname or "/"),
        (pathname or "/") + switched_search(search),
        ENDONYMS[other_language()],
        t("app_title"),
        t("app_subtitle"),
    )
