"""The ``users`` and ``audit`` tables in the store's database (their own MetaData: the ETL's schema
and its version check are untouched), created on first use.

The audit table refuses UPDATE and DELETE by trigger on SQLite too (against mistakes: whoever can
write the file can drop a trigger). On PostgreSQL it is append-only twice over: a trigger refuses UPDATE, DELETE and
TRUNCATE for every role that does not own the table (a superuser or the owner can still drop or
disable it: keep the service's database role separate from the owner), and ``grant_app_role`` gives
the service's role INSERT and SELECT only. Times are UTC without a time zone, like the rest of the
store.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(120), nullable=False, default=""),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("scope", sa.String(40), nullable=False),
    sa.Column("auth", sa.String(8), nullable=False, default="local"),  # local | ldap
    sa.Column("password_hash", sa.String(255)),  # Argon2id; NULL for directory accounts
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("failed_attempts", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.DateTime),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("changed_at", sa.DateTime, nullable=False),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column(
        "audit_id",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("action", sa.String(40), nullable=False, index=True),
    sa.Column("object", sa.String(200), nullable=False, default=""),
    sa.Column("scope", sa.String(40), nullable=False, default=""),
    sa.Column("detail", sa.Text, nullable=False, default=""),
    sa.Column("rows", sa.BigInteger),  # rows exported, when the action is an export
    sa.Column("exact", sa.Boolean),  # exports: True exact, False suppressed; NULL otherwise
)

_TRIGGERS = ("audit_no_update_delete", "audit_no_truncate")
_APPEND_ONLY_SQL = (
    """
    CREATE OR REPLACE FUNCTION yipanqi_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit rows are append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS audit_no_update_delete ON audit",
    "CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION yipanqi_audit_append_only()",
    "DROP TRIGGER IF EXISTS audit_no_truncate ON audit",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION yipanqi_audit_append_only()",
    "REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM PUBLIC",
)
_SQLITE_APPEND_ONLY = tuple(
    f"CREATE TRIGGER IF NOT EXISTS audit_no_{op.lower()} BEFORE {op} ON audit "
    f"BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: {op} refused'); END"
    for op in ("UPDATE", "DELETE")
)
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def ensure_tables(engine: sa.Engine) -> None:
    """Create the users and audit tables if missing; on PostgreSQL also the append-only triggers
    (when they are missing: the service's role, not owning the table, cannot and need not)."""
    metadata.create_all(engine, checkfirst=True)
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            for statement in _SQLITE_APPEND_ONLY:
                conn.execute(sa.text(statement))
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        present = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_trigger "
                "WHERE tgrelid = 'audit'::regclass AND tgname = ANY(:names)"
            ),
            {"names": list(_TRIGGERS)},
        ).scalar_one()
        if present < len(_TRIGGERS):
            for statement in _APPEND_ONLY_SQL:
                conn.execute(sa.text(statement))


def grant_app_role(engine: sa.Engine, role: str) -> None:
    """PostgreSQL: let the service's database role ``role`` read and insert audit rows (never
    update, delete or truncate them) and read and update accounts. Run as the tables' owner."""
    if engine.dialect.name != "postgresql":
        raise ValueError(
            "database roles exist on PostgreSQL only; this store is " + engine.dialect.name
        )
    if not _ROLE_NAME.match(role):
        raise ValueError(f"{role!r} is not a plain PostgreSQL role name (lower case, digits, _)")
    ensure_tables(engine)
    quoted = engine.dialect.identifier_preparer.quote(role)
    with engine.begin() as conn:
        sequence = conn.execute(
            sa.text("SELECT pg_get_serial_sequence('audit', 'audit_id')")
        ).scalar_one()
        # Identifiers cannot be bound parameters: the role name is checked against _ROLE_NAME and
        # quoted, the sequence name comes from the catalogue.
        for statement in (
            f"REVOKE ALL ON audit FROM {quoted}",
            f"GRANT SELECT, INSERT ON audit TO {quoted}",
            f"GRANT USAGE ON SEQUENCE {sequence} TO {quoted}",
            f"REVOKE ALL ON users FROM {quoted}",
            f"GRANT SELECT, INSERT, UPDATE ON users TO {quoted}",
        ):
            conn.execute(sa.text(statement))  # nosec B608 # identifiers validated above
