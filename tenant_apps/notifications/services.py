"""Writing and reading state of 我的消息. Every message belongs to one person; nobody else may touch it."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.sms import sms_send
from tenant_apps.notifications.models import Message
from tenants.errors import not_found


def message_send_once(
    *,
    user,
    source_key: str,
    title: str,
    body: str = "",
    sms: str = "",
    category: str = Message.Category.SYSTEM,
    link: str = "",
) -> bool:
    """Store the message unless this source already produced one; text the user only the first time.

    `sms` is the text without the platform's signature: `sms_send` puts this host's 【…】 in front of every SMS.
    The message and the SMS are written in one transaction: with the stored outbox backend a worker killed between
    them leaves neither, and the redelivery writes both (with a provider that sends over the network, a kill after
    sending and before commit sends that SMS again: at least once, never lost)."""
    try:
        with transaction.atomic():
            Message.objects.create(
                user=user,
                source_key=source_key,
                category=category,
                title=title[:200],
                body=body,
                link=link if link.startswith("/") and not link.startswith("//") else "",
            )
            if sms and user.mobile:
                sms_send(user.mobile, sms)
    except IntegrityError:
        return False
    return True


def message_mark_read(*, user, message_id: int) -> bool:
    """Mark one of `user`'s messages read; True when it was unread. Someone else's message, or none, is a 404."""
    now = timezone.now()
    changed = Message.objects.filter(pk=message_id, user_id=user.pk, read_at__isnull=True).update(read_at=now)
    if not changed and not Message.objects.filter(pk=message_id, user_id=user.pk).exists():
        raise not_found(_("该消息不存在。"), code="messages.not_found")
    return bool(changed)


def messages_mark_all_read(*, user, category: str | None = None) -> int:
    """Mark every unread message of `user` read (of one category when given); returns how many changed."""
    unread = Message.objects.filter(user_id=user.pk, read_at__isnull=True)
    if category:
        unread = unread.filter(category=category)
    return unread.update(read_at=timezone.now())
