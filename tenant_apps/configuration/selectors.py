"""Reads of a tenant's configuration."""

from tenant_apps.configuration.models import TenantSettings


def tenant_settings() -> TenantSettings | None:
    return TenantSettings.objects.filter(pk=1).first()


def password_policy():
    """The current tenant's password knobs as a PasswordPolicy; None on the public schema (defaults apply)."""
    from django.db import connection
    from django_tenants.utils import get_public_schema_name

    from shared_apps.accounts.passwords import PasswordPolicy

    if connection.schema_name == get_public_schema_name():
        return None
    row = tenant_settings()
    if row is None:
        return None
    return PasswordPolicy(
        min_length=row.password_min_length,
        max_length=row.password_max_length,
        min_classes=row.password_min_classes,
        history=row.password_history,
    )
