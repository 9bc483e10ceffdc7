"""API access by construction: who may call (membership, roles, modules) and what they may see (scoped querysets).

Modelled on PostHog's team-scoped viewsets: a scoped view never overrides `get_queryset`; it implements
`scoped_queryset(membership)`, which receives the caller's membership in the current tenant and must filter by
it. Tenant isolation itself comes from the schema; organisation isolation from these scopes.
"""

from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated

from tenant_apps.organisations.access import check_module_access
from tenant_apps.organisations.selectors import current_membership


class IsTenantMember(BasePermission):
    """Signed in *and* a member of the tenant being served; the membership is put on `request.membership`."""

    message = "您尚未加入本城市平台。"

    def has_permission(self, request, view):
        membership = current_membership(request.user)
        request.membership = membership
        return membership is not None


class ModuleAccess(BasePermission):
    """The view's `module`: on for this tenant (else 404), used by the caller's roles and, for sub-accounts,
    granted to them (else 403) — the same rule as the workbench pages."""

    def has_permission(self, request, view):
        _module, request.membership = check_module_access(request, view.module)
        return True


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
