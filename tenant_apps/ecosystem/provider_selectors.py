"""The provider's lists (服务商申报, 我的产品, 信息变更) as the pages read them: the services' own-organisation
querysets, filtered by submission date and state, with the latest review opinion annotated from the engine's log
(one subquery, so a page of rows costs the same queries as one row)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from tenant_apps.ecosystem import changes, declarations, products
from tenant_apps.workflow.models import LogEntry

OPINION_ACTIONS = (LogEntry.Action.APPROVE, LogEntry.Action.RETURN, LogEntry.Action.REJECT)


def _latest_opinion():
    return Subquery(
        LogEntry.objects.filter(application_id=OuterRef("application_id"), action__in=OPINION_ACTIONS)
        .exclude(opinion="")
        .order_by("-created_at", "-id")
        .values("opinion")[:1]
    )


def _filtered(queryset, *, start=None, end=None, status: str = ""):
    if start is not None:
        queryset = queryset.filter(application__submitted_at__date__gte=start)
    if end is not None:
        queryset = queryset.filter(application__submitted_at__date__lte=end)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def declaration_rows(organisation, **filters):
    return _filtered(declarations.declarations_of(organisation).select_related("organisation"), **filters).annotate(
        opinion=_latest_opinion()
    )


def product_rows(organisation, **filters):
    return _filtered(products.products_of(organisation), **filters).annotate(opinion=_latest_opinion())


def change_rows(organisation):
    return changes.changes_of(organisation).order_by("-created_at", "-id").annotate(opinion=_latest_opinion())
