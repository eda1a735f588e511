"""Saved work and what a scoped reader is shown: scenarios and storyboards are seen only within the
scope they were saved under, and a hidden one's name cannot be saved over; a viewer's briefing pack
(downloaded as the page does) quotes no small cell, checked against the raw tables; units outside
the reader's scope say so on the map, apart from those outside coverage.

The security suite's store has a small-cell threshold of 3 and county coverage cells with
denominators of 1 and 2 (e.g. 310104 in 2010-02).
"""

from __future__ import annotations

import base64
import io

import pandas as pd
import pytest
import sqlalchemy as sa

from access import accounts, audit
from dashboard import ids, theme
from dashboard.i18n import indicator_name, language
from dashboard.story import storage
from dashboard.story.model import Slide, Storyboard, StoryboardError, View
from etl.indicators import INDICATORS
from etl.marts.published import read_published_coverage
from etl.scope import NATION, parse_scope
from etl.targets import target_bp
from planning.errors import ScenarioError
from planning.scenario import parse_scenario
from planning.store import delete_scenario, get_scenario, list_scenarios, save_scenario
from tests.security.conftest import PASSWORD, callback_body, callback_key, csrf, sign_in

JIANGSU, WUXI, SHANGHAI = (parse_scope(s) for s in ("province:320000", "prefecture:320200",
                                                    "province:310000"))  # fmt: skip
ACCOUNTS = {
    "p.jiangsu": ("planner", "province:320000"),
    "v.shanghai": ("viewer", "province:310000"),
}
MARKER = "小于阈值"  # the suppressed marker of a table cell (zh)
PERIOD = "2010-02"
THRESHOLD = 3  # the security suite's store (tests/security/conftest.py)


def small(count: int) -> bool:
    return 0 < count < THRESHOLD


@pytest.fixture(scope="module")
def scoped(secured_app, engine):
    for name, (role, scope) in ACCOUNTS.items():
        if accounts.get_account(engine, name) is None:
            accounts.add_account(engine, name, role, scope, password=PASSWORD)

    def client(name: str):
        made = secured_app.server.test_client()
        assert sign_in(made, name).status_code == 303
        made.get("/")
        return made

    return client


def post(client, body):
    return client.post("/_dash-update-component", json=body, headers=csrf(client))


# --- saved work by scope -------------------------------------------------------------------------


def test_scenarios_are_seen_within_the_scope_they_were_saved_under(engine):
    def named(name: str):
        return parse_scenario({"name": name, "levers": []})

    save_scenario(engine, named("sw-jiangsu"), "a", None, replace=True, scope=JIANGSU)
    save_scenario(engine, named("sw-wuxi"), "b", None, replace=True, scope=WUXI)
    save_scenario(engine, named("sw-nation"), "c", None, replace=True, scope=NATION)
    mine = {"sw-jiangsu", "sw-wuxi", "sw-nation"}

    def seen(scope):
        return {s.name for s in list_scenarios(engine, scope=scope)} & mine

    assert seen(NATION) == mine
    assert seen(JIANGSU) == {"sw-jiangsu", "sw-wuxi"}  # a prefecture inside the province
    assert seen(WUXI) == {"sw-wuxi"}
    assert seen(SHANGHAI) == set()
    with pytest.raises(ScenarioError, match="no saved scenario"):
        get_scenario(engine, "sw-jiangsu", scope=SHANGHAI)
    with pytest.raises(ScenarioError, match="no saved scenario"):
        delete_scenario(engine, "sw-jiangsu", scope=WUXI)
    with pytest.raises(ScenarioError, match="taken by a scenario outside your scope"):
        save_scenario(engine, named("sw-nation"), "x", None, replace=True, scope=JIANGSU)
    assert get_scenario(engine, "sw-nation", scope=NATION).author == "c"  # not overwritten
    delete_scenario(engine, "sw-wuxi", scope=JIANGSU)  # seen, so it may be deleted
    assert seen(NATION) == {"sw-jiangsu", "sw-nation"}


def test_storyboards_are_seen_within_the_scope_they_were_saved_under(engine):
    board = Storyboard("sb-wuxi", (Slide(View(page="area", area="320211"), "无锡"),))
    storage.save_storyboard(engine, board, scope=WUXI)
    storage.save_storyboard(engine, Storyboard("sb-nation", board.slides), scope=NATION)
    assert {"sb-wuxi", "sb-nation"} <= set(storage.list_storyboards(engine, scope=NATION))
    assert "sb-wuxi" in storage.list_storyboards(engine, scope=JIANGSU)
    assert "sb-nation" not in storage.list_storyboards(engine, scope=JIANGSU)
    assert not {"sb-wuxi", "sb-nation"} & set(storage.list_storyboards(engine, scope=SHANGHAI))
    with pytest.raises(StoryboardError, match="no storyboard named"):
        storage.load_storyboard(engine, "sb-nation", scope=WUXI)
    with pytest.raises(StoryboardError, match="taken by a storyboard outside your scope"):
        storage.save_storyboard(engine, Storyboard("sb-nation"), scope=JIANGSU)
    storage.delete_storyboard(engine, "sb-nation", scope=SHANGHAI)  # hidden: nothing happens
    assert storage.load_storyboard(engine, "sb-nation", scope=NATION) == Storyboard(
        "sb-nation", board.slides
    )


