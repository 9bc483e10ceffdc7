"""What the national console shows of this city's ecosystems: providers that declared (distinct organisations with a
declaration submitted at least once), providers approved (in at least one anchor unit's alliance now), products
approved, and per active anchor unit its alliance members and pooled products now (`alliances.unit_counts`, the
figures of the city's own overview) as `ecosystem_units`, a list of `{"code", "name", "members", "products"}`.

Registered like the pilots' figures (`shared_apps.oversight.services.register_figures(console_figures)` in the
app's ready()); the keys are TenantFigures fields. Four statements, whatever the number of rows or units."""

from __future__ import annotations


def console_figures() -> dict:
    from tenant_apps.ecosystem.alliances import unit_counts
    from tenant_apps.ecosystem.models import AllianceMember, Declaration, Product, Status

    declared = (
        Declaration.objects.filter(application__submitted_at__isnull=False).values("organisation_id").distinct().count()
    )
    approved = AllianceMember.objects.filter(left_at__isnull=True).values("organisation_id").distinct().count()
    units = [
        {"code": unit.code, "name": unit.name, "members": unit.member_count, "products": unit.product_count}
        for unit in unit_counts().only("code", "name")
    ]
    return {
        "ecosystem_providers_declared": declared,
        "ecosystem_providers_approved": approved,
        "ecosystem_products_approved": Product.objects.filter(status=Status.APPROVED).count(),
        "ecosystem_units": units,
    }
