"""The gettext catalogue: every string of the code is in it with its Chinese, the compiled ``.mo``
is the ``.po``, and every page renders in both languages with no string left untranslated.

An untranslated string is found two ways: statically (every msgid ``pybabel extract`` finds, and
every literal msgid in the code, f-strings included, has a Chinese entry) and by rendering (with a
catalogue that marks each msgid it lacks, every page layout in Chinese carries no mark; in English
no Chinese character is left, apart from user content named below).
"""

from __future__ import annotations

import ast
import gettext
import importlib
import re
import subprocess
import sys
from pathlib import Path

import plotly
import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from dashboard import i18n
from tests.dashboard.test_area_data import engine, records  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = i18n.LOCALE_DIR / "zh" / "LC_MESSAGES" / "messages.po"
COMPILED = CATALOGUE.with_suffix(".mo")
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
MARK = "⟦"
GETTEXT = {"_": 0, "N_": 0, "gettext": 0, "ngettext": 0, "pgettext": 1}  # name -> msgid argument


def _catalogue():
    with CATALOGUE.open("rb") as file:
        return read_po(file)


def _key(message) -> tuple[str | None, str]:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return message.context, msgid


def _strings(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, list | tuple) else (message.string,)


def test_every_extracted_msgid_has_chinese(tmp_path):
    template = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-k", "N_", "-o", str(template), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as file:
        extracted = {_key(m) for m in read_po(file) if m.id}
    catalogue = {_key(m): m for m in _catalogue() if m.id}
    assert len(extracted) > 200
    assert sorted(extracted - set(catalogue), key=str) == [], "run `make translations`"
    assert sorted(set(catalogue) - extracted, key=str) == [], "obsolete entries in the catalogue"
    for key, message in catalogue.items():
        strings = _strings(message)
        assert all(strings) and not message.fuzzy, f"no Chinese for {key}"
        assert not CJK.search(key[1]), f"msgids are English: {key}"
        assert CJK.search("".join(strings)) or not re.search("[A-Za-z]{3}", key[1]), key


def test_every_literal_msgid_of_the_code_is_in_the_catalogue():
    """pybabel does not look inside f-strings: a msgid there would go untranslated."""
    catalogue = {_key(m) for m in _catalogue() if m.id}
    found = 0
    for path in (ROOT / "dashboard").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            position = GETTEXT.get(node.func.id)
            if position is None or len(node.args) <= position:
                continue
            args = node.args[: position + 1]
            if all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
                context = args[0].value if position else None
                assert (context, args[position].value) in catalogue, (path.name, node.lineno)
                found += 1
    assert found > 200


def test_the_compiled_catalogue_is_the_catalogue():
    with COMPILED.open("rb") as file:
        compiled = {_key(m): _strings(m) for m in read_mo(file) if m.id}
    source = {_key(m): _strings(m) for m in _catalogue() if m.id}
    assert compiled == source, "run `pybabel compile -d dashboard/locale` (make translations)"


class _Marked(gettext.NullTranslations):
    """The end of the fallback chain: a msgid the catalogue lacks comes back marked."""

    def gettext(self, message: str) -> str:
        return MARK + message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return MARK + (singular if n == 1 else plural)

    def pgettext(self, context: str, message: str) -> str:
        return MARK + message


@pytest.fixture
def strict(monkeypatch):
    """Translations that mark every msgid missing from the Chinese catalogue."""
    chinese = Translations.load(str(i18n.LOCALE_DIR), ["zh"], i18n.DOMAIN)
    chinese.add_fallback(_Marked())
    english = gettext.NullTranslations()
    monkeypatch.setattr(i18n, "translations", lambda lang: chinese if lang == "zh" else english)


PAGES = {  # page -> (layout function, its URL parameters)
    "overview": ("layout", {}),
    "flows": ("layout", {"level": "county", "focus": "310115"}),
    "areas": ("layout", {}),
    "area": ("layout", {"adcode": "310115"}),
    "scenarios": ("layout", {}),
    "present": ("layout", {"name": "pan_yangtze"}),
    "present-en": ("layout", {"name": "pan_yangtze-en"}),
    "present-index": ("index_layout", {}),
    "storyboards": ("layout", {"name": "pan_yangtze-en"}),
}
CHINESE_CONTENT = {  # pages of an English view that show what users wrote or named in Chinese
    "present": "the Chinese default storyboard",
    "present-index": "storyboard titles",
    "storyboards": "storyboard names in the picker",
    "scenarios": "the example scenario in the editor",
}
ENGLISH_CONTENT = {  # and of a Chinese view, in English
    "present-en": "the English default storyboard",
    "present-index": "storyboard titles and names",
    "storyboards": "storyboard names and its slides",
}


ENGLISH_IN_CHINESE = {  # words a Chinese page shows as they are: names, formats, commands
    "Amap", "cnmaps", "data", "Yipanqi", "yipanqi", "ingest", "English", "PageDown", "PageUp",
    "pseudo", "JSON", "Esc", "Space", "CSV", "PPTX", "PDF", "PNG", "SVG",
    "dpi", "XLSX", "GeoJSON", "GeoPackage",  # the download menu's formats
    "num_selected",  # the multi-select's placeholder for its count
}


def _render(page: str, lang: str) -> tuple[str, list[str]]:
    """(the layout as JSON, every text a person reads in it: children, labels, titles)."""
    function, query = PAGES[page]
    module = importlib.import_module(f"dashboard.pages.{page.split('-')[0]}.layout")
    layout = getattr(module, function)(**query, lang=lang)
    texts: list[str] = []

    def walk(node) -> None:
        if isinstance(node, list | tuple):
            for child in node:
                walk(child)
        elif hasattr(node, "to_plotly_json"):
            props = node.to_plotly_json()["props"]
            for key in ("children", "label", "placeholder", "title"):
                value = props.get(key)
                texts.append(value) if isinstance(value, str) else walk(value)
            for option in props.get("options") or []:
                if isinstance(option, dict) and isinstance(option.get("label"), str):
                    texts.append(option["label"])
            texts.extend(v for v in (props.get("labels") or {}).values() if isinstance(v, str))

    walk(layout)
    return plotly.io.json.to_json_plotly(layout.to_plotly_json()), texts


@pytest.mark.usefixtures("engine", "strict")
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_translated(page):
    chinese, texts = _render(page, "zh")
    assert MARK not in chinese, chinese[max(0, chinese.find(MARK) - 80) :][:200]
    assert CJK.search(chinese)
    if page not in ENGLISH_CONTENT:
        words = {w for text in texts for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", text)}
        assert words - ENGLISH_IN_CHINESE == set(), "English (or a key) left on a Chinese page"
    english, _texts = _render(page, "en")
    assert MARK not in english
    if page not in CHINESE_CONTENT:
        left = sorted(set(CJK.findall(english)))
        where = english[max(0, CJK.search(english).start() - 80) :][:200] if left else ""
        assert left == [], where
