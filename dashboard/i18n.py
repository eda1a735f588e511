"""UI language: Chinese by default, English switchable (``?lang=en``).

Terms:

- *msgid*: a user-facing string as written in the code, in English, marked for translation with
  ``_()`` (or ``N_()`` where it is defined at import time and translated where it is shown;
  ``pgettext`` where one English word needs two Chinese ones). ``pybabel extract`` collects them.
- *catalogue*: ``dashboard/locale/zh/LC_MESSAGES/messages.po`` holds the Chinese of every msgid;
  ``messages.mo`` is its compiled form, read here (see the README for the ``pybabel`` commands).
  English needs no catalogue: the msgid is the English text.
- *the request's language*: chosen once per request from the URL. A page layout or a callback
  calls :func:`use_language` with the URL's ``lang`` before it builds anything; everything below
  it (views, figures, formatting) reads it with :func:`current_language`. Code outside a request
  (exports, the CLI) uses ``with language(lang):``.

Names published in both languages (regions, indicators, places) are data, not msgids: :func:`pick`
chooses between them. This module is the one place that compares language codes.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl

from babel import Locale
from babel.support import Translations
from flask import has_request_context, request

from etl.records import INDICATOR_BY_FLAG

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
LOCALES = {"zh": Locale.parse("zh_Hans_CN"), "en": Locale.parse("en")}
"""The Babel locale of each language (number and date formats: ``dashboard.formatting``)."""

_LANG: ContextVar[str] = ContextVar("yipanqi_lang", default=DEFAULT_LANG)


def lang_of(value: str | None) -> str:
    """A supported language code (unknown or missing: Chinese)."""
    return value if value in LANGS else DEFAULT_LANG


def lang_of_search(search: str | None) -> str:
    """The language named by a URL query string (``?lang=en``; missing or unknown: Chinese)."""
    return lang_of(dict(parse_qsl((search or "").lstrip("?"))).get("lang"))


def use_language(value: str | None) -> str:
    """Make ``value`` (a URL's ``lang``) the language of this request; returns its code."""
    lang = lang_of(value)
    _LANG.set(lang)
    return lang


@contextmanager
def language(value: str | None) -> Iterator[str]:
    """The language ``value`` inside the ``with`` block (exports, the CLI, tests)."""
    token = _LANG.set(lang_of(value))
    try:
        yield _LANG.get()
    finally:
        _LANG.reset(token)


def request_language() -> str:
    """The language of the current HTTP request, for what Dash renders outside the pages'
    callbacks (the browser tab's title): the ``lang`` of a page's URL, or of the ``search`` input of
    the page router's callback; outside a request, :func:`current_language`."""
    if not has_request_context():
        return current_language()
    if "lang" in request.args:
        return lang_of(request.args["lang"])
    body = request.get_json(silent=True)
    inputs = body.get("inputs") if isinstance(body, dict) else None
    for item in inputs if isinstance(inputs, list) else ():
        if isinstance(item, dict) and item.get("property") == "search":
            value = item.get("value")
            return lang_of_search(value if isinstance(value, str) else None)
    return current_language()


def current_language() -> str:
    """The language of this request (or of the enclosing ``with language(...)``)."""
    return _LANG.get()


def locale() -> Locale:
    """The Babel locale of the current language."""
    return LOCALES[current_language()]


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English: none, the msgids are English)."""
    if lang == "en":
        return _gettext.NullTranslations()
    return Translations.load(str(LOCALE_DIR), [lang], DOMAIN)


def gettext(message: str) -> str:
    """``message`` (an English msgid) in the current language."""
    return translations(current_language()).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural msgid for ``n``, in the current language."""
    return translations(current_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, where one English word has several translations."""
    return translations(current_language()).pgettext(context, message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention, known to pybabel extract
    """Mark ``message`` for the catalogue without translating it now (module-level constants)."""
    return message


def pick(zh: str, en: str) -> str:
    """Of a name published in both languages (a region, an indicator), the current one."""
    return en if current_language() == "en" else zh


def indicator_name(flag: str, lang: str | None = None) -> str:
    """An indicator's name in the current language (or in ``lang``)."""
    indicator = INDICATOR_BY_FLAG[flag]
    with language(lang or current_language()):
        return pick(indicator.name_zh, indicator.name_en)


ENDONYMS = {"zh": "中文", "en": "English"}
"""Each language's name in itself (the language switch shows the other one's)."""


def other_language() -> str:
    """The language the switch leads to."""
    return "en" if current_language() == "zh" else "zh"


def plotly_locale() -> str:
    """plotly.js's locale for its own texts (modebar, dates)."""
    return "zh-CN" if current_language() == "zh" else "en"


def lang_params() -> dict[str, str]:
    """The URL parameter of the current language (none for Chinese, the default)."""
    lang = current_language()
    return {} if lang == DEFAULT_LANG else {"lang": lang}


def lang_query() -> str:
    """``?lang=en`` in English, empty in Chinese (for a link that has no other parameter)."""
    lang = current_language()
    return "" if lang == DEFAULT_LANG else f"?lang={lang}"


SHARED = {
    "app_title": N_("Yipanqi"),
    "app_subtitle": N_("Floating population services · regional planning"),
    "nav_overview": N_("Overview"),
    "nav_flows": N_("Flows"),
    "nav_areas": N_("Pilots & areas"),
    "nav_hotspots": N_("Hot spots"),
    "nav_scenarios": N_("Scenarios"),
    "nav_present": N_("Present"),
    "nav_assessment": N_("Assessment"),
    "nav_monitoring": N_("Monitoring"),
    "level_province": N_("Province"),
    "level_prefecture": N_("Prefecture"),
    "level_county": N_("County"),
    "level_region": N_("Region"),
    "cohort_all": N_("All floating persons"),
    "cohort_women_15_49": N_("Women aged 15-49"),
    "cohort_married_women_15_49": N_("Married women aged 15-49"),
    "inflow": N_("Inflow"),
    "outflow": N_("Outflow"),
    "net": N_("Net inflow"),
    "both": N_("Both"),
    "persons": N_("persons"),
    "period": N_("Period"),
    "target": N_("Target"),
    "gap_people": N_("Gap to target"),
    "suppressed": N_("Suppressed (small cell)"),
    "suppressed_cell": N_("suppressed"),  # a small cell in a table or a sentence
    "no_data": N_("No data"),
    "outside_coverage": N_("Outside coverage (Taiwan, Hong Kong, Macao, Kinmen)"),
    "outside_scope": N_("Outside your scope"),
    "scs_islands": N_("South China Sea Islands"),
    "loading": N_("Loading…"),
    "download_csv": N_("Download CSV"),
    "class_below": N_("More than 8 points below target"),
    "class_8": N_("3–8 points below target"),
    "class_3": N_("Within 3 points of target"),
    "class_at": N_("At or above target"),
}
"""Strings every page shows, by key (``level_<level>``, ``cohort_<cohort>`` ...): see :func:`t`."""

TARGET_CLASS_KEYS = ("class_below", "class_8", "class_3", "class_at")


def t(key: str) -> str:
    """A shared string (:data:`SHARED`) in the current language; an unknown key is a
    programming error (KeyError)."""
    return gettext(SHARED[key])


def target_class_labels() -> tuple[str, str, str, str]:
    """Labels of the four target-anchored coverage classes, lowest first."""
    below, eight, three, at = (t(key) for key in TARGET_CLASS_KEYS)
    return below, eight, three, at


def join(names: Iterator[str] | list[str] | tuple[str, ...]) -> str:
    """Names as an enumeration (、 in Chinese, commas in English)."""
    return pgettext("list separator", ", ").join(names)


def in_brackets(text: str) -> str:
    """`` (text)`` in the language's own brackets."""
    return pgettext("brackets", " ({text})").format(text=text)


def wide_space() -> str:
    """The space between a value and its details (an ideographic space in Chinese)."""
    return pgettext("between a value and its details", "  ")


def colon() -> str:
    return pgettext("label separator", ": ")
