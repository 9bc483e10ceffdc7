"""Roll-ups: run inside a tenant schema, write that tenant's headline figures into `public`."""

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from shared_apps.oversight.models import TenantFigures
from tenants.models import Tenant


def figures_rollup() -> TenantFigures:
    """Count this tenant's organisations and members and store them for the console (one row per tenant)."""
    from tenant_apps.organisations.models import Membership, Organisation

    tenant = Tenant.objects.get(schema_name=connection.schema_name, kind=Tenant.Kind.TENANT)
    kinds = Organisation.Kind
    counts = Organisation.objects.aggregate(
        organisations=Count("id"),
        enterprises=Count("id", filter=Q(kind=kinds.ENTERPRISE)),
        certified_enterprises=Count(
            "id", filter=Q(kind=kinds.ENTERPRISE, certification=Organisation.Certification.CERTIFIED)
        ),
        providers=Count("id", filter=Q(kind=kinds.PROVIDER)),
    )
    counts["members"] = Membership.objects.filter(is_active=True).count()
    figures, _ = TenantFigures.objects.update_or_create(
        tenant=tenant, defaults={**counts, "computed_at": timezone.now()}
    )
    return figures
