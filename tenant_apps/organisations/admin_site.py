"""The Django admin of a tenant: open to that tenant's administrators only, whatever global flags say."""
from django.contrib import admin

from tenant_apps.organisations.roles import Role
from tenant_apps.organisations.selectors import current_membership


class TenantAdminSite(admin.AdminSite):
    site_header = "城市管理后台"
    site_title = "城市管理后台"
    index_title = "租户配置"

    def has_permission(self, request):
        membership = current_membership(request.user)
        return membership is not None and membership.has_role(Role.TENANT_ADMIN)


tenant_admin_site = TenantAdminSite(name="tenant_admin")


def _refuse_members_of_other_tenants(login_view):
    def view(request, extra_context=None):
        from django.core.exceptions import PermissionDenied

        if request.user.is_authenticated and not tenant_admin_site.has_permission(request):
            raise PermissionDenied("您不是本城市的管理员。")
        return login_view(request, extra_context)

    return view


tenant_admin_site.login = _refuse_members_of_other_tenants(tenant_admin_site.login)
