"""The overview's time comparison (dashboard.data.compare, the compare mode's payload and URL)
over a real store holding the twelve months of 2010 and January 2011, against an independent
pandas computation from the marts' counts (etl.marts.read_coverage / read_unit_flows)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import ids, theme
from dashboard.classify import difference_classes
from dashboard.data import compare as C
from dashboard.data.store import reading_as
from dashboard.factory import create_app
from dashboard.pages.overview import compare as page
from etl import marts, store
from etl.indicators import INDICATOR_BY_FLAG
from etl.pipeline import ingest
from etl.scope import NATION
from tests.etl.helpers import random_records, write_csv
from tests.security.conftest import PASSWORD, callback_body, callback_key, csrf, sign_in
from tests.support import layer_cache

THRESHOLD = 12
COUNTIES = ["310115", "310104", "320211", "320213", "360102", "440106", "410102", "340102"]
PERIODS = [f"2010-{m:02d}" for m in range(1, 13)] + ["2011-01"]
YEAR = [p for p in PERIODS if p.startswith("2010")]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare-store")
    url = f"sqlite:///{root / 'store.sqlite'}"
    rows = random_records(1500, COUNTIES, PERIODS, seed=5)
    ingest([write_csv(root / "records.csv", rows)], url, root / "data", "k" * 24,
           small_cell=THRESHOLD, workers=0)  # fmt: skip
    return url, create_app(layer_cache(), url)


@pytest.fixture
def engine(built):
    """The store, read inside a request of the app (for one test: a pushed request context
    would leak into the test client's requests)."""
    url, app = built
    engine = store.open_store(url)
    with app.server.test_request_context("/"), reading_as(NATION):
        yield engine
    engine.dispose()


def coverage(engine, flag: str, level: str) -> pd.DataFrame:
    side = INDICATOR_BY_FLAG[flag].side
    return marts.read_coverage(engine, None, flag, level, scope=NATION, side=side)


def test_spans_are_complete_years_then_periods(engine):
    assert C.complete_years() == ("2010",)
    assert C.spans() == ("2010", *PERIODS)
    assert C.span_periods("2010") == tuple(YEAR)
    with pytest.raises(ValueError, match="incomplete year"):
        C.span_periods("2011")


@pytest.mark.parametrize("level", ["province", "prefecture", "county"])
@pytest.mark.parametrize("flag", ["cert_verified", "cert_issued", "contraception"])
def test_a_year_is_its_summed_counts_not_a_mean_of_rates(engine, flag, level):
    values = C.span_values(flag, level, "2010")
    raw = coverage(engine, flag, level)
    sums = raw[raw["period"].isin(YEAR)].groupby("unit_code")[["numerator", "denominator"]].sum()
    sums = sums.reindex(values.codes).fillna(0)
    assert np.array_equal(values.numerator, sums["numerator"].to_numpy(float))
    assert np.array_equal(values.denominator, sums["denominator"].to_numpy(float))
    expected = np.where(
        sums["denominator"] > 0,
        sums["numerator"] / sums["denominator"].where(sums["denominator"] > 0),
        np.nan,
    )
    assert np.allclose(values.value, expected, equal_nan=True)


@pytest.mark.parametrize("flag", ["cert_verified", "policy_aware"])
def test_a_rate_difference_is_in_points_and_withheld_where_either_span_is(engine, flag):
    level = "county"
    change = C.difference(flag, level, "2010", "2011-01")
    raw = coverage(engine, flag, level)
    year = raw[raw["period"].isin(YEAR)].groupby("unit_code")[["numerator", "denominator"]].sum()
    month = raw[raw["period"] == "2011-01"].set_index("unit_code")[["numerator", "denominator"]]
    year, month = year.reindex(change.codes).fillna(0), month.reindex(change.codes).fillna(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = (
            month["numerator"] / month["denominator"] - year["numerator"] / year["denominator"]
        ) * 100
    published = marts.read_published_coverage(
        engine, flag, scope=NATION, side=INDICATOR_BY_FLAG[flag].side
    )
    published = published[published["level"] == level]
    hidden_year = published[published["period"].isin(YEAR)].groupby("unit_code")["suppressed"].any()
    hidden_year = (
        hidden_year.reindex(change.codes).fillna(False).to_numpy(bool)
        | ((year["denominator"] > 0) & (year["denominator"] < THRESHOLD)).to_numpy()
    )
    hidden_month = published[published["period"] == "2011-01"].set_index("unit_code")["suppressed"]
    hidden_month = hidden_month.reindex(change.codes).fillna(False).to_numpy(bool)
    hidden = hidden_year | hidden_month
    assert hidden.any() and (~hidden).any()  # the fixture has both
    assert np.array_equal(change.withheld, hidden)
    assert np.isnan(change.change[hidden]).all()
    shown = ~hidden
    assert np.allclose(change.change[shown], expected.to_numpy()[shown], equal_nan=True)
    payload = page.compare_payload(flag, level, "2010", "2011-01")
    for color, text, withheld in zip(payload["colors"], payload["text"], hidden, strict=True):
        assert (color == theme.SUPPRESSED) == withheld
        if withheld:
            assert "Change: " + "+" not in text


@pytest.mark.parametrize("measure", ["inflow", "outflow", "net"])
def test_a_count_difference_is_in_persons(engine, measure):
    level = "prefecture"
    change = C.difference(measure, level, "2010", "2011-01")
    flows = marts.read_unit_flows(engine, level, scope=NATION)
    year = flows[flows["period"].isin(YEAR)].groupby("unit_code")[["inflow", "outflow"]].sum()
    month = flows[flows["period"] == "2011-01"].set_index("unit_code")[["inflow", "outflow"]]
    year, month = year.reindex(change.codes).fillna(0), month.reindex(change.codes).fillna(0)
    pick = {
        "inflow": lambda t: t["inflow"],
        "outflow": lambda t: t["outflow"],
        "net": lambda t: t["inflow"] - t["outflow"],
    }[measure]
    expected = (pick(month) - pick(year)).to_numpy(float)
    shown = ~change.withheld
    assert shown.any()
    assert np.array_equal(change.change[shown], expected[shown])
    assert np.isnan(change.change[change.withheld]).all()
    assert change.unit == "persons"


def test_difference_classes_never_repeat_and_say_their_unit():
    for values in (
        np.array([-0.04, -0.01, 0.0, 0.02, 0.03, 0.05]),
        np.array([-1200.0, -3, 5, 7, 9000]),
        np.array([0.0, 0.0]),
        np.array([np.nan, 0.5]),
    ):
        classes = difference_classes(values, "pp")
        assert len(set(classes.labels)) == len(classes.labels) == 6
        assert all(label.endswith(" pp") for label in classes.labels)
        assert all(a < b for a, b in zip(classes.bounds[:-1], classes.bounds[1:], strict=True))


_ACCOUNTS: set[str] = set()


@pytest.fixture
def client(built):
    url, app = built
    from access import accounts

    engine = store.open_store(url)
    if built[0] not in _ACCOUNTS:
        accounts.add_account(engine, "c.viewer", "viewer", "nation", password=PASSWORD)
        _ACCOUNTS.add(built[0])
    engine.dispose()
    client = app.server.test_client()
    assert sign_in(client, "c.viewer").status_code == 303
    client.get("/")
    return app, client


VIEW = (ids.OVERVIEW_VALUES, ids.OVERVIEW_LEGEND, ids.OVERVIEW_HEADLINES, ids.OVERVIEW_PERIOD_LABEL,
        ids.OVERVIEW_QUERY, ids.OVERVIEW_SPANS)  # fmt: skip


@pytest.mark.parametrize(
    ("mode", "before", "after", "query"),
    [
        ("compare", "2010", "2011-01", "&mode=compare&before=2010&after=2011-01"),
        ("compare", "2011", "nonsense", "&mode=compare&before=2010-01&after=2011-01"),  # defaults
        ("map", "2010", "2011-01", ""),
        ("galaxy", None, None, ""),
    ],
)
def test_the_compare_state_round_trips_through_the_url(client, mode, before, after, query):
    app, http = client
    body = callback_body(app, callback_key(app, *VIEW), {
        f"{ids.OVERVIEW_MEASURE}.value": "cert_verified", f"{ids.OVERVIEW_LEVEL}.value": "province",
        f"{ids.OVERVIEW_PERIOD}.value": 3, f"{ids.OVERVIEW_MODE}.value": mode,
        f"{ids.OVERVIEW_BEFORE}.value": before, f"{ids.OVERVIEW_AFTER}.value": after,
        f"{ids.OVERVIEW_URL}.search": "?lang=en",
    })  # fmt: skip
    response = http.post("/_dash-update-component", json=body, headers=csrf(http))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = response.get_json()["response"]
    written = answer[ids.OVERVIEW_QUERY]["data"]
    assert written == f"?measure=cert_verified&level=province&period=2010-04{query}&lang=en"


@pytest.mark.parametrize(
    "query",
    [
        "measure=cert_verified&level=province&period=2010-04&mode=compare&before=2010&after=2011-01&lang=en",
        "measure=inflow&level=county&period=2010-04&lang=zh",
    ],
)
def test_the_page_built_from_a_query_shows_its_view(engine, query):
    from urllib.parse import parse_qs

    from dashboard.pages.overview.layout import layout

    params = {k: v[0] for k, v in parse_qs(query).items()}
    built_page = layout(**params)
    comparing = "mode" in params
    assert (find(built_page, ids.OVERVIEW_SPANS).style == {}) == comparing
    assert find(built_page, ids.OVERVIEW_MODE).value == params.get("mode", "map")
    if comparing:
        assert find(built_page, ids.OVERVIEW_BEFORE).value == "2010"
        assert find(built_page, ids.OVERVIEW_AFTER).value == "2011-01"
        stamp = find(built_page, ids.OVERVIEW_VALUES).data["stamp"]
        assert stamp.startswith("compare|cert_verified|province|2010|2011-01|en")


def find(component, wanted: str):
    """The component of id ``wanted`` in a layout tree."""
    if getattr(component, "id", None) == wanted:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = find(child, wanted)
            if found is not None:
                return found
    return None


def test_monthly_series_are_the_single_period_values(engine):
    from dashboard.data.overview import measure_values

    codes = C.largest_units("cert_verified", "prefecture")
    assert codes
    series = C.monthly_series("cert_verified", "prefecture", codes)
    for n, period in enumerate(PERIODS):
        values = measure_values("cert_verified", "prefecture", period)
        for code in codes:
            i = values.codes.index(code)
            expected = (
                None
                if values.suppressed[i] or not np.isfinite(values.value[i])
                else values.value[i]
            )
            assert series[code][n] == expected


@pytest.mark.parametrize(
    ("mode", "extra"),
    [("trend", "&mode=trend&areas=310100%2C320200"), ("split", "&mode=split&second=net")],
)
def test_trend_and_split_state_round_trips(client, mode, extra):
    app, http = client
    body = callback_body(app, callback_key(app, *VIEW), {
        f"{ids.OVERVIEW_MEASURE}.value": "cert_verified", f"{ids.OVERVIEW_LEVEL}.value": "prefecture",
        f"{ids.OVERVIEW_PERIOD}.value": 3, f"{ids.OVERVIEW_MODE}.value": mode,
        f"{ids.OVERVIEW_SECOND}.value": "net", f"{ids.OVERVIEW_AREAS}.value": ["310100", "320200", "999999"],
        f"{ids.OVERVIEW_URL}.search": "?lang=en",
    })  # fmt: skip
    response = http.post("/_dash-update-component", json=body, headers=csrf(http))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    written = response.get_json()["response"][ids.OVERVIEW_QUERY]["data"]
    assert written == f"?measure=cert_verified&level=prefecture&period=2010-04{extra}&lang=en"


def test_the_trend_on_screen_withholds_the_months_its_download_withholds(engine):
    """The overview's trend lines and the trend's file (``overview_views.trend_numbers``) blank
    the same months: a count's small cells and the complementary cells of its parents' sums."""
    from dashboard.data.overview import measure_values
    from dashboard.export.overview_views import TrendView, trend_numbers

    codes = ["320211", "320213", "310115", "310104"]  # two of Wuxi, two of 上海
    series = C.monthly_series("inflow", "county", codes)
    trend = trend_numbers(TrendView("inflow", "county", tuple(codes)).checked())
    assert list(trend.periods) == PERIODS
    primary = 0
    for n, period in enumerate(PERIODS):
        values = measure_values("inflow", "county", period)
        for k, code in enumerate(codes):
            assert (series[code][n] is None) == bool(trend.withheld[k, n]), (code, period)
            primary += bool(values.suppressed[values.codes.index(code)])
    complementary = int(trend.withheld.sum()) - primary
    assert primary and complementary, "the store must hold small and complementary cells"
