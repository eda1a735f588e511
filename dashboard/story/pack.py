"""Briefing pack: a storyboard as an editable PPTX (python-pptx) or a PDF, one slide per view.

Each slide: the title, the key message, the narrative written from the data (the same text as in
presentation mode), a small table of indicators against their targets, the map as a print image
(``dashboard.export``: 300 dpi, legend, source, lineage, the 南海诸岛 inset), and a footer with the
source, the data version (ETL run) and the date. Slides that show the same map (measure, level,
period) share one rendered image. The PDF is the same slides laid out in HTML and printed by the
headless Chromium with the bundled CJK font embedded. Every pack written is one audit row
(``export.storyboard_pack``: the storyboard, language, scope, slides as rows).
"""

from __future__ import annotations

import base64
import html
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dashboard.data import geo
from dashboard.data.store import current_scope, engine, periods
from dashboard.export.audit import record_export
from dashboard.export.source import ExportError, MapView, read_lineage, store_context
from dashboard.i18n import _, current_language, language
from dashboard.story.defaults import board_label
from dashboard.story.model import Storyboard, StoryboardError
from dashboard.story.narrative import figures, narrative
from dashboard.story.slides import (
    effective_view,
    footer,
    indicator_table,
    load,
    regions,
    storyboard_names,
)
from geodata.layers import LayerSet

PACK_FORMATS = (".pptx", ".pdf")
SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5  # 16:9
FONT = "Microsoft YaHei"  # what Chinese government PCs have; PowerPoint substitutes otherwise
ACCENT = (0x08, 0x51, 0x9C)
MUTED = (0x61, 0x6E, 0x7C)

MapImages = Callable[[list[tuple[MapView, Path]]], object]  # write each view's map as a PNG


@dataclass(frozen=True)
class PackSlide:
    title: str
    message: str
    narrative: list[str]
    table: list[tuple[str, str, str, str]]
    image: Path
    footer: str


def export_storyboard(
    layers: LayerSet,
    store_url: str,
    out: str | Path,
    name: str | None = None,
    lang: str = "zh",
    *,
    map_images: MapImages | None = None,
    now: datetime | None = None,
) -> Path:
    """Write storyboard ``name`` (None: the first saved) as ``out`` (.pptx or .pdf).

    ``map_images`` draws each (view, PNG path) of a list (default: the print renderer of
    ``dashboard.export``, every map of the pack drawn in turn on one browser page).
    """
    out = Path(out)
    if out.suffix.lower() not in PACK_FORMATS:
        raise ExportError(f"a briefing pack is {' or '.join(PACK_FORMATS)}, not {out.name}")
    with (
        tempfile.TemporaryDirectory(prefix="yipanqi-pack-") as tmp,
        store_context(layers, store_url) as ctx,
    ):
        if not periods():
            raise ExportError(
                "the store has no aggregates: load records with `yipanqi ingest` first"
            )
        names = storyboard_names()
        board = _board(name or (names[0] if names else ""))
        lineage = read_lineage(ctx, now)
        date = (now or datetime.now(UTC)).strftime("%Y-%m-%d")
        with language(lang):
            slides, jobs = _slides(board, Path(tmp), lineage.data_version, date)
        if map_images is None:
            _render_maps(layers, store_url, jobs)
        else:
            map_images(jobs)
        out.parent.mkdir(parents=True, exist_ok=True)
        with language(lang):
            title = f"{_('Yipanqi')} · {board_label(board.name, geo.regions(ctx.regions_path))}"
        if out.suffix.lower() == ".pptx":
            write_pptx(slides, out, title)
        else:
            write_pdf(slides, out, title)
        record_export(
            ctx.engine, "storyboard_pack",
            {"storyboard": board.name, "lang": lang, "scope": current_scope()},
            rows=len(slides), out=out,
        )  # fmt: skip
    return out


def _board(name: str) -> Storyboard:
    try:
        board = load(name)
    except StoryboardError as exc:
        raise ExportError(str(exc)) from exc
    if not board.slides:
        raise ExportError(f"storyboard {name!r} has no slides")
    return board


