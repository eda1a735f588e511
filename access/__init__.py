"""Who may sign in, what each may do, and the record of what they did.

Terms:

- An **account** is a row of the ``users`` table: a user name, a display name, a role, a scope,
  how it signs in (``local``: an Argon2 hash in the table; ``ldap``: a bind against the intranet
  directory), whether it is disabled, and its lock-out state.
- A **role** is one of ``viewer < planner < analyst < steward``; an **action** (view, save a
  scenario, export suppressed data, ...) needs a minimal role (``access.roles``).
- A **principal** is the signed-in account as the rest of the system sees it:
  ``Principal(username, role, scope)``; the scope (``etl.scope.Scope``) says which part of the
  country its reads return.
- The **audit** table is append-only: sign-ins, failed sign-ins, user changes, saves, deletes and
  exports, each with who, what, the scope and (for exports) the rows and whether they were exact.

The package owns its two tables (own SQLAlchemy MetaData) and no other SQL; it imports ``etl`` only
for the scope type. Nothing here knows about Flask: the dashboard's gate binds the principal of a
request (``access.principal.acting``) so storage modules can audit without a web dependency.
"""
