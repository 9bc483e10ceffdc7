"""Demo certifications: the preset's demo newcomers submit their certification (by the form or the registration
profile) and the named reviewers take the preset's decisions, so every reviewer's inbox and every applicant's
list holds real work — a pending review, a returned one to fix."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from tenant_apps.certification.selectors import certification_latest
from tenant_apps.configuration.models import Industry
from tenant_apps.organisations.models import Membership


def _membership(username: str) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user__username=username)


def _submit(membership: Membership, spec: dict) -> None:
    industry = Industry.objects.filter(code=spec.get("industry")).first() if spec.get("industry") else None
    if spec["via"] == "form":
        from tenant_apps.certification.services import certification_submit

        fields = (
            "company_name founded_on uscc contact_name contact_phone email headcount region address introduction"
        ).split()
        data = {name: spec.get(name, "") for name in fields}
        data.update(industry=industry, registered_capital=Decimal(spec["registered_capital"]), website="")
        certification_submit(membership=membership, data=data)
    else:
        from tenant_apps.onboarding.services import registration_profile_submit

        core = {
            "name": spec["company_name"],
            "uscc": spec["uscc"],
            "industry": industry,
            "region": spec.get("region", ""),
            "address": spec.get("address", ""),
            "contact_name": spec["contact_name"],
            "contact_mobile": membership.user.mobile or "",
            "email": spec.get("email", ""),
        }
        registration_profile_submit(membership=membership, core=core, profile={})


def _notifications_deliver(application) -> None:
    """No worker runs while the demo seeds: the applicant finds each step in 我的消息 now. The tasks queued by the
    transitions find them delivered later (one message and one SMS per event)."""
    from tenant_apps.workflow.tasks import notify_applicant

    for entry_id in application.log.exclude(action="upload").order_by("pk").values_list("pk", flat=True):
        notify_applicant(entry_id)


@transaction.atomic
def demo_certifications_seed(accounts: list[dict]) -> None:
    """Idempotent: an account that already has a certification application is left as it is."""
    from tenant_apps.workflow.services import task_decide

    User = get_user_model()
    for account in accounts:
        spec = account.get("certification")
        if not spec or not User.objects.filter(username=account["username"]).exists():
            continue
        membership = _membership(account["username"])
        existing = certification_latest(membership.organisation)
        if existing is not None:
            _notifications_deliver(existing)  # a demo seeded before 我的消息 existed gets its messages
            continue
        _submit(membership, spec)
        membership = _membership(account["username"])
        for decision in spec.get("decisions", []):
            application = certification_latest(membership.organisation)
            task = application.tasks.filter(state="open").first()
            task_decide(
                task_id=task.pk,
                membership=_membership(decision["by"]),
                action=decision["action"],
                opinion=decision.get("opinion", ""),
            )
        _notifications_deliver(certification_latest(membership.organisation))


def demo_certifications_provision(data: dict, context) -> None:
    if context.with_demo_data:
        demo_certifications_seed(data.get("demo_accounts", []))
