"""Writes to review-chain configuration. Run inside the tenant's schema."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.workflow.models import Application, Attachment, Flow, LogEntry, Stage, Task
from tenant_apps.workflow.registry import checks_evaluate, outcome_handler

logger = logging.getLogger(__name__)


@transaction.atomic
def flows_apply(flows: dict[str, dict]) -> None:
    """Create or update one Flow per application kind; its stages become exactly the ones given."""
    for kind, spec in flows.items():
        flow, _ = Flow.objects.update_or_create(kind=kind, defaults={"name": spec["name"]})
        stages = spec.get("stages", [])
        flow.stages.filter(position__gt=len(stages)).delete()
        for position, stage in enumerate(stages, start=1):
            Stage.objects.update_or_create(
                flow=flow,
                position=position,
                defaults={
                    "name": stage["name"],
                    "handler": stage.get("handler", Stage.Handler.ROLE),
                    "role": stage.get("role", ""),
                    "actions": stage.get("actions", [Stage.Action.APPROVE]),
                    "due_days": stage.get("due_days"),
                    "checks": list(stage.get("checks", [])),
                },
            )


# --- The engine ---------------------------------------------------------------------------------------------------
class WorkflowError(ValueError):
    """A transition that is not allowed now; the message is for the person who tried it."""


def _snapshot(flow: Flow) -> list[dict]:
    return [
        {
            "position": s.position,
            "name": s.name,
            "handler": s.handler,
            "role": s.role,
            "actions": list(s.actions),
            "due_days": s.due_days,
            "checks": list(s.checks),
        }
        for s in flow.stages.order_by("position")
    ]


def _log(application, *, actor, action, opinion="", stage=None) -> LogEntry:
    stage = stage if stage is not None else application.current_stage
    return LogEntry.objects.create(
        application=application,
        actor=actor,
        stage_position=stage["position"] if stage else None,
        stage_name=stage["name"] if stage else "",
        action=action,
        opinion=opinion,
    )


def _open_task(application: Application) -> Task:
    stage = application.current_stage
    return Task.objects.create(
        application=application,
        stage_position=stage["position"],
        stage_name=stage["name"],
        handler=stage["handler"],
        role=stage.get("role", ""),
        actions=stage["actions"],
        due_at=timezone.now() + timedelta(days=stage["due_days"]) if stage.get("due_days") else None,
    )


def _after_change(application: Application, entry: LogEntry) -> None:
    handler = outcome_handler(application.kind)
    if handler is not None:
        handler(application)
    transaction.on_commit(lambda: _notify(entry.pk))


def _notify(log_entry_id: int) -> None:
    """Queue the applicant's notification; a broker outage must not fail the decision that already committed."""
    from tenant_apps.workflow.tasks import notify_applicant

    try:
        notify_applicant.apply_async((log_entry_id,), retry=False)
    except Exception:  # noqa: BLE001 - logged; the log entry stays and can be re-notified
        logger.exception("could not queue notification for log entry %s", log_entry_id)


def application_create(*, kind: str, applicant, title: str, organisation=None, anchor_unit=None) -> Application:
    if not Flow.objects.filter(kind=kind, is_active=True).exists():
        raise WorkflowError(_("本平台未配置该类申请的审核流程。"))
    return Application.objects.create(
        kind=kind, applicant=applicant, title=title, organisation=organisation, anchor_unit=anchor_unit
    )


@transaction.atomic
def application_submit(*, application: Application, actor) -> Application:
    """Start (or restart, after return or withdrawal) at the first stage of the flow as configured now."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != actor.pk:
        raise WorkflowError(_("只有申请人可以提交。"))
    if application.state not in Application.EDITABLE_STATES:
        raise WorkflowError(_("该申请当前不能提交。"))
    flow = Flow.objects.filter(kind=application.kind, is_active=True).first()
    stages = _snapshot(flow) if flow else []
    if not stages:
        raise WorkflowError(_("本平台未配置该类申请的审核流程。"))
    again = application.state != Application.State.DRAFT
    application.stages = stages
    application.stage_position = stages[0]["position"]
    application.state = Application.State.IN_REVIEW
    application.submitted_at = timezone.now()
    application.decided_at = None
    application.version += 1
    application.save()
    _open_task(application)
    entry = _log(
        application, actor=actor, action=LogEntry.Action.RESUBMIT if again else LogEntry.Action.SUBMIT, stage=stages[0]
    )
    _after_change(application, entry)
    return application


def stage_checks(application: Application) -> list:
    """The current stage's required checks and whether each passes now (shown to reviewers, enforced on approve)."""
    stage = application.current_stage or {}
    return checks_evaluate(application, stage.get("checks", []))


def may_decide(task: Task, membership) -> bool:
    """Whether this person handles this task: by role, as the named anchor unit, as an assigned expert, or as
    the applicant at an upload stage."""
    if membership is None or task.state != Task.State.OPEN:
        return False
    handler = Stage.Handler
    if task.handler == handler.ROLE:
        return membership.has_role(task.role)
    if task.handler == handler.ANCHOR_UNIT:
        unit = task.application.anchor_unit
        return bool(unit and unit.organisation_id and unit.organisation_id == membership.organisation_id)
    if task.handler == handler.EXPERTS:
        return membership.has_role("expert") and task.assignees.filter(pk=membership.user_id).exists()
    if task.handler == handler.APPLICANT_UPLOAD:
        return task.application.applicant_id == membership.user_id
    return False


