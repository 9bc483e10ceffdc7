"""我的消息: written by decisions (recognition, revocation, returns) and by the beat jobs (tasks.py). A message with
a `key` is created at most once per organisation (a unique index), so a job that runs twice sends nothing twice."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from tenant_apps.cultivation.models import Message

LATEST = 5  # the cultivation home shows the latest five


def message_send(*, organisation, category: str, title: str, body: str, url: str = "", key: str | None = None) -> bool:
    """Create the message; False when one with this key already exists (nothing is created)."""
    try:
        with transaction.atomic():
            Message.objects.create(
                organisation=organisation, category=category, title=title, body=body, url=url, key=key
            )
    except IntegrityError:
        if key is None:
            raise
        return False
    return True


def messages_of(organisation, *, category: str | None = None):
    messages = Message.objects.filter(organisation=organisation)
    return messages.filter(category=category) if category else messages


def latest_messages(organisation) -> list[Message]:
    return list(messages_of(organisation)[:LATEST])


def message_read(*, organisation, pk: int) -> Message | None:
    """Mark the organisation's message read (once); None when it is not theirs."""
    message = messages_of(organisation).filter(pk=pk).first()
    if message is not None and message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message


def unread_counts(organisation) -> dict[str, int]:
    """Unread messages per category and in all (`""`), in one query (the tabs' badges)."""
    from django.db.models import Count, Q

    categories = Message.Category.values
    counts = messages_of(organisation).aggregate(
        all=Count("id", filter=Q(read_at__isnull=True)),
        **{c: Count("id", filter=Q(read_at__isnull=True, category=c)) for c in categories},
    )
    return {"": counts.pop("all"), **counts}


def message_open(*, organisation, pk: int) -> Message:
    """The access helper of one message: the organisation's own, marked read; another's and a missing one alike
    are 404."""
    from django.utils.translation import gettext as _

    from tenants.errors import not_found

    message = message_read(organisation=organisation, pk=pk)
    if message is None:
        raise not_found(_("该消息不存在。"), code="cultivation.message_not_found")
    return message
