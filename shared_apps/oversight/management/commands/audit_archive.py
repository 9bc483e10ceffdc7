"""`manage.py audit_archive [--no-prune]`: archive the audit trails of `public` and of every tenant schema."""

from django.core.management.base import BaseCommand
from django_tenants.utils import get_public_schema_name, schema_context

from shared_apps.oversight.services import audit_archive, audit_retention_days
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Export audit rows older than the retention window (≥ 180 days) to storage as JSONL, then prune them."

    def add_arguments(self, parser):
        parser.add_argument("--no-prune", action="store_true", help="write the archive files but delete nothing")

    def handle(self, *args, **options):
        schemas = [get_public_schema_name()]
        schemas += list(Tenant.objects.filter(kind=Tenant.Kind.TENANT).values_list("schema_name", flat=True))
        self.stdout.write(f"retention: {audit_retention_days()} days")
        for schema in schemas:
            with schema_context(schema):
                for result in audit_archive(prune=not options["no_prune"]):
                    if result.rows:
                        self.stdout.write(f"{schema} {result.label}: {result.rows} rows → {result.path}")
