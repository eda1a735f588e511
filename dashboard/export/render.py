"""Static rendering of a print figure in headless Chromium (Debian ``chromium``, driven by Playwright).

Offline by construction: the page, plotly.js (``assets/vendor``), the base topojson
(``assets/topojson``) and the bundled Noto Sans SC subset (``assets/fonts``) are served from disk
through a request route on a reserved host; every other request is aborted. Text is laid out only
after the font has loaded, so no glyph falls back to a box.

- PNG: a screenshot at 300 dpi of A4 (device scale 300/96; the file says 300 dpi in its pHYs chunk);
- PDF: Chromium's print, one page the size of the figure, fonts embedded (subset, CID);
- SVG: plotly's SVG with the glyphs it uses embedded as an ``@font-face`` (a subset of the OTF).
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import struct
import zlib
from functools import lru_cache
from io import BytesIO
from pathlib import Path

import orjson

from dashboard import theme

ASSETS = Path(__file__).resolve().parents[2] / "assets"
HOST = "http://yipanqi-export.invalid"
FONT_REGULAR = ASSETS / "fonts" / "NotoSansSC-Regular-subset.otf"
FONT_BOLD = ASSETS / "fonts" / "NotoSansSC-Bold-subset.otf"
PRINT_DPI = 300
MAP_FORMATS = (".png", ".svg", ".pdf")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

_FILES = {
    "/plotly.js": (ASSETS / "vendor" / "plotly-yipanqi.min.js", "application/javascript"),
    "/topojson/world_110m.json": (ASSETS / "topojson" / "world_110m.json", "application/json"),
    "/topojson/asia_110m.json": (ASSETS / "topojson" / "asia_110m.json", "application/json"),
}

_PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><style>
@font-face {{ font-family: 'Noto Sans SC'; src: url('/fonts/regular.ttf') format('truetype'); font-weight: 400; }}
@font-face {{ font-family: 'Noto Sans SC'; src: url('/fonts/bold.ttf') format('truetype'); font-weight: 700; }}
@page {{ margin: 0; size: WIDTHpx HEIGHTpx; }}
html, body {{ margin: 0; padding: 0; background: white; font-family: {theme.FONT_FAMILY}; }}
#map {{ width: WIDTHpx; height: HEIGHTpx; overflow: hidden; }}
</style><script src="/plotly.js"></script></head><body><div id="map"></div></body></html>"""

_DRAW = """async (url) => {
  const {figure, geometry} = await (await fetch(url)).json();
  for (const trace of figure.data) {
    if (typeof trace.geojson === "string" && trace.geojson in geometry) {
      trace.geojson = geometry[trace.geojson];
    }
  }
  await Promise.all([
    document.fonts.load("400 16px 'Noto Sans SC'", "中国南海诸岛"),
    document.fonts.load("700 16px 'Noto Sans SC'", "中国南海诸岛"),
  ]);
  const gd = document.getElementById("map");
  Plotly.purge(gd);
  await Plotly.newPlot(gd, figure.data, figure.layout,
    {staticPlot: true, topojsonURL: "/topojson/", displayModeBar: false});
  return true;
}"""


class RenderError(RuntimeError):
    """Chromium is missing or failed to draw the map."""


def chromium_path() -> str:
    """Debian's chromium (``YIPANQI_CHROMIUM`` overrides); RenderError if there is none."""
    path = os.environ.get("YIPANQI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise RenderError(
            "no Chromium found: install the Debian package `chromium` (apt-get install chromium) "
            "or set YIPANQI_CHROMIUM to a Chrome/Chromium executable"
        )
    return path


class MapRenderer:
    """One headless Chromium for many exports: ``with MapRenderer() as r: r.render(fig, out)``."""

    def __enter__(self) -> MapRenderer:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
        except Exception:
            self._playwright.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._browser.close()
        self._playwright.stop()

    def render(self, figure: dict, out: str | Path) -> Path:
        """Write ``figure`` (a print figure with ``layout.width`` and ``height``) to ``out``:
        .png, .svg or .pdf by its suffix."""
        return self.render_many(figure, [out])[0]

    def render_many(self, figure: dict, outs: list[str | Path]) -> list[Path]:
        """Draw ``figure`` once and write it to every file of ``outs`` (.png, .svg, .pdf)."""
        return self.render_batch([(figure, outs)])[0]

    def render_batch(self, items: list[tuple[dict, list[str | Path]]]) -> list[list[Path]]:
        """Draw each figure (all of one size) in turn on one page and write its files; the font
        is cut once for every figure's text."""
        jobs = [(figure, [Path(out) for out in outs]) for figure, outs in items]
        for _, paths in jobs:
            for path in paths:
                if path.suffix.lower() not in MAP_FORMATS:
                    raise RenderError(
                        f"cannot write {path.name}: a map is one of {', '.join(MAP_FORMATS)}"
                    )
        sizes = {(int(f["layout"]["width"]), int(f["layout"]["height"])) for f, _ in jobs}
        if len(sizes) != 1:
            raise RenderError(f"a batch draws figures of one size; got {sorted(sizes)}")
        ((width, height),) = sizes
        text = "".join(sorted(set("".join(figure_text(f) for f, _ in jobs))))
        fonts = {
            "/fonts/regular.ttf": print_font(FONT_REGULAR, text),
            "/fonts/bold.ttf": print_font(FONT_BOLD, text),
        }
        context = self._browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=PRINT_DPI / 96
        )
        try:
            page = context.new_page()
            figures: dict[str, bytes] = {}
            page.route("**/*", _serve(width, height, fonts, figures))
            page.goto(f"{HOST}/map.html")
            for i, (figure, paths) in enumerate(jobs):
                figures.clear()
                figures[f"/figure-{i}.json"] = _shared_geometry(figure)
                page.evaluate(_DRAW, f"/figure-{i}.json")
                for path in paths:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(_output(page, path.suffix.lower(), width, height))
        finally:
            context.close()
        return [paths for _, paths in jobs]


