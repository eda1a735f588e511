"""PostgreSQL's row-level security on the area tables (``etl.store.row_security``): the second wall
behind the read contract's scope, tested by raw SQL as the web service's role.

The store: the generated demo records (``tests.support.demo_store``: three months, every province)
and a few departmental feeds ingested into the test PostgreSQL database by its owner, the ETL's
own path. The service's role
(``APP_ROLE``, made here and granted by ``grant_app_role``) connects by its own URL. What it sees
by a bare ``SELECT`` (no read contract) is compared with an independent filter in Python of the
rows the owner sees, written from the rules of ``etl.marts`` (not from ``etl.marts.scoping``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from access.tables import metadata as access_tables
from etl import marts
from etl.errors import StoreError
from etl.feeds.ingest import ingest_feeds
from etl.pipeline import ingest
from etl.scope import NATION, Scope, parse_scope
from etl.store import open_store, row_security, upgrade
from tests.conftest import _postgres_url, _reset_postgres
from tests.etl.feeds.helpers import row, write_feeds
from tests.support import DEMO_PERIODS, demo_store

pytestmark = pytest.mark.postgres
APP_ROLE = "yipanqi_rls_test"
AREA = [t.name for t in row_security.AREA_TABLES]
SCOPES = [
    "province:320000",  # 江苏
    "province:420000",  # 湖北, with directly administered counties (仙桃 429004)
    "prefecture:320200",  # 无锡
    "prefecture:420100",  # 武汉
    "region:pan_yangtze",
    "region:other",  # the provinces of no region
]


def drop_role(engine: sa.Engine, role: str) -> None:
    with engine.begin() as conn:
        if conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
            conn.execute(sa.text(f"DROP OWNED BY {role}"))
            conn.execute(sa.text(f"DROP ROLE {role}"))


@pytest.fixture(scope="module")
def owner(tmp_path_factory) -> Iterator[sa.Engine]:
    """The demo store on PostgreSQL, loaded by its owner (the test server's superuser)."""
    url = _postgres_url()
    _reset_postgres(url)
    _, demo_dir = demo_store()
    ingest(
        [demo_dir / "records.parquet"],
        url,
        tmp_path_factory.mktemp("pg-data"),
        demo=True,
        workers=0,
    )
    ingest_feeds([str(feed_file(tmp_path_factory.mktemp("pg-feeds")))], url,
                 tmp_path_factory.mktemp("pg-feed-data"))  # fmt: skip
    engine = open_store(url)
    yield engine
    drop_role(engine, APP_ROLE)
    access_tables.drop_all(engine)  # made by the grant command's test
    engine.dispose()
    _reset_postgres(url)


def feed_file(folder: Path) -> Path:
    """A feed file of the demo's first period from counties inside and outside every scope."""
    period = DEMO_PERIODS[0]
    year, month = int(period[:4]), int(period[5:])
    sent = f"{year + month // 12}-{month % 12 + 1:02d}-20 10:00"
    counties = ("320211", "320102", "429004", "420102", "410102", "110101", "440106", "360102")
    rows = [row("公安", c, period, sent, "迁入", "3") for c in counties]
    rows += [row("住建", c, period, sent, "letters", "4", "3") for c in counties]
    return write_feeds(folder / "feeds.csv", rows)


@pytest.fixture(scope="module")
def app(owner) -> Iterator[sa.Engine]:
    """An engine of the service's role, granted by ``grant_app_role``; one pooled connection, so
    every use of it reuses the same database session."""
    drop_role(owner, APP_ROLE)
    with owner.begin() as conn:
        conn.execute(sa.text(f"CREATE ROLE {APP_ROLE} LOGIN"))  # the test server trusts 127.0.0.1
    row_security.grant_app_role(owner, APP_ROLE)
    url = owner.url.set(username=APP_ROLE, password=None)
    engine = sa.create_engine(url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def every_row(owner) -> dict[str, pd.DataFrame]:
    """Each area table and the hierarchy as its owner sees them: every row."""
    with owner.connect() as conn:
        return {
            name: pd.read_sql_query(sa.text(f"SELECT * FROM {name}"), conn)
            for name in (*AREA, "units", "region_members")
        }


def seen(app: sa.Engine, table: str, scope: str | None) -> pd.DataFrame:
    """Every row of ``table`` the service's role gets by a bare SELECT, with ``scope`` set for the
    transaction (None: nothing set)."""
    with app.connect() as conn:
        if scope is not None:
            conn.execute(sa.select(sa.func.set_config(row_security.SETTING, scope, True)))
        return pd.read_sql_query(sa.text(f"SELECT * FROM {table}"), conn)


def units_inside(scope: Scope, units: pd.DataFrame, members: pd.DataFrame) -> dict[str, set[str]]:
    """The codes of each level's units inside a scope other than the nation, from the hierarchy's
    rows: its counties by province, prefecture or region membership; prefectures, provinces and
    regions only when not above the scope's level."""
    if scope.level == "province":
        counties = units[units.province_code == scope.code]
    elif scope.level == "prefecture":
        counties = units[units.prefecture_code == scope.code]
    elif scope.code == "other":
        counties = units[~units.province_code.isin(set(members.province_code))]
    else:
        member = set(members.province_code[members.region_code == scope.code])
        counties = units[units.province_code.isin(member)]
    below = {"prefecture": 1, "province": 2, "region": 3}[scope.level]
    return {
        "county": set(counties.county_code),
        "prefecture": set(counties.prefecture_code) if below >= 1 else set(),
        "province": set(counties.province_code) if below >= 2 else set(),
        "region": {scope.code} if below == 3 else set(),
    }


def expected(table: str, scope: Scope, rows: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The rows of ``table`` a reader of ``scope`` may see, filtered in Python."""
    data = rows[table]
    if scope.is_nation:
        return data
    inside = units_inside(scope, rows["units"], rows["region_members"])
    if table == "flows":
        keep = data.hukou_code.isin(inside["county"]) & data.residence_code.isin(inside["county"])
    elif table == "flows_rollup":
        keep = pd.Series(False, index=data.index)
        for level in ("prefecture", "province", "region"):
            origin = data.origin_code.isin(inside[level])
            destination = data.destination_code.isin(inside[level])
            ends = origin & destination if level == "prefecture" else origin | destination
            keep |= (data.level == level) & ends
    elif table == "unit_flows":
        keep = pd.Series(False, index=data.index)
        for level in ("county", "prefecture", "province"):
            keep |= (data.level == level) & data.code.isin(inside[level])
    else:
        keep = data.county_code.isin(inside["county"])
    return data[keep]


def same_rows(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    """The same rows (as a multiset), whatever their order."""
    key = list(left.columns)
    a = left[key].sort_values(key).reset_index(drop=True)
    b = right[key].sort_values(key).reset_index(drop=True)
    return len(a) == len(b) and a.equals(b)


def test_the_owner_loads_and_sees_every_row_and_the_service_is_bound(owner, app, every_row):
    for table in AREA:
        assert len(every_row[table]) > 0, table
    with owner.connect() as conn:
        assert row_security.installed(conn) and not row_security.bound(conn)
    with app.connect() as conn:
        assert row_security.bound(conn)


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("table", AREA)
def test_a_bare_select_returns_only_rows_of_the_scope(app, every_row, table, scope):
    got = seen(app, table, scope)
    want = expected(table, parse_scope(scope), every_row)
    assert len(got) == len(want)
    assert same_rows(got, want)
    assert len(got) < len(every_row[table])  # something was withheld


def test_each_scope_sees_rows_of_every_table_where_its_units_have_some(app, every_row):
    """Guards the test itself: the scopes above are not trivially empty."""
    for scope in SCOPES:
        for table in ("flows", "coverage", "assessment", "unit_flows"):
            assert len(expected(table, parse_scope(scope), every_row)) > 0, (scope, table)
    assert len(expected("flows_rollup", parse_scope("region:pan_yangtze"), every_row)) > 0


@pytest.mark.parametrize("table", AREA)
def test_the_nation_sees_every_row(app, every_row, table):
    assert same_rows(seen(app, table, "nation"), every_row[table])


@pytest.mark.parametrize(
    "scope",
    [None, "", "Nation", "province", "province:", "province:32000", "county:320205",
     "province:320000:x", "region:", "prefecture:320200' OR '1'='1", "nation:"],
)  # fmt: skip
def test_without_a_valid_scope_nothing_is_seen(app, every_row, scope):
    for table in AREA:
        assert len(seen(app, table, scope)) == 0, table


def test_a_scope_never_outlives_its_transaction_on_a_pooled_connection(app, every_row):
    with app.connect() as conn:
        pid = conn.execute(sa.select(sa.func.pg_backend_pid())).scalar_one()
    # the read contract sets the nation for its own read ...
    assert len(marts.read_flows(app, level="county", cohort="all", scope=NATION)) == len(
        every_row["flows"]
    )
    # ... an explicit transaction sets a province and commits ...
    with app.begin() as conn:
        row_security.set_scope(conn, parse_scope("province:320000"))
        assert conn.execute(sa.text("SELECT count(*) FROM coverage")).scalar_one() > 0
    # ... one fails after setting the nation ...
    with pytest.raises(sa.exc.DBAPIError), app.begin() as conn:
        row_security.set_scope(conn, NATION)
        conn.execute(sa.text("SELECT 1/0"))
    # ... and the next use of the same database session sees nothing.
    with app.connect() as conn:
        assert conn.execute(sa.select(sa.func.pg_backend_pid())).scalar_one() == pid
        setting = sa.func.current_setting(row_security.SETTING, True)
        assert conn.execute(sa.select(setting)).scalar_one() in (None, "")
        for table in AREA:
            assert conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one() == 0


@pytest.mark.parametrize("scope", ["nation", *SCOPES])
def test_the_read_contract_gives_the_service_what_it_gives_the_owner(owner, app, scope):
    """The wall hides nothing the contract would return: every read, as the bound service role,
    equals the same read as the owner (whom no policy binds)."""
    s = parse_scope(scope)
    period = marts.periods(owner, scope=s)[0]
    reads = [
        *(lambda e, lv=lv: marts.read_flows(e, cohort="all" if s.is_nation else None, level=lv, scope=s)
          for lv in marts.FLOW_LEVELS),  # every cohort but for the nation (2 x 3 s)
        *(lambda e, lv=lv: marts.read_pairs(e, period, level=lv, scope=s) for lv in marts.FLOW_LEVELS),
        *(lambda e, lv=lv: marts.read_coverage(e, level=lv, scope=s) for lv in marts.COVERAGE_LEVELS),
        *(lambda e, lv=lv: marts.read_unit_flows(e, lv, scope=s) for lv in marts.UNIT_FLOW_LEVELS),
        lambda e: marts.coverage_sums(e, scope=s),
        lambda e: marts.read_assessment(e, scope=s),
        lambda e: marts.read_period_totals(e, scope=s),
        lambda e: pd.concat(marts.stream_flows(e, scope=s, rows=5_000)),
        lambda e: pd.concat(marts.stream_coverage(e, scope=s, rows=5_000)),
    ]  # fmt: skip
    rows = 0
    for read in reads:
        mine, theirs = read(app), read(owner)
        rows += len(mine)
        pd.testing.assert_frame_equal(
            mine.sort_values(list(mine.columns)).reset_index(drop=True),
            theirs.sort_values(list(theirs.columns)).reset_index(drop=True),
        )
    assert rows > 0


def test_parallel_workers_apply_the_same_scope(app, every_row):
    """The scope functions are PARALLEL SAFE: a parallel plan's workers must see the setting."""
    want = len(expected("flows", parse_scope("region:pan_yangtze"), every_row))
    with app.connect() as conn:
        version = conn.execute(sa.text("SHOW server_version_num")).scalar_one()
        force = "debug_parallel_query" if int(version) >= 160000 else "force_parallel_mode"
        for setting, value in ((force, "on"), ("parallel_setup_cost", "0"),
                               ("parallel_tuple_cost", "0"), ("min_parallel_table_scan_size", "0")):  # fmt: skip
            conn.execute(sa.select(sa.func.set_config(setting, value, True)))
        row_security.set_scope(conn, parse_scope("region:pan_yangtze"))
        plan = "\n".join(conn.execute(sa.text("EXPLAIN SELECT count(*) FROM flows")).scalars())
        assert "Gather" in plan
        assert conn.execute(sa.text("SELECT count(*) FROM flows")).scalar_one() == want


@pytest.mark.parametrize(
    "statement",
    ["DELETE FROM flows", "UPDATE coverage SET numerator = 0",
     "INSERT INTO assessment SELECT * FROM assessment", "TRUNCATE unit_flows"],
)  # fmt: skip
def test_the_service_cannot_change_an_area_table(app, every_row, statement):
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), app.begin() as conn:
        row_security.set_scope(conn, NATION)
        conn.execute(sa.text(statement))


def test_a_load_by_a_bound_role_is_refused(app, owner):
    with pytest.raises(StoreError, match="bound by row-level security"):
        upgrade(app.url.render_as_string(hide_password=False))


def test_grant_refuses_a_role_the_policies_would_not_bind(owner):
    with owner.connect() as conn:
        me = conn.execute(sa.select(sa.func.current_user())).scalar_one()
    with pytest.raises(ValueError, match="superuser"):
        row_security.grant_app_role(owner, me)
    drop_role(owner, "yipanqi_rls_bypass")
    with owner.begin() as conn:
        conn.execute(sa.text("CREATE ROLE yipanqi_rls_bypass BYPASSRLS"))
    try:
        with pytest.raises(ValueError, match="BYPASSRLS"):
            row_security.grant_app_role(owner, "yipanqi_rls_bypass")
    finally:
        drop_role(owner, "yipanqi_rls_bypass")
    with pytest.raises(ValueError, match="no database role"):
        row_security.grant_app_role(owner, "yipanqi_nobody")
    with pytest.raises(ValueError, match="plain PostgreSQL role name"):
        row_security.grant_app_role(owner, 'x"; DROP TABLE flows; --')


def test_the_grant_command_grants_everything_the_service_needs(owner, app):
    from typer.testing import CliRunner

    from yipanqi.cli import app as cli

    url = owner.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["audit", "grant-app-role", APP_ROLE, "--store", url])
    assert result.exit_code == 0, result.output
    assert f"row-level security binds {APP_ROLE}" in result.output
    with app.begin() as conn:  # the audit grant came with it
        assert conn.execute(sa.text("SELECT count(*) FROM audit")).scalar_one() >= 0
        assert conn.execute(sa.text("SELECT count(*) FROM flows")).scalar_one() == 0
    refused = CliRunner().invoke(cli, ["audit", "grant-app-role", "postgres", "--store", url])
    assert refused.exit_code == 2 and "would not bind" in refused.output
