"""Row-level security on PostgreSQL: the second wall behind the read contract's scope.

The read contract (``etl.marts``) filters every read by the reader's scope. On PostgreSQL the
database filters once more, so that a query which bypasses the contract or filters wrongly still
returns no row outside the scope. Terms:

- *scope setting*: the custom setting ``yipanqi.scope``, holding ``str(scope)`` (``nation``,
  ``region:pan_yangtze``, ``province:320000``, ``prefecture:320200``). The read contract sets it
  with ``set_config(..., true)`` (``SET LOCAL``) inside each read's transaction (``scoped``), so it
  ends with that transaction: a pooled connection never carries one request's scope into the next.
- *area tables* (``AREA_TABLES``): the tables of per-area figures, ``flows``, ``flows_rollup``,
  ``unit_flows``, ``coverage``, ``assessment``, ``record_events`` and the feed tables. Each has one policy, ``POLICY`` (``FOR
  SELECT``), which shows a row exactly where the read contract would return it
  (``etl.marts.scoping``, ``etl.marts``): coverage, assessment, events, feeds and unit flows when their unit lies
  inside the scope; county and prefecture flows when *both* ends do; province and region flows
  when *at least one* end does. The nation sees every row. No setting, an empty one or one that is
  not a scope: no row at all (fail closed). The scope is resolved through the store's ``units``
  and ``region_members`` tables, by SQL functions of its own (``yipanqi_scope_is_nation``,
  ``yipanqi_scope_units``): an implementation independent of the Python one it backs up.
- *who is bound*: row security is enabled, not forced, so it binds every role except the tables'
  owner (and its members), superusers and ``BYPASSRLS`` roles. The owner creates the store and
  runs every ingest, aggregate, upgrade and backup, and sees every row; the web service connects
  as its own role (``grant_app_role``), which is bound. There is no INSERT, UPDATE or DELETE
  policy: a bound role cannot change an area table even if granted the privilege, and
  ``check_writer`` refuses a load by a bound role (its per-period deletes would see no row).

Not restricted: ``units``, ``regions`` and ``region_members`` (the public hierarchy, which the
policies read), ``period_totals`` (the national count per period: no area), ``store_meta``, the
lineage tables and saved work. The wall stops a read that forgets or mis-states its scope; it does
not stop someone who runs SQL of their own as the service's role, which must be able to set any
scope (it serves nation users too).

SQLite has no row security: everything here does nothing there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from etl.errors import StoreError
from etl.scope import Scope
from etl.store.schema import (
    OTHER_REGION,
    assessment,
    connection,
    coverage,
    feed_expected,
    feed_reports,
    flows,
    flows_rollup,
    metadata,
    record_events,
    unit_flows,
)

SETTING = "yipanqi.scope"
POLICY = "yipanqi_scope_v1"
"""The policy's name on every area table. A changed rule or scope function gets a new version:
``installed`` then fails, so readers refuse the store until the upgrade replaces the old ones."""
_POLICY_PREFIX = "yipanqi_scope"
AREA_TABLES = (
    flows, flows_rollup, unit_flows, coverage, assessment, record_events, feed_reports,
    feed_expected,
)
APP_WRITES = ("scenarios", "storyboard_slides", "saved_scopes")
"""Store tables the service's role changes (saved work); every other store table it only reads."""
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
"""A plain PostgreSQL role name: roles are identifiers, never bound parameters."""

_FUNCTIONS = (
    """
    CREATE OR REPLACE FUNCTION yipanqi_scope_is_nation() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE SET search_path = {schema}, pg_temp AS $$
        SELECT coalesce(current_setting('{setting}', true), '') = 'nation'
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION yipanqi_scope_units(unit_level text) RETURNS SETOF text
    LANGUAGE sql STABLE PARALLEL SAFE SET search_path = {schema}, pg_temp AS $$
        WITH setting AS (
            SELECT coalesce(current_setting('{setting}', true), '') AS v
        ), scope AS (
            SELECT split_part(v, ':', 1) AS level, substr(v, strpos(v, ':') + 1) AS code
            FROM setting WHERE strpos(v, ':') > 0
        ), counties AS (
            SELECT u.county_code, u.prefecture_code, u.province_code
            FROM units AS u, scope AS s
            WHERE (s.level = 'province' AND u.province_code = s.code)
               OR (s.level = 'prefecture' AND u.prefecture_code = s.code)
               OR (s.level = 'region' AND s.code <> '{other}' AND u.province_code IN (
                      SELECT m.province_code FROM region_members AS m
                      WHERE m.region_code = s.code))
               OR (s.level = 'region' AND s.code = '{other}' AND u.province_code NOT IN (
                      SELECT m.province_code FROM region_members AS m))
        )
        SELECT CASE unit_level WHEN 'county' THEN c.county_code
                               WHEN 'prefecture' THEN c.prefecture_code
                               WHEN 'province' THEN c.province_code END
        FROM counties AS c, scope AS s
        WHERE unit_level = 'county'
           OR (unit_level = 'prefecture' AND s.level IN ('prefecture', 'province', 'region'))
           OR (unit_level = 'province' AND s.level IN ('province', 'region'))
        UNION
        SELECT s.code FROM scope AS s WHERE unit_level = 'region' AND s.level = 'region'
    $$
    """,
)
"""``yipanqi_scope_units(level)``: the codes of the units of ``level`` inside the scope set for the
transaction (``etl.marts.scoping.inside``: none above the scope's level; a region holds its
member provinces, their prefectures and counties, and itself; ``other`` the provinces of no
region). Both are evaluated once per query: the policies call them in uncorrelated subqueries."""

