"""Reads of a tenant's configuration."""

from tenant_apps.configuration.models import TenantSettings, sms_signature_default


def tenant_settings() -> TenantSettings | None:
    return TenantSettings.objects.filter(pk=1).first()


def sms_signature() -> str:
    """This tenant's SMS signature without brackets (PLATFORM_SMS_SIGNATURE_SOURCE); "" before it is configured."""
    row = TenantSettings.objects.filter(pk=1).only("sms_signature", "short_name").first()
    if row is None:
        return ""
    return row.sms_signature or sms_signature_default(row.short_name)


def password_policy(user=None):
    """The strictest of this host's password knobs and those of every city `user` has an active membership in (one
    identity, one password: it must satisfy each of them). None when no city applies (public, no membership)."""
    from django.db import connection
    from django_tenants.utils import get_public_schema_name, schema_context

    from shared_apps.accounts.passwords import strictest
    from tenant_apps.organisations.models import Membership
    from tenants.models import Tenant

    policies = [] if connection.schema_name == get_public_schema_name() else [_policy_here()]
    if user is not None and user.pk:
        cities = Tenant.objects.filter(kind=Tenant.Kind.TENANT).exclude(schema_name=connection.schema_name)
        for schema in cities.values_list("schema_name", flat=True):
            with schema_context(schema):
                if Membership.objects.filter(user_id=user.pk, is_active=True).exists():
                    policies.append(_policy_here())
    return strictest(policies)


def _policy_here():
    from shared_apps.accounts.passwords import PasswordPolicy

    row = tenant_settings()
    if row is None:
        return None
    return PasswordPolicy(
        min_length=row.password_min_length,
        max_length=row.password_max_length,
        min_classes=row.password_min_classes,
        history=row.password_history,
    )
