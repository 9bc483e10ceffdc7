"""A new city's schema is copied from the template's catalog (tenants.schema_copy, ADR 0030): the same tables,
columns, keys, indexes, triggers and rows as the template, identity sequences where the template's stand, and
django-tenants' clone only for a template holding what the copy does not write."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from tenants import models as tenant_models
from tenants.models import Tenant
from tenants.schema_copy import constraint_renames, definition, schema_copy, unsupported
from tenants.services import tenant_provision
from tenants.shared_keys import drop_keys_into_other_schemas, keys_into_other_schemas

pytestmark = pytest.mark.django_db(transaction=False)

TEMPLATE = "tenant_template"


def _shape(schema: str) -> dict[str, list[str]]:
    """The schema as PostgreSQL prints it, with expressions cut off: PostgreSQL may print a re-parsed `= ANY (ARRAY
    […])` predicate differently from the one Django wrote, though both mean the same."""
    with connection.cursor() as cursor:
        found = definition(cursor, schema)
    return {
        "tables": [f"{table.name}({', '.join(table.columns)})" for table in found.tables.values()],
        "constraints": [re.sub(r" CHECK .*", " CHECK", statement) for statement in found.constraints],
        "foreign_keys": found.foreign_keys,
        "indexes": [re.sub(r" WHERE .*", " WHERE", statement) for statement in found.indexes],
        "triggers": found.triggers,
    }


def _rows(schema: str, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
        return cursor.fetchone()[0]


def test_copy_has_the_templates_shape_and_rows():
    assert schema_copy(TEMPLATE, "copied") is True
    template, copy = _shape(TEMPLATE), _shape("copied")
    assert len(template["tables"]) > 100 and len(template["indexes"]) > 100 and template["triggers"]
    assert copy == template
    # Rows the template holds (migration records, Wagtail's root page and workflow) are in the copy.
    for table in ("django_migrations", "wagtailcore_page", "wagtailcore_workflow"):
        assert _rows("copied", table) == _rows(TEMPLATE, table) > 0


def test_copy_keeps_names_that_later_migrations_refer_to():
    """django-tenants' clone renames unique constraints and sequences (`…_key` for `…_uniq`); a migration that drops a
    constraint by the name Django gave it would then fail in every city. The copy keeps every name."""
    schema_copy(TEMPLATE, "copied")
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT n.nspname, array_agg(k.conname ORDER BY k.conname) FROM pg_constraint k
               JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname IN (%s, 'copied') GROUP BY 1""",
            [TEMPLATE],
        )
        names = dict(cursor.fetchall())
    assert names["copied"] == names[TEMPLATE]


def test_identity_sequences_continue_after_the_copied_rows():
    schema_copy(TEMPLATE, "copied")
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM copied.django_migrations")
        highest = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO copied.django_migrations (app, name, applied) VALUES ('x', 'y', now()) RETURNING id"
        )
        assert cursor.fetchone()[0] == highest + 1
        # The template's sequence did not move.
        cursor.execute("SELECT max(id) FROM tenant_template.django_migrations")
        assert cursor.fetchone()[0] == highest


