"""The download menu under the maps, in a real browser: open it, press each format, open the file
(PNG and PDF rendered with pdftoppm, XLSX with openpyxl, GeoPackage with pyogrio, GeoJSON and CSV
parsed); screenshots with the menu open at 1366x768 and 1920x1080, zh and en."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pyogrio
import pytest
from PIL import Image

from tests.browser.conftest import new_signed_in_context, screenshot
from tests.support import TEST_OUTPUT

PAGES = {  # page: (path, what shows the page is drawn)
    "overview": ("/?level=province", "#overview-map .js-plotly-plot[data-painted]"),
    "flows": ("/flows", "#flows-base .choroplethlayer path"),
    "area": ("/area/320200", "#area-map .choroplethlayer path"),
    "hotspots": ("/hotspots", ".yp-hotspots-graph .choroplethlayer path"),
    "scenarios": ("/scenarios?measure=inflow", "#scenarios-map .choroplethlayer path"),
    "monitoring": ("/monitoring", "#monitoring-map .choroplethlayer path"),
}
NO_NARRATIVE = {"scenarios"}  # its map is a scenario's: the overview's narrative does not fit
FORMATS = ("png", "svg", "pdf", "csv", "xlsx", "geojson", "gpkg")


def _open(page, browser_page: str, lang: str, live_server: str) -> None:
    path, ready = PAGES[browser_page]
    sep = "&" if "?" in path else "?"
    page.goto(f"{live_server}{path}{sep}lang={lang}")
    page.wait_for_selector(ready, timeout=60_000)
    if browser_page not in NO_NARRATIVE:
        page.wait_for_selector(".yp-narrative p", timeout=30_000)


def _press(page, fmt: str) -> Path:
    menu = page.locator(".yp-export-menu")
    if menu.get_attribute("open") is None:
        page.locator(".yp-export-summary").click()
    button = page.locator(f'.yp-export-button[id*=\'"format":"{fmt}"\']')
    with page.expect_download(timeout=120_000) as info:
        button.click()
    download = info.value
    folder = TEST_OUTPUT / "exports" / "menu"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / download.suggested_filename
    download.save_as(str(target))
    return target


def _check(path: Path, fmt: str) -> None:
    data = path.read_bytes()
    if fmt == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(data[16:20], "big") >= 2480  # 300 dpi A4
    elif fmt == "pdf":
        assert data.startswith(b"%PDF")
        if shutil.which("pdftoppm"):
            out = path.with_name(path.stem + "-pdf-page")
            subprocess.run(
                ["pdftoppm", "-png", "-r", "50", "-singlefile", str(path), str(out)], check=True
            )
            assert out.with_name(out.name + ".png").stat().st_size > 10_000
        if shutil.which("pdftotext"):
            text = subprocess.run(
                ["pdftotext", str(path), "-"], capture_output=True, check=True
            ).stdout.decode()
            assert "南海诸岛" in text or "South China Sea" in text
    elif fmt == "svg":
        assert b"<svg" in data[:200] and b"@font-face" in data
    elif fmt == "csv":  # a .zip: the CSV and its metadata file, as the CLI writes them
        assert path.name.endswith(".csv.zip")
        data = _csv_data(path)
        assert data.startswith(b"\xef\xbb\xbf") and b"suppressed" in data.splitlines()[0]
        with zipfile.ZipFile(path) as z:
            meta = next(z.read(n) for n in z.namelist() if n.endswith(".metadata.csv"))
        assert b"section,key,value" in meta.splitlines()[0]
    elif fmt == "xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        assert "metadata" in book.sheetnames and len(book.sheetnames) == 2
    elif fmt == "geojson":
        doc = json.loads(data)
        assert doc["type"] == "FeatureCollection" and doc["features"] and "metadata" in doc
    elif fmt == "gpkg":
        layers = [name for name, _ in pyogrio.list_layers(path)]
        frame = pyogrio.read_dataframe(path, layer=layers[0])
        assert len(frame) > 0 and "suppressed" in frame.columns


def _csv_data(path: Path) -> bytes:
    """The CSV in a page's CSV download (a .zip with its metadata file)."""
    with zipfile.ZipFile(path) as z:
        return next(z.read(n) for n in z.namelist() if not n.endswith(".metadata.csv"))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("where", ["overview", "flows"])