def _render_maps(layers: LayerSet, store_url: str, jobs: list[tuple[MapView, Path]]) -> None:
    from dashboard.export.maps import map_figure
    from dashboard.export.render import MapRenderer

    items: list = [  # the slide beside the map carries the narrative: not printed twice
        (map_figure(layers, store_url, view, narrative=False), [path]) for view, path in jobs
    ]
    with MapRenderer() as renderer:
        renderer.render_batch(items)


def _slides(
    board: Storyboard, tmp: Path, version: str, date: str
) -> tuple[list[PackSlide], list[tuple[MapView, Path]]]:
    """The pack's slides in the current language, and the maps to draw: one per distinct
    (measure, level, period, place), each fitted to its slide's place as presentation mode shows
    it (a region, an area; the nation whole)."""
    lang = current_language()
    images: dict[tuple[str, str, str, str], Path] = {}
    jobs: list[tuple[MapView, Path]] = []
    slides = []
    for i, slide in enumerate(board.slides):
        view = effective_view(slide.view)
        fig = figures(engine(), view, regions(), scope=current_scope())
        key = (view.measure, view.level, view.period, fig.scope.code)
        if key not in images:
            images[key] = tmp / f"map-{len(images)}.png"
            jobs.append((MapView(*key[:3], lang, place=fig.scope.code), images[key]))
        text = f"{footer(view.period, version, date)} · {i + 1} / {len(board.slides)}"
        slides.append(
            PackSlide(
                slide.title,
                slide.message,
                narrative(engine(), view, regions(), lang, fig, scope=current_scope()),
                indicator_table(fig, view.measure),
                images[key],
                text,
            )
        )
    return slides, jobs


def write_pptx(slides: list[PackSlide], out: Path, title: str) -> None:
    from pptx import Presentation
    from pptx.util import Inches, Pt

    deck = Presentation()
    deck.core_properties.title = title
    deck.slide_width, deck.slide_height = Inches(SLIDE_W_IN), Inches(SLIDE_H_IN)
    blank = deck.slide_layouts[6]
    for s in slides:
        page = deck.slides.add_slide(blank)
        _text(page, s.title, (0.5, 0.3, 12.3, 0.8), Pt(30), bold=True, name="title")
        _text(page, s.message, (0.5, 1.15, 5.4, 0.7), Pt(18), bold=True, color=ACCENT)
        _text(page, "\n".join(s.narrative), (0.5, 1.9, 5.4, 1.7), Pt(15))
        _table(page, s.table, (0.5, 3.75, 5.4))
        page.shapes.add_picture(str(s.image), Inches(6.1), Inches(1.15), width=Inches(6.9))
        _text(page, s.footer, (0.5, 6.95, 12.3, 0.4), Pt(9), color=MUTED)
    deck.save(str(out))


def _text(page, text: str, box, size, *, bold=False, color=None, name: str = "") -> None:  # noqa: ANN001
    from pptx.dml.color import RGBColor
    from pptx.util import Inches

    left, top, width, height = box
    shape = page.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    if name:
        shape.name = name
    frame = shape.text_frame
    frame.word_wrap = True
    for i, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        run.font.size = size
        run.font.bold = bold
        _font(run)
        if color:
            run.font.color.rgb = RGBColor(*color)


def _font(run) -> None:  # noqa: ANN001
    """Latin and East Asian typeface of a run (python-pptx sets only the Latin one)."""
    run.font.name = FONT
    rpr = run._r.get_or_add_rPr()
    ea = rpr.find("{http://schemas.openxmlformats.org/drawingml/2006/main}ea")
    if ea is None:
        ea = rpr.makeelement("{http://schemas.openxmlformats.org/drawingml/2006/main}ea", {})
        rpr.append(ea)
    ea.set("typeface", FONT)


