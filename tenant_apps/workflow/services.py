"""The review engine's writes: chain configuration and every transition of an application. Run inside the
tenant's schema.

Transitions lock through `lock_objects` (application, then its tasks), ask `policies` who may act, and refuse
with `DomainError` (codes `workflow.*`); views and APIs only render what these raise (docs/conventions.md)."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.configuration.models import Region
from tenant_apps.notifications.outbox import outbox_enqueue
from tenant_apps.workflow import lock_objects, policies
from tenant_apps.workflow.models import Application, Attachment, Flow, LogEntry, Stage, Task
from tenant_apps.workflow.registry import checks_evaluate, decision_refusal, outcome_handler
from tenants.errors import DomainError, conflict, not_found

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
                    "level": stage.get("level", ""),
                    "actions": stage.get("actions", [Stage.Action.APPROVE]),
                    "due_days": stage.get("due_days"),
                    "checks": list(stage.get("checks", [])),
                },
            )


# --- The engine ---------------------------------------------------------------------------------------------------
def _snapshot(flow: Flow) -> list[dict]:
    return [
        {
            "position": s.position,
            "name": s.name,
            "handler": s.handler,
            "role": s.role,
            "level": s.level,
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


def _stage_region(application: Application, stage: dict):
    """For a stage handled by administrative level: the applicant's division at that level. An application whose
    registered place is not inside a division of that level cannot reach anyone, so it is refused, not parked."""
    if stage["handler"] != Stage.Handler.REGION:
        return None
    region = application.region.ancestor_at(stage.get("level", "")) if application.region_id else None
    if region is None:
        raise DomainError(
            _("申请单位的注册地未设置到“%(level)s”区划，无法进入该审核环节，请先完善注册地。")
            % {"level": Region.Level(stage.get("level") or Region.Level.COUNTY).label},
            code="workflow.no_region",
            field="region",
        )
    return region


def _open_task(application: Application) -> Task:
    stage = application.current_stage
    return Task.objects.create(
        application=application,
        stage_position=stage["position"],
        stage_name=stage["name"],
        handler=stage["handler"],
        region=_stage_region(application, stage),
        role=stage.get("role", ""),
        actions=stage["actions"],
        due_at=timezone.now() + timedelta(days=stage["due_days"]) if stage.get("due_days") else None,
    )


def _after_change(application: Application, entry: LogEntry) -> None:
    handler = outcome_handler(application.kind)
    if handler is not None:
        handler(application)
    _notify(entry.pk)


def _notify(log_entry_id: int) -> None:
    """The applicant's notification, in the decision's transaction (transactional outbox, ADR 0027): sent after
    commit, and by the relay if the broker was down then; never lost, never twice."""
    outbox_enqueue("tenant_apps.workflow.tasks.notify_applicant", log_entry_id)


def _notify_experts(task_id: int, user_ids: list[int]) -> None:
    """The assigned experts' notification, in the assignment's transaction (like `_notify`)."""
    outbox_enqueue("tenant_apps.workflow.tasks.notify_experts", task_id, user_ids)


def _check_version(application: Application, expected: int | None) -> None:
    """Forms carry the version they were opened at: a decision or edit made on a stale page is refused."""
    if expected is not None and int(expected) != application.version:
        raise conflict(_("该申请已有新的进展（他人已处理、撤销或修改），请刷新页面后再操作。"), code="workflow.stale")


def _bump(application: Application) -> None:
    application.version += 1
    application.save()


def application_create(
    *, kind: str, applicant, title: str, organisation=None, anchor_unit=None, region=None
) -> Application:
    if not Flow.objects.filter(kind=kind, is_active=True).exists():
        raise DomainError(_("本平台未配置该类申请的审核流程。"), code="workflow.no_flow")
    return Application.objects.create(
        kind=kind, applicant=applicant, title=title, organisation=organisation, anchor_unit=anchor_unit, region=region
    )


def _applicant_lock(application: Application, actor, *, states, not_applicant: str, wrong_state) -> Application:
    """Lock the application as its applicant acting on it: missing is 404, someone else 403, wrong state 409."""
    locked = lock_objects.application_lock(application.pk)
    if locked is None:
        raise not_found(_("该申请不存在。"), code="workflow.not_found")
    if locked.applicant_id != actor.pk:
        raise DomainError(not_applicant, code="workflow.not_applicant", status=403)
    if locked.state not in states:
        raise wrong_state
    return locked


@transaction.atomic
def application_touch(*, application: Application, actor, expected_version: int | None = None) -> Application:
    """An applicant edited the data behind an application (before resubmitting): lock it, refuse a stale form, and
    move its version on so other open forms of the same application become stale."""
    locked = _applicant_lock(
        application,
        actor,
        states=Application.EDITABLE_STATES,
        not_applicant=_("只有申请人可以修改。"),
        wrong_state=conflict(_("审核中的申请不能修改，请先撤销。"), code="workflow.not_editable"),
    )
    _check_version(locked, expected_version)
    _bump(locked)
    return locked


@transaction.atomic
def application_submit(*, application: Application, actor) -> Application:
    """Start (or restart, after return or withdrawal) at the first stage of the flow as configured now."""
    application = _applicant_lock(
        application,
        actor,
        states=Application.EDITABLE_STATES,
        not_applicant=_("只有申请人可以提交。"),
        wrong_state=conflict(_("该申请当前不能提交。"), code="workflow.not_submittable"),
    )
    flow = Flow.objects.filter(kind=application.kind, is_active=True).first()
    stages = _snapshot(flow) if flow else []
    if not stages:
        raise DomainError(_("本平台未配置该类申请的审核流程。"), code="workflow.no_flow")
    again = application.state != Application.State.DRAFT
    application.stages = stages
    application.stage_position = stages[0]["position"]
    application.state = Application.State.IN_REVIEW
    application.submitted_at = timezone.now()
    application.decided_at = None
    _bump(application)
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
    """Whether this person handles this open task (the policy's queryset, filtered to this one)."""
    return policies.may_decide(membership, task)


def _locked_task(task_id: int) -> tuple[Task, Application]:
    task, application = lock_objects.task_lock_with_application(task_id)
    if task is None:
        raise not_found(_("该待办不存在。"), code="workflow.task_not_found")
    if task.state != Task.State.OPEN:
        raise conflict(_("该待办已由他人处理或已撤销。"), code="workflow.already_decided")
    return task, application


@transaction.atomic
def task_decide(
    *, task_id: int, membership, action: str, opinion: str = "", expected_version: int | None = None
) -> Application:
    """Approve, return or reject. Locks (application, then task) make two simultaneous reviewers, or a reviewer and
    a withdrawing applicant, produce exactly one outcome; the loser is told why. An upload stage completes only
    through `stage_upload`, with the file."""
    task, application = _locked_task(task_id)
    if task.handler == Stage.Handler.APPLICANT_UPLOAD:
        raise DomainError(_("请先上传盖章扫描件。"), code="workflow.upload_required", field="file")
    return _decide(task, application, membership=membership, action=action, opinion=opinion, version=expected_version)


def _decide(task: Task, application: Application, *, membership, action: str, opinion: str, version) -> Application:
    """The decision itself, on rows the caller has locked (application, then task)."""
    _check_version(application, version)
    if not policies.may_decide(membership, task):
        raise DomainError(_("您不是该环节的审核人。"), code="workflow.not_reviewer", status=403)
    if action not in task.actions:
        raise DomainError(_("该环节不允许此操作。"), code="workflow.action_not_allowed", field="action")
    if action in (LogEntry.Action.RETURN, LogEntry.Action.REJECT) and not opinion.strip():
        raise DomainError(_("退回或驳回时请填写审核意见。"), code="workflow.opinion_required", field="opinion")
    refusal = decision_refusal(application, action)
    if refusal:
        raise DomainError(refusal, code="workflow.action_closed", field="action", status=409)
    if action == LogEntry.Action.APPROVE:
        failing = [result for result in stage_checks(application) if not result.passed]
        if failing:
            raise DomainError(" ".join(result.message for result in failing), code="workflow.check_failed")
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
    _bump(application)
    if application.state == Application.State.IN_REVIEW:
        _open_task(application)
    entry = _log(application, actor=membership.user, action=action, opinion=opinion, stage=stage)
    _after_change(application, entry)
    return application


@transaction.atomic
def application_withdraw(*, application: Application, actor, expected_version: int | None = None) -> Application:
    application = _applicant_lock(
        application,
        actor,
        states=Application.PENDING_STATES,
        not_applicant=_("只有申请人可以撤销。"),
        wrong_state=conflict(_("只有审核中的申请可以撤销。"), code="workflow.not_pending"),
    )
    _check_version(application, expected_version)
    stage = application.current_stage
    for task in lock_objects.open_tasks_lock(application):
        task.state = Task.State.CANCELLED
        task.save(update_fields=["state"])
    application.state = Application.State.WITHDRAWN
    _bump(application)
    entry = _log(application, actor=actor, action=LogEntry.Action.WITHDRAW, stage=stage)
    _after_change(application, entry)
    return application


@transaction.atomic
def application_discard(*, application: Application, actor, expected_version: int | None = None) -> Application:
    """The applicant deletes the data behind an editable application (a kind's 删除). A draft never submitted has
    no history: the caller deletes it after its own rows. One that was submitted (returned or withdrawn) keeps its
    append-only log, so it is closed instead: withdrawn and decided now (办结), which takes it out of what waits for
    the applicant (`selectors.unfinished_applications`); it stays in 我的申请 as 已撤销."""
    application = _applicant_lock(
        application,
        actor,
        states=Application.EDITABLE_STATES,
        not_applicant=_("只有申请人可以删除。"),
        wrong_state=conflict(_("审核中或已办结的申请不能删除。"), code="workflow.not_editable"),
    )
    _check_version(application, expected_version)
    if application.state == Application.State.DRAFT:
        return application
    returned = application.state == Application.State.RETURNED
    application.state, application.decided_at = Application.State.WITHDRAWN, timezone.now()
    _bump(application)
    if returned:  # a withdrawal already logged its own entry
        entry = _log(application, actor=actor, action=LogEntry.Action.WITHDRAW)
        _after_change(application, entry)
    return application


UPLOAD_MAX_BYTES = 100 * 1024 * 1024  # the seed's limit for stamped scans (< 100 MB)


def _pdf_checked(upload) -> str:
    """A PDF by its content (not its name), parsed, without active content, at most 100 MB (tenants.uploads);
    returns the detected MIME type."""
    from tenants.uploads import upload_checked

    return upload_checked(
        upload,
        allowed={"pdf"},
        max_bytes=UPLOAD_MAX_BYTES,
        wrong_type=_("请上传 PDF 格式的扫描件。"),
        too_large=_("文件不能超过 100 MB。"),
    ).mime


@transaction.atomic
def stage_upload(*, task_id: int, membership, upload, expected_version: int | None = None) -> Application:
    """The applicant hands in the stamped scan at an upload stage. The file is stored under the tenant's prefix,
    logged, and the stage completes."""
    mime = _pdf_checked(upload)
    task, application = _locked_task(task_id)
    if task.handler != Stage.Handler.APPLICANT_UPLOAD or not policies.may_decide(membership, task):
        raise DomainError(_("当前环节无需您上传材料。"), code="workflow.no_upload_here", status=403)
    _check_version(application, expected_version)
    Attachment.objects.create(
        application=application,
        stage_position=task.stage_position,
        file=upload,
        original_name=upload.name[:200],
        content_type=mime,
        size=upload.size,
        uploaded_by=membership.user,
    )
    _log(application, actor=membership.user, action=LogEntry.Action.UPLOAD, opinion=upload.name[:200])
    return _decide(task, application, membership=membership, action=LogEntry.Action.APPROVE, opinion="", version=None)


ASSIGNING_ROLES = policies.ASSIGNING_ROLES


@transaction.atomic
def task_assign_experts(*, task_id: int, membership, expert_user_ids: list[int]) -> Task:
    """Operations staff (or the city) choose which experts review an application at an expert stage. Each chosen
    expert gets the `decide_task` object permission on this task (and only on it)."""
    from django.contrib.auth import get_user_model
    from guardian.shortcuts import assign_perm

    from tenant_apps.organisations.models import Membership
    from tenant_apps.workflow.models import TaskUserObjectPermission

    task, _application = _locked_task(task_id)
    if task.handler != Stage.Handler.EXPERTS:
        raise DomainError(_("该环节不需要指派专家。"), code="workflow.not_expert_stage")
    if not policies.may_assign(membership, task):
        raise DomainError(_("您不能指派专家。"), code="workflow.not_assigner", status=403)
    wanted = {int(pk) for pk in expert_user_ids}
    experts = set(
        Membership.objects.filter(user_id__in=wanted, is_active=True, roles__contains=["expert"]).values_list(
            "user_id", flat=True
        )
    )
    if not experts or experts != wanted:
        raise DomainError(_("请选择本平台的专家。"), code="workflow.not_experts", field="experts")
    TaskUserObjectPermission.objects.filter(content_object=task).exclude(user_id__in=experts).delete()
    assign_perm(f"workflow.{policies.DECIDE_PERMISSION}", get_user_model().objects.filter(pk__in=experts), task)
    chosen = sorted(experts)
    _notify_experts(task.pk, chosen)  # each expert is told once per task
    return task
