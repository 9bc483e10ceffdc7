"""A city's lifecycle, decided by the national center: suspend, resume, archive, restore — each audited.

    active ──suspend──▶ suspended ──resume──▶ active
    active | suspended ──archive──▶ archived ──restore (superuser only)──▶ active

Suspended and archived cities keep every row; their host answers every path with a notice (tenants.closed) and
beat sends them no job (`Tenant.objects.serving()`), so their figures stay as last rolled up. Archived is the end of
a pilot: the notice says so, the status is 410 rather than 503, and only a superuser may bring it back (a mistake to
undo, not a routine step). Every change is one AuditEntry in the city's trail with the status and the reason before
and after, written in the same transaction as the change."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tenants.utils import schema_context

from shared_apps.oversight.models import AuditEntry
from shared_apps.oversight.services import audit_changes, audit_record
from tenants.errors import DomainError, not_found
from tenants.models import Tenant

Status = Tenant.Status
REASON_MAX = 500


@dataclass(frozen=True)
class Transition:
    code: str
    label: str
    sources: tuple[str, ...]
    target: str
    reason_required: bool
    superuser_only: bool = False


TRANSITIONS = {
    t.code: t
    for t in (
        Transition("suspend", gettext_lazy("暂停服务"), (Status.ACTIVE,), Status.SUSPENDED, reason_required=True),
        Transition("resume", gettext_lazy("恢复服务"), (Status.SUSPENDED,), Status.ACTIVE, reason_required=False),
        Transition(
            "archive", gettext_lazy("归档"), (Status.ACTIVE, Status.SUSPENDED), Status.ARCHIVED, reason_required=True
        ),
        Transition(
            "restore",
            gettext_lazy("撤销归档"),
            (Status.ARCHIVED,),
            Status.ACTIVE,
            reason_required=False,
            superuser_only=True,
        ),
    )
}


def transitions_available(tenant: Tenant, user) -> list[Transition]:
    """What this person may do to the city now (the page's forms; the service checks again under a lock)."""
    return [
        t
        for t in TRANSITIONS.values()
        if tenant.status in t.sources and (not t.superuser_only or getattr(user, "is_superuser", False))
    ]


def lifecycle_tenant(schema_name: str) -> Tenant:
    """The city by its schema (never public or the template), else 404."""
    tenant = Tenant.objects.filter(schema_name=schema_name, kind=Tenant.Kind.TENANT).first()
    if tenant is None:
        raise not_found(_("该城市不存在。"), code="lifecycle.not_found")
    return tenant


def lifecycle_history(tenant: Tenant):
    """The city's status changes from its audit trail, newest first, the actor in the same query."""
    return (
        AuditEntry.objects.filter(
            schema_name=tenant.schema_name, target_type=Tenant._meta.label_lower, changes__has_key="status"
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


@transaction.atomic
def tenant_transition(*, tenant: Tenant, transition: str, actor, reason: str = "", ip: str | None = None) -> Tenant:
    """Move the city to the transition's target under a row lock, so two clicks or two staff never apply a change
    to a state it was not meant for; refuse an illegal one with a DomainError (409 when the city moved on)."""
    move = TRANSITIONS.get(transition)
    if move is None:
        raise DomainError(_("不支持该操作。"), code="lifecycle.unknown_transition", field="transition")
    if actor is None or not getattr(actor, "can_use_console", False):
        raise DomainError(_("仅国家中心工作人员可变更城市状态。"), code="lifecycle.forbidden", status=403)
    if move.superuser_only and not actor.is_superuser:
        raise DomainError(_("已归档的城市只能由超级管理员恢复。"), code="lifecycle.superuser_only", status=403)
    reason = (reason or "").strip()
    if move.reason_required and not reason:
        raise DomainError(_("请填写原因，城市门户将向访问者显示。"), code="lifecycle.reason_required", field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(
            _("原因不能超过 %(max)d 个字。") % {"max": REASON_MAX}, code="lifecycle.reason_too_long", field="reason"
        )
    locked = Tenant.objects.select_for_update().filter(pk=tenant.pk, kind=Tenant.Kind.TENANT).first()
    if locked is None:
        raise not_found(_("该城市不存在。"), code="lifecycle.not_found")
    if locked.status not in move.sources:
        raise _illegal(locked, move)
    before = {"status": locked.get_status_display(), "status_reason": locked.status_reason}
    locked.status = move.target
    # A resumed city shows no reason; the note given on resuming lives in the trail.
    locked.status_reason = reason if move.target != Status.ACTIVE else ""
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
    changes = audit_changes(before, {"status": locked.get_status_display(), "status_reason": locked.status_reason})
    if move.target == Status.ACTIVE and reason:
        changes["note"] = ["", reason]
    with schema_context(locked.schema_name):  # the city's trail, as every other change of the city
        audit_record(action=AuditEntry.Action.UPDATE, target=locked, changes=changes, actor=actor, ip=ip)
    return locked


def _illegal(tenant: Tenant, move: Transition) -> DomainError:
    state = tenant.get_status_display()
    if tenant.status == move.target:
        message = _("该城市当前已是“%(state)s”状态。") % {"state": state}
    elif tenant.status == Status.ARCHIVED:
        message = _("该城市已归档，只能由超级管理员撤销归档。")
    else:
        message = _("该城市当前为“%(state)s”，不能%(action)s。") % {"state": state, "action": move.label}
    return DomainError(message, code="lifecycle.illegal_transition", status=409)


def tenant_suspend(*, tenant: Tenant, actor, reason: str, ip: str | None = None) -> Tenant:
    return tenant_transition(tenant=tenant, transition="suspend", actor=actor, reason=reason, ip=ip)


def tenant_resume(*, tenant: Tenant, actor, reason: str = "", ip: str | None = None) -> Tenant:
    return tenant_transition(tenant=tenant, transition="resume", actor=actor, reason=reason, ip=ip)


def tenant_archive(*, tenant: Tenant, actor, reason: str, ip: str | None = None) -> Tenant:
    return tenant_transition(tenant=tenant, transition="archive", actor=actor, reason=reason, ip=ip)


def tenant_restore(*, tenant: Tenant, actor, reason: str = "", ip: str | None = None) -> Tenant:
    return tenant_transition(tenant=tenant, transition="restore", actor=actor, reason=reason, ip=ip)
