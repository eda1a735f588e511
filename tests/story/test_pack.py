"""The briefing pack opened with its own readers: python-pptx for the PPTX, poppler for the PDF.

The map images are stubbed (a small PNG) to keep the test fast; the real print renderer is
``dashboard.export``'s, tested there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from PIL import Image

from dashboard.export.source import ExportError
from dashboard.story import storage
from dashboard.story.pack import export_storyboard
from etl.scope import NATION
from etl.store import open_store
from tests.support import demo_store, layer_cache

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def stub_map(drawn: list):
    def draw(jobs):
        for view, path in jobs:
            drawn.append((view.measure, view.level, view.period, view.lang, view.place))
            Image.new("RGB", (300, 212), "#6baed6").save(path)

    return draw


def titles() -> list[str]:
    engine = open_store(demo_store()[0])
    try:
        return [s.title for s in storage.load_storyboard(engine, "pan_yangtze", scope=NATION).slides]
    finally:
        engine.dispose()


def test_pptx_one_slide_per_view(tmp_path):
    from pptx import Presentation

    from access.audit import list_events, utcnow

    since = utcnow()
    drawn: list = []
    out = export_storyboard(
        layer_cache(),
        demo_store()[0],
        tmp_path / "pack.pptx",
        "pan_yangtze",
        map_images=stub_map(drawn),
        now=NOW,
    )
    deck = Presentation(str(out))
    assert deck.core_properties.title == "一盘棋 · 泛长三角 · 中文"
    expected = titles()
    assert len(deck.slides) == len(expected) >= 4
    assert len(drawn) == len(set(drawn)) <= len(expected)  # slides with the same map share it
    assert {d[4] for d in drawn} == {"pan_yangtze", "310115", "320200", "330400"}  # fitted
    for slide, title in zip(deck.slides, expected, strict=True):
        shapes = {s.name: s for s in slide.shapes}
        assert shapes["title"].text_frame.text == title
        assert sum(s.shape_type == 13 for s in slide.shapes) == 1  # the map picture
        table = shapes["indicators"].table
        assert [table.cell(0, j).text for j in range(4)] == ["指标", "比率", "目标", "差（人）"]
        text = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        assert "数据版本 run " in text and "2026-11-24" in text and "统计期 2012-12" in text
    first = "\n".join(s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame)
    assert "泛长三角流入人口" in first and "婚育证明验证率" in first
    engine = open_store(demo_store()[0])
    try:
        events = list_events(engine, action="export.storyboard_pack", since=since)
    finally:
        engine.dispose()
    assert [(e.object, e.rows) for e in events] == [("pack.pptx", len(expected))]
    assert "storyboard=pan_yangtze" in events[0].detail


@pytest.mark.skipif(
    not shutil.which("chromium") or not shutil.which("pdftotext"), reason="chromium/poppler"
)
def test_pdf_has_every_slide_and_embedded_fonts(tmp_path):
    out = export_storyboard(
        layer_cache(),
        demo_store()[0],
        tmp_path / "pack.pdf",
        "pan_yangtze",
        lang="en",
        map_images=stub_map([]),
        now=NOW,
    )
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(rf"^Pages:\s+{len(titles())}$", info, re.M), info
    assert re.search(r"^Title:\s+Yipanqi · Pan-Yangtze-Delta · 中文$", info, re.M), info
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Pan-Yangtze-Delta: inflow" in text and titles()[1] in text
    fonts = subprocess.run(
        ["pdffonts", str(out)], capture_output=True, text=True, check=True
    ).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes yes " in row for row in rows), fonts


def test_bad_requests_are_clear_errors(tmp_path):
    with pytest.raises(ExportError, match="pptx or .pdf"):
        export_storyboard(
            layer_cache(), demo_store()[0], tmp_path / "pack.key", map_images=stub_map([])
        )
    with pytest.raises(ExportError, match="no storyboard named"):
        export_storyboard(
            layer_cache(), demo_store()[0], tmp_path / "x.pptx", "nope", map_images=stub_map([])
        )
