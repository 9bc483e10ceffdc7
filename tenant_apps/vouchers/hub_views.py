"""服务券 in the workbench (/workbench/vouchers/): one page per person that leads to what their roles do with
vouchers (enterprise: activities and my vouchers; provider: usage on its orders; operations: activities,
issuance and redemption, settlements, the deduction rule)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from tenant_apps.organisations.access import check_module_access
from tenant_apps.portal.selectors import tenant_profile
from tenant_apps.vouchers.access import MODULE


@dataclass(frozen=True)
class Entry:
    roles: tuple[str, ...]
    label: str
    description: str
    url_name: str


ENTRIES = (
    Entry(("enterprise",), _("服务券活动"), _("正在进行的服务券活动，抢券或申请服务券"), "voucher-activities"),
    Entry(("enterprise",), _("服务券查询"), _("本单位的服务券：余额、有效期、使用记录与申请记录"), "voucher-wallet"),
    Entry(("provider",), _("服务券使用情况"), _("企业在您的订单中使用的服务券及抵扣金额"), "voucher-usage"),
    Entry(("ops",), _("活动管理"), _("创建、编辑与上架服务券活动及券种"), "voucher-ops-activities"),
    Entry(("ops",), _("发放与使用"), _("各活动服务券的发放、抵扣与过期情况"), "voucher-ops-activities"),
    Entry(("ops",), _("结算管理"), _("按服务商生成、确认并导出结算单"), "voucher-settlements"),
    Entry(("ops",), _("抵扣规则"), _("订单最高抵扣比例与抢券频率限制"), "voucher-ops-rules"),
)


def entries_for(membership) -> list[dict]:
    """The entries of the person's roles, skipping any page this deployment does not serve (an entry may share its
    page with another: 活动管理 and 发放与使用 both lead to the operations' activity list)."""
    result = []
    for entry in ENTRIES:
        if not membership.has_role(*entry.roles):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        result.append({"label": entry.label, "description": entry.description, "url": url})
    return result


@login_required
def voucher_home(request):
    module, membership = check_module_access(request, MODULE)
    context = {"module": module, "entries": entries_for(membership), "profile": tenant_profile(request.tenant)}
    return render(request, "vouchers/home.html", context)
