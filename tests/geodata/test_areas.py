"""The area model (geodata.areas): areas at their level, breadcrumbs, comparisons, map units and
search, against the published hierarchy and the packaged region file."""

from __future__ import annotations

from geodata import areas as A


def test_areas_are_found_at_their_level():
    cases = {
        "310115": ("county", "浦东新区", True),
        "320200": ("prefecture", "无锡市", True),
        "330400": ("prefecture", "嘉兴市", True),
        "320000": ("province", "江苏省", False),
        "500000": ("province", "重庆市", False),  # also a prefecture code: read as the province
        "441900": ("county", "东莞市", False),  # also a prefecture code: read as the county
        "pan_yangtze": ("region", "泛长三角", False),
    }
    for code, (level, name, pilot) in cases.items():
        area = A.find_area(code)
        assert area is not None, code
        assert (area.level, area.name_zh, area.is_pilot) == (level, name, pilot)
    assert A.find_area("320200").county_codes == (
        "320205", "320206", "320211", "320213", "320214", "320281", "320282",
    )  # fmt: skip
    for unknown in ("999999", "31011", "abc", "", None, "../310115"):
        assert A.find_area(unknown) is None


def test_breadcrumb_of_pudong_leaves_out_the_municipality_as_prefecture():
    steps = A.breadcrumb(A.find_area("310115"))
    assert [[c.code for c in step] for step in steps] == [["pan_yangtze"], ["310000"], ["310115"]]
    assert [[c.name_zh for c in step] for step in steps] == [["泛长三角"], ["上海市"], ["浦东新区"]]
    assert steps[0][0].name("en") == "Pan-Yangtze-Delta" and steps[1][0].name("en") == "Shanghai"
    assert steps[2][0].name("en") == "Pudong New Area"
    jiangxi = A.breadcrumb(A.find_area("360102"))
    assert [s[0].name("en") for s in jiangxi[1:]] == ["Jiangxi", "Nanchang City", "Donghu District"]


def test_breadcrumb_of_a_jiangxi_county_lists_both_regions():
    steps = A.breadcrumb(A.find_area("360102"))
    assert [[c.code for c in step] for step in steps] == [
        ["pan_yangtze", "pan_pearl"], ["360000"], ["360100"], ["360102"],
    ]  # fmt: skip
    assert [c.level for step in steps for c in step] == [
        "region", "region", "province", "prefecture", "county",
    ]  # fmt: skip


def test_breadcrumbs_of_wuxi_a_region_and_a_province_outside_every_region():
    codes = lambda code: [[c.code for c in s] for s in A.breadcrumb(A.find_area(code))]  # noqa: E731
    assert codes("320200") == [["pan_yangtze"], ["320000"], ["320200"]]
    assert codes("pan_pearl") == [["pan_pearl"]]
    assert codes("410102") == [["410000"], ["410100"], ["410102"]]  # 河南: no region
    assert codes("500101") == [["500000"], ["500101"]]  # 重庆: the prefecture is the province


def test_comparisons_are_the_province_and_every_region():
    codes = lambda code: [a.code for a in A.comparisons(A.find_area(code))]  # noqa: E731
    assert codes("310115") == ["310000", "pan_yangtze"]
    assert codes("360102") == ["360000", "pan_yangtze", "pan_pearl"]
    assert codes("360000") == ["pan_yangtze", "pan_pearl"]
    assert codes("pan_yangtze") == []
    assert [a.code for a in A.pilots()] == ["310115", "320200", "330400"]


def test_map_units():
    pudong, wuxi = A.find_area("310115"), A.find_area("320200")
    assert len(A.sub_units(pudong, "county")) == 16 and "310115" in A.sub_units(pudong, "county")
    assert A.sub_units(wuxi, "county") == wuxi.county_codes
    assert len(A.sub_units(A.find_area("320000"), "prefecture")) == 13
    assert A.sub_units(A.find_area("pan_yangtze"), "province") == (
        "310000", "320000", "330000", "340000", "360000",
    )  # fmt: skip
    assert A.geometry_name(wuxi, "county") == "county_detail/320000"
    assert A.geometry_name(A.find_area("320000"), "prefecture") == "prefecture_national"


def test_search_finds_names_and_codes():
    assert A.search_areas("浦东", "zh")[0]["value"] == "310115"
    assert A.search_areas("320583", "zh")[0]["value"] == "320583"  # 昆山市
    assert A.search_areas("无锡", "zh")[0]["value"] == "320200"
    assert A.search_areas("jiangsu", "en")[0]["value"] == "320000"
    assert A.search_areas("Kunshan", "zh")[0]["value"] == "320583"  # pinyin on the Chinese page
    assert A.search_areas("昆山", "en")[0]["value"] == "320583"
    assert A.search_areas("  ", "zh") == []
    assert len(A.search_areas("区", "zh")) == 30  # capped


def test_a_county_is_mapped_among_its_prefecture_or_its_province():
    mapped = lambda code: A.map_area(A.find_area(code)).code  # noqa: E731
    assert mapped("320211") == "320200"  # 滨湖区 among the counties of 无锡市
    assert mapped("310115") == "310000"  # 浦东: 上海市 310100 is all of 上海
    assert mapped("441900") == "440000"  # 东莞 is its own prefecture: among 广东's counties
    assert mapped("320200") == "320200"
    assert "441900" in A.sub_units(A.find_area("441900"), "county")
    assert len(A.sub_units(A.find_area("441900"), "county")) > 100


def test_county_names_tell_apart_counties_of_the_same_name():
    zh, en = A.county_names_with_prefecture("zh"), A.county_names_with_prefecture("en")
    chengguan = [c for c, name in A.unit_names("zh").items() if name == "城关区" and c in zh]
    assert len(chengguan) >= 2 and len({zh[c] for c in chengguan}) == len(chengguan)
    assert zh["620102"] == "城关区（兰州市）" and en["620102"] == "Chengguan District (Lanzhou City)"
    assert zh["310115"] == "浦东新区（上海市）"
    assert all("（" not in name or name.count("（") == 1 for name in zh.values())
