"""One display rule for rates (``etl.indicators.shown_rate``, written by ``dashboard.formatting.rate``):
a place's rate reads the same on the overview's indicator card (a reader scoped to the place), the
area page's indicator table, its slide, and the briefing pack exported from the storyboard.

The expected text is computed here from the store's raw counts: the rate to a tenth of a point,
cut down (never rounded up) to the tenth below when rounding would reach a target the rate misses.
"""

from __future__ import annotations

import math
import sqlite3
from datetime import UTC, datetime

from dash import html
from PIL import Image

from dashboard.data import area as area_data
from dashboard.data.store import periods, reading_as
from dashboard.export.source import store_context
from dashboard.i18n import indicator_name, language
from dashboard.pages.area.view import period_view
from dashboard.pages.overview.view import headline_cards
from dashboard.story import slides
from dashboard.story.pack import export_storyboard
from etl import targets
from etl.indicators import INDICATOR_BY_FLAG
from etl.scope import Scope
from tests.support import demo_store, layer_cache

PLACE = "320200"  # 无锡市: a pilot of the default storyboard, with a slide of its own


def expected(flag: str, period: str) -> str:
    url = demo_store()[0]
    with sqlite3.connect(url.removeprefix("sqlite:///")) as con:
        [(num, den)] = con.execute(
            "SELECT SUM(numerator), SUM(denominator) FROM coverage WHERE period=? AND indicator=?"
            " AND side=? AND county_code LIKE ?",
            (period, flag, INDICATOR_BY_FLAG[flag].side, PLACE[:4] + "%"),
        ).fetchall()
    tenths = num * 1000 / den
    shown = math.floor(tenths + 0.5)
    target = targets.target(flag, period)
    if num / den < target and shown / 1000 >= target:
        shown = math.floor(tenths)
    return f"{shown / 10:.1f}%"


def _texts(node) -> list[str]:
    """The strings of a Dash component tree, depth first."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list | tuple):
        return [s for child in node for s in _texts(child)]
    children = getattr(node, "children", None)
    return _texts(children) if children is not None else []


def _cards(cards: list) -> dict[str, str]:
    """Indicator card title -> its value text."""
    out = {}
    for card in cards:
        title, value, *_ = _texts(card)
        out[title] = value
    return out


def _area_rates(table: html.Table) -> dict[str, str]:
    body = table.children[1].children
    return {_texts(row.children[0])[0]: _texts(row.children[2])[0] for row in body}


def test_a_rate_reads_the_same_on_card_page_slide_and_pack(tmp_path):
    url = demo_store()[0]
    with store_context(layer_cache(), url), language("zh"):
        period = periods()[-1]
        board = slides.load("pan_yangtze")
        index = next(i for i, s in enumerate(board.slides) if s.view.area == PLACE)
        table = slides.slide_parts(board, index).table
        slide = {name: value for name, value, _target, _gap in table[1:]}
        area = area_data.find_area(PLACE)
        page = _area_rates(period_view(area, period, trends=False).table)
        with reading_as(Scope("prefecture", PLACE)):
            card = _cards(headline_cards(period))
        names = {flag: indicator_name(flag) for flag in INDICATOR_BY_FLAG}
        title = board.slides[index].title

    def stub(jobs):
        for _view, path in jobs:
            Image.new("RGB", (30, 21), "white").save(path)

    from pptx import Presentation

    out = export_storyboard(layer_cache(), url, tmp_path / "pack.pptx", "pan_yangtze",
                            map_images=stub, now=datetime(2026, 12, 5, tzinfo=UTC))  # fmt: skip
    deck = Presentation(str(out))
    [shapes] = [
        {s.name: s for s in d.shapes} for d in deck.slides
        if {s.name: s for s in d.shapes}["title"].text_frame.text == title
    ]  # fmt: skip
    grid = shapes["indicators"].table
    pack = {grid.cell(i, 0).text: grid.cell(i, 1).text for i in range(1, len(grid.rows))}

    compared = [flag for flag in INDICATOR_BY_FLAG if names[flag] in slide]
    assert len(compared) >= 3
    for flag in compared:
        name = names[flag]
        want = expected(flag, period)
        assert (card[name], page[name], slide[name], pack[name]) == (want,) * 4, flag
