"""What the tenant's preset says about cultivation but no model stores (yet): the expiry notice days and the
maker-competition link (`[cultivation]` of tenants/presets/cultivation.toml). Read from the preset the tenant was
created from (`Tenant.preset`), so a change of the file applies without a migration; a tenant without a preset, or
whose preset no longer loads, gets the schema's defaults. Settings override for a deployment:
`PLATFORM_CULTIVATION_MAKER_URL`, `PLATFORM_CULTIVATION_EXPIRY_NOTICE_DAYS`."""

from __future__ import annotations

from django.conf import settings
from django.db import connection

DEFAULT_EXPIRY_NOTICE_DAYS = (90, 30)


def _preset_cultivation(tenant=None) -> dict:
    from tenants.errors import DomainError
    from tenants.presets import load_preset

    tenant = tenant or getattr(connection, "tenant", None)
    code = getattr(tenant, "preset", "") or ""
    if not code:
        return {}
    try:
        data = load_preset(code).data_for(tenant.schema_name)
    except DomainError:
        return {}
    return data.get("cultivation") or {}


def maker_competition_url(tenant=None) -> str:
    configured = getattr(settings, "PLATFORM_CULTIVATION_MAKER_URL", None)
    if configured is not None:
        return configured
    url = _preset_cultivation(tenant).get("maker_competition_url") or ""
    return url if url.startswith(("https://", "http://")) else ""


def expiry_notice_days(tenant=None) -> tuple[int, ...]:
    """The days before `valid_to` at which the enterprise is told, largest first (e.g. (90, 30))."""
    configured = getattr(settings, "PLATFORM_CULTIVATION_EXPIRY_NOTICE_DAYS", None)
    days = configured or _preset_cultivation(tenant).get("expiry_notice_days") or DEFAULT_EXPIRY_NOTICE_DAYS
    return tuple(sorted({int(d) for d in days if int(d) > 0}, reverse=True))
