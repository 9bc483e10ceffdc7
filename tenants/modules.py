"""The catalogue of modules a tenant can switch on. Which ones are on is data (`Tenant.modules`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Module:
    code: str
    label: str
    description: str
    # Roles whose workbench shows this module (the portal shows every enabled module to everyone).
    roles: tuple[str, ...] = ()
    # City configuration the module cannot work without (the city admin's setup checklist marks it required):
    # "anchor_units", "subsidy_policies", "windows".
    needs: tuple[str, ...] = ()
    # The module's own workbench page (a URL name); modules without one show the placeholder page.
    home: str = ""
    # The module's public page on the portal (a URL name), where the portal's menu leads visitors.
    public: str = ""


MODULES: dict[str, Module] = {
    module.code: module
    for module in [
        Module("survey", _("需求调研"), _("注册前的企业数字化需求调研表"), ("enterprise", "ops")),
        Module(
            "certification",
            _("企业认证"),
            _("企业、服务商注册信息的认证审核"),
            ("enterprise", "provider", "ops", "city_bureau"),
        ),
        Module(
            "marketplace",
            _("解决方案与产品"),
            _("服务商上架解决方案，企业选购、下单、线下支付"),
            ("enterprise", "provider", "ops", "expert", "province"),
            home="market-home",
            public="market-catalogue",
        ),
        Module(
            "vouchers",
            _("服务券"),
            _("服务券活动、领券抢券与订单抵扣"),
            ("enterprise", "provider", "ops"),
            home="voucher-home",
            public="voucher-public-activities",
        ),
        Module(
            "experts",
            _("专家管理"),
            _("服务商的专家库与专家评审"),
            ("provider", "ops", "expert"),
            home="market-experts",
        ),
        Module(
            "admission",
            _("入库申请"),
            _("试点企业培育入库申报与审核"),
            ("enterprise", "city_bureau", "expert"),
            home="admission-home",
        ),
        Module(
            "acceptance",
            _("资金申请"),
            _("项目验收、补贴申请、公示与拨付"),
            ("enterprise", "city_bureau", "finance", "expert"),
            home="acceptance-home",
            public="publicity-public",
            needs=("subsidy_policies",),
        ),
        Module(
            "ecosystem",
            _("生态申报"),
            _("服务商加入牵引单位产业生态联合体、产品申报与产品池"),
            ("provider", "anchor_unit", "ops", "city_bureau", "tenant_admin"),
            needs=("anchor_units",),
            home="ecosystem-home",
            public="ecosystem-public-products",
        ),
        Module(
            "cultivation",
            _("梯度培育"),
            _("优质中小企业梯度培育：自评、认定申报、变更、复核"),
            ("enterprise", "city_bureau", "province", "tenant_admin"),
            needs=("windows",),
            home="cultivation-home",
            public="cultivation-public",
        ),
        Module(
            "notices",
            _("通知公告"),
            _("通知公告、政策资讯、新闻与常见问题"),
            ("editor", "content_approver", "tenant_admin"),
        ),
    ]
}


def unknown_modules(codes: list[str]) -> list[str]:
    return [code for code in codes if code not in MODULES]


def ensure_module(request, code: str) -> Module:
    """A module switched off for the current tenant (or unknown) answers 404, as if it did not exist."""
    tenant = getattr(request, "tenant", None)
    if code not in MODULES or tenant is None or not tenant.has_module(code):
        raise Http404(_("该模块未在本城市启用。"))
    return MODULES[code]


def enabled_modules(tenant) -> list[Module]:
    return [MODULES[code] for code in tenant.modules if code in MODULES]
