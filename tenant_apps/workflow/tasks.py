"""What the engine tells people, after the transition committed: a message in 我的消息 (审核通知, linked to the
application's page, with the reviewer's opinion) and, for the events that need the person, an SMS. Each event
writes at most one message per person however often the task is delivered (`source_key`). The engine does not
queue these tasks itself: it writes an outbox event (`tenant_apps.notifications.outbox`, ADR 0027) whose delivery
calls them."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

# Decisions of a reviewer that reach the applicant by SMS as well (their own submit or withdraw does not).
SMS_ACTIONS = {"approve", "return", "reject"}


def _application_link(application_id: int) -> str:
    # Tasks run without a request: the tenant host's URLconf, whatever the caller's was.
    return reverse("application-detail", args=[application_id], urlconf=settings.ROOT_URLCONF)


def _title(entry, application) -> str:
    names = {"title": application.title, "stage": entry.stage_name}
    if entry.action == "approve":
        later = [
            s for s in application.stages if entry.stage_position is not None and s["position"] > entry.stage_position
        ]
        if later:
            return _("您的申请“%(title)s”已通过“%(stage)s”，进入下一环节") % names
        return _("您的申请“%(title)s”已审核通过") % names
    titles = {
        "return": _("您的申请“%(title)s”被退回修改"),
        "reject": _("您的申请“%(title)s”已被驳回"),
        "submit": _("您的申请“%(title)s”已提交，等待审核"),
        "resubmit": _("您的申请“%(title)s”已重新提交，等待审核"),
        "withdraw": _("您的申请“%(title)s”已撤销"),
    }
    if entry.action in titles:
        return titles[entry.action] % names
    return _("您的申请“%(title)s”：%(action)s") % {**names, "action": entry.get_action_display()}


def _body(entry) -> str:
    lines = []
    if entry.stage_name and entry.action in SMS_ACTIONS:
        lines.append(_("审核环节：%(stage)s") % {"stage": entry.stage_name})
    if entry.opinion:
        lines.append(_("审核意见：%(opinion)s") % {"opinion": entry.opinion})
    if entry.action == "return":
        lines.append(_("请按审核意见修改后重新提交。"))
    return "\n".join(lines)


@shared_task(
    name="workflow.notify_applicant",
    acks_late=True,  # idempotent (source_key): safe to run again after a lost worker
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    max_retries=3,
    retry_backoff=True,
)
def notify_applicant(log_entry_id: int) -> bool:
    """Tell the applicant what happened to their application (我的消息 + SMS for a reviewer's decision), once per
    log entry."""
    from tenant_apps.notifications.models import Message
    from tenant_apps.notifications.services import message_send_once
    from tenant_apps.workflow.models import LogEntry

    entry = LogEntry.objects.select_related("application__applicant").get(pk=log_entry_id)
    application = entry.application
    title = _title(entry, application)
    sms = ""
    if entry.action in SMS_ACTIONS and entry.actor_id != application.applicant_id:  # not their own upload stage
        sms = title + (_("，审核意见请登录平台在“我的消息”中查看。") if entry.opinion else _("。"))
    return message_send_once(
        user=application.applicant,
        source_key=f"workflow-log:{entry.pk}",
        title=title,
        body=_body(entry),
        sms=sms,
        category=Message.Category.REVIEW,
        link=_application_link(application.pk),
    )


@shared_task(
    name="workflow.notify_experts",
    acks_late=True,  # idempotent (source_key): safe to run again after a lost worker
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    max_retries=3,
    retry_backoff=True,
)
def notify_experts(task_id: int, user_ids: list[int]) -> int:
    """Tell each expert assigned to a task that an application waits for their review (我的消息 + SMS), once per
    expert and task; returns how many were told now."""
    from django.contrib.auth import get_user_model

    from tenant_apps.notifications.models import Message
    from tenant_apps.notifications.services import message_send_once
    from tenant_apps.workflow.models import Task

    task = Task.objects.select_related("application").get(pk=task_id)
    application = task.application
    title = _("请评审申请“%(title)s”") % {"title": application.title}
    lines = [_("您已被指派为“%(stage)s”环节的评审专家。") % {"stage": task.stage_name}]
    if task.due_at:
        lines.append(_("办理期限：%(due)s") % {"due": timezone.localtime(task.due_at).strftime("%Y-%m-%d")})
    told = 0
    for expert in get_user_model().objects.filter(pk__in=user_ids).order_by("pk"):
        told += message_send_once(
            user=expert,
            source_key=f"workflow-assign:{task.pk}:{expert.pk}",
            title=title,
            body="\n".join(lines),
            sms=_("您已被指派评审申请“%(title)s”，请登录平台办理。") % {"title": application.title},
            category=Message.Category.REVIEW,
            link=_application_link(application.pk),
        )
    return told
