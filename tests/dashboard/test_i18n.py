"""The request's language and the formats of numbers and periods in each language."""

from __future__ import annotations

import threading

from dashboard import formatting
from dashboard.i18n import (
    _,
    current_language,
    indicator_name,
    join,
    lang_of,
    lang_of_search,
    language,
    ngettext,
    pick,
    t,
    use_language,
)
from dashboard.shell import nav_links, switched_search


def test_the_language_comes_from_the_url_and_defaults_to_chinese():
    assert lang_of_search("?lang=en&level=county") == "en"
    assert lang_of_search("?lang=fr") == lang_of_search(None) == lang_of(None) == "zh"
    assert use_language("en") == current_language() == "en"
    assert use_language("xx") == current_language() == "zh"


def test_language_is_scoped_to_a_block_and_to_a_thread():
    with language("en"):
        assert (_("Overview"), t("level_county"), indicator_name("health_check")) == (
            "Overview", "County", "Health check rate",
        )  # fmt: skip
        seen: list[str] = []
        other = threading.Thread(target=lambda: seen.append(_("Overview")))
        other.start()
        other.join()
        assert seen == ["总览"]  # another request's thread has its own language
    assert (_("Overview"), t("level_county"), indicator_name("health_check")) == (
        "总览", "县区", "康检率",
    )  # fmt: skip


def test_plurals_lists_and_names_by_language():
    assert ngettext("{n} person", "{n} persons", 2).format(n=2) == "2 人"
    assert (
        join(["上海", "江苏"]) == "上海、江苏"
        and pick("泛长三角", "Pan-Yangtze-Delta") == "泛长三角"
    )
    with language("en"):
        assert ngettext("{n} person", "{n} persons", 1).format(n=1) == "1 person"
        assert join(["Shanghai", "Jiangsu"]) == "Shanghai, Jiangsu"
        assert pick("泛长三角", "Pan-Yangtze-Delta") == "Pan-Yangtze-Delta"


def test_counts_in_wan_and_yi_in_chinese_and_separators_in_english():
    assert (
        formatting.compact(34_000_000) == "3,400万" and formatting.compact(123_456_789) == "1.2亿"
    )
    assert formatting.compact(99_999) == "99,999" and formatting.count(1234.4) == "1,234"
    assert formatting.persons(2_997) == "2,997 人"
    assert formatting.persons(1_234_567, compact_count=True) == "123.5万人"
    assert formatting.signed(1871) == "+1,871" and formatting.signed(0) == "0"
    assert formatting.period("2012-03") == "2012年3月"
    with language("en"):
        assert formatting.compact(34_000_000) == "34,000,000"
        assert formatting.persons(1) == "1 person"
        assert formatting.persons(1_234_567, compact_count=True) == "1,234,567 persons"
        assert formatting.period("2012-03") == "Mar 2012"
    assert formatting.percent(0.9834) == "98.3%" and formatting.percent(0.98, 0) == "98%"
    assert formatting.rate(0.97999, 0.98) == "97.9%"  # a miss never reads as the 98% target
    assert formatting.rate(462 / 463) == "99.8%"  # rounded, as on every page and slide


def test_the_shell_switches_to_the_other_language():
    assert switched_search("?level=county") == "?level=county&lang=en"
    assert switched_search("?level=county&lang=en") == "?level=county&lang=zh"
    with language("en"):
        links = nav_links("/area/310115")
    assert [link.href for link in links][:2] == ["/?lang=en", "/flows?lang=en"]
    assert [link.children for link in links if link.className] == ["Pilots & areas"]
