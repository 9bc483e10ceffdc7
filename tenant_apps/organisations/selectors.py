"""Reads about who a person is in the current tenant."""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import get_public_schema_name

from tenant_apps.organisations.models import Membership

# Per-user-object caches, keyed by schema: a request's user object never carries one tenant's answer into another.
MEMBERSHIP_CACHE = "_membership_by_schema"
PERMISSION_CACHE = "_role_permissions_by_schema"


def current_membership(user) -> Membership | None:
    """The user's active membership in the connection's current tenant, or None (public schema, non-member)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    schema = connection.schema_name
    if schema == get_public_schema_name():
        return None
    cache = user.__dict__.setdefault(MEMBERSHIP_CACHE, {})
    if schema not in cache:
        cache[schema] = (
            Membership.objects.select_related("organisation").filter(user_id=user.pk, is_active=True).first()
        )
    return cache[schema]


def forget_membership(user) -> None:
    """Drop cached answers after the user's membership changed."""
    user.__dict__.pop(MEMBERSHIP_CACHE, None)
    user.__dict__.pop(PERMISSION_CACHE, None)


def sub_accounts(manager: Membership):
    """The sub-accounts of the manager's organisation, newest first (one query with their users)."""
    return (
        Membership.objects.filter(organisation_id=manager.organisation_id, is_sub_account=True)
        .select_related("user")
        .order_by("-created_at", "-id")
    )


def access_sub_account(manager: Membership, pk) -> Membership:
    """A sub-account of the manager's own organisation; anything else is 'not found', never 'forbidden'."""
    from django.http import Http404

    found = sub_accounts(manager).filter(pk=pk).first() if manager.organisation_id else None
    if found is None:
        raise Http404
    return found


def mask_mobile(mobile: str | None) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if mobile and len(mobile) == 11 else (mobile or "")


def expert_memberships():
    """The tenant's active experts, for choosing who reviews an expert stage."""
    return Membership.objects.filter(roles__contains=["expert"], is_active=True).select_related("user")


def member_cities(user) -> list[dict]:
    """The serving cities where `user` has an active membership, in the registry's order:
    [{"schema", "name", "url"}] (url: that city's workbench). For the role switcher: one identity, one membership per
    city (ADR 0003), so switching role means switching city. Reads each city's schema in turn, one EXISTS each,
    like the password policy does (tenant_apps.configuration.selectors.password_policy); callers cache the answer
    (tenant_apps.portal.context_processors)."""
    from django.urls import reverse
    from django_tenants.utils import schema_context

    from tenants.models import Tenant
    from tenants.services import tenant_url

    if user is None or not user.is_authenticated:
        return []
    workbench = reverse("workbench").lstrip("/")
    found = []
    for tenant in Tenant.objects.serving().prefetch_related("domains"):
        with schema_context(tenant.schema_name):
            member = Membership.objects.filter(user_id=user.pk, is_active=True).exists()
        if member:
            name = tenant.short_name or tenant.name
            found.append({"schema": tenant.schema_name, "name": name, "url": tenant_url(tenant) + workbench})
    return found
