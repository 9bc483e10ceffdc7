"""The unread-message badge of the top bar, on every page of a tenant host.

`unread_messages`: how many of the signed-in person's messages are unread (0 when signed out or on the public
host), counted on first use, so a page that does not show the badge costs no query; it compares and formats like
an int (`{% if unread_messages > 99 %}99+{% else %}{{ unread_messages }}{% endif %}`).
`message_centre_url`: the URL of 我的消息 (URL name `message-centre`), empty where there is none."""

import operator

from django.urls import reverse
from django.utils.functional import SimpleLazyObject, new_method_proxy

from tenant_apps.notifications.selectors import unread_count


class LazyCount(SimpleLazyObject):
    """An int computed when first used (SimpleLazyObject proxies ==, <, > and str; these complete the set)."""

    __ge__ = new_method_proxy(operator.ge)
    __le__ = new_method_proxy(operator.le)
    __int__ = new_method_proxy(int)
    __index__ = new_method_proxy(operator.index)
    __add__ = new_method_proxy(operator.add)
    __sub__ = new_method_proxy(operator.sub)


def message_badge(request):
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if tenant is None or tenant.is_public or user is None or not user.is_authenticated:
        return {"unread_messages": 0, "message_centre_url": ""}
    return {
        "unread_messages": LazyCount(lambda: unread_count(user)),
        "message_centre_url": reverse("message-centre"),
    }
