"""The pilot evaluation section of the drill-down: only on a pilot's page, filled by its callback,
its words in both languages and its figures drawn from the numbers they are given.

The store is the tiny one of ``test_area_data`` (2010-01..03): the pilots start 2010-01, so there
is no month before the start and the section says the pilot cannot be evaluated. The words and
figures are checked on a hand-made result (numbers chosen here)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import ids
from dashboard.figures.evaluation import event_study_figure, group_rates_figure
from dashboard.i18n import language
from dashboard.pages.area.evaluation import summary_lines
from dashboard.security.inputs import InvalidInput
from etl.scope import NATION
from geodata.regions import Pilot
from planning.evaluation import Evaluation
from tests.dashboard.test_area_data import engine, records  # noqa: F401 (fixtures)
from tests.dashboard.test_area_page import find, page, text_of

pytestmark = pytest.mark.usefixtures("engine")


def test_the_section_is_on_a_pilots_page_only():
    section = find(page("area").layout(adcode="320200", lang="en"), ids.AREA_EVALUATION)
    assert section is not None and "Pilot evaluation" in text_of(section)
    assert find(section, ids.AREA_EVAL_INDICATOR).value == "cert_verified"
    chosen = page("area").layout(adcode="320200", indicator="policy_aware")
    assert find(chosen, ids.AREA_EVAL_INDICATOR).value == "policy_aware"
    assert find(page("area").layout(adcode="310104"), ids.AREA_EVALUATION) is None  # no pilot
    assert find(page("area").layout(adcode="320000"), ids.AREA_EVALUATION) is None


def test_callback_says_when_a_pilot_cannot_be_evaluated_and_refuses_forged_input():
    children = page("area").show_evaluation("cert_verified", {"code": "320200", "lang": "en"})
    assert "cannot be evaluated" in text_of(children)
    with pytest.raises(InvalidInput):
        page("area").show_evaluation("<script>", {"code": "320200", "lang": "en"})
    with pytest.raises(InvalidInput):
        page("area").show_evaluation("cert_verified", {"code": "999999", "lang": "en"})


def made_result(**changes) -> Evaluation:
    event = pd.DataFrame({
        "bin": [-2, -1, 0, 1], "first_month": ["2009-07", "2009-10", "2010-01", "2010-04"],
        "coefficient": [0.01, 0.0, 0.12, 0.10], "std_error": [0.02, 0.0, 0.03, 0.03],
        "ci_low": [-0.03, 0.0, 0.06, 0.04], "ci_high": [0.05, 0.0, 0.18, 0.16],
    })  # fmt: skip
    groups = pd.DataFrame({
        "period": ["2009-12", "2009-12", "2010-01", "2010-01"],
        "group": ["pilot", "comparison", "pilot", "comparison"],
        "numerator": [60.0, 55.0, 80.0, 3.0], "denominator": [100.0, 100.0, 100.0, 4.0],
        "rate": [0.6, 0.55, 0.8, None],
    })  # fmt: skip
    values = dict(
        pilot=Pilot("320200", "江苏省无锡市", "Wuxi", "2010-01"), indicator="policy_aware",
        scope=NATION, pre_periods=("2009-11", "2009-12"), post_periods=("2010-01",),
        treated=tuple(f"32020{i}" for i in range(6)), controls=tuple(f"3401{i:02d}" for i in range(25)),
        unmatched=(), too_small=(), excluded=10, pool_size=150, effect=0.115, std_error=0.04,
        ci_low=0.031, ci_high=0.2, p_value=0.01, pre_trend_p=0.57, placebo_p=0.0,
        placebo_runs=25, placebo_low=0.05, placebo_high=0.18, event=event, groups=groups,
        comparisons=pd.DataFrame(),
    )  # fmt: skip
    values.update(changes)
    return Evaluation(**values)  # type: ignore[arg-type]


def test_summary_in_words_in_both_languages():
    result = made_result()
    with language("en"):
        lines = summary_lines(result)
    assert lines[0] == (
        "Estimated effect since the start (2010-01): +11.5 percentage points. "
        "Interval (95%): +3.1 to +20.0."
    )
    assert "rose more than comparable counties" in lines[1]
    assert "moved together (pre-trend check p = 0.57)" in lines[2]
    assert lines[3].startswith("6 pilot counties compared with 25 counties, 2 months before")
    with language("zh"):
        zh = summary_lines(made_result(pre_trend_p=0.01, ci_low=-0.01))
    assert zh[0].endswith("95%区间：-1.0 至 +20.0。") and "无法将效果与偶然波动区分开" in zh[1]
    assert zh[2].startswith("注意") and "p = 0.01" in zh[2]
    # one pilot county: the placebo interval speaks, or nothing when there are too few runs
    with language("en"):
        one = summary_lines(made_result(treated=("320200",), placebo_low=None, placebo_high=None))
    assert "Too few comparable counties" in one[0] and "tell from chance" not in one[1]


def test_figures_draw_the_numbers_they_are_given():
    result = made_result()
    with language("en"):
        event = event_study_figure(result.event, "2010-01")
        rates = group_rates_figure(result.groups, "2010-01")
    points, reference = event["data"]
    assert points["x"] == ["2009-07-01", "2010-01-01", "2010-04-01"]
    assert points["y"] == [1.0, 12.0, 10.0]  # percentage points
    assert points["error_y"]["array"] == [4.0, 6.0, 6.0]
    assert points["error_y"]["arrayminus"] == [4.0, 6.0, 6.0]
    assert reference["x"] == ["2009-10-01"] and reference["y"] == [0.0]
    start = event["layout"]["shapes"][0]
    assert start["x0"] == start["x1"] == "2010-01-01"
    pilot, comparison = rates["data"]
    assert pilot["name"] == "Pilot counties" and pilot["y"] == [60.0, 80.0]
    assert comparison["y"] == [55.0, None]  # a small cell is a gap, never a point
