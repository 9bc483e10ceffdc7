"""The module's tabs: one list for every cultivation page, so each page marks its own tab and nothing else."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

ENTERPRISE_TABS = (
    ("home", _("首页"), "cultivation-home"),
    ("assessment", _("数字化水平评测"), "cultivation-assessment"),
    ("declarations", _("企业申报信息"), "cultivation-declarations"),
    ("info", _("企业信息"), "cultivation-info"),
    ("changes", _("企业重大变更"), "cultivation-changes"),
    ("rereviews", _("认证到期管理"), "cultivation-rereviews"),
    ("messages", _("我的消息"), "cultivation-messages"),
)
ADMIN_TABS = (
    ("overview", _("申报与认定"), "cultivation-admin"),
    ("recognitions", _("认定企业"), "cultivation-admin-recognitions"),
)


def _tabs(entries, current: str) -> list[dict]:
    tabs = []
    for name, label, url_name in entries:
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # a page not built in this deployment yet
            continue
        tabs.append({"name": name, "label": label, "url": url, "current": name == current})
    return tabs


def enterprise_tabs(current: str) -> list[dict]:
    return _tabs(ENTERPRISE_TABS, current)


def admin_tabs(current: str) -> list[dict]:
    return _tabs(ADMIN_TABS, current)
