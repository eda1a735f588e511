"""The storyboard editor's builders: its strings, the rows of slides, edits and moves applied to
a storyboard, and the briefing pack's bytes."""

from __future__ import annotations

from dash import dcc, html

from dashboard import ids
from dashboard.i18n import lang_of
from dashboard.story.model import (
    Storyboard,
    StoryboardError,
    delete_slide,
    edit_slide,
    move_slide,
)

STRINGS = {
    "title": {"zh": "演示稿", "en": "Storyboards"},
    "pick": {"zh": "演示稿", "en": "Storyboard"},
    "present": {"zh": "▶ 演示", "en": "▶ Present"},
    "save": {"zh": "保存标题和要点", "en": "Save titles and messages"},
    "saved": {"zh": "已保存。", "en": "Saved."},
    "slide_title": {"zh": "标题", "en": "Title"},
    "slide_message": {"zh": "要点", "en": "Key message"},
    "up": {"zh": "上移", "en": "Move up"},
    "down": {"zh": "下移", "en": "Move down"},
    "delete": {"zh": "删除", "en": "Delete"},
    "add_title": {"zh": "从页面链接添加一页", "en": "Add a slide from a page link"},
    "add_name": {"zh": "演示稿名称", "en": "Storyboard name"},
    "add_url": {
        "zh": "页面链接（总览 /?measure=… 或 /area/代码）",
        "en": "Page link (overview /?measure=… or /area/<code>)",
    },
    "add_region": {"zh": "协作区", "en": "Region"},
    "add_slide_title": {"zh": "标题", "en": "Title"},
    "add": {"zh": "添加", "en": "Add"},
    "national": {"zh": "全国", "en": "National"},
    "none": {"zh": "还没有演示稿。", "en": "No storyboard yet."},
    "pptx": {"zh": "下载 PPTX", "en": "Download PPTX"},
    "pdf": {"zh": "下载 PDF", "en": "Download PDF"},
    "pack_note": {
        "zh": "简报包每张地图约需 5–8 秒生成。",
        "en": "A briefing pack takes about 5-8 s per map to make.",
    },
}


def _s(key: str, lang: str) -> str:
    return STRINGS[key][lang_of(lang)]


def _field(label: str, component) -> html.Div:
    return html.Div([html.Label(label), component], className="yp-control")


def slide_rows(board: Storyboard, lang: str) -> list:
    if not board.slides:
        return [html.P(_s("none", lang))]
    rows = []
    for i, slide in enumerate(board.slides):
        v = slide.view
        summary = " · ".join(
            x for x in (v.page, v.region, v.area, v.level, v.measure, v.period, v.scenario) if x
        )
        rows.append(
            html.Div(
                [
                    html.Strong(str(i + 1)),
                    dcc.Input(
                        id={"type": ids.STORYBOARDS_TITLE, "index": i},
                        value=slide.title,
                        placeholder=_s("slide_title", lang),
                    ),
                    dcc.Textarea(
                        id={"type": ids.STORYBOARDS_MESSAGE, "index": i},
                        value=slide.message,
                        placeholder=_s("slide_message", lang),
                        rows=2,
                    ),
                    html.Div(
                        [
                            html.Button(
                                "↑",
                                id={"type": ids.STORYBOARDS_UP, "index": i},
                                title=_s("up", lang),
                            ),
                            html.Button(
                                "↓",
                                id={"type": ids.STORYBOARDS_DOWN, "index": i},
                                title=_s("down", lang),
                            ),
                            html.Button(
                                "✕",
                                id={"type": ids.STORYBOARDS_DELETE, "index": i},
                                title=_s("delete", lang),
                            ),
                        ]
                    ),
                    html.Div(summary, className="yp-story-view"),
                ],
                className="yp-story-slide",
            )
        )
    return rows


def with_edits(board: Storyboard, titles: list[str], messages: list[str]) -> Storyboard:
    """The storyboard with the editor's titles and messages (one per slide, in order)."""
    for i, (title, message) in enumerate(zip(titles, messages, strict=True)):
        board = edit_slide(board, i, title or "", message or "")
    return board


def apply_action(board: Storyboard, action: str, index: int) -> Storyboard:
    """``up``, ``down`` or ``delete`` applied to slide ``index``."""
    if action == ids.STORYBOARDS_UP:
        return move_slide(board, index, index - 1)
    if action == ids.STORYBOARDS_DOWN:
        return move_slide(board, index, index + 1)
    if action == ids.STORYBOARDS_DELETE:
        return delete_slide(board, index)
    raise StoryboardError(f"unknown action {action!r}")


def pack_bytes(name: str, suffix: str, lang: str) -> bytes:
    """The briefing pack of storyboard ``name`` as .pptx or .pdf bytes."""
    import tempfile
    from pathlib import Path

    from dashboard import context
    from dashboard.story.pack import export_storyboard

    app_ctx = context.current()
    with tempfile.TemporaryDirectory(prefix="yipanqi-pack-") as tmp:
        out = Path(tmp) / f"pack{suffix}"
        export_storyboard(app_ctx.layers, app_ctx.store_url, out, name, lang)
        return out.read_bytes()
