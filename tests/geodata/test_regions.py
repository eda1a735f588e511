"""Region and pilot configuration: defaults, membership, errors with file and line."""

from __future__ import annotations

import pytest

from geodata.errors import RegionConfigError
from geodata.hierarchy import hierarchy_table, province_table
from geodata.regions import load_regions


@pytest.fixture(scope="module")
def lookups():
    h = hierarchy_table()
    return province_table(), set(h["county_code"]) | set(h["prefecture_code"])


def test_default_regions_and_pilots(lookups):
    config = load_regions(None, *lookups)
    members = config.membership().groupby("region_code")["province_code"].apply(set).to_dict()
    assert members["pan_yangtze"] == {"310000", "320000", "330000", "340000", "360000"}
    assert (
        len(members["pan_pearl"]) == 9
        and len(members["bohai_rim"]) == 7
        and len(members["northwest"]) == 5
    )
    # Jiangxi sits in two regions
    assert "360000" in members["pan_yangtze"] and "360000" in members["pan_pearl"]
    assert [p.code for p in config.pilots] == ["310115", "320200", "330400"]
    # the assumed start of the pilot regime (regions.toml explains it)
    assert config.pilot_starts() == dict.fromkeys(["310115", "320200", "330400"], "2010-01")


def test_pilot_start_is_validated_and_defaults(lookups, tmp_path):
    path = tmp_path / "regions.toml"
    path.write_text(
        '[[region]]\ncode = "x"\nname_zh = "甲"\nname_en = "X"\nprovinces = ["上海"]\n\n'
        '[[pilot]]\ncode = "310115"\nstart = "2010-13"\n\n'
        '[[pilot]]\ncode = "320200"\nstart = "2011/03"\n\n'
        '[[pilot]]\ncode = "330400"\n',
        encoding="utf-8",
    )
    with pytest.raises(RegionConfigError) as err:
        load_regions(path, *lookups)
    message = str(err.value)
    assert f"{path}:9: pilot '310115' start '2010-13' is not a month" in message
    assert f"{path}:13: pilot '320200' start '2011/03' is not a month" in message
    path.write_text(path.read_text(encoding="utf-8").replace("2010-13", "2011-07").replace(
        "2011/03", "2009-12"), encoding="utf-8")
    config = load_regions(path, *lookups)
    assert config.pilot_starts() == {"310115": "2011-07", "320200": "2009-12", "330400": "2010-01"}


def test_unknown_province_and_pilot_name_file_and_line(lookups, tmp_path):
    path = tmp_path / "regions.toml"
    path.write_text(
        '[[region]]\ncode = "x"\nname_zh = "甲"\nname_en = "X"\nprovinces = ["上海",\n  "火星"]\n\n'
        '[[pilot]]\ncode = "999999"\n',
        encoding="utf-8",
    )
    with pytest.raises(RegionConfigError) as err:
        load_regions(path, *lookups)
    message = str(err.value)
    assert f"{path}:6: unknown province '火星'" in message
    assert f"{path}:9: pilot #1 code '999999'" in message


def test_malformed_file_is_a_clear_error(lookups, tmp_path):
    path = tmp_path / "regions.toml"
    path.write_text("[[region]\ncode = 1", encoding="utf-8")
    with pytest.raises(RegionConfigError, match="not valid TOML"):
        load_regions(path, *lookups)


def test_hierarchy_links_every_county_to_prefecture_and_province():
    h = hierarchy_table()
    assert len(h) == 2875 and h["county_code"].is_unique
    assert h[["prefecture_code", "province_code"]].notna().all().all()
    row = h.set_index("county_code").loc["310115"]
    assert (row["county_name"], row["province_code"]) == ("浦东新区", "310000")
    assert h.set_index("county_code").loc["320211", "prefecture_code"] == "320200"
    # a county directly under its province is its own prefecture-level unit
    assert h.set_index("county_code").loc["419001", "prefecture_code"] == "419001"