def test_adding_to_a_hidden_storyboard_is_refused_on_the_page(secured_app, engine, scoped):
    hidden = Storyboard("sb-hidden", (Slide(View(region="pan_pearl"), "珠三角", "机密要点"),))
    storage.save_storyboard(engine, hidden, scope=NATION)
    client = scoped("p.jiangsu")
    since = audit.utcnow()
    key = callback_key(secured_app, ids.STORYBOARDS_URL, ids.STORYBOARDS_STATUS)
    body = callback_body(secured_app, key, {
        f"{ids.STORYBOARDS_ADD}.n_clicks": 1,
        f"{ids.STORYBOARDS_NEW_NAME}.value": "sb-hidden",
        f"{ids.STORYBOARDS_NEW_URL}.value": "/?measure=cert_verified&level=county",
        f"{ids.STORYBOARDS_NEW_TITLE}.value": "mine",
        f"{ids.STORYBOARDS_URL}.search": "",
    })  # fmt: skip
    response = post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    status = response.get_json()["response"][ids.STORYBOARDS_STATUS]["children"]
    assert "sb-hidden" in status and "范围" in status  # the name is taken outside the scope
    assert storage.load_storyboard(engine, "sb-hidden", scope=NATION) == hidden
    assert not audit.list_events(engine, action=audit.STORYBOARD_SAVE, since=since)
    # nor does the editor list it, or let an edit open it
    key = callback_key(secured_app, ids.STORYBOARDS_SLIDES, ids.STORYBOARDS_STATUS)
    body = callback_body(secured_app, key, {
        f"{ids.STORYBOARDS_SAVE}.n_clicks": 1,
        f"{ids.STORYBOARDS_PICKER}.value": "sb-hidden",
        f"{ids.STORYBOARDS_URL}.search": "",
    })  # fmt: skip
    response = post(client, body)
    assert response.status_code == 200
    status = response.get_json()["response"][ids.STORYBOARDS_STATUS]["children"]
    assert "没有名为“sb-hidden”的演示稿" in status  # in the page's language (Chinese by default)
    assert storage.load_storyboard(engine, "sb-hidden", scope=NATION) == hidden
    page = client.get("/storyboards").get_data(as_text=True) + str(
        post(client, callback_body(secured_app, callback_key(secured_app, "_pages_content", "_pages_store"), {
            "_pages_location.pathname": "/storyboards", "_pages_location.search": ""})).get_json()
    )  # fmt: skip
    assert "sb-hidden" not in page and "机密要点" not in page


# --- a viewer's briefing pack --------------------------------------------------------------------


def place_figures(engine, counties: set[str], period: str) -> tuple[int, dict[str, tuple[int, int]]]:
    """(inflow persons, {flag: (numerator, denominator)}) of ``counties`` from the raw tables:
    inflow counts movers living in them and registered anywhere outside them, inside the reader's
    scope or not (a place's total, as the overview and the area page show it)."""
    with engine.connect() as conn:
        flows = pd.read_sql_query(sa.text("select * from flows where period = :p"), conn, params={"p": period})
        cov = pd.read_sql_query(sa.text("select * from coverage where period = :p"), conn, params={"p": period})
    into = flows["residence_code"].isin(counties) & ~flows["hukou_code"].isin(counties)
    inflow = int(flows.loc[into, "persons_all"].sum())
    sums = {}
    for indicator in INDICATORS:
        rows = cov[(cov["indicator"] == indicator.flag) & (cov["side"] == indicator.side)
                   & cov["county_code"].isin(counties)]  # fmt: skip
        sums[indicator.flag] = (int(rows["numerator"].sum()), int(rows["denominator"].sum()))
    return inflow, sums


