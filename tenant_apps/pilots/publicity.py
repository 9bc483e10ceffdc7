"""公示 (seed 002 §七): the city bureau gathers acceptances that reached the engine's publicity stage into a batch,
publishes it on the portal for a number of calendar days, records objections against its items and how they were
settled, and closes it once the period is over. Closing approves the engine's publicity task of every item without
an open objection (as the bureau member who closed it) and creates the item's disbursement tranches from the
policy's plan; an item with an open objection stays at publicity for the bureau to decide through the engine.

"At publicity" is configuration, not a stage name: the stage whose `checks` list `publicity_done` (Harbin's 公示).
That check passes once the acceptance is in a closed batch with none of its objections open, so the engine cannot
approve publicity before the period has run, whichever page the bureau uses.

Lock order (after the engine's): application → task → batch → objection → tranche rows, applications and tasks in
primary-key order. Every write here takes the applications of the rows it touches first."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import BooleanField, Count, Exists, F, Func, OuterRef, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.pilots.acceptances import is_bureau
from tenant_apps.pilots.models import (
    Acceptance,
    AcceptanceProject,
    Objection,
    PublicityBatch,
    PublicityItem,
    Tranche,
)
from tenant_apps.workflow.models import Application, Task
from tenant_apps.workflow.registry import Check, register_check
from tenants.errors import DomainError, conflict, not_found

MODULE = "acceptance"
KIND = "acceptance"
CHECK = "publicity_done"
DAYS_MIN, DAYS_MAX = 1, 60
ITEMS_MAX = 200
TITLE_MAX, TEXT_MAX = 100, 2000
ZERO = Decimal("0.00")
SHOWN_STATES = (PublicityBatch.State.PUBLISHED, PublicityBatch.State.CLOSED)
OPINION_CLEAR = gettext_lazy("公示期满无异议")
OPINION_SETTLED = gettext_lazy("异议已处理")


# --- The engine check ----------------------------------------------------------------------------------------------
def _open_objections(acceptance_id):
    return Objection.objects.filter(item__acceptance_id=acceptance_id, resolution="")


def publicity_passed(application) -> bool:
    """In a closed batch, and none of its objections (in any batch) is still open."""
    acceptance_id = Acceptance.objects.filter(application=application).values_list("pk", flat=True).first()
    if acceptance_id is None:
        return False
    closed = PublicityItem.objects.filter(acceptance_id=acceptance_id, batch__state=PublicityBatch.State.CLOSED)
    return closed.exists() and not _open_objections(acceptance_id).exists()


PUBLICITY_DONE = register_check(
    Check(
        code=CHECK,
        label=gettext_lazy("公示期满且无未处理异议"),
        passes=publicity_passed,
        failure=gettext_lazy("该申请尚未完成公示（公示未结束或仍有未处理的异议），不能通过公示环节。"),
    )
)


def register() -> None:
    """Importing this module registers the check; called from the app's ready() so the import is never skipped."""
    register_check(PUBLICITY_DONE)


# --- Who ---------------------------------------------------------------------------------------------------------------
def _bureau(membership) -> None:
    if not is_bureau(membership):
        raise DomainError(_("只有市工信局可以办理公示。"), code="publicity.not_bureau", status=403)


# --- Where an application stands ------------------------------------------------------------------------------------
def stage_carries_publicity(application: Application) -> bool:
    stage = application.current_stage or {}
    return application.state == Application.State.IN_REVIEW and CHECK in (stage.get("checks") or [])


def _at_publicity_expression(prefix: str = "") -> Func:
    """SQL for "the current stage (by position) lists the check": the stages snapshot contains an element with
    that position whose checks contain it (jsonb containment, one index-free comparison per row)."""
    wanted = Func(
        Func(
            Value("position"),
            F(f"{prefix}stage_position"),
            Value("checks"),
            Func(Value(CHECK), function="jsonb_build_array"),
            function="jsonb_build_object",
        ),
        function="jsonb_build_array",
    )
    return Func(
        F(f"{prefix}stages"), wanted, template="(%(expressions)s)", arg_joiner=" @> ", output_field=BooleanField()
    )


def _unrecognised():
    return AcceptanceProject.objects.filter(acceptance_id=OuterRef("pk"), subsidy__isnull=True)


def _projects_exist():
    return AcceptanceProject.objects.filter(acceptance_id=OuterRef("pk"))


