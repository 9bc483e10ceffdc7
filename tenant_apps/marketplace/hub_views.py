"""解决方案与产品 in the workbench: one page per person that leads to what their roles do in the marketplace."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from tenant_apps.marketplace.access import MODULE
from tenant_apps.organisations.access import check_module_access
from tenant_apps.portal.selectors import tenant_profile


@dataclass(frozen=True)
class Entry:
    roles: tuple[str, ...]
    label: str
    description: str
    url_name: str


ENTRIES = (
    Entry(("enterprise",), _("解决方案目录"), _("按目录、分类、行业和价格查找解决方案"), "market-catalogue"),
    Entry(("enterprise",), _("购物车"), _("已加入购物车的规格，确认后下单"), "market-cart"),
    Entry(("enterprise",), _("我的订单"), _("支付状态、上传支付凭证、确认完成与评价"), "market-orders"),
    Entry(("enterprise",), _("我的评价"), _("您对已购商品的评价"), "market-my-ratings"),
    Entry(("provider",), _("我的商品"), _("发布解决方案，提交审核，上架与下架"), "market-listings"),
    Entry(("provider",), _("订单管理"), _("收到的订单、交付进度"), "market-sales"),
    Entry(("provider",), _("客户评价"), _("企业对您商品的评价"), "market-reviews"),
    Entry(("provider",), _("收款账户"), _("企业线下转账时使用的对公账户"), "market-bank-account"),
    Entry(("provider",), _("专家管理"), _("维护可在商品页展示的专家"), "market-experts"),
    Entry(("ops", "expert", "province"), _("待我审批"), _("商品上架审核、支付凭证审核"), "inbox"),
    Entry(("ops",), _("目录与标签"), _("商品目录、解决方案分类与标签"), "market-taxonomy"),
    Entry(("ops",), _("在售商品管理"), _("查看在售商品，必要时下架并说明原因"), "market-ops-listings"),
    Entry(
        ("enterprise", "provider", "ops", "expert", "province"),
        _("浏览目录"),
        _("以企业视角查看在售商品"),
        "market-catalogue",
    ),
)


def entries_for(membership) -> list[dict]:
    """The entries of the person's roles, each once, skipping any page this deployment does not serve."""
    seen, result = set(), []
    for entry in ENTRIES:
        if not membership.has_role(*entry.roles) or entry.url_name in seen:
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        seen.add(entry.url_name)
        result.append({"label": entry.label, "description": entry.description, "url": url})
    return result


@login_required
def market_home(request):
    module, membership = check_module_access(request, MODULE)
    context = {"module": module, "entries": entries_for(membership), "profile": tenant_profile(request.tenant)}
    return render(request, "marketplace/home.html", context)
