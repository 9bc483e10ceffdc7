"""Reads of 我的消息 for pages, the API and the badge. A person only ever reads their own messages: every query
starts from the user, and the one door to a single message (`access_message`) answers 404 for someone else's."""

from __future__ import annotations

from django.http import Http404

from tenant_apps.notifications.models import Message

LIST_FIELDS = ("id", "user_id", "category", "title", "body", "link", "created_at", "read_at")


def messages_of(user, *, category: str | None = None, unread: bool | None = None):
    """The person's messages, newest first; one query for a page of them whatever its length (no relations)."""
    if user is None or not user.is_authenticated:
        return Message.objects.none()
    queryset = Message.objects.filter(user_id=user.pk).only(*LIST_FIELDS).order_by("-created_at", "-id")
    if category:
        queryset = queryset.filter(category=category)
    if unread is True:
        queryset = queryset.filter(read_at__isnull=True)
    elif unread is False:
        queryset = queryset.filter(read_at__isnull=False)
    return queryset


def latest_messages(user, count: int = 5) -> list[Message]:
    """The newest few, for the workbench home."""
    return list(messages_of(user)[:count])


def unread_count(user) -> int:
    """How many of the person's messages are unread (the badge); one indexed count."""
    if user is None or not user.is_authenticated:
        return 0
    return Message.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def access_message(user, pk) -> Message:
    """One of the person's own messages; someone else's, or none, is 404 alike (no probing for ids)."""
    found = messages_of(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
