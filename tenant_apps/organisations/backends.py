"""Authentication + permissions that follow the membership in the current tenant, never global groups."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django_tenants.utils import get_public_schema_name

from tenant_apps.organisations.roles import permissions_for
from tenant_apps.organisations.selectors import current_membership


class TenantRoleBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if connection.schema_name == get_public_schema_name():
            return set()
        cache = user_obj.__dict__.setdefault("_role_perm_cache_by_schema", {})
        schema = connection.schema_name
        if schema not in cache:
            membership = current_membership(user_obj)
            if membership is None or not membership.roles:
                cache[schema] = set()
            else:
                names = [
                    f"{app}.{codename}"
                    for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
                ]
                cache[schema] = permissions_for(membership.roles, names)
        return cache[schema]
