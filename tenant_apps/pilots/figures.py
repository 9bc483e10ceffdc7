"""What the national console shows of this city's pilots: enterprises admitted, acceptances accepted, recognised
investment, subsidy published (in published or closed publicity batches) and subsidy disbursed (tranches paid).

Registered like the marketplace's figures (`shared_apps.oversight.services.register_figures(console_figures)` in
the app's ready()); the keys are TenantFigures fields. Five aggregate statements, whatever the number of rows."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

ZERO = Decimal("0.00")


def console_figures() -> dict:
    """An acceptance counts as accepted once the bureau recorded its recognition (after the on-site acceptance) and
    it was not rejected or withdrawn; its recognised investment is the sum of its projects' recognised amounts."""
    from tenant_apps.pilots.models import (
        AcceptanceProject,
        OnSiteVisit,
        PilotEnterprise,
        PublicityBatch,
        PublicityItem,
        Tranche,
    )
    from tenant_apps.workflow.models import Application

    accepted = Q(acceptance__recognised_at__isnull=False) & ~Q(
        acceptance__application__state__in=[Application.State.REJECTED, Application.State.WITHDRAWN]
    )
    projects = AcceptanceProject.objects.filter(accepted).aggregate(
        acceptances=Count("acceptance_id", distinct=True), recognised=Sum("recognised_amount")
    )
    published = PublicityItem.objects.filter(
        batch__state__in=[PublicityBatch.State.PUBLISHED, PublicityBatch.State.CLOSED]
    ).aggregate(total=Sum("subsidy"))
    paid = Tranche.objects.filter(paid_on__isnull=False).aggregate(total=Sum("amount"))
    # The on-site acceptances concluded, per conclusion (a city sees how many pass at the first visit).
    conclusions = dict(
        OnSiteVisit.objects.exclude(conclusion="").values_list("conclusion").annotate(n=Count("id")).order_by()
    )
    return {
        "pilot_enterprises": PilotEnterprise.objects.count(),
        "acceptances_accepted": projects["acceptances"] or 0,
        "recognised_investment": projects["recognised"] or ZERO,
        "subsidy_published": published["total"] or ZERO,
        "subsidy_disbursed": paid["total"] or ZERO,
        "acceptances_concluded": sum(conclusions.values()),
        "acceptance_conclusions": conclusions,
    }