def _table(page, rows: list[tuple[str, str, str, str]], box) -> None:  # noqa: ANN001
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    left, top, width = box
    shape = page.shapes.add_table(
        len(rows), 4, Inches(left), Inches(top), Inches(width), Inches(0.36 * len(rows))
    )
    shape.name = "indicators"
    table = shape.table
    for j, w in enumerate((2.2, 0.9, 0.9, 1.4)):
        table.columns[j].width = Inches(w * width / 5.4)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = value
            for paragraph in cell.text_frame.paragraphs:
                paragraph.alignment = PP_ALIGN.RIGHT if j else PP_ALIGN.LEFT
                for run in paragraph.runs:
                    run.font.size = Pt(12)
                    run.font.bold = i == 0
                    _font(run)


def write_pdf(slides: list[PackSlide], out: Path, title: str) -> None:
    """The slides as a landscape 16:9 PDF printed by headless Chromium (CJK font embedded)."""
    from playwright.sync_api import sync_playwright

    from dashboard.export.render import (
        CHROMIUM_ARGS,
        FONT_BOLD,
        FONT_REGULAR,
        chromium_path,
        print_font,
    )

    text = "".join(
        s.title + s.message + "".join(s.narrative) + "".join("".join(r) for r in s.table) + s.footer
        for s in slides
    )
    fonts = "".join(
        f"@font-face{{font-family:'Pack';font-weight:{w};"
        f"src:url(data:font/otf;base64,{base64.b64encode(print_font(path, text)).decode()});}}"
        for w, path in (("400", FONT_REGULAR), ("700", FONT_BOLD))
    )
    pages = "".join(_pdf_page(s) for s in slides)
    head = f'<meta charset="utf-8"><title>{html.escape(title)}</title>'  # the PDF's Title
    document = f"""<!doctype html><html><head>{head}<style>{fonts}
@page {{ size: {SLIDE_W_IN}in {SLIDE_H_IN}in; margin: 0; }}
body {{ margin: 0; font-family: 'Pack', sans-serif; color: #1f2933; }}
.slide {{ width: {SLIDE_W_IN}in; height: {SLIDE_H_IN}in; box-sizing: border-box; padding: 0.3in 0.5in;
  position: relative; page-break-after: always; overflow: hidden; }}
h1 {{ font-size: 30pt; margin: 0 0 0.1in; border-bottom: 3px solid #08519c; }}
.body {{ display: flex; gap: 0.3in; }}
.text {{ flex: 0 0 5.4in; }}
.message {{ font-size: 18pt; font-weight: 700; color: #08519c; margin: 0.05in 0 0.1in; }}
.narrative p {{ font-size: 15pt; margin: 0 0 0.08in; line-height: 1.45; }}
table {{ border-collapse: collapse; width: 100%; font-size: 12pt; margin-top: 0.1in; }}
th {{ text-align: left; border-bottom: 2px solid #cbd2d9; padding: 3pt; }}
td {{ border-bottom: 1px solid #e4e7eb; padding: 3pt; }}
td + td, th + th {{ text-align: right; }}
img {{ width: 6.9in; }}
.foot {{ position: absolute; left: 0.5in; right: 0.5in; bottom: 0.2in; font-size: 9pt; color: #616e7c; }}
</style></head><body>{pages}</body></html>"""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_content(document, wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            out.write_bytes(
                page.pdf(width=f"{SLIDE_W_IN}in", height=f"{SLIDE_H_IN}in", print_background=True)
            )
        finally:
            browser.close()


def _pdf_page(s: PackSlide) -> str:
    e = html.escape
    header, *rows = s.table
    table = "<tr>" + "".join(f"<th>{e(c)}</th>" for c in header) + "</tr>"
    table += "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows)
    image = base64.b64encode(s.image.read_bytes()).decode()
    narrative_html = "".join(f"<p>{e(line)}</p>" for line in s.narrative)
    return (
        f'<section class="slide"><h1>{e(s.title)}</h1><div class="body"><div class="text">'
        f'<div class="message">{e(s.message)}</div><div class="narrative">{narrative_html}</div>'
        f"<table>{table}</table></div>"
        f'<img src="data:image/png;base64,{image}"></div>'
        f'<div class="foot">{e(s.footer)}</div></section>'
    )
