"""Celery beat that sends a periodic job into every serving tenant (never public, never the template)."""

from tenant_schemas_celery.scheduler import TenantAwareScheduler

from tenants.models import Tenant


class ServingTenantsScheduler(TenantAwareScheduler):
    @classmethod
    def get_queryset(cls):
        return Tenant.objects.serving()
