"""The scenario page's words in both languages: every problem of a scenario names its lever and is
in the page's language, an unknown area code is reported, the scenario is told in sentences, and
the flow model's fit in plain words with a warning when it is weak."""

from __future__ import annotations

import re

import pytest

from dashboard.i18n import language
from dashboard.pages.scenarios import words
from planning.errors import Problem, ScenarioError
from planning.model import FIT_FAIR, FIT_GOOD, FittedModel
from planning.scenario import check_areas, parse_scenario
from tests.planning.helpers import D1, tiny_baseline

CJK = re.compile(r"[\u4e00-\u9fff]")
BROKEN = {
    "name": "",
    "period": "2012/12",
    "levers": [
        {"kind": "growth", "percent": "15", "side": "up", "areas": []},
        {"kind": "teleport"},
        {"kind": "coverage_push", "indicator": "nope", "areas": ["310115"], "set_to": 98, "raise_points": 2},
        {"kind": "capacity", "areas": ["320200"], "staff": -1, "indicator": "cert_verified"},
        {"kind": "attractiveness", "factor": 0, "areas": ["340100"], "speed": 3, "keep_totals": 1},
        {"kind": "coverage_push", "indicator": [], "areas": ["310115"], "set_to": 120},
        {"kind": "growth", "side": "inflow", "areas": ["310115"]},
        "lever",
    ],
    "resources": {"persons_per_staff": 0},
    "description": 5,
    "extra": True,
}  # fmt: skip


def problems_of(scenario) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(scenario)
    return list(info.value.problems)


def test_the_broken_scenario_breaks_every_rule_of_the_catalogue():
    codes = {p.code for p in problems_of(BROKEN)}
    assert codes == {
        "unknown_fields", "bad_name", "bad_period", "not_number", "not_choice", "no_areas",
        "unknown_kind", "unknown_indicators", "one_of", "below_minimum", "not_capacity_bound",
        "not_bool", "not_indicators", "above_maximum", "required", "not_object", "not_positive",
        "bad_description",
    }  # fmt: skip


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_problem_is_in_the_page_language_and_names_its_lever(lang):
    with language(lang):
        for problem in problems_of(BROKEN):
            text = words.problem_text(problem, BROKEN)
            assert text != problem.message, problem  # a sentence of its own, not planning's English
            if lang == "zh":
                assert CJK.search(text), text
                assert not re.search(r"\b(must|unknown|choose|enter|levers\[)\b", text), text
            else:
                assert not CJK.search(text), text
            if problem.lever is not None:
                n = problem.lever + 1
                kind = BROKEN["levers"][problem.lever]
                kind = kind.get("kind") if isinstance(kind, dict) else None
                if kind in words.KIND_NAMES:
                    expected = {"zh": f"杠杆 {n}（", "en": f"Lever {n} ("}[lang]
                else:
                    expected = {"zh": f"杠杆 {n}：", "en": f"Lever {n}: "}[lang]
                assert text.startswith(expected), text


def test_an_unknown_area_code_is_reported_naming_the_lever():
    scenario = parse_scenario(
        {
            "name": "x",
            "levers": [
                {"kind": "growth", "percent": 5, "side": "inflow", "areas": [D1]},
                {"kind": "coverage_push", "indicator": "cert_verified", "areas": ["999999", D1, "888888"], "set_to": 98},
            ],
        }
    )
    found = check_areas(tiny_baseline(), scenario)
    assert [(p.lever, p.code, tuple(p.params["codes"])) for p in found] == [
        (1, "unknown_areas", ("999999", "888888"))
    ]
    as_json = scenario.to_json()
    with language("zh"):
        assert words.problem_text(found[0], as_json) == "杠杆 2（覆盖率提升）：未知地区代码 999999、888888"
    with language("en"):
        assert words.problem_text(found[0], as_json) == "Lever 2 (Coverage push): unknown area codes 999999, 888888"


