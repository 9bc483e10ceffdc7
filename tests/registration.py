"""Registering in tests as a person does: the mobile is proved by the SMS code the outbox backend "delivered"."""

import re


def mobile_code_for(mobile: str) -> str:
    """Ask for a registration code for `mobile` (in the current tenant schema) and read it off the phone."""
    from tenant_apps.onboarding.services import registration_code_send

    registration_code_send(mobile=mobile, ip=None)
    return code_sent_to(mobile)


def code_sent_to(mobile: str) -> str:
    """The latest code the outbox backend sent to `mobile` (what the person reads on their phone)."""
    from shared_apps.accounts.models import SmsMessage

    message = SmsMessage.objects.filter(mobile=mobile).order_by("-created_at", "-id").first()
    return re.search(r"\d{6}", message.text).group(0)
