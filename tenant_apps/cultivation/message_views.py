"""我的消息 (/workbench/cultivation/messages/, seed 003 §三(二)): the enterprise's messages in the five categories
(认定到期, 信息更新, 认定通知, 取消认定, 申报提醒) and 全部, unread ones marked; opening one marks it read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.pagination import paginate
from shared_apps.ui.tables import Column, Table
from tenant_apps.cultivation import messages
from tenant_apps.cultivation.models import Message
from tenant_apps.cultivation.navigation import enterprise_tabs
from tenant_apps.cultivation.page_access import enterprise_member
from tenants.errors import DomainError

MESSAGES = Table(
    columns=(
        Column(gettext_lazy("标题"), template="cultivation/messages/_title_cell.html", wrap=True, primary=True),
        Column(gettext_lazy("类别"), "get_category_display", width="7em"),
        Column(gettext_lazy("时间"), "created_at", format="datetime", width="10em"),
        Column(gettext_lazy("状态"), lambda m: _("已读") if m.read_at else _("未读"), width="5em", name="read"),
    ),
    empty=gettext_lazy("暂无消息。"),
    row_attrs=lambda m: {"data-message": m.pk, "data-unread": "0" if m.read_at else "1"},
)


def _category(request) -> str:
    category = request.GET.get("category", "")
    return category if category in Message.Category.values else ""


@login_required
def message_list(request):
    _membership, organisation = enterprise_member(request)
    category = _category(request)
    page = paginate(request, messages.messages_of(organisation, category=category or None))
    unread = messages.unread_counts(organisation)
    categories = [("", _("全部")), *Message.Category.choices]
    category_tabs = [
        {
            "code": code,
            "label": label,
            "unread": unread.get(code, 0),
            "url": "?" + urlencode({"category": code}) if code else "?",
            "current": code == category,
        }
        for code, label in categories
    ]
    context = {
        "tabs": enterprise_tabs("messages"),
        "category_tabs": category_tabs,
        "category": category,
        "page": page,
        "table": MESSAGES,
        "unread_total": unread[""],
    }
    return render(request, "cultivation/messages/list.html", context)


@login_required
def message_detail(request, pk: int):
    """Opening a message marks it read."""
    _membership, organisation = enterprise_member(request)
    try:
        message = messages.message_open(organisation=organisation, pk=pk)
    except DomainError as error:
        raise Http404(error.message) from None
    link = message.url if message.url.startswith("/") and not message.url.startswith("//") else ""
    context = {"tabs": enterprise_tabs("messages"), "entry": message, "link": link}
    return render(request, "cultivation/messages/detail.html", context)
