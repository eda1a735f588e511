"""UI language: Chinese by default, English switchable (``?lang=en``).

Shared strings live here; a page keeps its own strings in a ``STRINGS`` dict beside its layout and
reads them with ``text(STRINGS, key, lang)``. Every dict maps a key to ``{"zh": ..., "en": ...}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from etl.records import INDICATOR_BY_FLAG

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

Strings = Mapping[str, Mapping[str, str]]

SHARED: dict[str, dict[str, str]] = {
    "app_title": {"zh": "一盘棋", "en": "Yipanqi"},
    "app_subtitle": {
        "zh": "流动人口计划生育服务管理 · 区域协作规划平台",
        "en": "Floating population services · regional planning",
    },
    "switch_lang": {"zh": "English", "en": "中文"},
    "nav_overview": {"zh": "总览", "en": "Overview"},
    "nav_flows": {"zh": "流向", "en": "Flows"},
    "nav_areas": {"zh": "试点与地区", "en": "Pilots & areas"},
    "nav_scenarios": {"zh": "情景推演", "en": "Scenarios"},
    "nav_present": {"zh": "演示", "en": "Present"},
    "level_province": {"zh": "省", "en": "Province"},
    "level_prefecture": {"zh": "地市", "en": "Prefecture"},
    "level_county": {"zh": "县区", "en": "County"},
    "level_region": {"zh": "协作区", "en": "Region"},
    "cohort_all": {"zh": "全部流动人口", "en": "All floating persons"},
    "cohort_women_15_49": {"zh": "育龄妇女（15-49岁）", "en": "Women aged 15-49"},
    "cohort_married_women_15_49": {"zh": "已婚育龄妇女", "en": "Married women aged 15-49"},
    "inflow": {"zh": "流入", "en": "Inflow"},
    "outflow": {"zh": "流出", "en": "Outflow"},
    "net": {"zh": "净流入", "en": "Net inflow"},
    "both": {"zh": "双向", "en": "Both"},
    "persons": {"zh": "人", "en": "persons"},
    "period": {"zh": "统计期", "en": "Period"},
    "target": {"zh": "目标", "en": "Target"},
    "gap_people": {"zh": "距目标差", "en": "Gap to target"},
    "suppressed": {"zh": "小于阈值，不显示", "en": "Suppressed (small cell)"},
    "no_data": {"zh": "无数据", "en": "No data"},
    "outside_coverage": {
        "zh": "不在统计范围（台湾、香港、澳门、金门）",
        "en": "Outside coverage (Taiwan, Hong Kong, Macao, Kinmen)",
    },
    "scs_islands": {"zh": "南海诸岛", "en": "South China Sea Islands"},
    "loading": {"zh": "加载中…", "en": "Loading…"},
    "download_csv": {"zh": "下载 CSV", "en": "Download CSV"},
    "class_below": {"zh": "低于目标 8 个百分点以上", "en": "More than 8 points below target"},
    "class_8": {"zh": "低于目标 3–8 个百分点", "en": "3–8 points below target"},
    "class_3": {"zh": "低于目标 3 个百分点以内", "en": "Within 3 points of target"},
    "class_at": {"zh": "达到或超过目标", "en": "At or above target"},
}

TARGET_CLASS_KEYS = ("class_below", "class_8", "class_3", "class_at")


def lang_of(value: str | None) -> str:
    """A supported language code (unknown or missing: Chinese)."""
    return value if value in LANGS else DEFAULT_LANG


def lang_of_search(search: str | None) -> str:
    """The language named by a URL query string (``?lang=en``; missing or unknown: Chinese)."""
    return lang_of(dict(parse_qsl((search or "").lstrip("?"))).get("lang"))


def text(strings: Strings, key: str, lang: str) -> str:
    """``strings[key]`` in ``lang``; a missing key is a programming error (KeyError)."""
    return strings[key][lang_of(lang)]


def t(key: str, lang: str) -> str:
    """A shared string."""
    return text(SHARED, key, lang)


def target_class_labels(lang: str) -> tuple[str, str, str, str]:
    """Labels of the four target-anchored coverage classes, lowest first."""
    below, eight, three, at = (t(key, lang) for key in TARGET_CLASS_KEYS)
    return below, eight, three, at


def indicator_name(flag: str, lang: str) -> str:
    indicator = INDICATOR_BY_FLAG[flag]
    return indicator.name_zh if lang_of(lang) == "zh" else indicator.name_en


def number(value: float, lang: str, unit: str = "") -> str:
    """Thousands-separated integer; large Chinese counts in 万 (10,000) with one decimal."""
    if lang_of(lang) == "zh" and abs(value) >= 100_000:
        return f"{value / 10_000:,.1f} 万{unit}"
    return f"{value:,.0f}{(' ' + unit) if unit and lang_of(lang) == 'en' else unit}"
