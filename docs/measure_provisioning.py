"""Measures schema creation by cloning vs by migrating, and the provisioning service (docs/provisioning.md).

Run: python3 deploy/dev.py manage shell < docs/measure_provisioning.py
"""

import time

from django.db import connection
from django.test.utils import override_settings

from tenants.models import Tenant
from tenants.services import tenant_provision


def drop(schema):
    Tenant.objects.filter(schema_name=schema).delete()
    connection.cursor().execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


for schema in ("mclone", "mmigr", "mprov"):
    drop(schema)
started = time.perf_counter()
Tenant(schema_name="mclone", name="x").save(verbosity=0)
cloned = time.perf_counter() - started
with override_settings(TENANT_BASE_SCHEMA="no_such_schema"):
    started = time.perf_counter()
    Tenant(schema_name="mmigr", name="x").save(verbosity=0)
    migrated = time.perf_counter() - started
result = tenant_provision("harbin", schema_name="mprov", name="measure")
print(f"clone {cloned:.2f} s, migrate {migrated:.2f} s, provisioning service {result.seconds:.2f} s")
for schema in ("mclone", "mmigr", "mprov"):
    drop(schema)