@transaction.atomic
def task_decide(*, task_id: int, membership, action: str, opinion: str = "") -> Application:
    """Approve, return or reject. Row locks make two simultaneous reviewers produce exactly one decision."""
    task = Task.objects.select_for_update().select_related("application").filter(pk=task_id).first()
    if task is None:
        raise WorkflowError(_("该待办不存在。"))
    application = Application.objects.select_for_update().get(pk=task.application_id)
    task.application = application
    if task.state != Task.State.OPEN:
        raise WorkflowError(_("该待办已由他人处理或已撤销。"))
    if not may_decide(task, membership):
        raise WorkflowError(_("您不是该环节的审核人。"))
    if action not in task.actions:
        raise WorkflowError(_("该环节不允许此操作。"))
    if action in (LogEntry.Action.RETURN, LogEntry.Action.REJECT) and not opinion.strip():
        raise WorkflowError(_("退回或驳回时请填写审核意见。"))
    if action == LogEntry.Action.APPROVE:
        failing = [result for result in stage_checks(application) if not result.passed]
        if failing:
            raise WorkflowError(" ".join(result.message for result in failing))
    now = timezone.now()
    task.state, task.decision, task.opinion = Task.State.DONE, action, opinion
    task.decided_by_id, task.decided_at = membership.user_id, now
    task.save()
    stage = application.current_stage
    if action == LogEntry.Action.APPROVE:
        following = [s for s in application.stages if s["position"] > application.stage_position]
        if following:
            application.stage_position = following[0]["position"]
        else:
            application.state, application.decided_at = Application.State.APPROVED, now
    elif action == LogEntry.Action.RETURN:
        application.state = Application.State.RETURNED
    else:
        application.state, application.decided_at = Application.State.REJECTED, now
    application.version += 1
    application.save()
    if application.state == Application.State.IN_REVIEW:
        _open_task(application)
    entry = _log(application, actor=membership.user, action=action, opinion=opinion, stage=stage)
    _after_change(application, entry)
    return application


@transaction.atomic
def application_withdraw(*, application: Application, actor) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != actor.pk:
        raise WorkflowError(_("只有申请人可以撤销。"))
    if application.state not in Application.PENDING_STATES:
        raise WorkflowError(_("只有审核中的申请可以撤销。"))
    stage = application.current_stage
    application.tasks.filter(state=Task.State.OPEN).update(state=Task.State.CANCELLED)
    application.state = Application.State.WITHDRAWN
    application.version += 1
    application.save()
    entry = _log(application, actor=actor, action=LogEntry.Action.WITHDRAW, stage=stage)
    _after_change(application, entry)
    return application


UPLOAD_MAX_BYTES = 100 * 1024 * 1024  # the seed's limit for stamped scans (< 100 MB)


def stage_upload(*, task_id: int, membership, upload) -> Application:
    """The applicant hands in the stamped scan at an upload stage: a PDF by its content (not its name), at most
    100 MB. The file is stored under the tenant's prefix, logged, and the stage completes."""
    import filetype

    task = Task.objects.select_related("application").filter(pk=task_id).first()
    if task is None or task.handler != Stage.Handler.APPLICANT_UPLOAD or not may_decide(task, membership):
        raise WorkflowError(_("当前环节无需您上传材料。"))
    if upload.size > UPLOAD_MAX_BYTES:
        raise WorkflowError(_("文件不能超过 100 MB。"))
    head = upload.read(2048)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime != "application/pdf":
        raise WorkflowError(_("请上传 PDF 格式的扫描件。"))
    with transaction.atomic():
        Attachment.objects.create(
            application=task.application,
            stage_position=task.stage_position,
            file=upload,
            original_name=upload.name[:200],
            content_type=kind.mime,
            size=upload.size,
            uploaded_by=membership.user,
        )
        _log(
            task.application,
            actor=membership.user,
            action=LogEntry.Action.UPLOAD,
            opinion=upload.name[:200],
            stage=task.application.current_stage,
        )
        return task_decide(task_id=task.pk, membership=membership, action=LogEntry.Action.APPROVE)


ASSIGNING_ROLES = ("ops", "tenant_admin", "city_bureau")


@transaction.atomic
def task_assign_experts(*, task_id: int, membership, expert_user_ids: list[int]) -> Task:
    """Operations staff (or the city) choose which experts review an application at an expert stage."""
    from tenant_apps.organisations.models import Membership

    task = Task.objects.select_for_update().filter(pk=task_id).first()
    if task is None or task.state != Task.State.OPEN or task.handler != Stage.Handler.EXPERTS:
        raise WorkflowError(_("该环节不需要指派专家。"))
    if membership is None or not membership.has_role(*ASSIGNING_ROLES):
        raise WorkflowError(_("您不能指派专家。"))
    experts = list(
        Membership.objects.filter(user_id__in=expert_user_ids, is_active=True, roles__contains=["expert"]).values_list(
            "user_id", flat=True
        )
    )
    if not experts or len(experts) != len(set(expert_user_ids)):
        raise WorkflowError(_("请选择本平台的专家。"))
    task.assignees.set(experts)
    return task