def _in_batch():
    return PublicityItem.objects.filter(acceptance_id=OuterRef("pk"))


def with_totals(queryset):
    """Each acceptance with its recognised and subsidy totals (subqueries: one statement whatever the projects)."""
    projects = AcceptanceProject.objects.filter(acceptance_id=OuterRef("pk")).values("acceptance_id")
    recognised = projects.annotate(total=Sum("recognised_amount")).values("total")
    subsidy = projects.annotate(total=Sum("subsidy")).values("total")
    return queryset.annotate(
        recognised_total=Coalesce(recognised, Value(ZERO)),
        subsidy_total=Coalesce(subsidy, Value(ZERO)),
    )


def candidates(membership):
    """Acceptances the bureau may put into a new batch: at the publicity stage, every project recognised (subsidy
    set), in no batch yet; with their totals, oldest submission first. One query per page."""
    if not is_bureau(membership):
        return Acceptance.objects.none()
    queryset = (
        Acceptance.objects.filter(application__kind=KIND, application__state=Application.State.IN_REVIEW)
        .alias(at_publicity=_at_publicity_expression("application__"))
        .filter(at_publicity=True)
        .filter(Exists(_projects_exist()), ~Exists(_unrecognised()), ~Exists(_in_batch()))
        .select_related("organisation", "application")
        .prefetch_related("projects")
        .order_by("application__submitted_at", "pk")
    )
    return with_totals(queryset)


def batches_visible(membership):
    """Every batch of this city, newest first, for the bureau; nothing for anyone else."""
    if not is_bureau(membership):
        return PublicityBatch.objects.none()
    return PublicityBatch.objects.annotate(
        item_count=Coalesce(
            PublicityItem.objects.filter(batch_id=OuterRef("pk"))
            .values("batch_id")
            .annotate(n=Count("id"))
            .values("n"),
            0,
        ),
        subsidy_total=Coalesce(
            PublicityItem.objects.filter(batch_id=OuterRef("pk"))
            .values("batch_id")
            .annotate(total=Sum("subsidy"))
            .values("total"),
            Value(ZERO),
        ),
        open_objections=Exists(Objection.objects.filter(item__batch_id=OuterRef("pk"), resolution="")),
    ).order_by("-created_at", "-id")


def access_batch(membership, pk) -> PublicityBatch:
    """One batch for the bureau; 404 for missing and forbidden alike."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    batch = batches_visible(membership).filter(pk=pk).first() if pk else None
    if batch is None:
        raise not_found(_("该公示批次不存在。"), code="publicity.not_found")
    return batch


def batch_items(batch: PublicityBatch):
    """The batch's items with their objections and where each application stands (one query each)."""
    return (
        PublicityItem.objects.filter(batch=batch)
        .select_related("acceptance__application", "acceptance__organisation")
        .prefetch_related("objections")
        .order_by("pk")
    )


# --- Public reads (the portal) -----------------------------------------------------------------------------------------
def public_batches():
    """Published and closed batches, newest first (anyone may read them: the point of 公示)."""
    return PublicityBatch.objects.filter(state__in=SHOWN_STATES).order_by("-starts_on", "-id")


def public_batch(pk) -> PublicityBatch:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    batch = public_batches().filter(pk=pk).first() if pk else None
    if batch is None:
        raise not_found(_("该公示不存在。"), code="publicity.not_found")
    return batch


def objection_contact() -> dict:
    """How to object: the bureau's contact from the city's settings (empty strings where none is set)."""
    from tenant_apps.configuration.selectors import tenant_settings

    row = tenant_settings()
    return {
        "authority": getattr(row, "authority_name", "") or "",
        "phone": getattr(row, "contact_phone", "") or "",
        "email": getattr(row, "contact_email", "") or "",
        "address": getattr(row, "contact_address", "") or "",
    }


# --- Cleaning -----------------------------------------------------------------------------------------------------------
def _text(value, *, field: str, label, max_length: int) -> str:
    text = ("" if value is None else str(value)).strip()
    if not text:
        raise DomainError(_("请填写%(label)s。") % {"label": label}, code="publicity.required", field=field)
    if len(text) > max_length:
        raise DomainError(
            _("%(label)s不能超过 %(max)s 字。") % {"label": label, "max": max_length},
            code="publicity.too_long",
            field=field,
        )
    return text


