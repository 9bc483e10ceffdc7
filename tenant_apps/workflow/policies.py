"""Who may see or act on which applications and tasks: one permission source for the inbox, the detail page, the
API and the services (docs/conventions.md).

Each action has one queryset; "may this membership act on this one?" is that queryset filtered by pk, so a list
and its detail page can never disagree. Querysets use EXISTS subqueries, never joins to many-valued relations,
so they need no DISTINCT and count and page cheaply. Explicit grants on single tasks (an expert assigned at an
expert stage) are django-guardian object permissions (`workflow.decide_task`) read by the same EXISTS.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from tenant_apps.workflow.models import Application, Stage, Task, TaskUserObjectPermission
from tenant_apps.workflow.registry import kinds_read_by

DECIDE_PERMISSION = "decide_task"
# Roles that choose the experts of an expert stage; they see such a task until experts are assigned.
ASSIGNING_ROLES = ("ops", "tenant_admin", "city_bureau")


def _grants(*, user_id: int | None = None):
    grants = TaskUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), permission__codename=DECIDE_PERMISSION
    )
    return grants.filter(user_id=user_id) if user_id is not None else grants


def _usable(membership) -> bool:
    return membership is not None and membership.is_active


def _decides(membership) -> Q:
    """Tasks this person decides: by role, as the named anchor unit, as an assigned expert, as the staff of the
    division a level stage went to, or as the applicant at an upload stage."""
    handler = Stage.Handler
    mine = Q(handler=handler.ROLE, role__in=membership.roles) | Q(
        handler=handler.APPLICANT_UPLOAD, application__applicant_id=membership.user_id
    )
    if membership.organisation_id and membership.has_role("anchor_unit"):
        mine |= Q(handler=handler.ANCHOR_UNIT, application__anchor_unit__organisation_id=membership.organisation_id)
    if membership.has_role("expert"):
        mine |= Q(handler=handler.EXPERTS) & Exists(_grants(user_id=membership.user_id))
    if membership.region_id:
        mine |= Q(handler=handler.REGION, region_id=membership.region_id)
    return mine


def tasks_to_decide(membership) -> QuerySet[Task]:
    if not _usable(membership):
        return Task.objects.none()
    return Task.objects.filter(_decides(membership), state=Task.State.OPEN)


def tasks_to_assign(membership) -> QuerySet[Task]:
    """Open expert-stage tasks whose experts this person chooses (or changes)."""
    if not _usable(membership) or not membership.has_role(*ASSIGNING_ROLES):
        return Task.objects.none()
    return Task.objects.filter(handler=Stage.Handler.EXPERTS, state=Task.State.OPEN)


def reviews(membership) -> bool:
    """Whether this person takes part in reviews at all, so 待我审批 is theirs to watch: a role some stage of this
    city names, a role that assigns experts, an expert, or an anchor unit. An applicant whose only task is uploading
    a stamped scan is not a reviewer (an enterprise never sees 待我审批)."""
    if not _usable(membership):
        return False
    if membership.has_role(*ASSIGNING_ROLES, "expert", "anchor_unit") or membership.region_id:
        return True
    return Stage.objects.filter(handler=Stage.Handler.ROLE, role__in=membership.roles).exists()


def tasks_awaiting(membership) -> QuerySet[Task]:
    """The 待我审批 inbox: what I decide, plus expert stages still waiting for me to assign their experts."""
    if not _usable(membership):
        return Task.objects.none()
    mine = _decides(membership)
    if membership.has_role(*ASSIGNING_ROLES):
        mine |= Q(handler=Stage.Handler.EXPERTS) & ~Exists(_grants())
    return Task.objects.filter(mine, state=Task.State.OPEN)


def applications_visible(membership) -> QuerySet[Application]:
    """Applications I applied for, hold or held a task on (decided it, was granted it, or may act on it now)."""
    if not _usable(membership):
        return Application.objects.none()
    user_id = membership.user_id
    tasks = Task.objects.filter(application=OuterRef("pk"))
    involved = (
        Q(applicant_id=user_id)
        | Exists(tasks.filter(decided_by_id=user_id))
        | Exists(tasks.filter(Exists(_grants(user_id=user_id))))
        | Exists(tasks_awaiting(membership).filter(application=OuterRef("pk")))
    )
    if membership.has_role(*ASSIGNING_ROLES):
        involved |= Exists(tasks_to_assign(membership).filter(application=OuterRef("pk")))
    overseen = kinds_read_by(membership.roles)
    if overseen:  # submitted ones: a draft is the applicant's own until it is handed in
        involved |= Q(kind__in=overseen) & ~Q(state=Application.State.DRAFT)
    return Application.objects.filter(involved)


def my_applications(membership) -> QuerySet[Application]:
    """我的申请: what I applied for."""
    if not _usable(membership):
        return Application.objects.none()
    return Application.objects.filter(applicant_id=membership.user_id)


def may_decide(membership, task: Task) -> bool:
    return task.pk is not None and tasks_to_decide(membership).filter(pk=task.pk).exists()


def may_assign(membership, task: Task) -> bool:
    return task.pk is not None and tasks_to_assign(membership).filter(pk=task.pk).exists()
