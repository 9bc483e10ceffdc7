"""Reads for inboxes and application pages. Every list is built from the viewer's membership."""

from __future__ import annotations

from django.db.models import Q

from tenant_apps.workflow.models import Application, LogEntry, Stage, Task


def tasks_awaiting(membership):
    """Open tasks this person may decide: by role, as the named anchor unit, as an assigned expert, or as the
    applicant at an upload stage. One query; the page size does not change the count."""
    if membership is None:
        return Task.objects.none()
    handler = Stage.Handler
    mine = Q(handler=handler.ROLE, role__in=membership.roles) | Q(
        handler=handler.APPLICANT_UPLOAD, application__applicant_id=membership.user_id
    )
    if membership.organisation_id:
        mine |= Q(handler=handler.ANCHOR_UNIT, application__anchor_unit__organisation_id=membership.organisation_id)
    if membership.has_role("expert"):
        mine |= Q(handler=handler.EXPERTS, assignees=membership.user_id)
    if membership.has_role("ops", "tenant_admin", "city_bureau"):
        # Expert stages wait on whoever assigns the experts until experts are chosen.
        mine |= Q(handler=handler.EXPERTS, assignees__isnull=True)
    return (
        Task.objects.filter(mine, state=Task.State.OPEN)
        .distinct()
        .select_related("application", "application__applicant", "application__organisation")
        .order_by("-created_at", "-id")
    )


def my_applications(membership):
    if membership is None:
        return Application.objects.none()
    return (
        Application.objects.filter(applicant_id=membership.user_id)
        .select_related("applicant", "organisation")
        .order_by("-created_at", "-id")
    )


def filter_inbox(queryset, *, name: str = "", applicant: str = "", start=None, end=None, field_prefix: str = ""):
    """The seed's filters: application name, applicant, creation-time range."""
    if name:
        queryset = queryset.filter(**{f"{field_prefix}title__icontains": name})
    if applicant:
        queryset = queryset.filter(
            Q(**{f"{field_prefix}applicant__username__icontains": applicant})
            | Q(**{f"{field_prefix}organisation__name__icontains": applicant})
        )
    if start:
        queryset = queryset.filter(**{f"{field_prefix}created_at__date__gte": start})
    if end:
        queryset = queryset.filter(**{f"{field_prefix}created_at__date__lte": end})
    return queryset


def access_application(membership, pk) -> Application:
    """An application the viewer applied for, or one with a task they may decide or have decided; else 404."""
    from django.http import Http404

    if membership is None:
        raise Http404
    involved = Q(applicant_id=membership.user_id) | Q(tasks__decided_by_id=membership.user_id)
    candidate = Application.objects.filter(pk=pk).filter(involved).distinct().first()
    if candidate is None:
        candidate = Application.objects.filter(pk=pk, tasks__in=tasks_awaiting(membership)).distinct().first()
    if candidate is None:
        raise Http404
    return candidate


def application_log(application) -> list[LogEntry]:
    return list(application.log.select_related("actor"))
