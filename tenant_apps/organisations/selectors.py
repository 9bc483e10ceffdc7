"""Reads about who a person is in the current tenant."""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import get_public_schema_name

from tenant_apps.organisations.models import Membership

_CACHE_ATTR = "_membership_by_schema"


def current_membership(user) -> Membership | None:
    """The user's active membership in the connection's current tenant, cached on the user per schema."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    schema = connection.schema_name
    if schema == get_public_schema_name():
        return None
    cache = user.__dict__.setdefault(_CACHE_ATTR, {})
    if schema not in cache:
        cache[schema] = (
            Membership.objects.select_related("organisation").filter(user_id=user.pk, is_active=True).first()
        )
    return cache[schema]


def forget_membership(user) -> None:
    user.__dict__.pop(_CACHE_ATTR, None)