def test_each_format_downloads_and_opens(browser, live_server, where, lang):
    context = new_signed_in_context(
        browser, live_server, viewport={"width": 1366, "height": 768}, accept_downloads=True
    )
    page = context.new_page()
    try:
        _open(page, where, lang, live_server)
        for fmt in FORMATS:
            _check(_press(page, fmt), fmt)
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_scenarios_page_downloads_its_map_and_layer(browser, live_server, lang):
    """The scenario on screen (the example, inflow, the difference) as a print map and a CSV:
    the PNG is an A4 page at 300 dpi, the CSV holds the counties of the map, the scenario's
    name, the layer and the suppressed flag; the side-by-side layer is answered in words."""
    context = new_signed_in_context(
        browser, live_server, viewport={"width": 1366, "height": 768}, accept_downloads=True
    )
    page = context.new_page()
    try:
        _open(page, "scenarios", lang, live_server)
        png = _press(page, "png")
        _check(png, "png")
        assert "scenario" in png.name and "inflow-difference" in png.name
        with Image.open(png) as image:  # decoded whole: an A4 landscape page, not blank
            image.load()
            assert image.width >= 3500 and image.height >= 2480
            assert len(image.convert("RGB").resize((200, 140)).getcolors(28_000)) > 20
        csv_file = _press(page, "csv")
        _check(csv_file, "csv")
        text = _csv_data(csv_file).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) > 2000 and {r["layer"] for r in rows} == {"difference"}
        assert {r["measure"] for r in rows} == {"inflow"} and {r["unit"] for r in rows} == {
            "persons"
        }
        assert any(r["suppressed"] == "True" and r["value"] == "" for r in rows)
        assert any(r["value"] not in ("", "0") for r in rows)  # the example moves inflow
        page.goto(f"{live_server}/scenarios?measure=inflow&layer=side&lang={lang}")
        page.wait_for_selector("#scenarios-map .choroplethlayer path", timeout=60_000)
        page.locator(".yp-export-summary").click()
        page.locator('.yp-export-button[id*=\'"format":"csv"\']').click()
        words = {"zh": "并排对比视图不能打印或导出为文件", "en": "side-by-side view has no print"}
        page.wait_for_selector(f".yp-export-note:has-text('{words[lang]}')", timeout=30_000)
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
@pytest.mark.parametrize("where", list(PAGES))
def test_the_open_menu_fits(browser, live_server, where, lang, size):
    width, height = size
    context = new_signed_in_context(
        browser, live_server, viewport={"width": width, "height": height}
    )
    page = context.new_page()
    try:
        _open(page, where, lang, live_server)
        menus = page.locator(".yp-export-menu")
        assert menus.count() >= 1
        for index in range(menus.count()):  # the hot spots page has one under each of its maps
            menu = menus.nth(index)
            menu.locator(".yp-export-summary").click()
            panel = menu.locator(".yp-export-panel")
            panel.wait_for(state="visible")
            panel.scroll_into_view_if_needed()
            box = panel.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(page, f"export-menu-{where}-{index}-{lang}-{width}")
            menu.locator(".yp-export-summary").click()  # closed again before the next
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_overviews_trend_and_split_download_and_open(browser, live_server, lang):
    """The overview's *Year over year* view: its PDF chart (pdftotext: the title and an area's
    name) and CSV (one row per area and period), its GeoJSON answered in words; the *Two
    measures* view: its PNG (an A4 page at 300 dpi) and GeoPackage (both measures' columns).
    Screenshots with the menu open."""
    context = new_signed_in_context(
        browser, live_server, viewport={"width": 1366, "height": 768}, accept_downloads=True
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server}/?mode=trend&areas=310100,320500&lang={lang}")
        page.wait_for_selector("#overview-trend .scatterlayer .trace", timeout=60_000)
        page.wait_for_selector(".yp-narrative p", timeout=30_000)
        pdf = _press(page, "pdf")
        _check_chart(pdf, {"zh": "上海", "en": "Shanghai"}[lang])
        csv_file = _press(page, "csv")
        rows = list(csv.DictReader(io.StringIO(_csv_data(csv_file).decode("utf-8-sig"))))
        assert {r["code"] for r in rows} == {"310100", "320500"}
        assert len(rows) == 2 * len({r["period"] for r in rows})
        page.locator('.yp-export-button[id*=\'"format":"geojson"\']').click()
        words = {"zh": "趋势线没有地图几何", "en": "a line has no map geometry"}
        page.wait_for_selector(f".yp-export-note:has-text('{words[lang]}')", timeout=30_000)
        screenshot(page, f"export-menu-overview-trend-{lang}-1366")
        page.goto(f"{live_server}/?mode=split&second=inflow&level=province&lang={lang}")
        page.wait_for_selector("#overview-map2 .js-plotly-plot[data-painted]", timeout=60_000)
        page.wait_for_selector(".yp-narrative p", timeout=30_000)
        png = _press(page, "png")
        _check(png, "png")
        assert "cert_verified-and-inflow-province" in png.name
        gpkg = _press(page, "gpkg")
        frame = pyogrio.read_dataframe(gpkg, layer=pyogrio.list_layers(gpkg)[0][0])
        assert {"cert_verified_value", "inflow_value", "inflow_suppressed"} <= set(frame.columns)
        assert len(frame) > 30
        screenshot(page, f"export-menu-overview-split-{lang}-1366")
    finally:
        context.close()


def _check_chart(path: Path, area: str) -> None:
    assert path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, check=True
        ).stdout.decode()
        assert area in text and ("逐月同比" in text or "year over year" in text), text[:300]
