"""Reads of a tenant's configuration."""

from tenant_apps.configuration.models import Industry, TenantSettings


def tenant_settings() -> TenantSettings | None:
    return TenantSettings.objects.filter(pk=1).first()


def pilot_industries() -> list[Industry]:
    return list(Industry.objects.filter(is_pilot=True))
