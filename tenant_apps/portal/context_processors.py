"""Branding and menus for every page of a tenant host, so pages that do not pass them still look like the city."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from tenant_apps.organisations.selectors import current_membership
from tenant_apps.portal import content
from tenant_apps.portal.selectors import module_menu, tenant_profile, workbench_menu


def portal(request):
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return {}

    def menu():
        membership = current_membership(request.user)
        return workbench_menu(tenant, membership) if membership else module_menu(tenant)

    return {
        "profile": SimpleLazyObject(lambda: tenant_profile(tenant)),
        "portal_nav": SimpleLazyObject(lambda: content.portal_nav(request)),
        "menu": SimpleLazyObject(menu),
        "register_url": reverse("register"),
    }
