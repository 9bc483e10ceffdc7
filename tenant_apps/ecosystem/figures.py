"""What the national console shows of this city's ecosystems: providers that declared (distinct organisations with a
declaration submitted at least once), providers approved (in at least one anchor unit's alliance now) and products
approved. The per-unit figures (members, pooled products) stay in the city's own overview (`alliances.unit_counts`);
TenantFigures holds one row of totals per city.

Registered like the pilots' figures (`shared_apps.oversight.services.register_figures(console_figures)` in the
app's ready()); the keys are TenantFigures fields. Three aggregate statements, whatever the number of rows."""

from __future__ import annotations


def console_figures() -> dict:
    from tenant_apps.ecosystem.models import AllianceMember, Declaration, Product, Status

    declared = (
        Declaration.objects.filter(application__submitted_at__isnull=False).values("organisation_id").distinct().count()
    )
    approved = AllianceMember.objects.filter(left_at__isnull=True).values("organisation_id").distinct().count()
    return {
        "ecosystem_providers_declared": declared,
        "ecosystem_providers_approved": approved,
        "ecosystem_products_approved": Product.objects.filter(status=Status.APPROVED).count(),
    }
