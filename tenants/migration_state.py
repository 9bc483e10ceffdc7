"""Which schemas still have migrations to apply: lets `demo` start in seconds when nothing changed."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from tenants.models import Tenant


def schemas_with_pending_migrations() -> list[str]:
    public = get_public_schema_name()
    executor = MigrationExecutor(connection)
    targets = set(executor.loader.graph.leaf_nodes())
    if not MigrationRecorder(connection).has_table():
        return [public]
    schemas = [public, *Tenant.objects.exclude(schema_name=public).values_list("schema_name", flat=True)]
    pending = []
    for schema in schemas:
        if schema != public and not schema_exists(schema):
            pending.append(schema)
            continue
        with schema_context(schema):
            applied = set(MigrationRecorder(connection).applied_migrations())
        # Each schema records every app's migrations (django-tenants fakes the other side's apps).
        if not targets <= applied:
            pending.append(schema)
    return pending
