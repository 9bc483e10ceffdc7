"""Reads for the national console: public tables only, one query for the whole list."""

from shared_apps.oversight.models import AuditEntry
from tenants.models import Tenant


def console_tenants():
    return (
        Tenant.objects.filter(kind=Tenant.Kind.TENANT)
        .select_related("figures")
        .prefetch_related("domains")
        .order_by("created_at", "id")
    )


def audit_tenants():
    """The tenants the audit page filters by (the template schema is no city)."""
    return Tenant.objects.filter(kind=Tenant.Kind.TENANT).order_by("created_at", "id").only("schema_name", "name")


def audit_entries(*, schema_name: str | None = None, action: str | None = None):
    """Every tenant's audit trail, newest first, with the acting identity in the same query."""
    entries = AuditEntry.objects.select_related("actor").order_by("-created_at", "-id")
    if schema_name:
        entries = entries.filter(schema_name=schema_name)
    if action:
        entries = entries.filter(action=action)
    return entries
