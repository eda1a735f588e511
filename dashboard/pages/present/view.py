"""The presentation's pieces: its strings, the slide's narrative and table, and what its map
figure depends on."""

from __future__ import annotations

from dash import html

from dashboard.i18n import lang_of
from dashboard.story.slides import SlideParts

STRINGS = {
    "none": {
        "zh": "没有这个演示稿：{name}。",
        "en": "There is no storyboard named {name}.",
    },
    "list_title": {"zh": "演示稿", "en": "Storyboards"},
    "present": {"zh": "演示", "en": "Present"},
    "edit": {"zh": "编辑演示稿", "en": "Edit storyboards"},
    "keys": {
        "zh": "→ / 空格 / PageDown 下一页 · ← / PageUp 上一页 · F 全屏 · Esc 退出",
        "en": "→ / Space / PageDown next · ← / PageUp previous · F full screen · Esc leave",
    },
    "empty_store": {"zh": "数据库中还没有汇总数据。", "en": "The store has no aggregates yet."},
    "slides": {"zh": "{n} 页", "en": "{n} slides"},
}


def _s(key: str, lang: str) -> str:
    return STRINGS[key][lang_of(lang)]


def _map_key(parts: SlideParts) -> str:
    """What the map figure depends on (colours travel separately)."""
    return f"{parts.level}|{parts.scope}"


def _narrative(parts: SlideParts) -> list:
    return [html.P(line) for line in parts.narrative]


def _table(parts: SlideParts) -> html.Table:
    header, *rows = parts.table
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(c) for c in header])),
            html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows]),
        ],
        className="yp-slide-table",
    )
