"""The storyboard editor's builders: its strings, the rows of slides, edits and moves applied to
a storyboard, and the briefing pack's bytes."""

from __future__ import annotations

from dash import dcc, html

from dashboard import ids
from dashboard.data import geo
from dashboard.i18n import N_, _, current_language, pick, t
from dashboard.story.model import (
    Storyboard,
    StoryboardError,
    View,
    delete_slide,
    edit_slide,
    move_slide,
)
from dashboard.story.slides import measure_title
from dashboard.story.slides import regions as story_regions


def field(label: str, component) -> html.Div:
    return html.Div([html.Label(label), component], className="yp-control")


PAGE_NAMES = {"overview": "nav_overview", "area": "nav_areas", "scenario": "nav_scenarios"}


def view_summary(view: View) -> str:
    """What a slide shows, in words: page, region, area, level, measure, period, scenario."""
    regions = {r.code: pick(r.name_zh, r.name_en) for r in story_regions().regions}
    parts = (
        t(PAGE_NAMES[view.page]) if view.page in PAGE_NAMES else view.page,
        regions.get(view.region, view.region),
        geo.unit_name(view.area, current_language()) if view.area else "",
        t(f"level_{view.level}") if view.level else "",
        measure_title(view.measure) if view.measure else "",
        view.period,
        view.scenario,
    )
    return " · ".join(part for part in parts if part)


def slide_rows(board: Storyboard) -> list:
    if not board.slides:
        return [html.P(_("No storyboard yet."))]
    rows = []
    for i, slide in enumerate(board.slides):
        summary = view_summary(slide.view)
        rows.append(
            html.Div(
                [
                    html.Strong(str(i + 1)),
                    dcc.Input(
                        id={"type": ids.STORYBOARDS_TITLE, "index": i},
                        value=slide.title,
                        placeholder=_("Title"),
                    ),
                    dcc.Textarea(
                        id={"type": ids.STORYBOARDS_MESSAGE, "index": i},
                        value=slide.message,
                        placeholder=_("Key message"),
                        rows=2,
                    ),
                    html.Div(
                        [
                            html.Button(
                                "↑",
                                id={"type": ids.STORYBOARDS_UP, "index": i},
                                title=_("Move up"),
                            ),
                            html.Button(
                                "↓",
                                id={"type": ids.STORYBOARDS_DOWN, "index": i},
                                title=_("Move down"),
                            ),
                            html.Button(
                                "×",
                                id={"type": ids.STORYBOARDS_DELETE, "index": i},
                                title=_("Delete"),
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
    raise StoryboardError(N_("Unknown action “{action}”."), action=action)


def pack_bytes(name: str, suffix: str) -> bytes:
    """The briefing pack of storyboard ``name`` as .pptx or .pdf bytes, in the current language."""
    import tempfile
    from pathlib import Path

    from dashboard import context
    from dashboard.story.pack import export_storyboard

    app_ctx = context.current()
    with tempfile.TemporaryDirectory(prefix="yipanqi-pack-") as tmp:
        out = Path(tmp) / f"pack{suffix}"
        export_storyboard(app_ctx.layers, app_ctx.store_url, out, name, current_language())
        return out.read_bytes()
