"""Pending migrations across every schema in one query, and `migrate_schemas` skipping the schemas that are current."""

import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.migration_executors import StandardExecutor

from tenants.migration_state import PendingSchemasExecutor, migrations_on_disk, schemas_with_pending_migrations
from tenants.models import Tenant

pytestmark = pytest.mark.django_db


def _forget(schema: str, app: str, name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s', [app, name])
        assert cursor.rowcount == 1


def test_every_schema_of_the_test_database_is_current(django_assert_max_num_queries):
    expected = migrations_on_disk()
    assert ("configuration", "0001_initial") in expected and ("wagtailcore", "0001_initial") in expected
    with django_assert_max_num_queries(4):  # public's tables, the registry, one UNION ALL: not one per schema
        assert schemas_with_pending_migrations(expected) == []


def test_a_schema_missing_one_early_migration_is_reported():
    # Not a leaf: a check of the latest migration per app would miss it.
    _forget("jiangmen", "configuration", "0001_initial")
    assert schemas_with_pending_migrations() == ["jiangmen"]


def test_public_and_the_template_are_checked_too():
    _forget("public", "accounts", "0001_initial")
    _forget("tenant_template", "workflow", "0001_initial")
    assert schemas_with_pending_migrations() == ["public", "tenant_template"]


def test_a_registered_schema_that_does_not_exist_is_pending():
    tenant = Tenant(schema_name="ghostcity", name="未建库的城市")
    tenant.auto_create_schema = False
    tenant.save(verbosity=0)
    assert schemas_with_pending_migrations() == ["ghostcity"]


def test_migrate_schemas_migrates_only_the_schemas_that_are_behind(monkeypatch, settings):
    settings.TENANT_MIGRATION_WORKERS = 1
    migrated = []
    monkeypatch.setattr(StandardExecutor, "run_migrations", lambda self, tenants=None: migrated.extend(tenants))
    call_command("migrate_schemas", interactive=False, verbosity=0)
    assert migrated == []  # nothing to do: not one schema is opened
    _forget("harbin", "workflow", "0001_initial")
    call_command("migrate_schemas", interactive=False, verbosity=0)
    assert migrated == ["harbin"]


def test_a_targeted_or_faked_run_sees_every_schema(monkeypatch, settings):
    settings.TENANT_MIGRATION_WORKERS = 1
    migrated = []
    monkeypatch.setattr(StandardExecutor, "run_migrations", lambda self, tenants=None: migrated.extend(tenants))
    PendingSchemasExecutor((), {"fake": True}).run_migrations(tenants=["public", "harbin", "jiangmen"])
    assert migrated == ["public", "harbin", "jiangmen"]
