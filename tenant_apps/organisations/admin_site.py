"""The Django admin of a tenant: open to that tenant's administrators only, whatever global flags say."""

from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from tenant_apps.organisations.roles import Role
from tenant_apps.organisations.selectors import current_membership

NOT_AN_ADMIN_HERE = _("您不是本城市的管理员。")


class TenantAdminSite(admin.AdminSite):
    site_header = _("城市管理后台")
    site_title = _("城市管理后台")
    index_title = _("租户配置")

    def has_permission(self, request):
        membership = current_membership(request.user)
        return membership is not None and membership.has_role(Role.TENANT_ADMIN)

    def admin_view(self, view, cacheable=False):
        """Signed-in people who are not this tenant's admins get 403, not a login form to try again."""
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request) and view != self.logout:
                raise PermissionDenied(NOT_AN_ADMIN_HERE)
            return inner(request, *args, **kwargs)

        return guarded

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied(NOT_AN_ADMIN_HERE)
        return super().login(request, extra_context)


tenant_admin_site = TenantAdminSite(name="tenant_admin")
