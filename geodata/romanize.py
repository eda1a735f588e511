"""English (romanized) names of China's administrative units, for pages, tables and exports in English.

A Chinese unit name is a *specific* part and a *generic* part (通名): 浦东 + 新区, 歙 + 县,
恩施 + 土家族苗族 + 自治州. Following the Chinese rules for romanizing place names (GB/T 16159,
中国地名汉语拼音字母拼写规则) as the State Council's English usage applies them:

- the specific is written in Hanyu Pinyin without tones, its syllables together, the first letter
  capitalised; an apostrophe separates a syllable beginning with a, o or e from the syllable before
  it (西安 Xi'an, 六安 Lu'an, 兴安 Xing'an, 东阿 Dong'e). Names are ASCII: lü and nü are written
  ``lv`` and ``nv``, as those cities write themselves (吕梁 Lvliang, 旅顺口 Lvshunkou), lüe and
  nüe ``lue`` and ``nue`` (略阳 Lueyang); after j, q, x and y Pinyin writes ü as u anyway;
- the generic is translated: 县 County, 区 District, 市 City (county- and prefecture-level), 自治县
  Autonomous County, 旗 Banner, 自治旗 Autonomous Banner, 新区 New Area, 林区 Forestry District,
  矿区 Mining District, 特区 Special District, 地区 Prefecture, 自治州 Autonomous Prefecture,
  盟 League (``GENERICS``). A banner's position is translated with it (左旗 Left Banner, 右翼前旗
  Right Front Banner, 联合旗 United Banner). The peoples named by an autonomous unit are given in
  English (恩施土家族苗族自治州 Enshi Tujia and Miao Autonomous Prefecture, ``PEOPLES``);
- a name that is a generic alone keeps its first character as the specific (城区 Cheng District,
  东区 Dong District, 矿区 Kuang District).

Polyphonic characters are read with pypinyin's phrase dictionary, on the whole name; the readings it
gets wrong for place names are corrected in ``READINGS``: characters read one way in every place
name here (长 chang, 都 du, 朝 chao) and words (长子 Zhangzi, 闵行 Minhang, 漯河 Luohe ...), found
by reading through ``polyphonic_names`` for every unit of the hierarchy.

Ethnic-minority place names: many official English names in Inner Mongolia, Tibet and Xinjiang are
romanized from the minority language (呼和浩特 Hohhot, 拉萨 Lhasa, 乌鲁木齐 Urumqi, 鄂尔多斯 Ordos).
``MINORITY_FORMS`` holds those forms for the prefecture-level units of these three regions, for the
banners of Inner Mongolia, for a few well-known cities and for the autonomous counties named after a
people's own place name; every other unit, including most counties in these regions, is written in
Pinyin (阿坝 Aba, 甘孜 Ganzi, 那曲 is Nagqu but 尼玛县 is Nima County). Pinyin is an accepted
romanization of every one of them, not always the form an English atlas prints.

Hong Kong and Macao districts keep their official English names (``FULL_NAMES``), and a unit whose
name is its province's (北京市, 重庆市, 台湾省) takes the province's English name
(``PROVINCE_NAMES_EN``).

All functions are pure and cached; importing the module does no I/O (pypinyin loads its
dictionaries on first use).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

import pandas as pd

PROVINCE_NAMES_EN: Mapping[str, str] = {
    "110000": "Beijing", "120000": "Tianjin", "130000": "Hebei", "140000": "Shanxi",
    "150000": "Inner Mongolia", "210000": "Liaoning", "220000": "Jilin", "230000": "Heilongjiang",
    "310000": "Shanghai", "320000": "Jiangsu", "330000": "Zhejiang", "340000": "Anhui",
    "350000": "Fujian", "360000": "Jiangxi", "370000": "Shandong", "410000": "Henan",
    "420000": "Hubei", "430000": "Hunan", "440000": "Guangdong", "450000": "Guangxi",
    "460000": "Hainan", "500000": "Chongqing", "510000": "Sichuan", "520000": "Guizhou",
    "530000": "Yunnan", "540000": "Xizang", "610000": "Shaanxi", "620000": "Gansu",
    "630000": "Qinghai", "640000": "Ningxia", "650000": "Xinjiang", "710000": "Taiwan",
    "810000": "Hong Kong", "820000": "Macao",
}  # fmt: skip
"""Conventional English names of the provinces, by adcode (Shaanxi with its double a)."""

GENERICS: tuple[tuple[str, str], ...] = (
    ("自治州", "Autonomous Prefecture"),
    ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"),
    ("新区", "New Area"),
    ("林区", "Forestry District"),
    ("矿区", "Mining District"),
    ("特区", "Special District"),
    ("地区", "Prefecture"),
    ("盟", "League"),
    ("旗", "Banner"),
    ("县", "County"),
    ("区", "District"),
    ("市", "City"),
    ("省", "Province"),
)
"""Generic parts (通名) and their English, longest match first."""

GENERIC_IS_LAST_CHARACTER = frozenset({"清新区", "万柏林区", "金林区", "北林区", "碑林区"})
"""Names ending in a two-character generic that is not theirs: 清新 + 区, not 清 + 新区."""

BANNER_POSITIONS: tuple[tuple[str, str], ...] = (
    ("联合", "United"),
    ("左翼前", "Left Front"),
    ("左翼中", "Left Middle"),
    ("左翼后", "Left Rear"),
    ("右翼前", "Right Front"),
    ("右翼中", "Right Middle"),
    ("右翼后", "Right Rear"),
    ("左", "Left"),
    ("右", "Right"),
    ("前", "Front"),
    ("中", "Middle"),
    ("后", "Rear"),
)
"""Positions before 旗 (Inner Mongolia's banners: 土默特左旗 Tumed Left Banner)."""

PEOPLES: Mapping[str, str] = {
    "满族": "Manchu", "蒙古族": "Mongol", "蒙古": "Mongol", "回族": "Hui", "藏族": "Tibetan",
    "维吾尔族": "Uygur", "苗族": "Miao", "彝族": "Yi", "壮族": "Zhuang", "布依族": "Buyei",
    "朝鲜族": "Korean", "侗族": "Dong", "瑶族": "Yao", "白族": "Bai", "土家族": "Tujia",
    "哈尼族": "Hani", "哈萨克族": "Kazak", "哈萨克": "Kazak", "傣族": "Dai", "黎族": "Li",
    "傈僳族": "Lisu", "佤族": "Va", "畲族": "She", "拉祜族": "Lahu", "水族": "Sui",
    "东乡族": "Dongxiang", "纳西族": "Naxi", "景颇族": "Jingpo", "柯尔克孜": "Kirgiz",
    "土族": "Tu", "达斡尔族": "Daur", "仫佬族": "Mulao", "羌族": "Qiang", "布朗族": "Blang",
    "撒拉族": "Salar", "毛南族": "Maonan", "仡佬族": "Gelao", "锡伯": "Xibe", "普米族": "Pumi",
    "塔吉克": "Tajik", "怒族": "Nu", "鄂温克族": "Ewenki", "保安族": "Bonan", "裕固族": "Yugur",
    "独龙族": "Derung", "鄂伦春": "Oroqen", "各族": "Various Nationalities",
}  # fmt: skip
"""Peoples named in autonomous units' names, in English (GB/T 3304 romanizations, with the
English exonyms Manchu, Mongol, Tibetan, Korean)."""

READINGS: Mapping[str, str] = {
    # characters read one way in every place name of the hierarchy
    "长": "chang", "都": "du", "朝": "chao", "什": "shi", "佛": "fo", "卡": "ka", "勒": "le",
    "蚌": "beng",
    # words (the longer key wins over a character's default)
    "长子": "zhang zi", "曾都": "zeng du", "召陵": "shao ling", "闵行": "min hang",
    "珲春": "hun chun", "穆棱": "mu ling", "漯河": "luo he", "马尾": "ma wei", "南乐": "nan le",
    "民乐": "min le", "龙圩": "long xu", "覃塘": "qin tang", "筠连": "jun lian",
    "荥经": "ying jing", "伽师": "jia shi", "崆峒": "kong tong", "宕昌": "tan chang",
    # checked: pypinyin reads these right today; kept so that a dictionary change cannot break them
    "蔚县": "yu xian", "单县": "shan xian", "涡阳": "guo yang", "六合": "lu he", "浚县": "xun xian",
    "洪洞": "hong tong", "华县": "hua xian", "华阴": "hua yin", "汤阴": "tang yin",
    "莘县": "shen xian", "歙县": "she xian", "铅山": "yan shan", "乐亭": "lao ting",
    "乐清": "yue qing", "会昌": "hui chang", "大足": "da zu", "东阿": "dong e", "阿城": "a cheng",
    "番禺": "pan yu", "亳州": "bo zhou", "丽水": "li shui", "蚌埠": "beng bu", "六安": "lu an",
    "厦门": "xia men", "重庆": "chong qing", "大埔": "da bu", "黄陂": "huang pi", "枞阳": "zong yang",
    "盱眙": "xu yi", "泌阳": "bi yang", "渑池": "mian chi", "尉犁": "yu li", "犍为": "qian wei",
    "柞水": "zha shui", "吴堡": "wu bu",
}  # fmt: skip
"""Readings of polyphonic characters in place names, where pypinyin reads them otherwise or
might (its phrase dictionary is not a gazetteer). Keys are matched anywhere in a unit's name,
shorter keys first, so a word overrides a character's default (长 chang, 长子 Zhangzi)."""

MINORITY_FORMS: Mapping[str, str] = {
    # Inner Mongolia: prefecture-level units, cities, banners
    "呼和浩特": "Hohhot", "鄂尔多斯": "Ordos", "呼伦贝尔": "Hulunbuir", "巴彦淖尔": "Bayannur",
    "乌兰察布": "Ulanqab", "锡林郭勒": "Xilingol", "阿拉善": "Alxa",
    "二连浩特": "Erenhot", "锡林浩特": "Xilinhot", "乌兰浩特": "Ulanhot", "霍林郭勒": "Holingol",
    "额尔古纳": "Ergun", "阿尔山": "Arxan", "土默特": "Tumed", "达尔罕茂明安": "Darhan Muminggan",
    "阿鲁科尔沁": "Ar Horqin", "巴林": "Bairin", "克什克腾": "Hexigten", "翁牛特": "Ongniud",
    "喀喇沁": "Harqin", "科尔沁": "Horqin", "库伦": "Hure",
    "扎鲁特": "Jarud", "达拉特": "Dalad", "准格尔": "Jungar", "鄂托克": "Otog", "杭锦": "Hanggin",
    "乌审": "Uxin", "伊金霍洛": "Ejin Horo", "阿荣": "Arun", "莫力达瓦": "Morin Dawa",
    "陈巴尔虎": "Old Barag", "新巴尔虎": "New Barag", "乌拉特": "Urad", "察哈尔": "Chahar",
    "扎赉特": "Jalaid", "阿巴嘎": "Abag", "苏尼特": "Sonid", "东乌珠穆沁": "East Ujimqin",
    "西乌珠穆沁": "West Ujimqin", "太仆寺": "Taibus", "额济纳": "Ejin", "白云鄂博": "Bayan Obo",
    "海拉尔": "Hailar", "扎赉诺尔": "Jalainur", "和林格尔": "Horinger", "扎兰屯": "Zalantun",
    # Heilongjiang names from Manchu and Daur
    "哈尔滨": "Harbin", "齐齐哈尔": "Qiqihar", "富拉尔基": "Fularji", "大兴安岭": "Da Hinggan Ling",
    # Tibet
    "拉萨": "Lhasa", "日喀则": "Xigaze", "昌都": "Qamdo", "林芝": "Nyingchi", "那曲": "Nagqu",
    "阿里": "Ngari",
    # Xinjiang
    "乌鲁木齐": "Urumqi", "克拉玛依": "Karamay", "吐鲁番": "Turpan", "博尔塔拉": "Bortala",
    "巴音郭楞": "Bayingolin", "阿克苏": "Aksu", "克孜勒苏": "Kizilsu", "喀什": "Kashgar",
    "和田": "Hotan", "伊犁": "Ili", "阿勒泰": "Altay", "库尔勒": "Korla", "阿图什": "Artux",
    "奎屯": "Kuytun", "塔什库尔干": "Taxkorgan", "察布查尔": "Qapqal", "和布克赛尔": "Hoboksar",
    "巴里坤": "Barkol", "木垒": "Mori", "霍尔果斯": "Horgos", "阿拉尔": "Aral", "库车": "Kuqa",
    # Qinghai, Sichuan, Yunnan: cities best known by these forms
    "格尔木": "Golmud", "马尔康": "Barkam", "香格里拉": "Shangri-La",
    # autonomous counties elsewhere named after a people's own place name
    "前郭尔罗斯": "Qian Gorlos", "杜尔伯特": "Dorbod", "阿克塞": "Aksay",
    "喀喇沁左翼": "Harqin Left Wing",
}  # fmt: skip
"""Official English forms romanized from the minority language, by specific part."""

FULL_NAMES: Mapping[str, str] = {
    "神农架林区": "Shennongjia Forestry District",
    "兴安盟": "Hinggan League",  # 兴安县 (Guangxi) and 兴安区 (Heilongjiang) are Xing'an
    "芒市": "Mangshi City",  # the city's name is 芒市 as a whole
    "香港特别行政区": "Hong Kong", "澳门特别行政区": "Macao",
    "海西蒙古族藏族自治州直辖": "Haixi Mongol and Tibetan Autonomous Prefecture, directly administered",
    # Hong Kong (18 districts) and Macao (parishes), as their governments write them
    "中西区": "Central and Western District", "湾仔区": "Wan Chai District",
    "东区": "Eastern District", "南区": "Southern District", "油尖旺区": "Yau Tsim Mong District",
    "深水埗区": "Sham Shui Po District", "九龙城区": "Kowloon City District",
    "黄大仙区": "Wong Tai Sin District", "观塘区": "Kwun Tong District",
    "荃湾区": "Tsuen Wan District", "屯门区": "Tuen Mun District", "元朗区": "Yuen Long District",
    "北区": "North District", "大埔区": "Tai Po District", "西贡区": "Sai Kung District",
    "沙田区": "Sha Tin District", "葵青区": "Kwai Tsing District", "离岛区": "Islands District",
    "花地玛堂区": "Our Lady of Fatima Parish", "花王堂区": "St. Anthony Parish",
    "望德堂区": "St. Lazarus Parish", "大堂区": "Cathedral Parish",
    "风顺堂区": "St. Lawrence Parish", "嘉模堂区": "Our Lady of Carmel Parish",
    "路凼填海区": "Cotai", "圣方济各堂区": "St. Francis Xavier Parish",
}  # fmt: skip
"""Whole names whose English no rule gives. Hong Kong's 东区, 南区 and 北区 could be mainland
districts' names too (攀枝花 has a 东区): these take Hong Kong's forms only with a Hong Kong code
(81xxxx), which ``unit_names_en`` passes."""

HONG_KONG_MACAO = ("81", "82")
_SHARED_WITH_MAINLAND = frozenset({"东区", "南区", "北区", "中西区"})
_PER_CHARACTER: Callable[[str], Any] = list
_GENERIC_CHARACTERS = frozenset("".join(g for g, _ in GENERICS) + "族")
_PEOPLES_LONG_FIRST = sorted(PEOPLES, key=len, reverse=True)  # 哈萨克族 before 哈萨克
_READINGS_SHORT_FIRST = sorted(READINGS.items(), key=lambda item: len(item[0]))


@lru_cache(maxsize=8192)
def romanize(name: str, code: str | None = None) -> str:
    """English name of a prefecture- or county-level unit from its Chinese name.

    ``code`` (the unit's adcode), when given, tells Hong Kong's and Macao's districts from mainland
    namesakes (东区 in Hong Kong is Eastern District, in 攀枝花 Dong District).

    >>> romanize("浦东新区"), romanize("六安市"), romanize("土默特左旗")
    ('Pudong New Area', "Lu'an City", 'Tumed Left Banner')
    """
    hk_macao = code is not None and code.startswith(HONG_KONG_MACAO)
    if name in FULL_NAMES and (hk_macao or name not in _SHARED_WITH_MAINLAND):
        return FULL_NAMES[name]
    specific, peoples, generic = _split(name)
    parts = [_romanize_specific(specific, name)] if specific else []
    if peoples:
        parts.append(_join_peoples(peoples))
    parts.append(generic)
    return " ".join(p for p in parts if p)


def unit_names_en(table: pd.DataFrame) -> dict[str, str]:
    """adcode -> English name for every province, prefecture and county of a hierarchy table
    (``geodata.hierarchy.hierarchy_table``), with the same precedence as the Chinese names: a
    county's name wins over a prefecture sharing its code (东莞), a prefecture's over a province
    sharing its code (重庆). A unit named as its province takes the province's English name."""
    names = {
        code: PROVINCE_NAMES_EN.get(code, romanize(name, code))
        for code, name in _pairs(table, "province")
    }
    for level in ("prefecture", "county"):
        rows = table[[f"{level}_code", f"{level}_name", "province_code", "province_name"]]
        for code, name, province_code, province_name in rows.drop_duplicates().itertuples(
            index=False
        ):
            if name == province_name and province_code in PROVINCE_NAMES_EN:
                names[code] = PROVINCE_NAMES_EN[province_code]
            else:
                names[code] = romanize(name, code)
    return names


def polyphonic_names(names: Iterable[str]) -> list[tuple[str, str]]:
    """``(name, English)`` for each name with a character of several readings (for review).

    The check behind ``READINGS``: print these and read them through after a boundary update.
    Characters are looked up one by one (a phrase lookup would hide the readings it chose
    between); the generics' characters and 族 are left out."""
    from pypinyin import pinyin

    def several(char: str) -> bool:
        return char not in _GENERIC_CHARACTERS and len(pinyin(char, heteronym=True)[0]) > 1

    return [(n, romanize(n)) for n in dict.fromkeys(names) if any(several(c) for c in n)]


# --- helpers --------------------------------------------------------------------------------------


def _pairs(table: pd.DataFrame, level: str) -> Iterable[tuple[str, str]]:
    rows = table[[f"{level}_code", f"{level}_name"]].drop_duplicates()
    return rows.itertuples(index=False, name=None)


def _split(name: str) -> tuple[str, tuple[str, ...], str]:
    """``(specific, peoples, English generic)``: 恩施土家族苗族自治州 -> ('恩施', ('Tujia',
    'Miao'), 'Autonomous Prefecture')."""
    rest, generic = _strip_generic(name)
    peoples: list[str] = []
    if generic.startswith("Autonomous") or rest.endswith("族"):  # 管城回族区 Guancheng Hui District
        rest, peoples = _strip_peoples(rest)
        if not rest and peoples:  # 东乡族自治县: the people is the specific
            return "", (peoples[0],), generic
    if generic == "Banner":
        for suffix, english in BANNER_POSITIONS:
            if rest.endswith(suffix) and len(rest) > len(suffix):
                rest, generic = rest[: -len(suffix)], f"{english} {generic}"
                break
    return rest, tuple(peoples), generic


def _strip_generic(name: str) -> tuple[str, str]:
    if name in GENERIC_IS_LAST_CHARACTER:
        return name[:-1], dict(GENERICS)[name[-1]]
    for suffix, english in GENERICS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], english
    return name, ""


