"""A default slide's title and message agree with its narrative, and both with the data.

The default storyboard of every region, in both languages, as the nation and as the region's own
staff read it: the weakest-indicator slide's title names the indicator furthest below its target
(or says every indicator is at target) and its narrative says that indicator is short of (or at)
its target; the first slide's quoted verification rate is the narrative's; a pilot's slide speaks of
the pilot. Expected values come from the raw ``coverage`` rows (provinces from the first two digits
of each county code), not from ``dashboard.story``.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.data import geo
from dashboard.i18n import _, indicator_name, language
from dashboard.story.defaults import default_storyboard, region_scope
from dashboard.story.narrative import narrative
from etl import targets
from etl.indicators import INDICATOR_BY_FLAG
from etl.scope import NATION
from etl.store import open_store
from tests.support import demo_store


@pytest.fixture(scope="module")
def engine():
    engine = open_store(demo_store()[0])
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def period(engine):
    with engine.connect() as conn:
        return conn.execute(sa.text("select max(period) from coverage")).scalar()


@pytest.fixture(scope="module")
def coverage(engine, period):
    with engine.connect() as conn:
        cov = pd.read_sql_query(
            sa.text("select * from coverage where period = :p"), conn, params={"p": period}
        )
        threshold = int(
            conn.execute(
                sa.text("select value from store_meta where key = 'small_cell_threshold'")
            ).scalar()
        )
    return cov, threshold


def raw_rates(coverage, provinces: set[str], period: str) -> dict[str, tuple[float, float]]:
    """flag -> (rate, target) over the provinces' counties, each indicator on its own side; an
    indicator without data or whose denominator is a small cell is left out."""
    cov, threshold = coverage
    mine = cov[cov["county_code"].str[:2].isin(provinces)]
    out = {}
    for flag, indicator in INDICATOR_BY_FLAG.items():
        rows = mine[(mine["indicator"] == flag) & (mine["side"] == indicator.side)]
        num, den = int(rows["numerator"].sum()), int(rows["denominator"].sum())
        if den >= max(threshold, 1):
            out[flag] = (num / den, targets.target(flag, period))
    return out


def says_short(sentence: str, lang: str) -> bool:
    """Whether a narrative's first sentence says its indicator is short of its target."""
    with language(lang):
        short = _("{indicator} {rate}, {gap} short of the {target} target")
        at = _("{indicator} {rate}, at the {target} target")
    short_word = short.split("{gap}")[1].split("{target}")[0] if lang == "en" else "目标差"
    at_word = at.split("{rate}")[1].split("{target}")[0]
    assert (short_word in sentence) != (at_word in sentence), sentence
    return short_word in sentence


REGIONS = [r.code for r in geo.regions().regions]


@pytest.mark.parametrize("reader", ["nation", "region"])
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("code", REGIONS)
def test_default_slides_say_what_their_narratives_say(engine, coverage, period, code, lang, reader):
    regions = geo.regions()
    region = regions.region(code)
    scope = NATION if reader == "nation" else region_scope(region)
    with language(lang):
        board = default_storyboard(engine, region, regions, period, scope=scope)
    rates = raw_rates(coverage, {p[:2] for p in region.province_codes}, period)
    assert rates

    def told(slide) -> list[str]:
        return narrative(engine, slide.view, regions, lang, scope=scope)

    # 1: the quoted verification rate is the narrative's, and short iff the data is
    first = told(board.slides[0])[0]
    rate_shown = re.search(r"[\d.]+%", board.slides[0].message).group()
    assert rate_shown in first, (board.slides[0].message, first)
    value, target = rates["cert_verified"]
    assert says_short(first, lang) == (value < target)

    # 3: the weakest indicator: the title's claim, the data's and the narrative's agree
    weakest = min(rates, key=lambda f: rates[f][0] - rates[f][1])
    slide = board.slides[2]
    assert slide.view.measure == weakest
    with language(lang):
        name = indicator_name(weakest)
        below = _("Furthest below target: {name}").format(name=name)
        all_met = _("Every indicator at target; closest to its target: {name}").format(name=name)
    value, target = rates[weakest]
    assert slide.title == (below if value < target else all_met)
    sentence = told(slide)[0]
    assert says_short(sentence, lang) == (value < target), (slide.title, sentence)
    assert name.lower() in sentence.lower()

    # the pilots: each slide titled with the pilot speaks of the pilot
    for slide in board.slides[3:]:
        if slide.view.page != "area":
            continue
        pilot = next(p for p in regions.pilots if p.code == slide.view.area)
        place = pilot.name_zh if lang == "zh" else pilot.name_en
        assert place in slide.title
        assert told(slide)[0].startswith(place), (slide.title, told(slide)[0])