@pytest.mark.parametrize(
    ("problem", "zh", "en"),
    [
        (
            Problem("below_minimum", "", 0, "percent", {"minimum": -100.0, "exclusive": False, "value": -150.0}),
            "杠杆 1（流量增长）：变化幅度不能小于 -100（现为 -150）",
            "Lever 1 (Flow growth): Change must be at least -100 (it is -150)",
        ),
        (
            Problem("required", "", 0, "percent", {"minimum": -100.0, "maximum": None, "exclusive": False}),
            "杠杆 1（流量增长）：变化幅度：请输入不小于 -100 的数",
            "Lever 1 (Flow growth): Change: enter a number of at least -100",
        ),
        (
            Problem("above_maximum", "", 0, "set_to", {"maximum": 100.0, "value": 120.0}),
            "杠杆 1（覆盖率提升）：提高到至少不能大于 100（现为 120）",
            "Lever 1 (Coverage push): Raise to at least must be at most 100 (it is 120)",
        ),
    ],
)
def test_problem_sentences(problem, zh, en):
    kind = {"percent": "growth", "set_to": "coverage_push"}[problem.field]
    scenario = {"levers": [{"kind": kind}]}
    with language("zh"):
        assert words.problem_text(problem, scenario) == zh
    with language("en"):
        assert words.problem_text(problem, scenario) == en


def test_the_scenario_in_words(monkeypatch):
    names = {"pan_yangtze": ("泛长三角", "Pan-Yangtze-Delta"), "310115": ("浦东新区", "Pudong New Area")}
    monkeypatch.setattr(
        words.data, "area_name", lambda code, lang: names[code][lang == "en"] if code in names else None
    )
    scenario = {
        "name": "试点",
        "levers": [
            {"kind": "growth", "percent": -10, "side": "outflow", "areas": ["pan_yangtze"]},
            {"kind": "coverage_push", "indicator": "cert_verified", "areas": ["310115", "999999"], "set_to": 98},
            {"kind": "capacity", "areas": ["310115"], "staff": 3, "persons_per_staff": 200},
            {"kind": "attractiveness", "factor": 1.5, "areas": ["310115"]},
        ],
    }
    with language("zh"):
        heading, sentences, money = words.scenario_words(scenario, "2012-12")
        assert heading == "“试点”，最新统计期（2012年12月）：4 个杠杆"
        assert sentences[0] == "从泛长三角流出的人数减少 10%。"
        assert sentences[1] == "浦东新区、999999的婚育证明验证率提高到至少 98%。"
        assert "每县配备 3 名服务人员，每人服务 200 人" in sentences[2] and "600 人" in sentences[2]
        assert "1.5 倍" in sentences[3] and "弹性：由流向模型拟合" in sentences[3]
        assert money == "缺口按每名服务人员服务 1,000 人、人均 25 元测算。"
    with language("en"):
        heading, sentences, _money = words.scenario_words(scenario, "2012-12")
        assert heading == "“试点”, the latest period (Dec 2012): 4 levers"
        assert sentences[0] == "Outflow from Pan-Yangtze-Delta falls by 10%."
        assert sentences[1] == "In Pudong New Area, 999999: Certificate verification rate raised to at least 98%."
        assert "600 persons per county" in sentences[2]
    with language("en"):
        assert words.scenario_words({"name": "e", "levers": []}, "2012-12")[1] == [
            "No levers: the scenario reproduces the baseline."
        ]


def _model(share: float) -> FittedModel:
    return FittedModel(gamma=0.209, beta=0.367, pseudo_r2=0.151, share_within_10pct=share, n_pairs=27310, fit_seconds=8.4)


@pytest.mark.parametrize(
    ("share", "quality_zh", "quality_en"),
    [(0.62, "拟合尚可", "a fair fit"), (0.80, "拟合良好", "a good fit"), (0.26, "拟合较弱", "a weak fit")],
)
def test_the_fit_in_plain_words(share, quality_zh, quality_en):
    with language("en"):
        line, warning, thresholds, details = words.fit_words(_model(share))
        assert f"{round(share * 100)}% of the county pairs within ±10%" in line and quality_en in line
        assert "pseudo" not in line and "γ" not in line  # the jargon is in the details
        assert "pseudo-R² 0.151" in details and "γ (attractiveness elasticity) 0.209" in details
        assert (warning is not None) == (share < FIT_FAIR)
        assert f"{round(FIT_GOOD * 100)}%" in thresholds and f"{round(FIT_FAIR * 100)}%" in thresholds
    with language("zh"):
        line, warning, _thresholds, _details = words.fit_words(_model(share))
        assert quality_zh in line and f"{round(share * 100)}%" in line
        assert warning is None or CJK.search(warning)
