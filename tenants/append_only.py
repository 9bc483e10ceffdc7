"""Append-only tables: a PostgreSQL trigger refuses UPDATE and DELETE on the audit trails, whoever asks.

The admin has no change/delete permission on them either, but the trigger is what holds when code (a bulk
`.delete()`, a cascade, a shell) forgets. Two things pass:

- pruning by the archive job, which first exports the rows and then sets `SET LOCAL pilot.audit_prune = 'on'` in
  its own transaction (`prune_allowed`);
- the one UPDATE Django's `on_delete=SET_NULL` makes when a person is erased: the named link column becomes NULL
  and nothing else in the row changes.

`DROP SCHEMA` (deleting a tenant) and `TRUNCATE` (test flushes) fire no row triggers. The function lives in
`public`, so schemas cloned from the template keep their triggers (django-tenants clones triggers whose function
is in `public` or the source schema)."""

import contextlib

from django.db import connection

PRUNE_SETTING = "pilot.audit_prune"

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION public.pilot_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    link text := TG_ARGV[0];
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('pilot.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND link IS NOT NULL
       AND to_jsonb(NEW) ->> link IS NULL
       AND (to_jsonb(NEW) - link) = (to_jsonb(OLD) - link) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'pilot: % is append-only, % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def trigger_sql(table: str, erasable_link: str | None = None) -> str:
    """The trigger on one table; `erasable_link` is the column a person's deletion may set to NULL."""
    argument = f"'{erasable_link}'" if erasable_link else ""
    return (
        f"DROP TRIGGER IF EXISTS pilot_append_only ON {table};"
        f"CREATE TRIGGER pilot_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION public.pilot_append_only({argument});"
    )


def drop_trigger_sql(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS pilot_append_only ON {table};"


@contextlib.contextmanager
def prune_allowed():
    """Deletes inside the block pass the trigger: the caller has archived the rows. The flag is transaction-local
    (`SET LOCAL`) and switched off again on leaving the block, even inside a longer transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("prune_allowed() needs a transaction")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [PRUNE_SETTING])
        try:
            yield
        finally:
            cursor.execute("SELECT set_config(%s, 'off', true)", [PRUNE_SETTING])


class AppendOnlyAdminMixin:
    """For a ModelAdmin over an append-only table: readable by whoever the admin lets in, never added, changed or
    deleted through it — superusers included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
