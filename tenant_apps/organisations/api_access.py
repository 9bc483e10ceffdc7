"""API access by construction: who may call (membership, roles, modules) and what they may see (scoped querysets).

Modelled on PostHog's team-scoped viewsets: a scoped view never overrides `get_queryset`; it implements
`scoped_queryset(membership)`, which receives the caller's membership in the current tenant and must filter by
it. Tenant isolation itself comes from the schema; organisation isolation from these scopes.
"""

from django.http import Http404
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated

from tenant_apps.organisations.selectors import current_membership


class IsTenantMember(BasePermission):
    """Signed in *and* a member of the tenant being served; the membership is put on `request.membership`."""

    message = "您尚未加入本城市平台。"

    def has_permission(self, request, view):
        membership = current_membership(request.user)
        request.membership = membership
        return membership is not None


class HasTenantRole(IsTenantMember):
    """The view's `required_roles` (any of them) in this tenant."""

    message = "您在本城市平台没有执行此操作的角色。"

    def has_permission(self, request, view):
        return super().has_permission(request, view) and request.membership.has_role(*view.required_roles)


class ModuleAccess(IsTenantMember):
    """The view's `module` is on for this tenant (else 404) and, for sub-accounts, granted to them (else 403)."""

    message = "您的账号没有使用该功能的权限，请联系单位主账号授权。"

    def has_permission(self, request, view):
        tenant = getattr(request, "tenant", None)
        if tenant is None or not tenant.has_module(view.module):
            raise Http404
        return super().has_permission(request, view) and request.membership.can_use_module(view.module)


class ScopedAPIView(GenericAPIView):
    """Base for list/detail APIs over tenant data: the queryset always comes from `scoped_queryset(membership)`."""

    permission_classes = [IsAuthenticated, IsTenantMember]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(f"{cls.__name__}: implement scoped_queryset(membership), not get_queryset()")

    def get_queryset(self):
        membership = getattr(self.request, "membership", None) or current_membership(self.request.user)
        if membership is None:
            raise PermissionDenied(IsTenantMember.message)
        return self.scoped_queryset(membership)

    def scoped_queryset(self, membership):
        raise NotImplementedError