def _days(value) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if not DAYS_MIN <= days <= DAYS_MAX:
        raise DomainError(
            _("公示天数须为 %(min)s 到 %(max)s 之间的整数（自然日）。") % {"min": DAYS_MIN, "max": DAYS_MAX},
            code="publicity.days",
            field="days",
        )
    return days


def _date(value, *, field: str, label) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DomainError(
            _("请填写%(label)s（YYYY-MM-DD）。") % {"label": label}, code="publicity.date", field=field
        ) from None


def _ids(values) -> list[int]:
    ids = []
    for value in values or ():
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            raise DomainError(_("请选择验收申请。"), code="publicity.acceptances", field="acceptances") from None
    return sorted(set(ids))


# --- Locks (the engine's application → task first) -----------------------------------------------------------------
def _lock_applications(application_ids) -> dict[int, Application]:
    from tenant_apps.workflow.lock_objects import application_qs_select_for_update

    return {a.pk: a for a in application_qs_select_for_update().filter(pk__in=sorted(set(application_ids)))}


def _lock_open_tasks(application_ids) -> dict[int, Task]:
    from tenant_apps.workflow.lock_objects import task_qs_select_for_update

    tasks = task_qs_select_for_update().filter(application_id__in=application_ids, state=Task.State.OPEN)
    return {task.application_id: task for task in tasks}


def _lock_batch(pk: int) -> PublicityBatch:
    batch = PublicityBatch.objects.select_for_update(of=("self",)).filter(pk=pk).first()
    if batch is None:
        raise not_found(_("该公示批次不存在。"), code="publicity.not_found")
    return batch


def _item_application_ids(batch_id: int) -> list[int]:
    return list(
        PublicityItem.objects.filter(batch_id=batch_id).order_by().values_list("acceptance__application_id", flat=True)
    )


# --- Snapshots ----------------------------------------------------------------------------------------------------------
def _snapshot(acceptance: Acceptance) -> dict:
    """What the portal shows of an acceptance: enterprise, its projects' names, recognised and subsidy totals."""
    projects = list(acceptance.projects.all())
    names = "、".join(p.name for p in projects)
    return {
        "enterprise_name": acceptance.organisation.name[:64],
        "projects": names if len(names) <= 500 else names[:499] + "…",
        "recognised_amount": sum((p.recognised_amount or ZERO for p in projects), ZERO),
        "subsidy": sum((p.subsidy or ZERO for p in projects), ZERO),
    }


def _refuse_unfit(acceptance: Acceptance, application: Application) -> None:
    name = acceptance.organisation.name
    if not stage_carries_publicity(application):
        raise conflict(
            _("%(name)s 的申请当前不在公示环节。") % {"name": name}, code="publicity.not_at_stage", field="acceptances"
        )
    projects = list(acceptance.projects.all())
    if not projects or any(p.subsidy is None for p in projects):
        raise DomainError(
            _("%(name)s 的项目尚未全部完成认定和补贴核定。") % {"name": name},
            code="publicity.not_recognised",
            field="acceptances",
        )


# --- Writes -------------------------------------------------------------------------------------------------------------
@transaction.atomic
def batch_create(*, membership, title, days, acceptance_ids) -> PublicityBatch:
    """新建公示批次 (a draft): acceptances at the publicity stage, each fully recognised and in no other batch."""
    _bureau(membership)
    title = _text(title, field="title", label=_("公示标题"), max_length=TITLE_MAX)
    days = _days(days)
    ids = _ids(acceptance_ids)
    if not ids:
        raise DomainError(_("请至少选择一个验收申请。"), code="publicity.acceptances", field="acceptances")
    if len(ids) > ITEMS_MAX:
        raise DomainError(
            _("每批最多 %(max)s 个验收申请。") % {"max": ITEMS_MAX}, code="publicity.too_many", field="acceptances"
        )
    acceptances = list(
        Acceptance.objects.filter(pk__in=ids, application__kind=KIND)
        .select_related("organisation")
        .prefetch_related("projects")
        .order_by("pk")
    )
    if len(acceptances) != len(ids):
        raise not_found(_("所选验收申请不存在。"), code="publicity.acceptance_not_found")
    applications = _lock_applications(a.application_id for a in acceptances)
    taken = dict(PublicityItem.objects.filter(acceptance_id__in=ids).values_list("acceptance_id", "batch__title"))
    for acceptance in acceptances:
        _refuse_unfit(acceptance, applications[acceptance.application_id])
        if acceptance.pk in taken:
            raise conflict(
                _("%(name)s 的申请已在公示批次“%(batch)s”中。")
                % {"name": acceptance.organisation.name, "batch": taken[acceptance.pk]},
                code="publicity.already_in_batch",
                field="acceptances",
            )
    batch = PublicityBatch.objects.create(title=title, days=days, created_by=membership.user)
    PublicityItem.objects.bulk_create(
        [PublicityItem(batch=batch, acceptance=acceptance, **_snapshot(acceptance)) for acceptance in acceptances]
    )
    return batch


