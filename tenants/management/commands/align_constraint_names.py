"""Give every city's constraints the names the template (and Django's migrations) use: `manage.py
align_constraint_names [--check]`. Cities cloned by django-tenants' `clone_schema` before ADR 0030 carry renamed
unique constraints (`…_uniq` → `…_key`, `window_unique_name` → `…_module_name_key`); a later migration that removes
or alters one by its name would fail in those cities. Idempotent; run once after upgrading (docs/migrations.md)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from tenants.models import Tenant
from tenants.schema_copy import constraint_names_align, constraint_renames


class Command(BaseCommand):
    help = "Rename each city's constraints to the template's names where only the name differs."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="list what differs, change nothing, exit 1 if any")

    def handle(self, *args, check=False, **options):
        source = settings.TENANT_BASE_SCHEMA
        cities = Tenant.objects.filter(kind=Tenant.Kind.TENANT).values_list("schema_name", flat=True)
        found = 0
        for schema in cities:
            with transaction.atomic():
                if check:
                    with connection.cursor() as cursor:
                        renames = constraint_renames(cursor, source, schema)
                else:
                    renames = constraint_names_align(source, schema)
            found += len(renames)
            for table, old, new in renames:
                self.stdout.write(f"{schema}.{table}: {old} → {new}")
        verb = "differ" if check else "renamed"
        self.stdout.write(f"{found} constraint names {verb} in {len(cities)} cities")
        if check and found:
            raise SystemExit(1)
