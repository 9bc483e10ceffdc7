"""What the national console shows of this tenant's cultivation: declarations handed in, recognitions in force,
per tier (declared, recognised), per province (recognised), and the distribution of each enterprise's latest
self-assessment level. A handful of aggregate statements whatever the number of rows; registered like the other
modules' figures (AppConfig.ready → shared_apps.oversight.services.register_figures)."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, Subquery


def console_figures() -> dict:
    from tenant_apps.configuration.models import Region
    from tenant_apps.cultivation.models import Assessment, Declaration, Recognition, Tier

    submitted = Declaration.objects.filter(application__submitted_at__isnull=False)
    active = Recognition.objects.filter(status=Recognition.Status.ACTIVE)
    tiers = Tier.objects.annotate(
        declared=Count("declarations", filter=Q(declarations__application__submitted_at__isnull=False), distinct=True),
        recognised=Count("recognitions", filter=Q(recognitions__status=Recognition.Status.ACTIVE), distinct=True),
    ).order_by("position", "id")
    by_province: dict[str, int] = {}
    for path, n in active.values_list("region__path").annotate(n=Count("id")):
        province = path.split("/")[0]
        by_province[province] = by_province.get(province, 0) + n
    names = dict(Region.objects.filter(code__in=by_province).values_list("code", "name"))
    latest = Assessment.objects.filter(organisation=OuterRef("organisation")).order_by("-created_at", "-id")
    levels = (
        Assessment.objects.filter(pk=Subquery(latest.values("pk")[:1]))
        .values_list("level")
        .annotate(n=Count("id"))
        .order_by("level")
    )
    return {
        "cultivation_declared": submitted.count(),
        "cultivation_recognised": active.count(),
        "cultivation_breakdown": {
            "tiers": [
                {"code": t.code, "name": t.name, "declared": t.declared, "recognised": t.recognised} for t in tiers
            ],
            "regions": [
                {"code": code, "name": names.get(code, code), "recognised": n}
                for code, n in sorted(by_province.items())
            ],
            "levels": {str(level): n for level, n in levels},
        },
    }