@transaction.atomic
def batch_delete(*, membership, batch_id) -> None:
    """A draft may be dropped (its acceptances become free for another batch); a published one stays on record."""
    _bureau(membership)
    access_batch(membership, batch_id)
    _lock_applications(_item_application_ids(int(batch_id)))
    batch = _lock_batch(int(batch_id))
    if batch.state != PublicityBatch.State.DRAFT:
        raise conflict(_("已发布的公示批次不能删除。"), code="publicity.not_draft")
    batch.delete()


@transaction.atomic
def batch_publish(*, membership, batch_id) -> PublicityBatch:
    """发布: each item's figures are snapshotted as they stand now; the period is `days` calendar days from today,
    both ends included (starts_on = today, ends_on = today + days − 1)."""
    _bureau(membership)
    access_batch(membership, batch_id)
    applications = _lock_applications(_item_application_ids(int(batch_id)))
    batch = _lock_batch(int(batch_id))
    if batch.state != PublicityBatch.State.DRAFT:
        raise conflict(_("该公示批次已发布。"), code="publicity.not_draft")
    items = list(
        PublicityItem.objects.filter(batch=batch)
        .select_related("acceptance__organisation")
        .prefetch_related("acceptance__projects")
        .order_by("pk")
    )
    if not items:
        raise DomainError(_("公示批次中没有验收申请。"), code="publicity.empty")
    for item in items:
        _refuse_unfit(item.acceptance, applications[item.acceptance.application_id])
        for name, value in _snapshot(item.acceptance).items():
            setattr(item, name, value)
    PublicityItem.objects.bulk_update(items, ["enterprise_name", "projects", "recognised_amount", "subsidy"])
    today = timezone.localdate()
    batch.state = PublicityBatch.State.PUBLISHED
    batch.starts_on = today
    batch.ends_on = today + datetime.timedelta(days=batch.days - 1)
    batch.published_at = timezone.now()
    batch.save(update_fields=["state", "starts_on", "ends_on", "published_at"])
    return batch


def _item_for_bureau(membership, item_id) -> PublicityItem:
    try:
        item_id = int(item_id)
    except (TypeError, ValueError):
        item_id = 0
    item = (
        PublicityItem.objects.filter(pk=item_id).select_related("acceptance").first()
        if item_id and is_bureau(membership)
        else None
    )
    if item is None:
        raise not_found(_("该公示项不存在。"), code="publicity.item_not_found")
    return item


@transaction.atomic
def objection_record(*, membership, item_id, received_on, content) -> Objection:
    """登记异议 against an item of a batch under publicity; the date it came in lies within the period so far."""
    _bureau(membership)
    item = _item_for_bureau(membership, item_id)
    received_on = _date(received_on, field="received_on", label=_("收到日期"))
    content = _text(content, field="content", label=_("异议内容"), max_length=TEXT_MAX)
    _lock_applications([item.acceptance.application_id])
    batch = _lock_batch(item.batch_id)
    if batch.state != PublicityBatch.State.PUBLISHED:
        raise conflict(_("只能对公示中的批次登记异议。"), code="publicity.not_published")
    if received_on < batch.starts_on or received_on > timezone.localdate():
        raise DomainError(
            _("收到日期须在公示开始（%(start)s）至今天之间。") % {"start": batch.starts_on},
            code="publicity.received_on",
            field="received_on",
        )
    return Objection.objects.create(item=item, received_on=received_on, content=content, recorded_by=membership.user)


