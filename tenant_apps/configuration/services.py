"""Writes to a tenant's configuration. Run inside the tenant's schema."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from tenant_apps.configuration.models import (
    AnchorUnit,
    DeclarationWindow,
    Industry,
    Region,
    SubsidyPolicy,
    TenantSettings,
)

# Preset `[identity]` keys → TenantSettings columns.
IDENTITY_FIELDS = {
    "authority": "authority_name",
    "organiser": "organiser_name",
    "contact_phone": "contact_phone",
    "contact_email": "contact_email",
    "contact_address": "contact_address",
    "icp_number": "icp_number",
    "police_record_number": "police_record_number",
    "site_code": "site_code",
}


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


@transaction.atomic
def configuration_apply(preset: dict) -> None:
    """Create or update the tenant's configuration from preset data; rows the preset does not name are kept.

    Identity values (主办单位 …) are written only where the data names them: a city created from another city's
    preset gets none of that city's (`Preset.data_for`), only what the console gave, and keeps them afterwards."""
    policy = preset.get("password_policy", {})
    period = preset.get("pilot_period", {})
    branding = preset.get("branding", {})
    registration = preset.get("registration", {})
    TenantSettings.objects.update_or_create(
        pk=1,
        defaults={
            "display_name": preset["name"],
            "short_name": preset.get("short_name", preset["name"])[:30],
            "tagline": branding.get("tagline", ""),
            "primary_color": branding.get("primary_color", "#1d4ed8"),
            "pilot_start": period.get("start"),
            "pilot_end": period.get("end"),
            "password_min_length": policy.get("min_length", 8),
            "password_max_length": policy.get("max_length", 18),
            "password_min_classes": policy.get("min_classes", 3),
            "password_history": policy.get("history", 5),
            "registration_roles": registration.get("roles", []),
            "registration_mobile_as_username": registration.get("mobile_as_username", False),
            "registration_company_step": registration.get("company_step", False),
            "registration_profile_step": registration.get("profile_step", False),
            "service_agreement": registration.get("service_agreement", ""),
            "privacy_notice": registration.get("privacy_notice", ""),
            **{
                column: preset["identity"][key]
                for key, column in IDENTITY_FIELDS.items()
                if key in preset.get("identity", {})
            },
        },
    )
    industries = {}
    for position, item in enumerate(preset.get("industries", [])):
        industries[item["code"]], _ = Industry.objects.update_or_create(
            code=item["code"],
            defaults={"name": item["name"], "is_pilot": item.get("pilot", False), "position": position},
        )
    for item in preset.get("anchor_units", []):
        unit, _ = AnchorUnit.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "uscc": item.get("uscc", ""),
                "description": item.get("description", ""),
                "contact_name": item.get("contact_name", ""),
                "contact_phone": item.get("contact_phone", ""),
            },
        )
        unit.industries.set([industries[code] for code in item.get("industries", []) if code in industries])
    for item in preset.get("subsidy_policies", []):
        SubsidyPolicy.objects.update_or_create(
            code=item["code"],
            version=item.get("version", 1),
            defaults={
                "effective_from": item.get("effective_from"),
                "name": item["name"],
                "ratio": _decimal(item["ratio"]),
                "cap_per_project": _decimal(item.get("cap_per_project")),
                "cap_per_enterprise": _decimal(item.get("cap_per_enterprise")),
                "hardware_share_limit": _decimal(item.get("hardware_share_limit")),
                "tiers": item.get("tiers", []),
                "tranches": item.get("tranches", []),
                "description": item.get("description", ""),
            },
        )
    regions_apply(preset.get("regions", []))
    for item in preset.get("windows", []):
        region = Region.objects.get(code=item["region"]) if item.get("region") else None
        DeclarationWindow.objects.update_or_create(
            module=item["module"],
            name=item["name"],
            defaults={
                "opens_on": item["opens_on"],
                "closes_on": item["closes_on"],
                "kind": item.get("kind", ""),
                "region": region,
            },
        )


LEVEL_ORDER = {Region.Level.PROVINCE: 0, Region.Level.CITY: 1, Region.Level.COUNTY: 2}


def regions_apply(regions: list[dict]) -> None:
    """Create or update the divisions, parents before children whatever the order they are listed in."""
    for item in sorted(regions, key=lambda r: LEVEL_ORDER[r["level"]]):
        parent = Region.objects.get(code=item["parent"]) if item.get("parent") else None
        region, _created = Region.objects.get_or_create(
            code=item["code"], defaults={"name": item["name"], "level": item["level"], "parent": parent}
        )
        if (region.name, region.level, region.parent_id) != (item["name"], item["level"], getattr(parent, "pk", None)):
            region.name, region.level, region.parent = item["name"], item["level"], parent
            region.save()
