"""English names of units: checked against official English names written down by hand (not
produced by the romanizer), and every unit of the hierarchy gets one."""

from __future__ import annotations

import time

import pytest

from geodata.hierarchy import hierarchy_table
from geodata.romanize import polyphonic_names, romanize, unit_names_en

# name -> official English name (the pilots, polyphonic names, every kind of generic)
OFFICIAL = {
    # the three pilots
    "浦东新区": "Pudong New Area",
    "无锡市": "Wuxi City",
    "嘉兴市": "Jiaxing City",
    # apostrophes
    "西安市": "Xi'an City",
    "六安市": "Lu'an City",
    "兴安县": "Xing'an County",
    "东阿县": "Dong'e County",
    "建瓯市": "Jian'ou City",
    # polyphonic characters
    "蚌埠市": "Bengbu City",
    "丽水市": "Lishui City",
    "乐清市": "Yueqing City",
    "番禺区": "Panyu District",
    "歙县": "She County",
    "铅山县": "Yanshan County",
    "莘县": "Shen County",
    "蔚县": "Yu County",
    "亳州市": "Bozhou City",
    "涡阳县": "Guoyang County",
    "长沙市": "Changsha City",
    "厦门市": "Xiamen City",
    "单县": "Shan County",
    "洪洞县": "Hongtong County",
    "乐亭县": "Laoting County",
    "会昌县": "Huichang County",
    "大足区": "Dazu District",
    "汤阴县": "Tangyin County",
    "华阴市": "Huayin City",
    "阿城区": "Acheng District",
    "长治市": "Changzhi City",
    "长子县": "Zhangzi County",
    "闵行区": "Minhang District",
    "珲春市": "Hunchun City",
    "漯河市": "Luohe City",
    "都匀市": "Duyun City",
    "宕昌县": "Tanchang County",
    "筠连县": "Junlian County",
    "六合区": "Luhe District",
    "朝阳市": "Chaoyang City",
    "大埔县": "Dabu County",
    "盱眙县": "Xuyi County",
    "召陵区": "Shaoling District",
    "马尾区": "Mawei District",
    # generics
    "土默特左旗": "Tumed Left Banner",
    "察哈尔右翼前旗": "Chahar Right Front Banner",
    "达尔罕茂明安联合旗": "Darhan Muminggan United Banner",
    "鄂温克族自治旗": "Ewenki Autonomous Banner",
    "恩施土家族苗族自治州": "Enshi Tujia and Miao Autonomous Prefecture",
    "延边朝鲜族自治州": "Yanbian Korean Autonomous Prefecture",
    "锡林郭勒盟": "Xilingol League",
    "兴安盟": "Hinggan League",
    "神农架林区": "Shennongjia Forestry District",
    "六枝特区": "Liuzhi Special District",
    "阿里地区": "Ngari Prefecture",
    "井陉矿区": "Jingxing Mining District",
    "滨海新区": "Binhai New Area",
    "清新区": "Qingxin District",
    "碑林区": "Beilin District",
    "管城回族区": "Guancheng Hui District",
    "东乡族自治县": "Dongxiang Autonomous County",
    "积石山保安族东乡族撒拉族自治县": "Jishishan Bonan, Dongxiang and Salar Autonomous County",
    "龙胜各族自治县": "Longsheng Various Nationalities Autonomous County",
    "白沙黎族自治县": "Baisha Li Autonomous County",
    "芒市": "Mangshi City",
    # minority-language forms
    "拉萨市": "Lhasa City",
    "乌鲁木齐市": "Urumqi City",
    "呼和浩特市": "Hohhot City",
    "哈尔滨市": "Harbin City",
    "喀什地区": "Kashgar Prefecture",
}


@pytest.mark.parametrize(("name", "english"), OFFICIAL.items())
def test_official_english_names(name, english):
    assert romanize(name) == english


def test_hong_kong_districts_by_code_and_mainland_namesakes():
    assert romanize("东区", "810003") == "Eastern District"
    assert romanize("东区", "510402") == "Dong District"  # 攀枝花
    assert romanize("城区", "140302") == "Cheng District"
    assert romanize("花地玛堂区", "820001") == "Our Lady of Fatima Parish"


@pytest.fixture(scope="module")
def hierarchy():
    return hierarchy_table()


def test_every_unit_of_the_hierarchy_gets_an_ascii_name(hierarchy):
    names = unit_names_en(hierarchy)
    codes = set(hierarchy["county_code"]) | set(hierarchy["prefecture_code"])
    codes |= set(hierarchy["province_code"])
    assert set(names) == codes
    bad = {c: n for c, n in names.items() if not n or not n.isascii() or n != n.strip()}
    assert bad == {}


def test_units_named_as_their_province_take_its_english_name(hierarchy):
    names = unit_names_en(hierarchy)
    assert (names["110100"], names["310100"], names["500000"]) == (
        "Beijing",
        "Shanghai",
        "Chongqing",
    )
    assert (names["710000"], names["810000"]) == ("Taiwan", "Hong Kong")
    assert names["441900"] == "Dongguan City"  # a prefecture-level city without counties
    assert names["310115"] == "Pudong New Area"
    assert names["810004"] == "Southern District" and names["510403"] == "Xi District"


def test_names_are_cached_and_fast(hierarchy):
    unit_names_en(hierarchy)
    start = time.perf_counter()
    unit_names_en(hierarchy)
    assert time.perf_counter() - start < 0.5  # 3,240 names from the cache


def test_polyphonic_review_list(hierarchy):
    review = dict(polyphonic_names(hierarchy["county_name"]))
    assert review["单县"] == "Shan County" and "浦东新区" not in review
