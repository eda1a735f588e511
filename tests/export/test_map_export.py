"""Print maps opened with their own readers: PNG header, PDF fonts and text (poppler), SVG XML."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from dashboard.export.maps import map_figure
from dashboard.export.render import MapRenderer, png_size
from dashboard.export.source import MapView
from tests.export.conftest import need_chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def maps(store_and_layers, kept, tmp_path_factory):
    """The default view (cert_verified by prefecture, latest period) as PDF, PNG and SVG."""
    need_chromium()
    url, layers = store_and_layers
    folder = tmp_path_factory.mktemp("maps")
    figure = map_figure(layers, url, MapView())
    outs = [folder / f"map.{ext}" for ext in ("pdf", "png", "svg")]
    with MapRenderer() as renderer:
        renderer.render_many(figure, outs)
    for path in outs:
        shutil.copy(path, kept / path.name)
    return {p.suffix: p for p in outs}


def test_png_is_print_resolution_at_a4(maps):
    data = maps[".png"].read_bytes()
    width, height = png_size(data)
    assert width >= 2480 and height >= 2480 * 210 / 297 - 1  # A4 landscape at >= 300 dpi
    assert b"pHYs\x00\x00\x2e\x23\x00\x00\x2e\x23\x01" in data[:64]  # 11,811 px/m = 300 dpi


def test_pdf_embeds_the_cjk_font(maps):
    fonts = subprocess.run(
        ["pdffonts", str(maps[".pdf"])], capture_output=True, text=True, check=True
    ).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    cjk = [r for r in rows if "NotoSansCJKsc" in r[0]]
    assert cjk, fonts
    assert all(r[-5] == "yes" for r in cjk), fonts  # the "emb" column
    assert not [r for r in rows if "Type 3" in " ".join(r)], fonts


def test_pdf_text_has_title_source_lineage_and_inset(maps, store_and_layers, kept):
    text = subprocess.run(
        ["pdftotext", "-layout", str(maps[".pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    for part in (
        "各地市婚育证明验证率",
        "南海诸岛",
        "资料来源",
        "ETL 运行 #",
        "制图日期",
        "小于阈值，不显示",
    ):
        assert part in text, part
    pages = subprocess.run(
        ["pdfinfo", str(maps[".pdf"])], capture_output=True, text=True, check=True
    ).stdout
    assert [line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")] == ["1"]
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "100",
            "-png",
            "-singlefile",
            str(maps[".pdf"]),
            str(kept / "map-pdf-page"),
        ],
        check=True,
    )


def test_svg_is_self_contained_with_its_font(maps):
    root = ET.parse(maps[".svg"]).getroot()
    style = root.find("{http://www.w3.org/2000/svg}style")
    assert style is not None and "@font-face" in style.text and "base64," in style.text
    text = "".join(root.itertext())
    assert "婚育证明验证率" in text and "南海诸岛" in text


def test_a_batch_is_of_one_size(tmp_path):
    from dashboard.export.render import RenderError

    need_chromium()
    small = {"data": [], "layout": {"width": 100, "height": 100}}
    large = {"data": [], "layout": {"width": 200, "height": 100}}
    with MapRenderer() as renderer, pytest.raises(RenderError, match="one size"):
        renderer.render_batch([(small, [tmp_path / "a.png"]), (large, [tmp_path / "b.png"])])