_NATION = "(SELECT yipanqi_scope_is_nation())"


def _inside(column: str, level: str) -> str:
    return f"{column} IN (SELECT yipanqi_scope_units('{level}'))"


def _both(level: str, origin: str, destination: str) -> str:
    return f"({_inside(origin, level)} AND {_inside(destination, level)})"


def _either(level: str, origin: str, destination: str) -> str:
    return f"({_inside(origin, level)} OR {_inside(destination, level)})"


_ROLLUP_ENDS = ("origin_code", "destination_code")
RULES = {
    flows.name: _both("county", "hukou_code", "residence_code"),
    flows_rollup.name: " OR ".join(
        [
            f"(level = 'prefecture' AND {_both('prefecture', *_ROLLUP_ENDS)})",
            f"(level = 'province' AND {_either('province', *_ROLLUP_ENDS)})",
            f"(level = 'region' AND {_either('region', *_ROLLUP_ENDS)})",
        ]
    ),
    unit_flows.name: " OR ".join(
        f"(level = '{level}' AND {_inside('code', level)})"
        for level in ("county", "prefecture", "province")
    ),
    coverage.name: _inside("county_code", "county"),
    assessment.name: _inside("county_code", "county"),
    record_events.name: _inside("county_code", "county"),
    feed_reports.name: _inside("county_code", "county"),
    feed_expected.name: _inside("county_code", "county"),
}
"""Each area table's rule for a scope other than the nation (the nation sees every row)."""


def set_scope(conn: sa.Connection, scope: Scope) -> None:
    """Set ``scope`` for the rest of ``conn``'s transaction (PostgreSQL; nothing on SQLite)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.set_config(SETTING, str(scope), True)))


@contextmanager
def scoped(engine: sa.Engine | sa.Connection, scope: Scope) -> Iterator[sa.Connection]:
    """A connection of ``engine`` (or ``engine`` itself, if a Connection) whose transaction has
    ``scope`` set: how every read of the marts reaches the store."""
    with connection(engine) as conn:
        set_scope(conn, scope)
        yield conn


def installed(conn: sa.Connection) -> bool:
    """Every area table has row security enabled and this code's policy (always True off
    PostgreSQL)."""
    if conn.dialect.name != "postgresql":
        return True
    query = sa.text(
        "SELECT count(*) FROM pg_class AS c "
        "WHERE c.oid IN (SELECT to_regclass(n) FROM unnest(CAST(:names AS text[])) AS n) "
        "AND c.relrowsecurity AND EXISTS (SELECT 1 FROM pg_policy AS p "
        "WHERE p.polrelid = c.oid AND p.polname = :policy)"
    )
    names = [t.name for t in AREA_TABLES]
    return conn.execute(query, {"names": names, "policy": POLICY}).scalar_one() == len(names)


def install(conn: sa.Connection) -> bool:
    """Create the scope functions and each area table's policy, and enable row security, in the
    caller's transaction (PostgreSQL, as the tables' owner); older versions of the policy are
    dropped. False when there was nothing to do."""
    if installed(conn):
        return False
    schema = conn.execute(sa.select(sa.func.current_schema())).scalar_one()
    quote = conn.dialect.identifier_preparer.quote
    for statement in _FUNCTIONS:
        conn.execute(
            sa.text(statement.format(schema=quote(schema), setting=SETTING, other=OTHER_REGION))
        )
    for table in AREA_TABLES:
        old = conn.execute(
            sa.text(
                "SELECT polname FROM pg_policy WHERE polrelid = to_regclass(:table) "
                "AND polname LIKE :prefix"
            ),
            {"table": table.name, "prefix": _POLICY_PREFIX + "%"},
        ).scalars()
        name = quote(table.name)
        # Identifiers and rules are this module's constants, never input.
        for policy in list(old):
            conn.execute(sa.text(f"DROP POLICY {quote(policy)} ON {name}"))
        conn.execute(
            sa.text(
                f"CREATE POLICY {POLICY} ON {name} AS PERMISSIVE FOR SELECT TO PUBLIC "
                f"USING ({_NATION} OR {RULES[table.name]})"
            )
        )
        conn.execute(sa.text(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY"))
    return True


def bound(conn: sa.Connection) -> bool:
    """The connection's role is bound by the policies (False off PostgreSQL, and for the owner,
    a superuser or a ``BYPASSRLS`` role)."""
    if conn.dialect.name != "postgresql":
        return False
    if conn.execute(sa.select(sa.func.to_regclass(flows.name))).scalar_one() is None:
        return False  # a brand-new database: nothing to bind yet
    query = sa.select(sa.func.row_security_active(flows.name))
    return bool(conn.execute(query).scalar_one())


def check_writer(conn: sa.Connection, where: str) -> None:
    """StoreError if a load on ``conn`` would be bound by the policies: it would see, and so
    replace, no row of the area tables. Loads run as the store's owner."""
    if bound(conn):
        raise StoreError(
            f"store {where}: this database role is bound by row-level security and cannot load "
            "the marts: run ingest, aggregate and `yipanqi store upgrade` as the tables' owner"
        )


