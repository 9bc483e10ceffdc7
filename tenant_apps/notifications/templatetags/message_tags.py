"""`{% latest_messages %}`: the newest five of 我的消息 on the workbench home, with the unread count."""

from django import template

from tenant_apps.notifications.selectors import latest_messages as newest
from tenant_apps.notifications.selectors import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_latest.html", takes_context=True)
def latest_messages(context, count: int = 5):
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    unread = context.get("unread_messages")  # the top bar's count (context processor), computed once per page
    return {"show": True, "entries": newest(user, count), "unread": unread_count(user) if unread is None else unread}
