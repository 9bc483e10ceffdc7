from celery import shared_task
from django.utils.translation import gettext as _


@shared_task(name="workflow.notify_applicant", autoretry_for=(Exception,), max_retries=3, retry_backoff=True)
def notify_applicant(log_entry_id: int) -> bool:
    """Tell the applicant what happened to their application (in-app message + SMS), once per log entry."""
    from tenant_apps.notifications.services import message_send_once
    from tenant_apps.workflow.models import LogEntry

    entry = LogEntry.objects.select_related("application__applicant").get(pk=log_entry_id)
    application = entry.application
    title = _("您的申请“%(title)s”：%(action)s") % {"title": application.title, "action": entry.get_action_display()}
    body = entry.opinion or ""
    return message_send_once(
        user=application.applicant,
        source_key=f"workflow-log:{entry.pk}",
        title=title,
        body=body,
        sms=title if entry.action in {"approve", "return", "reject"} else "",
    )
