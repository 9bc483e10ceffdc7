"""Pluggable SMS sending. The default backend writes to an outbox table the demo shows on a dev-only page."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string


class OutboxBackend:
    """Stores the message instead of sending it (demo, development, tests)."""

    def send(self, mobile: str, text: str) -> None:
        from shared_apps.accounts.models import SmsMessage

        SmsMessage.objects.create(mobile=mobile, text=text, schema_name=connection.schema_name)


def sms_send(mobile: str, text: str) -> None:
    backend_path = getattr(settings, "PLATFORM_SMS_BACKEND", "shared_apps.accounts.sms.OutboxBackend")
    import_string(backend_path)().send(mobile, text)
