"""Who may see or act on which applications and tasks: one permission source for the inbox, the detail page, the
API and the services (docs/conventions.md).

Each action has one queryset; "may this membership act on this one?" is that queryset filtered by pk, so a list
and its detail page can never disagree. Querysets never join many-valued relations, so they need no DISTINCT and
count and page cheaply. Explicit grants on single tasks (an expert assigned at an expert stage) are
django-guardian object permissions (`workflow.decide_task`).

Shape at 50,000 open tasks (ADR 0026): the task policies are plain conditions on the task row, OR-ed with
*uncorrelated* `IN (subquery)` semi-joins (my applications, my anchor unit's applications, tasks granted to me),
which PostgreSQL runs once and hashes. A correlated EXISTS inside an OR is costed as if it ran once per row
(PostgreSQL costs the first of its alternative plans): the inbox's estimate came out at ~1,000,000, over
`jit_above_cost`, and every inbox query spent 0.5–0.9 s compiling JIT code. A single-row check
(`application_visible`) asks about that application's tasks only, never the list.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from tenant_apps.workflow.models import Application, Stage, Task, TaskUserObjectPermission
from tenant_apps.workflow.registry import kinds_read_by

DECIDE_PERMISSION = "decide_task"
# Roles that choose the experts of an expert stage; they see such a task until experts are assigned.
ASSIGNING_ROLES = ("ops", "tenant_admin", "city_bureau")


def _granted_task_ids(*, user_id: int | None = None):
    """Ids of tasks with a `decide_task` grant (to this user, or to anyone): an uncorrelated set, hashed once. The
    caller's own conditions keep it to open tasks."""
    grants = TaskUserObjectPermission.objects.filter(permission__codename=DECIDE_PERMISSION)
    if user_id is not None:
        grants = grants.filter(user_id=user_id)
    return grants.values("content_object_id")


def _usable(membership) -> bool:
    return membership is not None and membership.is_active


def _decides(membership) -> Q:
    """Tasks this person decides: by role, as the named anchor unit, as an assigned expert, as the staff of the
    division a level stage went to, or as the applicant at an upload stage. Conditions on the task row, or the
    task's id in a small set computed once — never a join, never a correlated subquery (module docstring)."""
    handler = Stage.Handler
    mine = Q(handler=handler.ROLE, role__in=membership.roles) | Q(
        handler=handler.APPLICANT_UPLOAD,
        application_id__in=Application.objects.filter(applicant_id=membership.user_id).values("pk"),
    )
    if membership.organisation_id and membership.has_role("anchor_unit"):
        named = Application.objects.filter(anchor_unit__organisation_id=membership.organisation_id)
        mine |= Q(handler=handler.ANCHOR_UNIT, application_id__in=named.values("pk"))
    if membership.has_role("expert"):
        mine |= Q(handler=handler.EXPERTS, pk__in=_granted_task_ids(user_id=membership.user_id))
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


def _awaiting(membership) -> Q:
    mine = _decides(membership)
    if membership.has_role(*ASSIGNING_ROLES):
        mine |= Q(handler=Stage.Handler.EXPERTS) & ~Q(pk__in=_granted_task_ids())
    return mine


def tasks_awaiting(membership) -> QuerySet[Task]:
    """The 待我审批 inbox: what I decide, plus expert stages still waiting for me to assign their experts."""
    if not _usable(membership):
        return Task.objects.none()
    return Task.objects.filter(_awaiting(membership), state=Task.State.OPEN)


def _involved(membership) -> Q:
    """Tasks that make their application visible to me: I decided one, was granted one, may act on one now
    (awaiting me, or an expert stage whose experts I choose)."""
    user_id = membership.user_id
    involved = Q(decided_by_id=user_id) | Q(pk__in=_granted_task_ids(user_id=user_id))
    now = _awaiting(membership)
    if membership.has_role(*ASSIGNING_ROLES):
        now |= Q(handler=Stage.Handler.EXPERTS)
    return involved | (Q(state=Task.State.OPEN) & now)


def _overseen(membership) -> tuple[str, ...]:
    return tuple(kinds_read_by(membership.roles))


def applications_visible(membership) -> QuerySet[Application]:
    """Applications I applied for, hold or held a task on (decided it, was granted it, or may act on it now), or
    of a kind my role oversees once submitted. `application_visible` answers the same for one application."""
    if not _usable(membership):
        return Application.objects.none()
    involved = Q(applicant_id=membership.user_id) | Exists(
        Task.objects.filter(_involved(membership), application=OuterRef("pk"))
    )
    overseen = _overseen(membership)
    if overseen:  # submitted ones: a draft is the applicant's own until it is handed in
        involved |= Q(kind__in=overseen) & ~Q(state=Application.State.DRAFT)
    return Application.objects.filter(involved)


def application_visible(membership, application: Application) -> bool:
    """`applications_visible(...).filter(pk=…).exists()` for one loaded application, decided on that row: its
    applicant and overseen kinds need no query, anything else one indexed EXISTS over that application's tasks.
    Opening one application never builds or runs the list's query."""
    if not _usable(membership) or application.pk is None:
        return False
    if application.applicant_id == membership.user_id:
        return True
    if application.state != Application.State.DRAFT and application.kind in _overseen(membership):
        return True
    return Task.objects.filter(_involved(membership), application_id=application.pk).exists()


def my_applications(membership) -> QuerySet[Application]:
    """我的申请: what I applied for."""
    if not _usable(membership):
        return Application.objects.none()
    return Application.objects.filter(applicant_id=membership.user_id)


def may_decide(membership, task: Task) -> bool:
    return task.pk is not None and tasks_to_decide(membership).filter(pk=task.pk).exists()


def may_assign(membership, task: Task) -> bool:
    return task.pk is not None and tasks_to_assign(membership).filter(pk=task.pk).exists()
