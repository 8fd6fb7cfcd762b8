"""Least privilege in PostgreSQL: the owner migrates, the app only reads and writes rows.

Two roles share the one database:

- the **owner** (``DATABASE_OWNER_URL``; the embedded server's superuser ``postgres``)
  owns every table and sequence. Only what changes the schema or empties tables runs as
  the owner: ``migrate`` (then ``db_roles``), ``flush`` and the test database's creation.
- the **app** role (the user of ``DATABASE_URL``; embedded: ``DATABASE_APP_ROLE``, default
  ``casemgmt_app``) serves every request, task and test query. It owns nothing, is no
  superuser, may not create roles, databases or tables, nor set
  ``session_replication_role``; it has ``SELECT, INSERT, UPDATE, DELETE`` on the app's
  tables, ``USAGE, SELECT`` on their sequences, and on the append-only tables (the audit
  trail) only ``SELECT, INSERT``: no ``UPDATE``, ``DELETE`` or ``TRUNCATE``, and since it
  owns no table it cannot ``DISABLE TRIGGER`` or drop one either.

``roles_apply`` sets this up, idempotently, as the owner; default privileges give the app
the same rights on tables that later migrations create. An app registers its append-only
tables with ``register_append_only`` (this module knows no app).

The owner's credentials live in ``settings.DATABASE_OWNER`` (None: one role for all, as
before, and nothing here does anything). ``as_owner`` points a connection at them for a
while; it must not be used inside a transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections, transaction

_CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT", "OPTIONS")
_APPEND_ONLY: set[str] = set()
# The app's credentials of a connection pointed at the owner, by alias.
_saved: dict[str, dict[str, Any]] = {}


class RolesError(Exception):
    """The roles cannot be set up as asked (said in words an operator can act on)."""


def register_append_only(table: str) -> None:
    """Rows of ``table`` are only ever added: the app role gets ``SELECT, INSERT`` alone."""
    _APPEND_ONLY.add(table)


def append_only_tables() -> list[str]:
    return sorted(_APPEND_ONLY)


def owner_settings() -> dict[str, Any] | None:
    """The owner's credentials (USER, PASSWORD, HOST, PORT, OPTIONS), or None."""
    owner = getattr(settings, "DATABASE_OWNER", None)
    return dict(owner) if owner else None


def app_settings(alias: str = "default") -> dict[str, Any]:
    """The app role's credentials of ``alias``, also while it is pointed at the owner."""
    if alias in _saved:
        return dict(_saved[alias])
    sd = connections[alias].settings_dict
    return {key: sd.get(key) for key in _CREDENTIALS}


def separated(alias: str = "default") -> bool:
    """True when the app and the owner are different roles (least privilege is on)."""
    owner = owner_settings()
    return alias == "default" and owner is not None and owner["USER"] != app_settings(alias)["USER"]


def owner_begin(alias: str = "default") -> None:
    """Point ``alias`` at the owner until ``owner_end`` (nothing when not separated)."""
    if not separated(alias) or alias in _saved:
        return
    conn = connections[alias]
    if conn.in_atomic_block:
        raise RuntimeError("cannot switch to the database owner inside a transaction")
    owner = owner_settings()
    assert owner is not None
    conn.close()
    _saved[alias] = {key: conn.settings_dict.get(key) for key in _CREDENTIALS}
    conn.settings_dict.update({key: owner.get(key, _saved[alias][key]) for key in _CREDENTIALS})


def owner_end(alias: str = "default") -> None:
    """Point ``alias`` back at the app role."""
    saved = _saved.pop(alias, None)
    if saved is None:
        return
    conn = connections[alias]
    conn.close()
    conn.settings_dict.update(saved)


@contextmanager
def as_owner(alias: str = "default") -> Iterator[None]:
    """Run the block on ``alias`` as the owner (re-entrant; not inside a transaction)."""
    if alias in _saved or not separated(alias):
        yield
        return
    owner_begin(alias)
    try:
        yield
    finally:
        owner_end(alias)


def _ident(cursor: Any, name: str) -> str:
    cursor.execute("SELECT quote_ident(%s)", [name])
    return str(cursor.fetchone()[0])


