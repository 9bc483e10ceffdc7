"""Reads for the national console: public tables only, one query for the whole list."""

from tenants.models import Tenant


def console_tenants():
    return (
        Tenant.objects.filter(kind=Tenant.Kind.TENANT)
        .select_related("figures")
        .prefetch_related("domains")
        .order_by("created_at", "id")
    )
