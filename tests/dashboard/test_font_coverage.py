"""The bundled fonts draw every character the product's own text uses (no box in a button, a slide
or an export on a machine without a CJK system font): checked against the fonts' character maps."""

from __future__ import annotations

import importlib.util

import pytest
from fontTools.ttLib import TTFont

from tests.support import REPO

FONTS = REPO / "assets" / "fonts"


def _build_fonts():
    spec = importlib.util.spec_from_file_location("build_fonts", REPO / "scripts" / "build_fonts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "name",
    [f"NotoSansSC-{w}-subset.{s}" for w in ("Regular", "Bold") for s in ("otf", "woff2")],
)
def test_every_character_of_the_product_is_in_the_bundled_font(name):
    chars = _build_fonts().product_chars()
    assert len(chars) > 500  # the catalogue's Chinese alone is hundreds of characters
    cmap = TTFont(FONTS / name).getBestCmap()
    missing = sorted(c for c in chars if ord(c) not in cmap)
    assert not missing, f"{name} lacks {missing}: run scripts/build_fonts.py (or use another character)"