def _strip_peoples(rest: str) -> tuple[str, list[str]]:
    """Peoples named at the end of ``rest``, in the order of the name."""
    peoples: list[str] = []
    while True:
        match = next((k for k in _PEOPLES_LONG_FIRST if rest.endswith(k)), None)
        if match is None:
            return rest, peoples[::-1]
        peoples.append(PEOPLES[match])
        rest = rest[: -len(match)]


def _join_peoples(peoples: tuple[str, ...]) -> str:
    if len(peoples) == 1:
        return peoples[0]
    return f"{', '.join(peoples[:-1])} and {peoples[-1]}"


def _romanize_specific(specific: str, name: str) -> str:
    """The specific in Pinyin (or its minority-language form), read in the context of the whole
    name ``name`` so that pypinyin's phrase dictionary and ``READINGS`` see whole words."""
    if specific in MINORITY_FORMS:
        return MINORITY_FORMS[specific]
    syllables = _syllables(name)[: len(specific)]
    return _write(syllables)


@lru_cache(maxsize=8192)
def _syllables(text: str) -> tuple[str, ...]:
    """One toneless syllable per character of ``text`` (``v`` for ü)."""
    from pypinyin import Style, lazy_pinyin

    # a character pypinyin does not know stays one item of its own (``_PER_CHARACTER``)
    out = list(lazy_pinyin(text, style=Style.NORMAL, errors=_PER_CHARACTER))
    for word, reading in _READINGS_SHORT_FIRST:
        start = text.find(word)
        while start >= 0:
            out[start : start + len(word)] = reading.split()
            start = text.find(word, start + 1)
    return tuple(out)


def _write(syllables: Iterable[str]) -> str:
    """Syllables together, first letter capitalised, an apostrophe before a, o, e after another
    syllable, ü in ASCII (``v`` after l and n, ``u`` in lüe / nüe)."""
    text = ""
    for syllable in syllables:
        syllable = syllable.replace("lve", "lue").replace("nve", "nue")
        if text and syllable[:1] in ("a", "o", "e"):
            text += "'"
        text += syllable
    return text[:1].upper() + text[1:]
