"""What a tenant shows: its profile, the menus its enabled modules contribute and a visitor's quick entries."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tenant_apps.configuration.models import Industry
from tenant_apps.configuration.selectors import tenant_settings
from tenants.modules import enabled_modules


@dataclass(frozen=True)
class MenuItem:
    code: str
    label: str
    url: str


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


def tenant_profile(tenant) -> dict:
    """The tenant's public profile: identity, branding, pilot period, pilot industries and modules."""
    settings_row = tenant_settings()
    return {
        "schema_name": tenant.schema_name,
        "name": settings_row.display_name if settings_row else tenant.name,
        "short_name": settings_row.short_name if settings_row else tenant.short_name,
        "tagline": settings_row.tagline if settings_row else "",
        "primary_color": settings_row.primary_color if settings_row else "#1d4ed8",
        "pilot_start": settings_row.pilot_start if settings_row else None,
        "pilot_end": settings_row.pilot_end if settings_row else None,
        "pilot_industries": [
            {"code": code, "name": name}
            for code, name in Industry.objects.filter(is_pilot=True).values_list("code", "name")
        ],
        "modules": [{"code": module.code, "label": module.label} for module in enabled_modules(tenant)],
    }


def workbench_menu(tenant, membership) -> list[MenuItem]:
    """The workbench shows enabled modules the person's roles use, and for sub-accounts only granted ones;
    then the tools their roles open (sub-accounts, city admin, CMS)."""
    if membership is None:
        return []
    items = [
        MenuItem(module.code, module.label, reverse("workbench-module", args=[module.code]))
        for module in enabled_modules(tenant)
        if membership.has_role(*module.roles) and membership.can_use_module(module.code)
    ]
    if membership.manages_organisation:
        items.append(MenuItem("sub-accounts", _("子账号管理"), reverse("sub-accounts")))
    if membership.has_role("tenant_admin"):
        items.append(MenuItem("admin", _("城市管理后台"), reverse("tenant_admin:index")))
    if membership.has_role("editor", "tenant_admin"):
        items.append(MenuItem("cms", _("内容管理"), reverse("wagtailadmin_home")))
    return items
