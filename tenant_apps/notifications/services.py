from django.db import IntegrityError, transaction

from shared_apps.accounts.sms import sms_send
from tenant_apps.notifications.models import Message


def message_send_once(*, user, source_key: str, title: str, body: str = "", sms: str = "") -> bool:
    """Store the message unless this source already produced one; text the user only the first time."""
    try:
        with transaction.atomic():
            Message.objects.create(user=user, source_key=source_key, title=title, body=body)
    except IntegrityError:
        return False
    if sms and user.mobile:
        sms_send(user.mobile, sms)
    return True