def _literal(cursor: Any, value: str) -> str:
    # Utility statements (CREATE ROLE ... PASSWORD) take no bound parameters.
    cursor.execute("SELECT quote_literal(%s)", [value])
    return str(cursor.fetchone()[0])


def roles_apply(cursor: Any, *, app_role: str, app_password: str | None = None) -> list[str]:
    """Give ``app_role`` its rights on the database of ``cursor``, connected as the owner.

    Idempotent. Creates the role when it is missing and the owner may create roles (the
    embedded superuser, compose's ``postgres`` superuser); elsewhere the role must exist
    (CI creates it). Returns what it did, in words, for ``db_roles -v 2``."""
    done: list[str] = []
    cursor.execute(
        "SELECT current_user, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user"
    )
    owner, owner_super, owner_createrole = cursor.fetchone()
    if owner == app_role:
        raise RolesError(f"the app role {app_role!r} is the owner: give it a role of its own")
    cursor.execute(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication"
        " FROM pg_roles WHERE rolname = %s",
        [app_role],
    )
    row = cursor.fetchone()
    app = _ident(cursor, app_role)
    if row is None:
        if not (owner_super or owner_createrole):
            raise RolesError(
                f"role {app_role!r} does not exist and {owner!r} may not create it: create it "
                f"as an administrator (CREATE ROLE {app_role} LOGIN PASSWORD '...')"
            )
        cursor.execute(
            f"CREATE ROLE {app} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"
            " NOBYPASSRLS" + (f" PASSWORD {_literal(cursor, app_password)}" if app_password else "")
        )
        done.append(f"created role {app_role}")
    elif any(row):
        if not owner_super:
            raise RolesError(
                f"role {app_role!r} has more than it needs (superuser, createrole, createdb, "
                "bypassrls or replication): ALTER ROLE it as an administrator"
            )
        cursor.execute(
            f"ALTER ROLE {app} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
        )
        done.append(f"took superuser and role/database creation away from {app_role}")
    elif owner_super and app_password:
        cursor.execute(f"ALTER ROLE {app} PASSWORD {_literal(cursor, app_password)}")

    cursor.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles"
        " WHERE rolname = %s)",
        [app_role],
    )
    if cursor.fetchone()[0]:
        raise RolesError(
            f"role {app_role!r} owns tables: REASSIGN OWNED BY {app_role} TO {owner}"
            " as an administrator first"
        )

    cursor.execute("SELECT quote_ident(current_database())")
    database = cursor.fetchone()[0]
    cursor.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {app}")
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {app}")
    cursor.execute(f"REVOKE CREATE ON SCHEMA public FROM {app}")
    cursor.execute("SELECT has_schema_privilege(%s, 'public', 'CREATE')", [app_role])
    if cursor.fetchone()[0]:
        # PostgreSQL before 15 lets PUBLIC create in the public schema.
        cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        done.append("revoked CREATE on schema public from PUBLIC")
    cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app}")
    cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}")
    cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}")
    owner_ident = _ident(cursor, owner)
    cursor.execute(
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_ident} IN SCHEMA public"
        f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}"
    )
    cursor.execute(
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_ident} IN SCHEMA public"
        f" GRANT USAGE, SELECT ON SEQUENCES TO {app}"
    )
    # Only the owner records migrations; the append-only tables take rows, nothing else.
    restricted = {"django_migrations": "INSERT, UPDATE, DELETE"} | dict.fromkeys(
        _APPEND_ONLY, "UPDATE, DELETE"
    )
    for table, privileges in sorted(restricted.items()):
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"public.{table}"])
        if cursor.fetchone()[0]:
            cursor.execute(f"REVOKE {privileges} ON {_ident(cursor, table)} FROM {app}")
    done.append(
        f"{app_role}: SELECT, INSERT, UPDATE, DELETE on the tables of {database}; "
        f"SELECT, INSERT only on {', '.join(sorted(_APPEND_ONLY)) or 'no append-only table'}"
    )
    return done


def roles_apply_default(alias: str = "default") -> list[str]:
    """``roles_apply`` for ``alias`` through Django, as the owner (nothing when not
    separated)."""
    if not separated(alias):
        return []
    app = app_settings(alias)
    with as_owner(alias), transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        return roles_apply(cursor, app_role=app["USER"], app_password=app.get("PASSWORD") or None)
