"""A narrative, a slide table and a print map's subtitle of a 2010 period quote the 2010 target
(the target file's 89% for the free technical service rate; 95% in 2012): each asks etl.targets
for the target in force for its period."""

from __future__ import annotations

from dashboard.data.overview import Headline
from dashboard.export.maps import print_texts
from dashboard.export.source import Lineage, MapView
from dashboard.i18n import language
from dashboard.story.narrative import Figures, Place, sentence
from dashboard.story.slides import indicator_table
from tests.etl.helpers import file_target

PLACE = Place("320200", "无锡市", "Wuxi", frozenset({"320211"}))
LINEAGE = Lineage(1, "test", "", 10, "cnmaps", "2026-12-05T00:00:00")


def _figures(period: str, numerator: int) -> Figures:
    return Figures(PLACE, period, 1200, (Headline("free_service", numerator, 1000, period),))


def test_the_file_sets_different_targets_for_2010_and_2012():
    assert file_target("free_service", "2010-06") * 100 == 89
    assert file_target("free_service", "2012-06") * 100 == 95


def test_a_2010_narrative_quotes_the_2010_target():
    # 900 of 1000: at the 2010 target (89%), 50 persons short of the 2012 one (95%)
    assert "已达到 89% 目标" in sentence(_figures("2010-06", 900), "free_service", "zh")
    assert "at the 89% target" in sentence(_figures("2010-06", 900), "free_service", "en")
    later = sentence(_figures("2012-06", 900), "free_service", "en")
    assert "50 persons short of the 95% target" in later, later


def test_a_2010_slide_table_shows_the_2010_target():
    with language("en"):
        header, row = indicator_table(_figures("2010-06", 880), "free_service")
        assert row[2] == "89%" and row[1] == "88.0%" and row[3] == "10"
        _header, row = indicator_table(_figures("2012-06", 880), "free_service")
        assert row[2] == "95%" and row[3] == "70"


def test_a_2010_print_map_names_the_2010_target():
    with language("en"):
        texts = print_texts(MapView("free_service", "prefecture", "2010-06", "en"), LINEAGE, 0, 10)
        assert "target ≥ 89%" in texts.subtitle
        texts = print_texts(MapView("free_service", "prefecture", "2012-06", "en"), LINEAGE, 0, 10)
        assert "target ≥ 95%" in texts.subtitle
