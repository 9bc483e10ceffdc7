"""我的消息 in the workbench: the list with its filters, one message (opening it marks it read), mark all read.

Plain markup — a list of items, not a wide table — so it reads on a phone opened from a WeChat link."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from tenant_apps.notifications import services
from tenant_apps.notifications.forms import STATUS_CHOICES, MessageFilterForm
from tenant_apps.notifications.models import Message
from tenant_apps.notifications.selectors import access_message, messages_of
from tenant_apps.organisations.selectors import current_membership

PAGE_SIZE = 20


def _member(request):
    membership = current_membership(request.user)
    if membership is None:
        raise PermissionDenied(_("您尚未加入本城市平台。"))
    return membership


def _back_to_list(request):
    """The list as the person left it (its filters and page), never another host."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None) and target.startswith("/"):
        return redirect(target)
    return redirect("message-centre")


def _tabs(current: dict, key: str, choices) -> list[dict]:
    """Links that change one filter and keep the other (page 1 again)."""
    tabs = []
    for value, label in choices:
        query = {name: v for name, v in {**current, key: value}.items() if v}
        tabs.append({"label": label, "url": "?" + urlencode(query), "active": current.get(key, "") == value})
    return tabs


@login_required
def message_centre(request):
    _member(request)
    filters = MessageFilterForm(request.GET or None)
    criteria = filters.criteria()
    valid = filters.is_bound and filters.is_valid()
    current = {"category": filters.cleaned_data["category"], "status": filters.cleaned_data["status"]} if valid else {}
    page = Paginator(messages_of(request.user, **criteria), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/message_centre.html",
        {
            "page": page,
            "filters": filters,
            "category": current.get("category", ""),
            "status": current.get("status", ""),
            "category_tabs": _tabs(current, "category", [("", _("全部")), *Message.Category.choices]),
            "status_tabs": _tabs(current, "status", STATUS_CHOICES),
            "query": urlencode({name: value for name, value in current.items() if value}),
        },
    )


@login_required
def message_detail(request, pk: int):
    """Opening a message marks it read; a POST (the list's 标为已读) marks it and goes back to the list."""
    _member(request)
    message = access_message(request.user, pk)
    if message.read_at is None:
        services.message_mark_read(user=request.user, message_id=message.pk)
    if request.method == "POST":
        return _back_to_list(request)
    return render(request, "notifications/message.html", {"entry": message})


@login_required
def messages_read_all(request):
    _member(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    category = request.POST.get("category") or None
    if category not in Message.Category.values:
        category = None
    changed = services.messages_mark_all_read(user=request.user, category=category)
    if changed:
        flash.success(request, _("已将 %(n)d 条消息标为已读。") % {"n": changed})
    return _back_to_list(request)
