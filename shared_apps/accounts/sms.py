"""Pluggable SMS sending. The default backend writes to an outbox table the demo shows on a dev-only page.

Every text leaves through `sms_send`, which puts the host's signature in front of it (`sms_signed`): 【…】 of the
tenant being served (its configuration, PLATFORM_SMS_SIGNATURE_SOURCE) or, on the console and public host and for a
tenant without one, the platform's (PLATFORM_SMS_SIGNATURE). Callers write the text without it."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string
from django_tenants.utils import get_public_schema_name


class OutboxBackend:
    """Stores the message instead of sending it (demo, development, tests)."""

    def send(self, mobile: str, text: str) -> None:
        from shared_apps.accounts.models import SmsMessage

        SmsMessage.objects.create(mobile=mobile, text=text, schema_name=connection.schema_name)


def sms_signature() -> str:
    """The signature (without brackets) of the host being served."""
    source = getattr(settings, "PLATFORM_SMS_SIGNATURE_SOURCE", None)
    signature = ""
    if source and connection.schema_name != get_public_schema_name():
        signature = import_string(source)() or ""
    return signature or getattr(settings, "PLATFORM_SMS_SIGNATURE", "")


def sms_signed(text: str) -> str:
    """`text` as it is sent: 【signature】 first, once (a text that already starts with one is left as it is)."""
    signature = sms_signature()
    if not signature or text.startswith("【"):
        return text
    return f"【{signature}】{text}"


def sms_send(mobile: str, text: str) -> None:
    backend_path = getattr(settings, "PLATFORM_SMS_BACKEND", "shared_apps.accounts.sms.OutboxBackend")
    import_string(backend_path)().send(mobile, sms_signed(text))