def _output(page, suffix: str, width: int, height: int) -> bytes:  # noqa: ANN001
    if suffix == ".png":
        png = page.screenshot(clip={"x": 0, "y": 0, "width": width, "height": height})
        return with_dpi(png, PRINT_DPI)
    if suffix == ".pdf":
        return page.pdf(
            width=f"{width}px", height=f"{height}px", print_background=True, page_ranges="1"
        )
    svg = page.evaluate(
        """async () => decodeURIComponent((await Plotly.toImage(
            document.getElementById('map'), {format: 'svg'})).split(',', 2)[1])"""
    )
    return embed_svg_font(svg).encode("utf-8")


def _shared_geometry(figure: dict) -> bytes:
    """The figure as JSON with each distinct embedded GeoJSON once (traces name it by key).

    The page fetches it through the route: a raw JSON body is parsed natively, ten times faster
    than passing the same object as an ``evaluate`` argument."""
    geometry: dict[str, object] = {}
    keys: dict[int, str] = {}
    data = []
    for trace in figure["data"]:
        shape = trace.get("geojson")
        if isinstance(shape, dict):
            key = keys.setdefault(id(shape), f"geometry:{len(keys)}")
            geometry[key] = shape
            trace = dict(trace, geojson=key)
        data.append(trace)
    plain = {"data": data, "layout": figure["layout"]}
    return orjson.dumps({"figure": plain, "geometry": geometry}, option=orjson.OPT_SERIALIZE_NUMPY)


def _serve(width: int, height: int, fonts: dict[str, bytes], figures: dict[str, bytes]):
    page = _PAGE.replace("WIDTH", str(width)).replace("HEIGHT", str(height))

    def handle(route) -> None:  # noqa: ANN001
        url = route.request.url
        if not url.startswith(HOST):
            route.abort()  # offline: nothing leaves the machine
            return
        path = url[len(HOST) :].split("?", 1)[0]
        if path == "/map.html":
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=page)
        elif path in figures:
            route.fulfill(status=200, content_type="application/json", body=figures[path])
        elif path in fonts:
            route.fulfill(status=200, content_type="font/ttf", body=fonts[path])
        elif path in _FILES:
            file, kind = _FILES[path]
            route.fulfill(status=200, content_type=kind, body=file.read_bytes())
        else:
            route.fulfill(status=404, body="")

    return handle


def with_dpi(png: bytes, dpi: int) -> bytes:
    """The PNG with a pHYs chunk saying ``dpi`` (pixels per metre), inserted after IHDR."""
    ppm = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", ppm, ppm, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    end_of_ihdr = 8 + 8 + 13 + 4
    return png[:end_of_ihdr] + chunk + png[end_of_ihdr:]


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's IHDR."""
    return struct.unpack(">II", png[16:24])


def embed_svg_font(svg: str) -> str:
    """The SVG with an ``@font-face`` holding the regular and bold glyphs its text uses."""
    chars = "".join(sorted(set(re.sub(r"<[^>]*>", "", svg)) | set(_ALWAYS)))
    faces = []
    for weight, path in (("400", FONT_REGULAR), ("700", FONT_BOLD)):
        data = base64.b64encode(print_font(path, chars)).decode("ascii")
        faces.append(
            f"@font-face {{ font-family: 'Noto Sans SC'; font-weight: {weight}; "
            f"src: url(data:font/ttf;base64,{data}) format('truetype'); }}"
        )
    style = "<style>" + " ".join(faces) + "</style>"
    return re.sub(r"(<svg[^>]*>)", lambda m: m.group(1) + style, svg, count=1)


_ALWAYS = "0123456789%‰.,+-–—·:：;；()（）[]<>≥ 南海诸岛"


def figure_text(figure: dict) -> str:
    """Every character the figure can show (titles, annotations, legend, and the traces' text
    and names: a place map's unit names, a chart's legend entries), sorted."""
    chars: set[str] = set(_ALWAYS)

    def walk(item: object) -> None:
        if isinstance(item, str):
            chars.update(item)
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(figure["layout"])
    for trace in figure.get("data", []):
        walk(trace.get("text"))
        walk(trace.get("name"))
    return "".join(sorted(chars))


@lru_cache(maxsize=16)
def print_font(path: Path, text: str) -> bytes:
    """The bundled font cut to the glyphs of ``text`` and converted to TrueType outlines.

    Chromium's PDF writer embeds TrueType as a named CID font (``pdffonts`` shows
    NotoSansCJKsc-...); CFF outlines (the OTF as shipped) would become unnamed Type 3 glyphs.
    """
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    options = subset.Options()
    options.name_IDs = ["*"]  # keep the font names and the OFL notice
    options.notdef_outline = True
    options.layout_features = ["*"]
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxComponentDepth",
    ):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    for name in ("maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours"):
        setattr(maxp, name, 0)
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 3.0
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    font.sfntVersion = "\0\1\0\0"
    font.recalcBBoxes = True
    buffer = BytesIO()
    font.save(buffer)  # recalculates maxp and bounding boxes
    return buffer.getvalue()
