"""Demo applications: a preset's demo account submits an application of one of the city's flows and the named
reviewers take the preset's decisions, so the demo holds work beyond the first stage — e.g. an admission waiting
at 上传盖章申报表 for the enterprise's stamped scan (in its 待我处理)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from tenant_apps.organisations.models import Membership
from tenant_apps.workflow.models import Application, Task


def _membership(username: str) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user__username=username)


def _notifications_deliver(application: Application) -> None:
    """No worker runs while the demo seeds: the applicant finds each step in 我的消息 now (the tasks the
    transitions queued find them delivered later)."""
    from tenant_apps.workflow.tasks import notify_applicant

    for entry_id in application.log.exclude(action="upload").order_by("pk").values_list("pk", flat=True):
        notify_applicant(entry_id)


@transaction.atomic
def demo_applications_seed(accounts: list[dict]) -> None:
    """Idempotent: an application the account already has (same kind and title) is left as it is."""
    from tenant_apps.workflow.services import application_create, application_submit, task_decide

    User = get_user_model()
    for account in accounts:
        specs = account.get("applications") or []
        if not specs or not User.objects.filter(username=account["username"]).exists():
            continue
        membership = _membership(account["username"])
        for spec in specs:
            mine = Application.objects.filter(applicant=membership.user, kind=spec["kind"], title=spec["title"])
            if mine.exists():
                continue
            application = application_create(
                kind=spec["kind"], applicant=membership.user, title=spec["title"], organisation=membership.organisation
            )
            application = application_submit(application=application, actor=membership.user)
            for decision in spec.get("decisions", []):
                task = application.tasks.get(state=Task.State.OPEN)
                application = task_decide(
                    task_id=task.pk,
                    membership=_membership(decision["by"]),
                    action=decision["action"],
                    opinion=decision.get("opinion", ""),
                )
            _notifications_deliver(application)


def demo_applications_provision(data: dict, context) -> None:
    if context.with_demo_data:
        demo_applications_seed(data.get("demo_accounts", []))