def test_a_viewers_pack_quotes_no_small_cell(secured_app, engine, scoped, monkeypatch):
    from PIL import Image
    from pptx import Presentation

    def stub_maps(_layers, _url, jobs):
        for _view, path in jobs:
            Image.new("RGB", (30, 20), "#6baed6").save(path)

    monkeypatch.setattr("dashboard.story.pack._render_maps", stub_maps)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("select value from store_meta where key = 'small_cell_threshold'"))
        assert int(stored.scalar()) == THRESHOLD
        shanghai = set(conn.execute(sa.text("select county_code from units where province_code = '310000'")).scalars())
    views = [
        (View(page="area", area="310104", level="county", measure="health_check", period=PERIOD), {"310104"}),
        (View(page="area", area="310104", level="county", measure="contraception", period=PERIOD), {"310104"}),
        (View(page="area", area="310115", level="county", measure="cert_verified", period=PERIOD), {"310115"}),
        (View(page="overview", level="county", measure="health_check", period=PERIOD), shanghai),
    ]  # fmt: skip
    board = Storyboard("sb-small-cells", tuple(Slide(v, f"slide {i}") for i, (v, _) in enumerate(views)))
    storage.save_storyboard(engine, board, scope=SHANGHAI)
    client = scoped("v.shanghai")  # a viewer: slides are all it may export
    key = callback_key(secured_app, ids.STORYBOARDS_DOWNLOAD)
    body = callback_body(secured_app, key, {
        f"{ids.STORYBOARDS_PPTX}.n_clicks": 1,
        f"{ids.STORYBOARDS_PICKER}.value": board.name,
        f"{ids.STORYBOARDS_URL}.search": "",
    })  # fmt: skip
    response = post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    content = response.get_json()["response"][ids.STORYBOARDS_DOWNLOAD]["data"]["content"]
    deck = Presentation(io.BytesIO(base64.b64decode(content)))
    assert len(deck.slides) == len(views)
    with language("zh"):
        flag_of = {indicator_name(i.flag): i.flag for i in INDICATORS}
    small_seen = 0
    for slide, (view, counties) in zip(deck.slides, views, strict=True):
        inflow, sums = place_figures(engine, counties, PERIOD)
        shapes = {s.name: s for s in slide.shapes}
        table = shapes["indicators"].table
        rows = [[table.cell(i, j).text for j in range(4)] for i in range(1, len(table.rows))]
        assert rows and flag_of[rows[0][0]] == view.measure  # the slide's own indicator first
        for name, rate, _target, gap in rows:
            num, den = sums[flag_of[name]]
            assert den > 0
            if small(den):
                small_seen += 1
                assert (rate, gap) == (MARKER, MARKER), (view, name, rate, gap)
            else:
                assert rate == f"{num / den:.1%}", (view, name, rate)
        narrative = next(s.text_frame.text for s in slide.shapes
                         if s.has_text_frame and ("流入人口" in s.text_frame.text or "跨县流动人口" in s.text_frame.text))  # fmt: skip
        first = narrative.split("\n")[0]
        if small(inflow):
            small_seen += 1
            assert "人口小于阈值，不显示" in first and f" {inflow} 人" not in first
        else:
            assert f" {inflow:,} 人" in first
        num, den = sums[view.measure]
        with language("zh"):
            measure_name = indicator_name(view.measure)
        if small(den):
            small_seen += 1
            assert f"{measure_name}小于阈值，不显示" in first and f"{num / den:.1%}" not in first
        elif den:
            assert f"{measure_name} {num / den:.1%}" in first
        if view.page == "overview":  # counties at target: those the pages withhold are in neither count
            flag = next(i for i in INDICATORS if i.flag == view.measure)
            with engine.connect() as conn:
                cov = pd.read_sql_query(sa.text(
                    "select * from coverage where period = :p and indicator = :f and side = :s"
                ), conn, params={"p": PERIOD, "f": flag.flag, "s": flag.side})  # fmt: skip
            published = read_published_coverage(engine, flag.flag, scope=parse_scope("province:310000"),
                                                side=flag.side, period=PERIOD)  # fmt: skip
            withheld = set(published.loc[(published["level"] == "county") & published["suppressed"], "unit_code"])
            assert withheld >= set(cov.loc[cov["denominator"].between(1, THRESHOLD - 1), "county_code"]) & counties
            cov = cov[cov["county_code"].isin(counties - withheld) & (cov["denominator"] > 0)]
            at = int((cov["numerator"] * 10000 >= target_bp(flag.flag, PERIOD) * cov["denominator"]).sum())
            if len(cov):
                assert f"{len(cov)} 个县区中 {at} 个达到目标（{PERIOD}）。" in narrative
    assert small_seen >= 2  # the store's small cells were in the pack, and all were withheld


# --- the map's grey units ------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "scope_label", "coverage_start"),
                         [("zh", "不在您的权限范围内", "不在统计范围"), ("en", "Outside your scope", "Outside coverage")])  # fmt: skip
def test_units_outside_the_scope_have_their_own_hover(secured_app, scoped, signed_in, lang,
                                                      scope_label, coverage_start):  # fmt: skip
    key = callback_key(secured_app, ids.OVERVIEW_MAP)
    body = callback_body(secured_app, key, {
        f"{ids.OVERVIEW_LEVEL}.value": "province", f"{ids.OVERVIEW_URL}.search": f"?lang={lang}",
    })  # fmt: skip

    def grey(client) -> dict[str, str]:
        response = post(client, body)
        assert response.status_code == 200
        traces = response.get_json()["response"][ids.OVERVIEW_MAP]["figure"]["data"]
        flat = [[0, theme.OUTSIDE_COVERAGE], [1, theme.OUTSIDE_COVERAGE]]
        trace = next(t for t in traces if t.get("colorscale") == flat and t.get("geo", "geo") == "geo")
        return dict(zip(trace["locations"], trace["text"], strict=True))

    shanghai = grey(scoped("v.shanghai"))
    assert shanghai["440000"] == shanghai["320000"] == scope_label
    assert shanghai["710000"].startswith(coverage_start) and shanghai["810000"].startswith(coverage_start)
    assert "310000" not in shanghai
    nation = grey(signed_in("steward"))
    assert set(nation) == {"710000", "810000", "820000"} and scope_label not in nation.values()
