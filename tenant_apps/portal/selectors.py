"""What a tenant shows: its profile, the menus its enabled modules contribute and a visitor's quick entries."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenant_apps.configuration.models import Industry
from tenant_apps.configuration.selectors import tenant_settings
from tenant_apps.organisations.services import SUB_ACCOUNT_ROLES
from tenants.modules import MODULES, enabled_modules


@dataclass(frozen=True)
class MenuItem:
    code: str
    label: str
    url: str
    # Other URL prefixes whose pages belong to this item (the side menu marks it as where the person is).
    also: tuple[str, ...] = ()


def module_menu(tenant) -> list[MenuItem]:
    return [
        MenuItem(module.code, module.label, reverse("module-home", args=[module.code]))
        for module in enabled_modules(tenant)
    ]


@dataclass(frozen=True)
class Entry:
    label: str
    url: str


def quick_entries(request) -> list[Entry]:
    """Register and sign in (or the workbench once signed in), then the enabled modules: what a visitor comes for.
    The portal home page adds its own pages (survey, FAQ) after these."""
    if request.user.is_authenticated:
        entries = [Entry(_("进入工作台"), reverse("workbench"))]
    else:
        signin = f"{reverse('login')}?next={reverse('workbench')}"
        entries = [Entry(_("注册"), reverse("register")), Entry(_("登录"), signin)]
    return entries + [Entry(item.label, item.url) for item in module_menu(request.tenant)]


PROFILE_KEY = "portal:profile"
PROFILE_SECONDS = 300


def tenant_profile(tenant) -> dict:
    """The tenant's public profile: identity, branding, pilot period, pilot industries and modules.

    Every portal and workbench page draws it (header, footer, colours), so the part read from the tenant's tables
    is kept in the cache per tenant (the key function puts the schema in the key) and dropped whenever the settings
    row or an industry is saved or deleted (`profile_changed`, connected in apps.py). Modules come from the tenant
    row the middleware already holds."""
    from django.core.cache import cache

    stored = cache.get(PROFILE_KEY)
    if stored is None:
        stored = _stored_profile(tenant)
        cache.set(PROFILE_KEY, stored, PROFILE_SECONDS)
    return {
        "schema_name": tenant.schema_name,
        **stored,
        "name": stored["name"] or tenant.name,
        "short_name": stored["short_name"] or tenant.short_name,
        "modules": [{"code": module.code, "label": module.label} for module in enabled_modules(tenant)],
    }


def _stored_profile(tenant) -> dict:
    settings_row = tenant_settings()
    return {
        "name": settings_row.display_name if settings_row else "",
        "short_name": settings_row.short_name if settings_row else "",
        "tagline": settings_row.tagline if settings_row else "",
        "identity": tenant_identity(settings_row),
        "primary_color": settings_row.primary_color if settings_row else "#1d4ed8",
        "pilot_start": settings_row.pilot_start if settings_row else None,
        "pilot_end": settings_row.pilot_end if settings_row else None,
        "pilot_industries": [
            {"code": code, "name": name}
            for code, name in Industry.objects.filter(is_pilot=True).values_list("code", "name")
        ],
    }


def profile_changed(sender=None, **kwargs) -> None:
    from django.core.cache import cache

    cache.delete(PROFILE_KEY)


def tenant_identity(settings_row) -> dict:
    """Who runs the portal (footer, header): this city's own names and numbers, empty where none are set."""
    if settings_row is None:
        return {}
    return {
        "authority": settings_row.authority_name,
        "organiser": settings_row.organiser_name,
        "logo_url": settings_row.logo.url if settings_row.logo else "",
        "contact_phone": settings_row.contact_phone,
        "contact_email": settings_row.contact_email,
        "contact_address": settings_row.contact_address,
        "icp_number": settings_row.icp_number,
        "police_record_number": settings_row.police_record_number,
        "site_code": settings_row.site_code,
    }


def workbench_menu(tenant, membership) -> list[MenuItem]:
    """The workbench shows enabled modules the person's roles use, and for sub-accounts only granted ones;
    then the tools their roles open (sub-accounts, city admin, CMS)."""
    if membership is None:
        return []
    items = [
        MenuItem(
            module.code,
            module.label,
            reverse(module.home) if module.home else reverse("workbench-module", args=[module.code]),
        )
        for module in enabled_modules(tenant)
        if membership.has_role(*module.roles) and membership.can_use_module(module.code)
    ]
    if membership.manages_organisation and membership.has_role(*SUB_ACCOUNT_ROLES):  # never a bureau (services)
        items.append(MenuItem("sub-accounts", _("子账号管理"), reverse("sub-accounts")))
    if membership.has_role("tenant_admin"):
        items.append(MenuItem("admin", _("城市管理后台"), reverse("tenant_admin:index")))
    if membership.has_role("editor", "content_approver", "tenant_admin"):
        items.append(MenuItem("cms", _("内容管理"), reverse("wagtailadmin_home")))
    return items


@dataclass(frozen=True)
class MenuGroup:
    code: str
    title: str
    items: tuple[MenuItem, ...]


def can_certify(membership) -> bool:
    """The main account of an enterprise or provider: 我的企业 (certification) is theirs."""
    return bool(membership) and membership.has_role("enterprise", "provider") and not membership.is_sub_account


def workbench_navigation(tenant, membership) -> list[MenuGroup]:
    """The workbench's side menu, grouped: the workbench itself, my organisation, the business modules, city
    administration and my account. Modules and tools come from `workbench_menu` (roles, sub-account grants,
    enabled modules: one decision, shared with /api/v1/me/); this only adds the fixed pages and groups them."""
    if membership is None:
        return []
    tools = workbench_menu(tenant, membership)
    work = [
        MenuItem("home", _("工作台首页"), reverse("workbench")),
        MenuItem("inbox", _("我的待办"), reverse("inbox"), also=(reverse("application-detail", args=[0])[:-2],)),
        MenuItem("messages", _("我的消息"), reverse("message-centre")),
    ]
    unit = [MenuItem("enterprise", _("我的企业"), reverse("my-enterprise"))] if can_certify(membership) else []
    unit += [item for item in tools if item.code == "sub-accounts"]
    admin = (
        [MenuItem("setup", _("初始化清单"), reverse("setup-checklist"))] if membership.has_role("tenant_admin") else []
    )
    admin += [item for item in tools if item.code in {"admin", "cms"}]
    groups = [
        ("work", _("工作台"), work),
        ("unit", _("我的单位"), unit),
        ("modules", _("业务办理"), [item for item in tools if item.code in MODULES]),
        ("admin", _("城市管理"), admin),
        ("account", _("个人设置"), [MenuItem("security", _("账号安全"), reverse("account-security"))]),
    ]
    return [MenuGroup(code, title, tuple(items)) for code, title, items in groups if items]