def grant_app_role(engine: sa.Engine, role: str) -> list[str]:
    """PostgreSQL: let the web service's role ``role`` read every store table (the area tables
    through the policies) and change saved work; nothing else. Refused for a role the policies
    would not bind (the owner, a member of it, a superuser, a ``BYPASSRLS`` role). Run as the
    tables' owner. Returns what was granted."""
    check_role_name(engine, role)
    quote = engine.dialect.identifier_preparer.quote
    quoted = quote(role)
    with engine.begin() as conn:
        if not installed(conn):
            raise StoreError(
                "the store lacks row-level security: run `yipanqi store upgrade` as its owner first"
            )
        _check_bound(conn, role)
        read = sorted(metadata.tables)
        sequences = [
            conn.execute(sa.select(sa.func.pg_get_serial_sequence(name, column.name))).scalar_one()
            for name in APP_WRITES
            for column in metadata.tables[name].primary_key.columns
        ]
        # Identifiers: the role is checked against ROLE_NAME and quoted, tables are the store's,
        # sequences come from the catalogue.
        for name in read:
            conn.execute(sa.text(f"REVOKE ALL ON {quote(name)} FROM {quoted}"))
            conn.execute(sa.text(f"GRANT SELECT ON {quote(name)} TO {quoted}"))
        for name in APP_WRITES:
            conn.execute(sa.text(f"GRANT INSERT, UPDATE, DELETE ON {quote(name)} TO {quoted}"))
        for sequence in sequences:
            if sequence:
                conn.execute(sa.text(f"GRANT USAGE ON SEQUENCE {sequence} TO {quoted}"))
    return [
        f"SELECT on {', '.join(read)}",
        f"INSERT, UPDATE, DELETE on {', '.join(APP_WRITES)}",
        f"row-level security binds {role} on {', '.join(t.name for t in AREA_TABLES)}",
    ]


def check_role_name(engine: sa.Engine | sa.Connection, role: str) -> None:
    """ValueError unless the store is PostgreSQL and ``role`` a plain role name."""
    if engine.dialect.name != "postgresql":
        raise ValueError(
            "database roles exist on PostgreSQL only; this store is " + engine.dialect.name
        )
    if not ROLE_NAME.match(role):
        raise ValueError(f"{role!r} is not a plain PostgreSQL role name (lower case, digits, _)")


def _check_bound(conn: sa.Connection, role: str) -> None:
    """ValueError if ``role`` does not exist or the policies would not bind it."""
    row = conn.execute(
        sa.text(
            "SELECT r.rolsuper, r.rolbypassrls, pg_has_role(r.oid, c.relowner, 'USAGE') "
            "FROM pg_roles AS r, pg_class AS c WHERE r.rolname = :role "
            "AND c.oid = to_regclass(:table)"
        ),
        {"role": role, "table": flows.name},
    ).first()
    if row is None:
        raise ValueError(f"no database role {role!r}: create it first (CREATE ROLE ... LOGIN)")
    superuser, bypass, owner = row
    if superuser or bypass or owner:
        why = "a superuser" if superuser else "BYPASSRLS" if bypass else "the tables' owner"
        raise ValueError(
            f"{role} is {why}: row-level security would not bind it. The web service needs a "
            "role of its own (docs/deploy.md)"
        )
