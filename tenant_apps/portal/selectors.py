"""What a tenant shows: its profile and the menus its enabled modules contribute."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

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