@transaction.atomic
def objection_resolve(*, membership, objection_id, resolution) -> Objection:
    """处理异议: how it was settled (once). After the batch closed, resolving the last open objection lets the
    bureau approve publicity through the engine (the check passes)."""
    _bureau(membership)
    try:
        objection_id = int(objection_id)
    except (TypeError, ValueError):
        objection_id = 0
    found = (
        Objection.objects.filter(pk=objection_id).values_list("item__acceptance__application_id", flat=True).first()
        if objection_id
        else None
    )
    if found is None:
        raise not_found(_("该异议不存在。"), code="publicity.objection_not_found")
    resolution = _text(resolution, field="resolution", label=_("处理结果"), max_length=TEXT_MAX)
    _lock_applications([found])
    objection = Objection.objects.select_for_update(of=("self",)).get(pk=objection_id)
    if objection.resolution:
        raise conflict(_("该异议已处理。"), code="publicity.already_resolved")
    objection.resolution = resolution
    objection.save(update_fields=["resolution"])
    return objection


def tranches_create(acceptance: Acceptance) -> list[Tranche]:
    """The acceptance's tranches from its policy's plan over its subsidy total (once: an existing plan stays)."""
    from tenant_apps.pilots.subsidy import tranche_plan

    if Tranche.objects.filter(acceptance=acceptance).exists():
        return list(Tranche.objects.filter(acceptance=acceptance))
    total = AcceptanceProject.objects.filter(acceptance=acceptance).aggregate(total=Sum("subsidy"))["total"] or ZERO
    plan = tranche_plan(acceptance.policy, total)
    return Tranche.objects.bulk_create(
        [
            Tranche(acceptance=acceptance, position=position, label=label[:40], amount=amount)
            for position, (label, amount) in enumerate(plan)
        ]
    )


def tranches_on_outcome(application: Application) -> None:
    """For the acceptance kind's outcome handler: once the publicity stage is behind an application (approved
    through the engine after a late objection was settled), its tranches exist. Idempotent."""
    if application.kind != KIND or application.state != Application.State.IN_REVIEW:
        return
    done = [s for s in application.stages if CHECK in (s.get("checks") or [])]
    if not done or application.stage_position is None or application.stage_position <= done[0]["position"]:
        return
    acceptance = Acceptance.objects.filter(application=application).first()
    if acceptance is not None:
        tranches_create(acceptance)


@transaction.atomic
def batch_close(*, membership, batch_id) -> dict:
    """结束公示, after the last day: the batch closes; every item without an open objection has its publicity task
    approved by this bureau member ("公示期满无异议", or "异议已处理" when it had objections) and its tranches
    created; items with an open objection stay at publicity. Returns {"approved": [...], "kept": [...]}
    (acceptance ids)."""
    from tenant_apps.workflow.services import task_decide

    _bureau(membership)
    access_batch(membership, batch_id)
    application_ids = _item_application_ids(int(batch_id))
    applications = _lock_applications(application_ids)
    tasks = _lock_open_tasks(application_ids)
    batch = _lock_batch(int(batch_id))
    if batch.state != PublicityBatch.State.PUBLISHED:
        raise conflict(_("只能结束公示中的批次。"), code="publicity.not_published")
    today = timezone.localdate()
    if today <= batch.ends_on:
        raise conflict(
            _("公示期至 %(end)s 截止，期满后（%(next)s 起）才能结束公示。")
            % {"end": batch.ends_on, "next": batch.ends_on + datetime.timedelta(days=1)},
            code="publicity.not_ended",
        )
    batch.state = PublicityBatch.State.CLOSED
    batch.save(update_fields=["state"])
    items = list(
        PublicityItem.objects.filter(batch=batch)
        .select_related("acceptance")
        .annotate(
            has_objections=Exists(Objection.objects.filter(item_id=OuterRef("pk"))),
            has_open=Exists(Objection.objects.filter(item__acceptance_id=OuterRef("acceptance_id"), resolution="")),
        )
        .order_by("acceptance__application_id")
    )
    outcome = {"approved": [], "kept": []}
    for item in items:
        application = applications.get(item.acceptance.application_id)
        task = tasks.get(item.acceptance.application_id)
        if item.has_open or application is None or task is None or not stage_carries_publicity(application):
            outcome["kept"].append(item.acceptance_id)
            continue
        opinion = OPINION_SETTLED if item.has_objections else OPINION_CLEAR
        task_decide(task_id=task.pk, membership=membership, action="approve", opinion=str(opinion))
        tranches_create(item.acceptance)
        outcome["approved"].append(item.acceptance_id)
    return outcome
