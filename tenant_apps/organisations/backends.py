"""Authentication + permissions that follow the membership in the current tenant, never global groups."""

from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection

from tenant_apps.organisations.roles import permissions_for
from tenant_apps.organisations.selectors import PERMISSION_CACHE, current_membership


@cache
def _all_permission_names() -> tuple[str, ...]:
    """Model permissions are created by migrations, so one read per process is enough."""
    rows = Permission.objects.values_list("content_type__app_label", "codename")
    return tuple(f"{app}.{codename}" for app, codename in rows)


class TenantRoleBackend(ModelBackend):
    """Username/password authentication as usual; permissions only from the roles held in this tenant."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        membership = current_membership(user_obj)  # None on the public schema
        if membership is None or not membership.roles:
            return set()
        cached = user_obj.__dict__.setdefault(PERMISSION_CACHE, {})
        if connection.schema_name not in cached:
            cached[connection.schema_name] = permissions_for(membership.roles, list(_all_permission_names()))
        return cached[connection.schema_name]