def test_copy_keeps_constraints_and_append_only_triggers(tenant_schema):
    tenant_provision("harbin", schema_name="suihua", name="绥化市中小企业数字化转型城市试点")
    with tenant_schema("suihua"):
        from tenant_apps.configuration.models import Industry

        with pytest.raises(IntegrityError), transaction.atomic():
            Industry.objects.create(code=Industry.objects.first().code, name="重复的编码")
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'suihua' AND NOT g.tgisinternal"""
        )
        assert cursor.fetchone()[0] == len(_shape(TEMPLATE)["triggers"]) > 0


def test_template_with_a_view_is_cloned_by_django_tenants(monkeypatch):
    """A template holding an object kind the copy does not write falls back to the slow but complete clone."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE VIEW tenant_template.migration_count AS SELECT count(*) AS n FROM tenant_template.django_migrations"
        )
        assert "relations other than tables, indexes and sequences" in unsupported(cursor, TEMPLATE)
    assert schema_copy(TEMPLATE, "never") is False
    calls = []
    real = tenant_models.CloneSchema.clone_schema

    def clone_schema(self, base, new, *args):
        calls.append((base, new))
        return real(self, base, new, *args)

    monkeypatch.setattr(tenant_models.CloneSchema, "clone_schema", clone_schema)
    Tenant(schema_name="viewcity", name="视图城市").save(verbosity=0)
    assert calls == [(TEMPLATE, "viewcity")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT n FROM viewcity.migration_count")
        assert cursor.fetchone()[0] == _rows(TEMPLATE, "django_migrations")


def test_copy_into_an_existing_schema_is_refused():
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA taken")
    with pytest.raises(ValidationError, match="已存在"):
        Tenant(schema_name="taken", name="已占用").create_schema(check_if_exists=False)


def test_cities_cloned_before_keep_their_names_after_align(monkeypatch):
    """A city cloned by django-tenants' function has renamed unique constraints; the command gives them back the
    template's names, and a second run finds nothing."""
    monkeypatch.setattr(tenant_models, "schema_copy", lambda source, target: False)
    Tenant(schema_name="oldcity", name="旧城市").save(verbosity=0)
    with connection.cursor() as cursor:
        renames = constraint_renames(cursor, TEMPLATE, "oldcity")
    assert (
        "configuration_declarationwindow",
        "configuration_declarationwindow_module_name_key",
        "window_unique_name",
    ) in renames
    out = io.StringIO()
    call_command("align_constraint_names", stdout=out)
    assert f"{len(renames)} constraint names renamed" in out.getvalue()
    with connection.cursor() as cursor:
        assert constraint_renames(cursor, TEMPLATE, "oldcity") == []
        cursor.execute("SELECT to_regclass('oldcity.window_unique_name') IS NOT NULL")
        assert cursor.fetchone()[0]  # the constraint's index carries the name too
    # `--check` changes nothing and fails while a city differs.
    Tenant(schema_name="oldcity2", name="旧城市二").save(verbosity=0)
    with pytest.raises(SystemExit):
        call_command("align_constraint_names", "--check", stdout=io.StringIO())
    with connection.cursor() as cursor:
        assert constraint_renames(cursor, TEMPLATE, "oldcity2") != []


def test_a_city_has_no_foreign_key_into_public():
    """Each foreign key from a city into a shared table adds two triggers to that one table, and each new city's keys
    rebuild its cache entry with all of them (ADR 0031, 0032): no table of a city, the platform's or another
    project's, references `public` with a constraint. A release of Wagtail, django-guardian, taggit or Django that
    adds such a key fails here; a migration like `cms.0004_no_keys_into_public` drops it."""
    with connection.cursor() as cursor:
        for schema in (TEMPLATE, "harbin"):
            assert keys_into_other_schemas(cursor, schema) == [], schema
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = %s AND column_name = 'applicant_id'",
            [TEMPLATE],
        )
        assert cursor.fetchone()[0] >= 1  # the column is still there, indexed, just not a constraint


def test_keys_into_public_are_dropped_in_the_shared_tables_order():
    with connection.cursor() as cursor:
        cursor.execute(
            """CREATE SCHEMA keyed;
               CREATE TABLE keyed.b_note (id int PRIMARY KEY,
                   author_id bigint REFERENCES public.accounts_user (id) DEFERRABLE INITIALLY DEFERRED,
                   kind_id int REFERENCES public.django_content_type (id));
               CREATE TABLE keyed.a_parent (id int PRIMARY KEY);
               CREATE TABLE keyed.a_child (id int PRIMARY KEY, parent_id int REFERENCES keyed.a_parent (id),
                   user_id bigint REFERENCES public.accounts_user (id))"""
        )
        keys = keys_into_other_schemas(cursor, "keyed")
        assert [(referenced, table) for _, referenced, table, _ in keys] == [
            ("accounts_user", "a_child"),
            ("accounts_user", "b_note"),
            ("django_content_type", "b_note"),
        ]
        assert drop_keys_into_other_schemas(cursor, "keyed") == 3
        assert keys_into_other_schemas(cursor, "keyed") == []
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'keyed.a_child'::regclass AND contype = 'f'"
        )
        assert cursor.fetchone()[0] == 1  # the key inside the schema stays
        cursor.execute("DROP SCHEMA keyed CASCADE")


def test_identities_cannot_be_deleted_in_the_admin(rf, django_user_model):
    from django.contrib import admin

    superuser = django_user_model.objects.create_superuser("root_admin", password="x")
    request = rf.get("/")
    request.user = superuser
    user_admin = admin.site._registry[django_user_model]
    assert user_admin.has_delete_permission(request, superuser) is False
