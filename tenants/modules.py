"""The catalogue of modules a tenant can switch on. Which ones are on is data (`Tenant.modules`)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Module:
    code: str
    label: str
    description: str


MODULES: dict[str, Module] = {
    module.code: module
    for module in [
        Module("survey", "需求调研", "注册前的企业数字化需求调研表"),
        Module("certification", "企业认证", "企业、服务商注册信息的认证审核"),
        Module("marketplace", "解决方案与产品", "服务商上架解决方案，企业选购、下单、线下支付"),
        Module("vouchers", "服务券", "服务券活动、领券抢券与订单抵扣"),
        Module("experts", "专家管理", "服务商的专家库与专家评审"),
        Module("admission", "入库申请", "试点企业培育入库申报与审核"),
        Module("acceptance", "资金申请", "项目验收、补贴申请、公示与拨付"),
        Module("ecosystem", "生态申报", "服务商加入牵引单位产业生态联合体、产品申报与产品池"),
        Module("cultivation", "梯度培育", "优质中小企业梯度培育：自评、认定申报、变更、复核"),
        Module("notices", "通知公告", "通知公告、政策资讯、新闻与常见问题"),
    ]
}


def unknown_modules(codes: list[str]) -> list[str]:
    return [code for code in codes if code not in MODULES]


def module_required(code: str):
    """View decorator: a module switched off for the current tenant answers 404, as if it did not exist."""
    from functools import wraps

    from django.http import Http404

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            tenant = getattr(request, "tenant", None)
            if tenant is None or not tenant.has_module(code):
                raise Http404("该模块未在本城市启用。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def enabled_modules(tenant) -> list[Module]:
    return [MODULES[code] for code in tenant.modules if code in MODULES]
