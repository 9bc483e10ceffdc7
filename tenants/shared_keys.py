"""Foreign keys from a city's schema into `public`, and dropping them (ADR 0032).

Every such key puts two triggers on the shared table it references, once per city; each new key rebuilds that table's
relation-cache entry with all of them, so provisioning a city cost more with every city before it. Other projects'
models (Wagtail, django-guardian, taggit, the admin log) declare these keys; their migrations create them and a
migration of the platform's drops them again in every city.
"""

from __future__ import annotations

from psycopg import sql

from tenants.schema_copy import quote

# Keys whose table is in `schema` and whose referenced table is in another schema, in a fixed order (shared table
# first). Dropped outside a transaction, each holds its shared table only for its own statement (docs/migrations.md).
KEYS_INTO_OTHER_SCHEMAS = """
    SELECT r.relnamespace::regnamespace::text, r.relname, c.relname, k.conname
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
    WHERE k.contype = 'f' AND c.relnamespace = %s::regnamespace AND r.relnamespace <> c.relnamespace
    ORDER BY 1, 2, 3, 4"""


def keys_into_other_schemas(cursor, schema: str) -> list[tuple[str, str, str, str]]:
    """(referenced schema, referenced table, table, constraint) for each key leaving `schema`."""
    cursor.execute(KEYS_INTO_OTHER_SCHEMAS, [quote(schema)])
    return cursor.fetchall()


def drop_keys_into_other_schemas(cursor, schema: str) -> int:
    """Drop them; the columns, their indexes and the ORM relations stay. Returns how many were dropped. Outside a
    transaction each drop commits on its own, holding one shared table at a time (`cms.0004` is not atomic)."""
    keys = keys_into_other_schemas(cursor, schema)
    for _schema, _referenced, table, name in keys:
        cursor.execute(
            sql.SQL("ALTER TABLE {}.{} DROP CONSTRAINT {}").format(
                sql.Identifier(schema), sql.Identifier(table), sql.Identifier(name)
            )
        )
    return len(keys)
